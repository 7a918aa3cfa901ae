"""One clock for the whole system: the municipality's calendar day.

A date ("today", the day a closure or a registration happened) is the day on the municipality's
wall calendar, never the server's: a server that runs in UTC is an hour or two behind Dutch time,
so just after midnight in Amsterdam ``date.today()`` there is still yesterday, and a provider
who reports that care started today would be told the date lies in the future.

Everything that needs today asks this module, with the zone of the installation (configuration
``TIMEZONE``, default Europe/Amsterdam): the web views through ``app.clock.today``, the CLI, the
scheduler and the retention purge alike. Workflows take ``today`` as a parameter and so never
read a clock themselves. Instants (when an event was recorded, a login attempt) stay aware
datetimes in UTC; only the step to a calendar day goes through here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Amsterdam"


class UnknownTimeZone(ValueError):
    """The configured time zone is not a known IANA zone name."""


@lru_cache(maxsize=8)
def zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The IANA zone called ``name`` (e.g. ``Europe/Amsterdam``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(f"Unknown time zone {name!r}") from error


def today(zone_name: str = DEFAULT_TIMEZONE) -> date:
    """Today on the municipality's calendar."""
    return datetime.now(zone(zone_name)).date()


def as_utc(moment: datetime) -> datetime:
    """An instant read from the database, with its zone: SQLite hands timestamps back without
    one, and they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_date(moment: datetime, zone_name: str = DEFAULT_TIMEZONE) -> date:
    """The calendar day of an instant in the municipality (a naive value is taken as UTC, which
    is how the database returns timestamps on SQLite)."""
    return as_utc(moment).astimezone(zone(zone_name)).date()
