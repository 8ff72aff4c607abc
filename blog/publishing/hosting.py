"""What a static host needs beside the pages: redirects, content types, headers, stubs.

Netlify reads ``_redirects`` and ``_headers`` (Cloudflare Pages too) and ``netlify.toml``;
nginx takes ``deploy/nginx-static.conf``. A host with no rules at all still gets every old
address through its HTML stub (canonical link + meta refresh).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import iri_to_uri

from blog.publishing.addresses import PAGE_FOLDER

NGINX_MAP = "_redirects.map"
NGINX_HEADERS = "_headers.nginx"
# Types a host guesses right from the file name; others get a rule.
_GUESSED = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


@dataclass
class HostRules:
    origin: str
    csp: str = ""
    redirects: dict[str, str] = field(default_factory=dict)  # old address -> new
    paginated: set[str] = field(default_factory=set)  # list addresses with a page 2
    content_types: dict[str, str] = field(default_factory=dict)  # address -> type

    def add_content_type(self, address: str, file: str, content_type: str) -> None:
        kind = content_type.split(";")[0].strip().lower()
        suffix = "." + file.rsplit(".", 1)[-1]
        if _GUESSED.get(suffix) != kind:
            self.content_types[address] = content_type

    def redirects_file(self) -> str:
        """Netlify's ``_redirects``: ``?page=N`` to its file, then every old address (301).

        Forced (``!``): the list's own file and the old address's stub exist, and Netlify
        otherwise serves a file before any rule.
        """
        lines = ["# Pages of a list: the live site's ?page=N, written at <list>page/N/"]
        for address in sorted(self.paginated):
            lines.append(
                f"{iri_to_uri(address)} page=:n {iri_to_uri(address)}{PAGE_FOLDER}/:n/ 200!"
            )
        lines.append("# The build's own files are not pages")
        for name in (NGINX_MAP, NGINX_HEADERS):
            lines.append(f"/{name} /404.html 404!")
        lines.append("# Old addresses (the admin's redirects, changed slugs): permanent")
        for old, new in sorted(self.redirects.items()):
            for form in dict.fromkeys((iri_to_uri(old), old)):
                if not re.search(r"\s", form):
                    lines.append(f"{form} {iri_to_uri(new)} 301!")
        return "\n".join(lines) + "\n"

    def nginx_map(self) -> str:
        """``_redirects.map``, for deploy/nginx-static.conf's ``map $uri``: decoded paths (nginx
        compares the decoded ``$uri``), with and without their trailing slash."""
        lines = ["# Written by build_static: old address -> new (deploy/nginx-static.conf)."]
        for old, new in sorted(self.redirects.items()):
            if "?" in old:
                continue
            path = unicodedata.normalize("NFC", unquote(old))
            forms = dict.fromkeys((path, path.rstrip("/") or "/", path.rstrip("/") + "/"))
            target = _nginx_string(iri_to_uri(new))
            for form in forms:
                key = _nginx_string(form)
                if form != new and key and target:
                    lines.append(f"{key} {target};")
        return "\n".join(lines) + "\n"

    def headers_file(self) -> str:
        """Netlify's ``_headers``: feeds and the like served with their own type."""
        blocks = []
        for address, content_type in sorted(self.content_types.items()):
            blocks.append(f"{iri_to_uri(address)}\n  Content-Type: {content_type}")
        return "\n".join(blocks) + ("\n" if blocks else "")

    def nginx_headers(self) -> str:
        """``_headers.nginx``: the security headers, included by deploy/nginx-static.conf."""
        lines = ["# Written by build_static (deploy/nginx-static.conf includes it).\n"]
        values = {"Content-Security-Policy": self.csp, **SECURITY_HEADERS}
        for name, value in values.items():
            lines.append(f'add_header {name} "{value}" always;\n')
        return "".join(lines)

    def netlify_toml(self) -> str:
        csp = self.csp.replace('"', '\\"')
        return NETLIFY_TOML.format(csp=csp)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

NETLIFY_TOML = """\
# Written by `manage.py build_static`: deploy this folder as it is (no build step).
[build]
  publish = "."
  command = ""

[[headers]]
  for = "/*"
  [headers.values]
    Content-Security-Policy = "{csp}"
    X-Content-Type-Options = "nosniff"
    Referrer-Policy = "same-origin"
    X-Frame-Options = "DENY"
    Cross-Origin-Opener-Policy = "same-origin"

# Hashed names (collectstatic's manifest): a new version is a new file.
[[headers]]
  for = "/static/*"
  [headers.values]
    Cache-Control = "public, max-age=31536000, immutable"

# Uploads: never run as a document (the live site sends the same, site_config/urls.py).
[[headers]]
  for = "/media/*"
  [headers.values]
    Content-Security-Policy = "default-src 'none'; sandbox"
"""


def static_csp(live_csp: str, contact_action: str) -> str:
    """The live policy, plus WebAssembly for Pagefind's search and the contact endpoint.

    Pagefind runs its index in WebAssembly ('wasm-unsafe-eval', which allows no eval of
    JavaScript); a contact form that posts elsewhere needs that origin in form-action.
    """
    directives = [part.strip() for part in live_csp.split(";") if part.strip()]
    out = []
    for directive in directives:
        name = directive.split()[0]
        if name == "script-src":
            directive += " 'wasm-unsafe-eval'"
        if name == "form-action" and contact_action.startswith(("https://", "http://")):
            directive += " " + _origin(contact_action)
        out.append(directive)
    return "; ".join(sorted(out))  # django-csp's order varies from run to run


def _nginx_string(value: str) -> str | None:
    """A quoted nginx string, or None when the value cannot be one (the stub still works)."""
    if re.search(r'[\s"\\$;{}]', value):
        return None
    return f'"{value}"'


def _origin(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def stub(target: str, origin: str, language: str) -> bytes:
    """The HTML page left at an old address, for hosts without redirect rules."""
    absolute = target if "://" in target else origin + target
    with translation.override(language):
        context = {"target": target, "absolute_target": absolute, "language": language}
        return render_to_string("publishing/moved.html", context).encode()
