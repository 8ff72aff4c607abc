"""Feed entries (an RSS ``<item>``, an Atom ``<entry>``), each written once per process for
what it shows.

A feed of twenty full posts cost fourteen times its page floor, nearly all in its entries:
twenty posts with their tags and authors as model instances, then per entry some twenty feed
methods, three ``reverse()``, a regex over the body and the XML writer. An entry is a pure
function of what it shows (the post's columns, body included, its tags' names, its authors'
names and addresses, the identity's author name for a post without one, the enclosure's
rendition) and of where it is shown (the feed format, the language, the time zone, the scheme
and host of absolute addresses, the address prefix, ``MEDIA_URL``): that tuple is the key of a
bounded memory in each process (``blog.public.feeds`` builds it). A feed still reads its
twenty posts, their tags and their authors as plain rows, so a tag renamed by an update or an
author renamed is in the next feed although no post was saved; it writes only the entries it
does not remember. Nothing is shared between processes. An entry whose enclosure could not be
resolved is not remembered (it will be once it is), as post cards are not
(``blog.templatetags.cards``).
"""

from __future__ import annotations

from blog.memory import Memory

# Entries remembered per process (each ~2.5 times its body: the XML, and the body in its key):
# the site-wide feeds' and the busiest tag and author feeds' entries stay, in a few MB.
MAX_ENTRIES = 500
_entries = Memory(MAX_ENTRIES)


def forget() -> None:
    """Forget every remembered entry (as a new process would)."""
    _entries.forget()


def count() -> int:
    return len(_entries)


def recall(key: tuple) -> str | None:
    """The entry's XML as written for ``key``, or None."""
    return _entries.recall(key)


def remember(key: tuple, xml: str) -> None:
    _entries.remember(key, xml)
