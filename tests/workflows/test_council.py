"""The council report's year (docs/statistics.md, "Council report"): the default is the last
complete calendar year up to the data cut-off; the current year compares January up to the
cut-off month; a bad year is refused at ``year`` in Dutch."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.council import CouncilYear, council_year
from workflows.errors import DomainError


@pytest.mark.parametrize(
    ("raw", "today", "expected"),
    [
        (None, date(2022, 1, 10), CouncilYear(2021, 12)),  # cut-off December 2021
        ("", date(2021, 12, 31), CouncilYear(2020, 12)),  # cut-off November 2021
        (" ", date(2021, 11, 10), CouncilYear(2020, 12)),
        ("2021", date(2021, 11, 10), CouncilYear(2021, 10)),  # partial: t/m oktober
        ("2021", date(2022, 1, 10), CouncilYear(2021, 12)),
        ("2019", date(2021, 11, 10), CouncilYear(2019, 12)),
        ("2001", date(2021, 11, 10), CouncilYear(2001, 12)),
    ],
)
def test_the_year_and_the_months_compared(
    raw: str | None, today: date, expected: CouncilYear
) -> None:
    assert council_year(raw, today) == expected
    assert expected.partial == (expected.last_month != 12)


def test_a_partial_year_compares_january_up_to_the_cut_off_month() -> None:
    year = council_year("2021", date(2021, 11, 10))
    assert year.partial
    assert year.period(2020) == ("2020-01", "2020-10")
    assert year.period(2021) == ("2021-01", "2021-10")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("21", "vier cijfers"),
        ("２０２１", "vier cijfers"),
        ("2021-01", "vier cijfers"),
        ("2000", "Kies een jaar van 2001 tot en met 2021"),
        ("2022", "Kies een jaar van 2001 tot en met 2021"),
    ],
)
def test_a_bad_year_is_refused_in_dutch(raw: str, text: str) -> None:
    with pytest.raises(DomainError) as caught:
        council_year(raw, date(2021, 11, 10))
    (problem,) = caught.value.problems
    assert problem.field == "year"
    assert text in problem.render()
