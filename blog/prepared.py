"""Querysets whose SQL is built once per process, then run with each request's values.

Building a queryset's SQL through the ORM (``as_sql``: resolving lookups, joins, columns)
costs more than running it: 0.4 ms of the 0.86 ms that the ten cards of a list page cost on
SQLite, where executing the same SQL and building the posts takes 0.3 ms. A public page runs
the same few queries with other values (the time of the request, a tag, a period, some ids),
so their SQL is built once per *shape* and kept, as the public state's query is
(``blog.site.stamps``).

``rows(key, build, values)``: ``build(*values)`` must return the queryset for those values,
and ``key`` must say everything else about its shape (slice bounds, how many ids): the first
time, ``build`` is called with stand-in values of the same types, each found back among the
compiled SQL's parameters; later calls put the request's values in their places. Anything
this does not handle (prefetches, ``select_related``, extra columns in ``values_list``, a
stand-in not found exactly where expected, an empty slice) is run by the ORM every time:
slower, never different.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable

from blog.memory import Memory

MAX_PLANS = 512  # shapes: a list's pages, a few id counts; each a few KB of SQL
_plans = Memory(MAX_PLANS)  # key -> _Plan, or None: left to the ORM


@dataclass(frozen=True)
class _Plan:
    db: str
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (parameter position, index of the value put there)
    converters: dict
    model: type | None  # None: rows as tuples (values_list)
    init_list: tuple[str, ...]
    fields: slice
    annotations: tuple[tuple[str, int], ...]


def forget() -> None:
    _plans.forget()


def _stand_in(value, n: int):
    """A value of the same type that no real query uses."""
    if isinstance(value, dt.datetime):
        return dt.datetime(1901, 2, 3, 4, 5, 6, 100_000 + n, tzinfo=dt.UTC)
    if isinstance(value, bool):
        raise TypeError(value)  # True and 1 compare equal: not told apart in the parameters
    if isinstance(value, int):
        return -987_654_000 - n
    if isinstance(value, str):
        return f"carnet-stand-in-{n}\u2063"
    raise TypeError(value)


def _adapt(value, ops):
    return ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value


def _plan(build: Callable[..., QuerySet], values: Sequence) -> _Plan | None:
    try:
        stand_ins = [_stand_in(value, n) for n, value in enumerate(values)]
    except TypeError:
        return None
    queryset = build(*stand_ins)
    if queryset._prefetch_related_lookups or queryset._known_related_objects:
        return None
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    if queryset._iterable_class is ModelIterable:
        info = compiler.klass_info
        if info is None or info.get("related_klass_infos"):
            return None
        first, last = info["select_fields"][0], info["select_fields"][-1] + 1
        model = info["model"]
        init_list = tuple(column[0].target.attname for column in compiler.select[first:last])
        annotations = tuple(compiler.annotation_col_map.items())
    elif queryset._iterable_class is ValuesListIterable:
        if query.extra_select or query.annotation_select:
            return None
        model, init_list, first, last, annotations = None, (), 0, 0, ()
    else:
        return None
    ops = connections[queryset.db].ops
    adapted = [_adapt(stand_in, ops) for stand_in in stand_ins]
    slots = []
    for position, param in enumerate(params):
        found = [
            n for n, value in enumerate(adapted) if type(param) is type(value) and param == value
        ]
        slots += [(position, n) for n in found]
    if sorted({n for _, n in slots}) != list(range(len(values))):
        return None
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    return _Plan(
        db=queryset.db,
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        converters=compiler.get_converters(fields),
        model=model,
        init_list=init_list,
        fields=slice(first, last),
        annotations=annotations,
    )


_MISSING = object()


def rows(key: tuple, build: Callable[..., QuerySet], values: Sequence = ()) -> list:
    """``list(build(*values))``, its SQL built once per ``key`` (see the module's docstring)."""
    full_key = (*key, tuple(type(value) for value in values))
    plan = _plans.recall(full_key, _MISSING)
    if plan is _MISSING:
        plan = _plan(build, values)
        _plans.remember(full_key, plan)
    if plan is None:
        return list(build(*values))
    return _run(plan, values)


def _run(plan: _Plan, values: Sequence) -> list:
    connection = connections[plan.db]
    params = list(plan.params)
    for position, n in plan.slots:
        params[position] = _adapt(values[n], connection.ops)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, params)
        fetched = cursor.fetchall()
    converters = list(plan.converters.items())
    out = []
    for raw in fetched:
        row = list(raw)
        for position, (functions, expression) in converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        if plan.model is None:
            out.append(tuple(row))
            continue
        obj = plan.model.from_db(plan.db, plan.init_list, row[plan.fields])
        for name, position in plan.annotations:
            setattr(obj, name, row[position])
        out.append(obj)
    return out
