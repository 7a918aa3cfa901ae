"""Every figure of docs/statistics.md on small data, computed by hand (see the comments)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Domain,
    OutlierMonth,
    PopulationFigure,
    StatsEpisode,
    StatsTrajectory,
    derived_key,
)
from workflows.stats import figures
from workflows.stats.figures import Cohort, MonthFlow

from .stats_helpers import fact, load, query, request

D = date


@pytest.fixture
def jeugd(session: Session) -> None:
    """Jeugd, around January–April 2021:

    a  2021-01-15 … 2021-01-15          same-day start and end
    b  2020-12-01 … 2021-01-31 (zwaar)  ends on the last day of a month
    c  2021-02-01 … 2021-02-28, 2021-03-01 … open (laag)   adjoining: one episode
    d  2021-02-10 … 2021-04-30 (zwaar), 2021-03-01 … 2021-03-31   overlapping: one episode
    e  2021-01-01 … 2021-01-31, 2021-02-02 … 2021-02-20    one day without care: two episodes
    f  2020-02-29 … open (laag)         started on a leap day, before the period
    g  not started (waiting)
    """
    load(
        session,
        fact("a", D(2021, 1, 15), D(2021, 1, 15)),
        fact("b", D(2020, 12, 1), D(2021, 1, 31), intensity="zwaar"),
        fact("c", D(2021, 2, 1), D(2021, 2, 28)),
        fact("c", D(2021, 3, 1), None, intensity="laag"),
        fact("d", D(2021, 2, 10), D(2021, 4, 30), intensity="zwaar"),
        fact("d", D(2021, 3, 1), D(2021, 3, 31)),
        fact("e", D(2021, 1, 1), D(2021, 1, 31)),
        fact("e", D(2021, 2, 2), D(2021, 2, 20)),
        fact("f", D(2020, 2, 29), None, intensity="laag"),
        fact("g", None, None, decision_date=D(2021, 3, 1)),
        fact("w", D(2021, 2, 1), None, domain="wmo"),  # another domain: never counted here
    )


def months(flows: figures.Flows) -> list[tuple[int, int, int, int]]:
    return [(m.beginstand, m.instroom, m.uitstroom, m.eindstand) for m in flows.months]


def test_monthly_flows_per_trajectory(session: Session, jeugd: None) -> None:
    # Before January: b and f started, none ended → beginstand 2.
    # Jan: in a, e1; out a (same day), b (31st), e1 → stock 2 + 2 − 3 = 1 (f)
    # Feb: in c1, d1, e2; out c1, e2 → 2 (f, d1)
    # Mar: in c2, d2; out d2 → 3 (f, d1, c2)
    # Apr: out d1 → 2 (f, c2)
    result = figures.flows(session, query("2021-01", "2021-04"))
    assert months(result) == [(2, 2, 3, 1), (1, 3, 2, 2), (2, 2, 1, 3), (3, 0, 1, 2)]
    assert [m.month for m in result.months] == [24252, 24253, 24254, 24255]


def test_monthly_flows_per_client_merge_adjoining_and_overlapping_care(
    session: Session, jeugd: None
) -> None:
    # Episodes: a Jan 15; b Dec 1–Jan 31; c Feb 1–open; d Feb 10–Apr 30; e Jan 1–31 and
    # Feb 2–20 (the gap of Feb 1 splits them); f open since the leap day.
    # Jan: in a, e; out a, b, e → 1.  Feb: in c, d, e; out e → 3.  Mar: → 3.  Apr: out d → 2.
    result = figures.flows(session, query("2021-01", "2021-04", unit="client"))
    assert months(result) == [(2, 2, 3, 1), (1, 3, 1, 3), (3, 0, 0, 3), (3, 0, 1, 2)]


def test_the_client_unit_merges_after_the_filters(session: Session, jeugd: None) -> None:
    # Only zwaar: b (Dec 1–Jan 31) and d1 (Feb 10–Apr 30); d2 is middel and drops out.
    result = figures.flows(session, query("2021-01", "2021-04", unit="client", intensity="zwaar"))
    assert months(result) == [(1, 0, 1, 0), (0, 1, 0, 1), (1, 0, 0, 1), (1, 0, 1, 0)]
    # With a filter on the whole municipality the filtered path gives the kept aggregates.
    everything = figures.flows(session, query("2021-01", "2021-04", unit="client", wijk="Dronten"))
    assert months(everything) == months(
        figures.flows(session, query("2021-01", "2021-04", unit="client"))
    )
    traject = figures.flows(session, query("2021-01", "2021-04", wijk="Dronten"))
    assert months(traject) == months(figures.flows(session, query("2021-01", "2021-04")))


def test_yearly_means_skip_outlier_months_and_count_partial_years(
    session: Session, jeugd: None
) -> None:
    session.add(OutlierMonth(domain=Domain.JEUGD, month=D(2021, 1, 1), reason="Conversie"))
    session.add(OutlierMonth(domain=Domain.WMO, month=D(2021, 2, 1), reason="Alleen Wmo"))
    session.flush()
    result = figures.flows(session, query("2020-11", "2021-04"))
    y2020, y2021 = result.yearly
    # 2020: only November and December are in the period; b started in December.
    assert (y2020.year, y2020.months_counted, y2020.excluded_months) == (2020, 2, ())
    assert (y2020.mean_instroom, y2020.mean_uitstroom) == (0.5, 0.0)
    # 2021: January is an outlier for Jeugd → Feb–Apr: in 3 + 2 + 0, out 2 + 1 + 1.
    assert (y2021.months_counted, y2021.excluded_months) == (3, (24252,))
    assert y2021.mean_instroom == pytest.approx(5 / 3)
    assert y2021.mean_uitstroom == pytest.approx(4 / 3)


def test_months_after_the_cutoff_are_not_reported(session: Session, jeugd: None) -> None:
    result = figures.flows(session, query("2021-11", "2022-03", cutoff="2021-12"))
    assert [m.month for m in result.months] == [24262, 24263]
    assert result.yearly[-1].year == 2021 and result.yearly[-1].months_counted == 2


def test_flows_over_both_domains_add_up(session: Session, jeugd: None) -> None:
    both = figures.flows(session, query("2021-02", "2021-02", domain=None))
    assert months(both) == [(1, 4, 2, 3)]  # Jeugd (1, 3, 2, 2) + the Wmo start on Feb 1


def test_intensity_distribution_on_stock_and_on_inflow(session: Session, jeugd: None) -> None:
    stock = figures.intensity(session, query("2021-03", "2021-03"))
    # End of March: f (laag), c2 (laag), d1 (zwaar).
    assert stock[0].counts == {"laag": 2, "middel": 0, "zwaar": 1}
    inflow = figures.intensity(session, query("2021-03", "2021-03", basis="instroom"))
    assert inflow[0].counts == {"laag": 1, "middel": 1, "zwaar": 0}  # c2, d2


def test_durations_mean_median_and_kaplan_meier_per_start_year(
    session: Session, jeugd: None
) -> None:
    # Ended Jan–Apr 2021 (end − start + 1): a 1, e2 19, c1 28, e1 31, d2 31, b 62, d1 80
    # (Feb 10 … Apr 30 = 19 + 31 + 30) → mean 252 / 7 = 36, median 31.
    result = figures.durations(session, query("2021-01", "2021-04"))
    assert (result.ended, result.mean_days, result.median_days) == (7, 36.0, 31.0)
    # Cohort 2021 (cut-off 2021-12-31): a 1, e2 19, c1 28, e1 31, d2 31, d1 80 ended; c2 is
    # censored at 306 days. S(1) = 6/7, S(19) = 5/7, S(28) = 4/7, S(31) = 4/7 · 2/4 = 2/7 ≤ ½.
    assert result.cohorts == [Cohort(2021, 7, 6, 1, 31)]


def test_durations_carry_the_key_sums_of_the_rows_they_count(session: Session, jeugd: None) -> None:
    rows = session.scalars(select(StatsTrajectory).where(StatsTrajectory.domain == "jeugd")).all()
    result = figures.durations(session, query("2021-01", "2021-04"))
    in_period = [r for r in rows if r.care_end and D(2021, 1, 1) <= r.care_end <= D(2021, 4, 30)]
    assert result.ended_key == sum(r.record_key for r in in_period)
    cohort = [r for r in rows if r.care_start and D(2021, 1, 1) <= r.care_start <= D(2021, 4, 30)]
    assert result.cohorts[0].keys == {
        "n": sum(r.record_key for r in cohort),
        "ended": sum(r.record_key for r in cohort if r.care_end),
        "censored": sum(r.record_key for r in cohort if not r.care_end),
    }


def test_durations_per_client_count_episodes_with_or_without_filters(
    session: Session, jeugd: None
) -> None:
    # Episodes ended Jan–Apr 2021: a 1, e2 19, e1 31, b 62, d 80 (d2 lies inside d1) → mean
    # 193 / 5, median 31. Cohort 2021: a, e2, e1, d ended; c (Feb 1 … open) censored at 334
    # days. S(1) = 4/5, S(19) = 3/5, S(31) = 2/5 ≤ ½.
    kept = figures.durations(session, query("2021-01", "2021-04", unit="client"))
    assert (kept.ended, kept.mean_days, kept.median_days) == (5, 38.6, 31.0)
    assert kept.cohorts == [Cohort(2021, 5, 4, 1, 31)]
    episodes = session.scalars(select(StatsEpisode).where(StatsEpisode.domain == "jeugd")).all()
    cohort = [e for e in episodes if D(2021, 1, 1) <= e.care_start <= D(2021, 4, 30)]
    assert kept.cohorts[0].keys["n"] == sum(e.record_key for e in cohort)
    # A filter that every row passes: the episodes are merged from the feed rows instead.
    merged = figures.durations(session, query("2021-01", "2021-04", unit="client", wijk="Dronten"))
    assert merged == kept
    assert merged.ended_key == kept.ended_key
    assert [c.keys for c in merged.cohorts] == [c.keys for c in kept.cohorts]


def test_durations_scope_each_cohort_to_the_period(session: Session, jeugd: None) -> None:
    # December 2020 – January 2021: cohort 2020 is b alone (Dec 1 … Jan 31, 62 days); f
    # started before the period. Cohort 2021 starts in January: a 1, e1 31.
    result = figures.durations(session, query("2020-12", "2021-01"))
    assert (result.ended, result.median_days) == (3, 31.0)  # a 1, e1 31, b 62
    assert result.cohorts == [Cohort(2020, 1, 1, 0, 62), Cohort(2021, 2, 2, 0, 1)]


def test_kaplan_meier_median_is_not_reached_while_half_is_still_in_care() -> None:
    assert figures.kaplan_meier_median([(10, True), (400, False), (400, False)]) is None
    assert figures.kaplan_meier_median([(10, True), (20, True), (400, False)]) == 20
    assert figures.kaplan_meier_median([]) is None


def test_durations_count_the_leap_day(session: Session) -> None:
    load(session, *[fact(f"x{i}", D(2020, 2, 28), D(2020, 3, 1)) for i in range(3)])
    result = figures.durations(session, query("2020-03", "2020-03"))
    assert (result.ended, result.median_days) == (3, 3.0)  # 28 Feb, 29 Feb, 1 Mar


def test_waiting_times_by_month_of_start(session: Session) -> None:
    load(
        session,
        fact("a", D(2021, 3, 5), request_date=D(2021, 1, 1), decision_date=D(2021, 1, 31)),
        fact("b", D(2021, 3, 20), request_date=D(2021, 2, 1), decision_date=D(2021, 2, 11)),
        fact("c", D(2021, 3, 31), decision_date=D(2021, 3, 1)),  # imported: no request date
        fact("d", None, decision_date=D(2021, 3, 1)),
    )
    result = figures.waiting_times(session, query("2021-03", "2021-03"))
    march = result.months[0]
    assert (march.request_to_decision.n, march.request_to_decision.mean_days) == (2, 20.0)
    assert march.request_to_decision.median_days == 20.0  # 30 and 10 days
    # decision → start: 33, 37, 30 days
    assert (march.decision_to_start.n, march.decision_to_start.median_days) == (3, 33.0)
    assert march.decision_to_start.mean_days == pytest.approx(100 / 3)


R = D(2021, 12, 31)  # the reference date: the last day of the cut-off month 2021-12


def days_before(n: int) -> date:
    return date.fromordinal(R.toordinal() - n)


def test_the_waiting_list_by_stage_and_age_of_the_wait(session: Session) -> None:
    load(
        session,
        # (a) requests without a decision at R, aged from the request date
        request("r3w", days_before(21)),  # 3 weeks: 2-6
        request("r0", R),  # requested on R itself: 0 days, 0-2
        request("r13", days_before(13)),  # 0-2, the last day of the band
        request("r14", days_before(14)),  # 2-6, its first day
        request("r90", days_before(90)),  # 8-13
        request("r91", days_before(91)),  # 13+
        request("later", days_before(11), decided_on=D(2022, 1, 5)),  # decided after R: waiting
        # not waiting at R
        request("decided", D(2021, 11, 1), decided_on=D(2021, 11, 20)),
        request("on-r", D(2021, 11, 1), decided_on=R),  # decided on R
        request("future", D(2022, 1, 3)),  # requested after R
        request("wmo", days_before(21), domain="wmo"),  # another domain
        # (b) decisions without a start of care at R, aged from the decision date
        fact("d10w", None, decision_date=days_before(70)),  # 10 weeks: 8-13
        fact("d41", None, decision_date=days_before(41)),  # 2-6
        fact("d42", None, decision_date=days_before(42)),  # 6-8
        fact("d55", None, decision_date=days_before(55)),  # 6-8
        fact("d56", None, decision_date=days_before(56)),  # 8-13
        fact("d-late", D(2022, 1, 5), decision_date=days_before(30)),  # starts after R: 2-6
        # not waiting at R
        fact("started", D(2021, 12, 15), decision_date=D(2021, 11, 1)),
        fact("start-on-r", R, decision_date=D(2021, 11, 1)),
        fact("decided-later", None, decision_date=D(2022, 1, 2)),
        fact("wmo", None, decision_date=days_before(70), domain="wmo"),
    )
    result = figures.waiting_now(session, query("2021-01", "2021-12"))
    assert result.reference_date == R
    request_stage, decision_stage = result.stages["request"], result.stages["decision"]
    assert request_stage is not None and decision_stage is not None
    assert request_stage.counts == {"0-2": 3, "2-6": 2, "6-8": 0, "8-13": 1, "13+": 1}
    assert decision_stage.counts == {"0-2": 0, "2-6": 2, "6-8": 2, "8-13": 2, "13+": 0}
    assert (request_stage.total, decision_stage.total, result.total) == (7, 6, 13)
    # both domains: the Wmo request and decision come in
    both = figures.waiting_now(session, query("2021-01", "2021-12", domain=None))
    assert (both.stages["request"].total, both.stages["decision"].total) == (8, 7)  # type: ignore[union-attr]
    # the period does not matter; the cut-off does
    assert figures.waiting_now(session, query("2019-01", "2019-06")) == result
    earlier = figures.waiting_now(session, query("2021-01", "2021-11", cutoff="2021-11"))
    assert earlier.reference_date == D(2021, 11, 30)


def test_the_waiting_list_keeps_the_key_sums_of_its_cells(session: Session) -> None:
    rows = [request("a", days_before(3)), request("b", days_before(20))]
    facts = [fact("c", None, decision_date=days_before(3))]
    load(session, *rows, *facts)
    result = figures.waiting_now(session, query("2021-01", "2021-12"))
    request_stage, decision_stage = result.stages["request"], result.stages["decision"]
    assert request_stage is not None and decision_stage is not None
    assert request_stage.keys == {
        "0-2": rows[0].record_key, "2-6": rows[1].record_key, "6-8": 0, "8-13": 0, "13+": 0
    }  # fmt: skip
    assert request_stage.total_key == rows[0].record_key + rows[1].record_key
    assert result.total_key == request_stage.total_key + facts[0].record_key


def test_the_request_stage_takes_only_the_filters_a_request_has(session: Session) -> None:
    load(
        session,
        request("a", days_before(3), wijk="Biddinghuizen", age_band="4-11"),
        request("b", days_before(3)),
        fact("c", None, decision_date=days_before(3), wijk="Biddinghuizen"),
    )
    in_wijk = figures.waiting_now(session, query("2021-01", "2021-12", wijk="Biddinghuizen"))
    assert in_wijk.stages["request"] is not None and in_wijk.stages["request"].total == 1
    assert in_wijk.stages["decision"] is not None and in_wijk.stages["decision"].total == 1
    by_age = figures.waiting_now(session, query("2021-01", "2021-12", age_band="4-11"))
    assert by_age.stages["request"] is not None and by_age.stages["request"].total == 1
    for name, value in (("provider", "12345678"), ("profile", "JZ-AMB"), ("intensity", "middel"),
                        ("category", "45")):  # fmt: skip
        narrowed = figures.waiting_now(session, query("2021-01", "2021-12", **{name: value}))
        assert narrowed.stages["request"] is None and narrowed.total is None
        assert narrowed.stages["decision"] is not None and narrowed.stages["decision"].total == 1


def test_results_extensions_repeat_use_cost_and_rates(session: Session) -> None:
    load(
        session,
        # closed in 2021: on time (a), late (b), without result (c, d)
        fact("a", D(2021, 1, 1), D(2021, 3, 1), planned_end=D(2021, 6, 1),
             result_achieved=True, closure_category="a", price="1000.00", household="h1"),
        fact("b", D(2021, 1, 1), D(2021, 9, 1), planned_end=D(2021, 6, 1),
             result_achieved=True, closure_category="b", price="3000.00", household="h1",
             extensions=2),
        fact("c", D(2020, 6, 1), D(2021, 2, 1), planned_end=D(2021, 6, 1),
             result_achieved=False, closure_category="d", household="h2"),
        fact("d", D(2021, 2, 1), D(2021, 2, 1), result_achieved=False, closure_category="c",
             price="500.00", household="h3"),
        # c comes back within five years: a repeat episode
        fact("c", D(2021, 5, 1), None, price="2000.00", household="h2", extensions=1),
        # e had care that ended more than five years before
        fact("e", D(2014, 1, 1), D(2015, 12, 31), household="h4"),
        fact("e", D(2021, 1, 5), None, price="700.00", household="h4"),
    )  # fmt: skip
    session.add(PopulationFigure(year=2021, inhabitants=40_000, households=16_000))
    session.flush()
    result = figures.results(session, query("2021-01", "2021-12"), repeat_years=5)
    assert (result.closed, result.achieved_on_time, result.achieved_late) == (4, 1, 1)
    assert result.not_achieved == 2
    assert result.categories == {"a": 1, "b": 1, "c": 1, "d": 1}
    # Active in 2021: a, b, c(2020), d, c(2021), e(2021) = 6; extensions 2 + 1.
    assert (result.active, result.extensions) == (6, 3)
    # Episodes starting in 2021: a, b, d, c (after an end in Feb 2021), e (last care in 2015).
    assert (result.new_episodes, result.repeat_episodes) == (5, 1)
    (year,) = result.years
    # Started in 2021: a 1000, b 3000, d 500, c 2000, e 700 → 7200 over 5 clients.
    assert (year.started_clients, year.started_price) == (5, 7200)
    assert year.clients_in_care == 5  # a, b, c, d, e
    assert year.households_with_decision == 0  # no decision dates in these rows
    assert (year.inhabitants, year.households) == (40_000, 16_000)


def test_repeat_use_looks_back_from_each_new_episode_after_the_filters(
    session: Session,
) -> None:
    load(
        session,
        # x: care ended exactly five years before a leap-day start (window from 2015-03-01)
        fact("x", D(2014, 1, 1), D(2015, 3, 1)),
        fact("x", D(2020, 2, 29), None),
        # y: one day earlier, so outside the window
        fact("y", D(2014, 1, 1), D(2015, 2, 28)),
        fact("y", D(2020, 2, 29), D(2020, 6, 30)),
        # z: earlier care at another provider, in the window
        fact("z", D(2019, 1, 1), D(2019, 12, 1), provider_agb="87654321"),
        fact("z", D(2020, 3, 1), D(2020, 4, 30)),
        # w: two adjoining trajectories in 2020 are one new episode, no repeat
        fact("w", D(2020, 5, 1), D(2020, 5, 31)),
        fact("w", D(2020, 6, 1), None),
    )
    # New episodes in 2020: x, y, z, w; repeats: x (2015-03-01 is in the window) and z.
    everything = figures.results(session, query("2020-01", "2020-12"), repeat_years=5)
    assert (everything.new_episodes, everything.repeat_episodes) == (4, 2)
    # Episodes are formed after the filters: without z's other provider its 2020 care is a
    # first episode.
    one_provider = figures.results(
        session, query("2020-01", "2020-12", provider="12345678"), repeat_years=5
    )
    assert (one_provider.new_episodes, one_provider.repeat_episodes) == (4, 1)


def per_year(result: figures.Results) -> list[tuple[object, ...]]:
    return [
        (y.year, y.started_clients, y.started_price, y.clients_in_care, y.households_with_decision)
        for y in result.years
    ]


def test_figures_per_year_of_a_two_year_period(session: Session) -> None:
    load(
        session,
        fact("a", D(2020, 3, 1), D(2021, 2, 1), decision_date=D(2020, 2, 1), household="h1",
             price="100.00"),
        fact("b", D(2021, 6, 1), None, decision_date=D(2021, 5, 1), household="h1",
             price="200.00"),
        # waiting since a decision in 2020: the household counts, the client is not in care
        fact("c", None, None, decision_date=D(2020, 11, 1), household="h2"),
        # ended the day before the period
        fact("d", D(2019, 1, 1), D(2019, 12, 31), decision_date=D(2018, 12, 1), household="h3"),
    )  # fmt: skip
    result = figures.results(session, query("2020-01", "2021-12"), repeat_years=5)
    # 2020: a started (100.00); a in care; h1 (a) and h2 (c) with a decision running.
    # 2021: b started (200.00); a (until February) and b in care; h1 (a, b) and h2 (c).
    assert per_year(result) == [(2020, 1, 100, 1, 2), (2021, 1, 200, 2, 2)]


def test_figures_per_year_are_scoped_to_the_period_and_key_each_client_once(
    session: Session,
) -> None:
    load(
        session,
        # a: in care only before the period (July 2020 – June 2021); its decision too
        fact("a", D(2020, 3, 1), D(2020, 6, 30), decision_date=D(2020, 2, 1), household="h1"),
        # b: two trajectories started in 2020, in care into 2021
        fact("b", D(2020, 8, 1), D(2020, 9, 30), decision_date=D(2020, 7, 15), household="h2",
             price="100.00"),
        fact("b", D(2020, 10, 1), D(2021, 3, 31), decision_date=D(2020, 7, 15), household="h2",
             price="200.00"),
        # c: started in both years with a gap between, in the household of b
        fact("c", D(2020, 7, 1), D(2020, 7, 31), household="h2", price="50.00"),
        fact("c", D(2021, 5, 1), None, decision_date=D(2021, 4, 1), household="h2",
             price="70.00"),
        # d: a decision in the period, care from the day after its last day
        fact("d", D(2021, 7, 1), None, decision_date=D(2021, 6, 1), household="h3"),
        # e: in care throughout, started before the period
        fact("e", D(2020, 1, 15), None, household="h4"),
    )  # fmt: skip
    result = figures.results(session, query("2020-07", "2021-06"), repeat_years=5)
    # July–December 2020: b (100 + 200) and c (50) started; b, c, e in care; h2 decided.
    # January–June 2021: c (70) started; b (until March), c, e in care; h2 and h3 (d) decided.
    assert per_year(result) == [(2020, 2, 350, 3, 1), (2021, 1, 70, 3, 2)]
    client = {name: derived_key("client", name) for name in "bce"}
    household = {name: derived_key("household", name) for name in ("h2", "h3")}
    assert [y.keys for y in result.years] == [
        {
            "clients_started": client["b"] + client["c"],
            "clients_in_care": client["b"] + client["c"] + client["e"],
            "households_with_decision": household["h2"],
        },
        {
            "clients_started": client["c"],
            "clients_in_care": client["b"] + client["c"] + client["e"],
            "households_with_decision": household["h2"] + household["h3"],
        },
    ]


def test_the_start_of_a_period_on_the_first_month_counts_everything_before(
    session: Session,
) -> None:
    load(session, fact("a", D(2019, 5, 31), None), fact("b", D(2019, 6, 1), D(2019, 6, 30)))
    (june,) = figures.flows(session, query("2019-06", "2019-06")).months
    assert june == MonthFlow(24233, 1, 1, 1, 1)  # 2019 · 12 + 5
