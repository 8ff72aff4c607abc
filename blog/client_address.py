"""The reader's address as django-axes should see it, with or without reverse proxies in front.

Behind a reverse proxy, REMOTE_ADDR is the proxy's address for every reader: one person
mistyping a password would lock the same username out for everyone, and an attacker could
not be told apart. Each trusted proxy appends the address it received the request from to
X-Forwarded-For (nginx's ``$proxy_add_x_forwarded_for``, Caddy, Traefik), so with N proxies
the reader is the N-th address from the right. Addresses further left were written by the
client itself and are never believed. ``settings.CARNET_PROXY_COUNT`` is N (0: no proxy).

Plugged in as ``AXES_CLIENT_IP_CALLABLE``: axes' ``AXES_IPWARE_*`` settings only work with
django-ipware installed (they are silently ignored otherwise), and ipware's own proxy count
assumes a chain that includes the proxies' addresses and prefers public addresses it finds
anywhere in the header, which a client can write.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.CARNET_PROXY_COUNT
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [address.strip() for address in header.split(",") if address.strip()]
    if not forwarded:
        return remote  # reached us without going through a proxy
    # Fewer addresses than proxies: the request came in through an inner proxy, whose entry
    # (the left-most, as none was written by the client) is the reader's.
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address (a port, garbage): the peer is all we know
        return remote
