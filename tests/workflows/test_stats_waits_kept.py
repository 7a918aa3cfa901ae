"""The kept ended waits (``stats_duration_counts`` kinds ``w_start`` and ``w_decide``, and by
month of start ``s_start`` and ``s_decide``), the prices of the closed trajectories
(``stats_result_counts.cents``) and the providers' events (``stats_provider_events``): kept by
the flush hook as a rebuild derives them; the waits with the still-waiting censored, the waiting
times by month and the scorecard's price per achieved result read from them equal to a direct
computation over the rows for random data and every filter set."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AanmeldingOutcome,
    ClosureCategory,
    Domain,
    Intensity,
    StatsProviderEvent,
    StatsTrajectory,
    TrajectoryState,
    Wijk,
)
from workflows import scaling
from workflows import trajectories as wf
from workflows.aanmeldingen import decide_aanmelding, register_aanmelding
from workflows.stats import feed, figures, kept

from ..factories import TODAY, World, make_trajectory
from .stats_helpers import fact, load, query, request

D = date
S = TrajectoryState


def test_the_kept_waits_and_provider_events_follow_every_change_as_a_rebuild_gives_them(
    session: Session, world: World
) -> None:
    asked = TODAY - timedelta(days=30)
    refused = register_aanmelding(
        session, world.adult, world.gids, request_date=asked, domain=Domain.WMO,
        question="Hulp bij het huishouden", today=TODAY,
    )  # fmt: skip
    register_aanmelding(
        session, world.child, world.gids, request_date=asked, domain=Domain.JEUGD,
        question="Begeleiding", today=TODAY,
    )  # fmt: skip
    decide_aanmelding(
        session, refused, world.gids, outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="Voorliggende voorziening", today=TODAY,
    )  # fmt: skip
    world.adult.wijk = Wijk(name="Swifterbant")  # the decided request's cells move
    session.flush()
    active = make_trajectory(session, world, S.ACTIEF)
    returned = make_trajectory(session, world, S.TERUGGESTUURD)
    later = TODAY + timedelta(days=40)
    scaling.request_scaling(
        session, active, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", later
    )
    # the returned trajectory goes to another provider: its return stays with the first
    moved = replace(wf.input_of(returned), provider_id=world.zorg_b.id)
    wf.update_trajectory(session, returned, moved, world.gids, today=TODAY)
    session.flush()
    snapshot = feed.feed_snapshot(session.connection())
    kinds = {row[4] for row in snapshot["stats_duration_counts"]}
    assert {kept.WAIT_START, kept.WAIT_DECISION} <= kinds
    events = session.execute(select(StatsProviderEvent.kind, StatsProviderEvent.provider_agb)).all()
    assert sorted(events) == [
        ("returned", world.zorg_a.agb_code),
        ("scaling", world.zorg_a.agb_code),
    ]
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == snapshot


# --- random data against a direct computation ------------------------------------------------

WIJKEN = ("Dronten", "Biddinghuizen", None)
PROVIDERS = ("11111111", "22222222")
R = D(2021, 12, 31)


def random_rows(seed: int) -> list[object]:
    rng = random.Random(seed)
    rows: list[object] = []
    for n in range(120):
        domain = rng.choice(("jeugd", "jeugd", "wmo"))
        wijk = rng.choice(WIJKEN)
        age = rng.choice(("4-11", "12-17"))
        asked = D(2020, 6, 1) + timedelta(days=rng.randrange(600))
        answered = asked + timedelta(days=rng.choice((0, 3, 20, 45, 90, 200)))
        if rng.random() < 0.25:
            answered = None  # still undecided
        outcome = rng.choice(("toegekend", "afgewezen", "geen_vervolg"))
        rows.append(
            request(f"r{n}", asked, answered, domain=domain, wijk=wijk, age_band=age,
                    outcome="in_behandeling" if answered is None else outcome)
        )  # fmt: skip
        decided = asked + timedelta(days=rng.randrange(60))
        start: date | None = decided + timedelta(days=rng.choice((0, 7, 30, 60, 120)))
        if rng.random() < 0.2:
            start = None
        end = None
        if start is not None and rng.random() < 0.6:
            end = start + timedelta(days=rng.randrange(400))
        rows.append(
            fact(f"t{n}", start, end, domain=domain, wijk=wijk, age_band=age,
                 decision_date=decided, provider_agb=rng.choice(PROVIDERS),
                 intensity=rng.choice(("laag", "zwaar")),
                 request_date=asked if rng.random() < 0.8 else None,  # else imported
                 planned_end=(start or decided) + timedelta(days=200),
                 result_achieved=None if end is None else rng.random() < 0.6,
                 closure_category=None if end is None else rng.choice("abcd"),
                 price=f"{rng.randrange(100_000)}.{rng.randrange(100):02d}")
        )  # fmt: skip
    return rows


def direct(rows: list[object], stage: str, filters: dict[str, str], domain: str | None,
           first: date, last: date) -> figures.WaitSurvival:  # fmt: skip
    times: list[tuple[int, bool]] = []
    for row in rows:
        is_request = hasattr(row, "decided_on")
        if (stage == "request") != is_request:
            continue
        if domain is not None and str(row.domain) != domain:  # type: ignore[attr-defined]
            continue
        column = {"wijk": "wijk", "age_band": "age_band", "provider": "provider_agb",
                  "intensity": "intensity"}  # fmt: skip
        if any(str(getattr(row, column[k])) != v for k, v in filters.items()):
            continue
        began = row.request_date if is_request else row.decision_date  # type: ignore[attr-defined]
        ended = row.decided_on if is_request else row.care_start  # type: ignore[attr-defined]
        if not first <= began <= last:
            continue
        if ended is not None and ended <= R:
            times.append(((ended - began).days, True))
        else:
            times.append(((R - began).days, False))
    done = sum(1 for _t, e in times if e)
    return figures.WaitSurvival(
        len(times), done, len(times) - done, figures.kaplan_meier_median(times)
    )


FILTERS = [
    {},
    {"wijk": "Dronten"},
    {"age_band": "4-11"},
    {"wijk": "Biddinghuizen", "age_band": "12-17"},
    {"provider": "11111111"},
    {"intensity": "laag"},
    {"provider": "22222222", "wijk": "Dronten"},  # no kept set: the rows are grouped
]


@pytest.mark.parametrize("seed", range(3))
def test_the_censored_waits_equal_a_direct_computation(session: Session, seed: int) -> None:
    rows = random_rows(seed)
    load(session, *rows)  # type: ignore[arg-type]
    for filters in FILTERS:
        for domain in ("jeugd", None):
            for start, end in (("2020-07", "2021-12"), ("2021-03", "2021-08")):
                q = query(start, end, domain=domain, **filters)
                got = figures.censored_waits(session, q)
                for stage in ("request", "decision"):
                    found = got.stages[stage]
                    if stage == "request" and ({"provider", "intensity"} & set(filters)):
                        assert found is None
                        continue
                    expected = direct(rows, stage, filters, domain, q.period_first_day,
                                      q.period_last_day)  # fmt: skip
                    assert found == expected, (filters, domain, start, stage)


@pytest.mark.parametrize("seed", range(3))
def test_the_kept_waiting_times_by_month_equal_the_scanned_ones(
    session: Session, seed: int
) -> None:
    load(session, *random_rows(seed))  # type: ignore[arg-type]
    for filters in FILTERS:
        for domain in ("jeugd", None):
            for start, end in (("2020-07", "2021-12"), ("2021-03", "2021-08")):
                q = query(start, end, domain=domain, **filters)
                kept_times = figures.waiting_times(session, q)
                scanned = figures.waiting_times_from_feed(session, q)
                assert kept_times == scanned, (filters, domain, start)
                assert [
                    (m.request_to_decision.key, m.decision_to_start.key) for m in kept_times.months
                ] == [(m.request_to_decision.key, m.decision_to_start.key) for m in scanned.months]
                assert any(m.request_to_decision.n for m in kept_times.months)


@pytest.mark.parametrize("seed", range(3))
def test_the_scorecards_price_per_achieved_result_equals_a_direct_sum(
    session: Session, seed: int
) -> None:
    rows = [row for row in random_rows(seed) if isinstance(row, StatsTrajectory)]
    load(session, *rows)
    for domain in ("jeugd", None):
        q = query("2020-07", "2021-12", domain=domain)
        card = figures.scorecard(session, q, PROVIDERS)
        for column in [*card.providers, card.municipality]:
            achieved = [
                row
                for row in rows
                if row.result_achieved
                and row.care_end is not None
                and q.period_first_day <= row.care_end <= q.period_last_day
                and (domain is None or str(row.domain) == domain)
                and column.agb in ("", row.provider_agb)
            ]
            assert column.achieved == len(achieved)
            assert column.achieved_price == sum((row.price for row in achieved), Decimal("0.00"))
            assert column.keys["achieved"] == sum(row.record_key for row in achieved)
        assert card.municipality.achieved > 0


def test_the_waits_by_month_of_start_and_the_prices_follow_the_workflow_as_a_rebuild_gives_them(
    session: Session, world: World
) -> None:
    aanmelding = register_aanmelding(
        session, world.adult, world.gids, request_date=TODAY - timedelta(days=20),
        domain=Domain.WMO, question="Hulp bij het huishouden", today=TODAY,
    )  # fmt: skip
    started = make_trajectory(session, world, S.ACTIEF, request_id=aanmelding.id)
    make_trajectory(session, world, S.AFGESLOTEN)  # achieved, with a price
    session.flush()
    snapshot = feed.feed_snapshot(session.connection())
    kinds = {row[4] for row in snapshot["stats_duration_counts"]}
    assert {kept.STARTED_WAIT_START, kept.STARTED_WAIT_DECISION} <= kinds
    assert any(row[4] == "achieved_on_time" and row[-1] > 0 for row in snapshot[
        "stats_result_counts"])  # fmt: skip
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == snapshot
    # the request's date moves and the care ends: the cells follow
    aanmelding.request_date = TODAY - timedelta(days=25)
    wf.close(
        session, started, world.gids, care_end=TODAY, closure_category=ClosureCategory.B,
        end_reason_code="19", result_achieved=True, today=TODAY,
    )  # fmt: skip
    session.flush()
    snapshot = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == snapshot
