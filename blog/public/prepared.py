"""Queries whose SQL is built once per connection and shape, then run with other values.

Building a small query through the ORM costs more than running it: ~0.25 ms each for a feed's
posts, their tags and their authors, a quarter of a feed whose entries are remembered (as for
the public state, ``blog.site.stamps``). The SQL is built once from the queryset made with
stand-in values (numbers and dates no row has, each its own), which are found again among its
parameters and replaced by the real ones on each run; the rows go through the compiler's own
converters (SQLite's dates come as text), so they are what ``values_list()`` gives.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models import QuerySet

# Stand-ins: far from any id or date a site has, and each one different.
_FIRST_ID = -7_000_000
_FIRST_DATE = dt.datetime(1901, 1, 1, tzinfo=dt.UTC)

Value = int | dt.datetime | Sequence[int]


class Prepared:
    """``build(*values)``, a ``values_list()`` queryset, as rows; its SQL built once per
    connection (one per thread) and per length of each list of ``values``."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._local = threading.local()

    def rows(self, *values: Value) -> list[tuple]:
        if any(isinstance(value, (list, tuple)) and not value for value in values):
            return []  # an empty list matches nothing (the ORM runs no query either)
        shape = tuple(len(v) if isinstance(v, (list, tuple)) else type(v) for v in values)
        built = getattr(self._local, "built", None)
        if built is None:
            built = self._local.built = {}
        if shape not in built:
            built[shape] = self._prepare(values)
        compiler, sql, template, slots = built[shape]
        params = list(template)
        ops = compiler.connection.ops
        for position, (n, k) in slots.items():
            value = values[n] if k is None else values[n][k]
            params[position] = (
                ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value
            )
        with compiler.connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return list(compiler.results_iter([rows], tuple_expected=True))

    def _prepare(self, values: Sequence[Value]):
        stand_ins: dict[object, tuple[int, int | None]] = {}
        args: list[object] = []
        count = 0

        def stand_in(value, n: int, k: int | None):
            nonlocal count
            count += 1
            if isinstance(value, dt.datetime):
                made = _FIRST_DATE + dt.timedelta(seconds=count)
            else:
                made = _FIRST_ID - count
            stand_ins[made] = (n, k)
            return made

        for n, value in enumerate(values):
            if isinstance(value, (list, tuple)):
                args.append([stand_in(item, n, k) for k, item in enumerate(value)])
            else:
                args.append(stand_in(value, n, None))
        queryset = self.build(*args)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        ops = connections[queryset.db].ops
        adapted = {
            (ops.adapt_datetimefield_value(made) if isinstance(made, dt.datetime) else made): slot
            for made, slot in stand_ins.items()
        }
        slots = {}
        for position, param in enumerate(params):
            if isinstance(param, (int, str, dt.datetime)) and param in adapted:
                slots[position] = adapted[param]
        if sorted(slots.values(), key=repr) != sorted(stand_ins.values(), key=repr):
            raise ValueError(f"each value must be a parameter of the query once: {sql}")
        return compiler, sql, params, slots
