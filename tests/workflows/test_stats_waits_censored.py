"""The waits of a period with the still-waiting censored, and the unmet demand per month, on
small data computed by hand (docs/statistics.md, "Waits with the still-waiting censored" and
"Unmet demand")."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from workflows.stats import anonymity, figures
from workflows.stats.anonymity import Disclosure

from .stats_helpers import fact, load, query, request

D = date
R = D(2021, 12, 31)  # the reference date: the last day of the cut-off month 2021-12


@pytest.fixture
def waits(session: Session) -> None:
    load(
        session,
        # requests made in 2021-07 … 2021-12 (Jeugd)
        request("r1", D(2021, 7, 1), D(2021, 7, 11)),  # decided after 10 days
        request("r2", D(2021, 8, 1), D(2021, 8, 21)),  # 20 days
        request("r3", D(2021, 9, 1), D(2021, 10, 1)),  # 30 days
        request("r4", D(2021, 12, 21)),  # still waiting at R: censored at 10 days
        request("r5", D(2021, 12, 11), D(2022, 1, 5)),  # decided after R: censored at 20
        request("r7", D(2021, 10, 1), D(2021, 10, 15), outcome="afgewezen"),  # refused: 14
        # not in the period's waits
        request("r6", D(2021, 6, 30), D(2021, 7, 2)),  # requested before the period
        request("wmo", D(2021, 9, 1), D(2021, 9, 2), domain="wmo"),  # another domain
        # unmet demand: refused (r7 above) or closed without follow-up, by day of that decision
        request("n1", D(2021, 6, 20), D(2021, 10, 20), outcome="geen_vervolg"),
        request("n2", D(2021, 5, 1), R, outcome="geen_vervolg"),  # on R: December
        request("x1", D(2021, 5, 1), D(2021, 6, 30), outcome="afgewezen"),  # before the period
        request("x2", D(2021, 6, 1), D(2022, 1, 2), outcome="afgewezen"),  # after the cut-off
        request("x3", D(2021, 6, 1), D(2021, 10, 5), outcome="afgewezen", domain="wmo"),
        # trajectories decided in the period (decision → start of care)
        fact("d1", D(2021, 7, 31), decision_date=D(2021, 7, 1)),  # started after 30 days
        fact("d2", None, decision_date=D(2021, 8, 1)),  # not started: censored at 152 days
        fact("d3", D(2022, 1, 10), decision_date=D(2021, 11, 1)),  # starts after R: 60
        fact("d5", D(2021, 9, 11), decision_date=D(2021, 9, 1)),  # 10 days
        fact("d4", D(2021, 7, 1), decision_date=D(2021, 6, 1)),  # decided before the period
    )


def test_a_still_waiting_request_is_censored_at_the_reference_date(
    session: Session, waits: None
) -> None:
    result = figures.censored_waits(session, query("2021-07", "2021-12"))
    assert result.reference_date == R
    stage = result.stages["request"]
    assert stage is not None
    # r1 10, r4 10 (censored), r7 14, r2 20, r5 20 (censored), r3 30
    assert (stage.n, stage.ended, stage.censored) == (6, 4, 2)
    # S(10) = 5/6; r4 leaves; S(14) = 5/6 · 3/4 = 0.625; S(20) = 0.625 · 2/3 ≈ 0.417 ≤ ½.
    # Leaving the still-waiting out would give the median of 10, 14, 20, 30: 17 days.
    assert stage.km_median_days == 20


def test_a_decision_without_start_is_censored_at_the_reference_date(
    session: Session, waits: None
) -> None:
    stage = figures.censored_waits(session, query("2021-07", "2021-12")).stages["decision"]
    assert stage is not None
    # d5 10, d1 30, d3 60 (censored), d2 152 (censored)
    assert (stage.n, stage.ended, stage.censored) == (4, 2, 2)
    assert stage.km_median_days == 30  # S(10) = 3/4, S(30) = 3/4 · 2/3 = ½
    # without July: d5 10, d3 60 and d2 152 censored; S(10) = 2/3 and then no event: half of
    # them are still waiting, so no median
    later = figures.censored_waits(session, query("2021-08", "2021-12"))
    assert later.stages["decision"] == figures.WaitSurvival(3, 1, 2, None)


def test_the_censored_waits_take_the_filters_of_the_waiting_list(
    session: Session, waits: None
) -> None:
    both = figures.censored_waits(session, query("2021-07", "2021-12", domain=None))
    assert both.stages["request"] is not None and both.stages["request"].n == 7  # + wmo
    narrowed = figures.censored_waits(session, query("2021-07", "2021-12", provider="12345678"))
    assert narrowed.stages["request"] is None
    assert narrowed.stages["decision"] is not None and narrowed.stages["decision"].n == 4
    elsewhere = figures.censored_waits(session, query("2021-07", "2021-12", wijk="Swifterbant"))
    assert elsewhere.stages["request"] == figures.WaitSurvival(0, 0, 0, None)


def test_the_censored_waits_keep_the_key_sums_of_their_cells(session: Session) -> None:
    rows = [request("a", D(2021, 7, 1), D(2021, 7, 5)), request("b", D(2021, 7, 1))]
    load(session, *rows)
    stage = figures.censored_waits(session, query("2021-07", "2021-12")).stages["request"]
    assert stage is not None
    assert stage.keys == {
        "n": rows[0].record_key + rows[1].record_key,
        "ended": rows[0].record_key,
        "censored": rows[1].record_key,
    }


def test_unmet_demand_per_month_of_the_refusal_or_closing(session: Session, waits: None) -> None:
    result = figures.unmet_demand(session, query("2021-07", "2021-12"))
    assert result.months is not None
    by_month = {m.month % 12 + 1: m.counts for m in result.months}
    assert len(by_month) == 6
    assert by_month[10] == {"refused": 1, "no_follow_up": 1}  # r7, n1
    assert by_month[12] == {"refused": 0, "no_follow_up": 1}  # n2, closed on R
    assert all(by_month[m] == {"refused": 0, "no_follow_up": 0} for m in (7, 8, 9, 11))
    both = figures.unmet_demand(session, query("2021-10", "2021-10", domain=None))
    assert both.months is not None and both.months[0].counts["refused"] == 2  # + wmo x3
    by_profile = figures.unmet_demand(session, query("2021-07", "2021-12", profile="JZ-AMB"))
    assert by_profile.months is None


def test_the_published_waits_hide_a_median_over_fewer_than_k(session: Session, waits: None) -> None:
    raw = figures.censored_waits(session, query("2021-07", "2021-12"))
    published = anonymity.protect_censored_waits(raw, Disclosure(k=5))
    request_stage = published["stages"]["request"]
    assert request_stage["km_median_days"] == 20 and request_stage["suppressed"] == []
    decision_stage = published["stages"]["decision"]  # 4 waits: fewer than 5
    assert decision_stage["km_median_days"] is None
    assert decision_stage["suppressed"] == ["km_median_days"]
    # counts 1 … k−1 are never shown as themselves
    for cell in ("n", "ended", "censored"):
        assert decision_stage[cell] in (0, 5)
    exact = anonymity.protect_censored_waits(raw, Disclosure(exact=True))
    assert exact["stages"]["decision"] == {
        "n": 4, "ended": 2, "censored": 2, "km_median_days": 30, "suppressed": []
    }  # fmt: skip
    narrowed = figures.censored_waits(session, query("2021-07", "2021-12", intensity="middel"))
    assert anonymity.protect_censored_waits(narrowed, Disclosure())["not_applicable"] == [
        "stages.request"
    ]


def test_the_published_unmet_demand_gives_every_total_its_own_key(
    session: Session, waits: None
) -> None:
    raw = figures.unmet_demand(session, query("2021-07", "2021-12"))
    exact = anonymity.protect_unmet_demand(raw, Disclosure(exact=True))
    assert exact is not None
    assert exact["period"] == {"refused": 1, "no_follow_up": 2, "total": 3}
    assert exact["months"][3] == {"month": "2021-10", "refused": 1, "no_follow_up": 1, "total": 2}
    published = anonymity.protect_unmet_demand(raw, Disclosure(k=5))
    assert published is not None
    for row in [*published["months"], published["period"]]:
        assert all(row[cell] in (0, 5) for cell in ("refused", "no_follow_up", "total"))
    assert anonymity.protect_unmet_demand(figures.UnmetDemand(None), Disclosure()) is None
