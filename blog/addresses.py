"""Addresses reversed once per process.

``reverse()`` walks the URL patterns on every call, and every public page asks for the same
few addresses (the admin's prefix, the contact form, its authors' pages). Each is remembered
under what ``reverse()`` reads besides its arguments (the script prefix and the URLconf), so an
address is always the one ``reverse()`` would give now. A name that does not reverse raises
``NoReverseMatch`` each time, as ``reverse()`` does (nothing is remembered for it).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def urls_key() -> tuple[str, str]:
    """What ``reverse()`` reads besides its arguments: the script prefix and the URLconf. Part
    of the key of everything remembered that holds an address (cards, fragments, feed entries,
    tag links)."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


@lru_cache(maxsize=4096)
def _reversed(viewname: str, kwargs: tuple, prefix: str, urlconf: str) -> str:
    return reverse(viewname, kwargs=dict(kwargs), urlconf=urlconf)


def address(viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered."""
    return _reversed(viewname, tuple(sorted(kwargs.items())), *urls_key())
