"""Feed entries (an RSS ``<item>``, an Atom ``<entry>``), each written once per process for
what it shows.

A feed of twenty full posts cost fourteen times its page floor, nearly all in its entries:
loading twenty bodies with their tags and authors as model instances, then per entry some
twenty feed methods, three ``reverse()``, a regex over the body and the XML writer. An entry
is a pure function of what it shows (the post's columns, which ``updated`` follows, its tags'
names, its authors' names and addresses, the identity's author name for a post without one,
the enclosure's rendition) and of where it is shown (the feed format, the language, the time
zone, the scheme and host of absolute addresses, the address prefix, ``MEDIA_URL``): that tuple
is the key of a bounded memory in each process (``blog.public.feeds`` builds it), so a feed
asks the database for the twenty posts' cheap columns, their tags and authors, and loads the
bodies of the entries it has not written yet only. Nothing is shared between processes: a key
holds every value the entry shows, so a remembered entry is the one Django would write now.
An entry whose enclosure could not be resolved is not remembered (it will be once it is), as
post cards are not (``blog.templatetags.cards``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

# Entries remembered per process (~6 KB each, the body mostly): the site-wide feeds' and the
# busiest tag and author feeds' entries stay, in a few MB at most.
MAX_ENTRIES = 500
_entries: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


def forget() -> None:
    """Forget every remembered entry (as a new process would)."""
    with _lock:
        _entries.clear()


def count() -> int:
    with _lock:
        return len(_entries)


def recall(key: tuple) -> str | None:
    """The entry's XML as written for ``key``, or None."""
    with _lock:
        xml = _entries.get(key)
        if xml is not None:
            _entries.move_to_end(key)
        return xml


def remember(key: tuple, xml: str) -> None:
    with _lock:
        _entries[key] = xml
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
