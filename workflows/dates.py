"""Calendar arithmetic: birthdays, the Jeugd decision end (R6), whole weeks and months. The
rules built on it (which dates may be stored) are in ``workflows.eligibility``."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def birthday_in_year(birth_date: date, year: int) -> date:
    """The birthday in ``year``; a 29 February birthday falls on 1 March in common years
    (the Dutch civil-law reading: the person has completed the year once 28 February is over)."""
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def eighteenth_birthday(birth_date: date) -> date:
    return birthday_in_year(birth_date, birth_date.year + 18)


def jeugd_decision_end(birth_date: date) -> date:
    """R6: a Jeugd decision runs until the day before the 18th birthday.

    Born 29 February 2008 → 18 on 1 March 2026 → decision ends 28 February 2026.
    """
    return eighteenth_birthday(birth_date) - timedelta(days=1)


def age_on(birth_date: date, on: date) -> int:
    years = on.year - birth_date.year
    return years if on >= birthday_in_year(birth_date, on.year) else years - 1


def add_weeks(start: date, weeks: int) -> date:
    """Planned end for a duration of ``weeks`` weeks starting on ``start`` (inclusive): the last
    day of the last week, so 1 week from Monday ends on Sunday."""
    return start + timedelta(weeks=weeks) - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; the 31st becomes the month's last day if needed."""
    result: date = day + relativedelta(months=months)
    return result
