"""A bounded memory in each process, least recently used out first.

For what is rendered once per process for what it shows: post cards
(``blog.templatetags.cards``), page fragments (``blog.templatetags.fragments``), feed entries
(``blog.public.feed_entries``), and the SQL of prepared querysets (``blog.prepared``). Each
caller's key holds every value its entry depends on, so an entry is never stale, only dropped
when the memory is full. Nothing is shared between processes: a new one starts empty.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class Memory:
    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, key, default=None):
        """The value remembered for ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            try:
                value = self._items[key]
            except KeyError:
                return default
            self._items.move_to_end(key)
            return value

    def remember(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self) -> None:
        """Forget everything (as a new process would)."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
