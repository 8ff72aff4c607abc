"""Wall-clock times in the site's time zone: the ones that do not exist or exist twice.

A date written without a zone (an imported ``date: 2021-03-28 02:30``, a time typed in the
admin) is read in the site's time zone (``TIME_ZONE``). On the nights the clocks change, such a
time may not exist (02:30 when Paris jumps from 02:00 to 03:00) or exist twice (02:30 when it
falls back from 03:00 to 02:00). The admin refuses both with a message that says so; the
importer reads them as Python's zoneinfo does (``fold=0``: the offset in force before the
change) and warns, since the file cannot be asked again.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from django.utils import timezone

Kind = Literal["nonexistent", "ambiguous"]


def site_zone() -> dt.tzinfo:
    """The site's time zone (``TIME_ZONE``), whatever zone a request may have activated."""
    return timezone.get_default_timezone()


def gap_or_overlap(naive: dt.datetime, zone: dt.tzinfo | None = None) -> Kind | None:
    """Whether a wall-clock time falls in a change of offset: skipped, repeated, or neither."""
    zone = zone or site_zone()
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return None
    # A time that exists comes back unchanged from UTC; a skipped one comes back an hour on.
    back = early.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None, fold=0)
    return "ambiguous" if back == naive.replace(fold=0) else "nonexistent"


def read_naive(naive: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
    """A zone-less date in the site's zone; a skipped or repeated time as zoneinfo's fold=0."""
    return naive.replace(tzinfo=zone or site_zone(), fold=0)


def zone_name(zone: dt.tzinfo | None = None) -> str:
    zone = zone or site_zone()
    return zone.key if isinstance(zone, ZoneInfo) else str(zone)
