"""Date rules: the Jeugd decision end (day before the 18th birthday, R6), ages, whole weeks."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.dates import (
    add_weeks,
    age_on,
    birthday_in_year,
    eighteenth_birthday,
    jeugd_decision_end,
)

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("birth_date", "decision_end"),
    [
        (date(2010, 6, 15), date(2028, 6, 14)),
        (date(2012, 3, 1), date(2030, 2, 28)),
        (date(2009, 12, 31), date(2027, 12, 30)),
        (date(2010, 1, 1), date(2027, 12, 31)),
        (date(2010, 1, 2), date(2028, 1, 1)),
    ],
)
def test_a_jeugd_decision_ends_the_day_before_an_ordinary_18th_birthday(
    birth_date: date, decision_end: date
) -> None:
    assert jeugd_decision_end(birth_date) == decision_end


@pytest.mark.parametrize(
    ("birth_date", "eighteenth", "decision_end"),
    [
        (date(2008, 2, 29), date(2026, 3, 1), date(2026, 2, 28)),
        (date(2012, 2, 29), date(2030, 3, 1), date(2030, 2, 28)),
        (date(2000, 2, 29), date(2018, 3, 1), date(2018, 2, 28)),
    ],
)
def test_a_leap_day_child_turns_18_on_1_march_so_the_decision_ends_on_28_february(
    birth_date: date, eighteenth: date, decision_end: date
) -> None:
    assert eighteenth_birthday(birth_date) == eighteenth
    assert jeugd_decision_end(birth_date) == decision_end


@pytest.mark.parametrize("year", [1896, 1904, 2000, 2004, 2008, 2096, 2104])
def test_a_leap_day_child_never_turns_18_in_a_leap_year(year: int) -> None:
    """18 is not a multiple of 4, so the 18th 'birthday' of a 29 February child always falls
    in a common year; even so the decision ends on 28 February, the day before 1 March."""
    assert not calendar.isleap(year + 18)
    assert jeugd_decision_end(date(year, 2, 29)) == date(year + 18, 2, 28)


def test_a_leap_day_birthday_is_29_february_in_leap_years() -> None:
    assert birthday_in_year(date(2008, 2, 29), 2024) == date(2024, 2, 29)
    assert birthday_in_year(date(2008, 2, 29), 2025) == date(2025, 3, 1)
    assert birthday_in_year(date(2008, 2, 29), 2100) == date(2100, 3, 1)  # 2100 is no leap year


def test_turning_18_on_1_march_of_a_leap_year_ends_the_decision_on_29_february() -> None:
    assert jeugd_decision_end(date(2006, 3, 1)) == date(2024, 2, 29)
    assert jeugd_decision_end(date(2006, 2, 28)) == date(2024, 2, 27)


@pytest.mark.parametrize(
    ("birth_date", "on", "age"),
    [
        (date(2010, 6, 15), date(2028, 6, 14), 17),
        (date(2010, 6, 15), date(2028, 6, 15), 18),
        (date(2010, 6, 15), date(2010, 6, 15), 0),
        (date(2010, 6, 15), date(2011, 6, 14), 0),
        (date(2009, 12, 31), date(2027, 12, 30), 17),
        (date(2009, 12, 31), date(2027, 12, 31), 18),
        (date(2010, 1, 1), date(2027, 12, 31), 17),
        (date(2010, 1, 1), date(2028, 1, 1), 18),
        (date(2008, 2, 29), date(2025, 2, 28), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(1950, 5, 5), date(2026, 11, 2), 76),
    ],
)
def test_age_on_counts_completed_years(birth_date: date, on: date, age: int) -> None:
    assert age_on(birth_date, on) == age


@given(birth_dates)
@settings(database=None)
def test_the_day_after_the_decision_end_is_the_first_day_of_being_18(birth_date: date) -> None:
    end = jeugd_decision_end(birth_date)
    assert age_on(birth_date, end) == 17
    assert age_on(birth_date, end + timedelta(days=1)) == 18


@given(birth_dates)
@settings(database=None)
def test_the_18th_birthday_lies_18_years_of_365_or_366_days_later(birth_date: date) -> None:
    days = (eighteenth_birthday(birth_date) - birth_date).days
    leap_days = sum(calendar.isleap(y) for y in range(birth_date.year, birth_date.year + 19))
    assert 18 * 365 + 3 <= days <= 18 * 365 + 5
    assert days <= 18 * 365 + leap_days


@pytest.mark.parametrize(
    ("start", "weeks", "end"),
    [
        (date(2026, 11, 9), 1, date(2026, 11, 15)),
        (date(2026, 11, 9), 26, date(2027, 5, 9)),
        (date(2026, 12, 28), 1, date(2027, 1, 3)),
        (date(2024, 2, 26), 1, date(2024, 3, 3)),
        (date(2026, 11, 11), 2, date(2026, 11, 24)),
    ],
)
def test_whole_weeks_end_on_the_day_before_the_same_weekday(
    start: date, weeks: int, end: date
) -> None:
    assert add_weeks(start, weeks) == end


def test_one_week_from_a_monday_ends_on_a_sunday() -> None:
    monday = date(2026, 11, 9)
    assert monday.isoweekday() == 1
    assert add_weeks(monday, 1).isoweekday() == 7
