"""The kept ended waits (``stats_duration_counts`` kinds ``w_start`` and ``w_decide``) and the
providers' events (``stats_provider_events``): kept by the flush hook as a rebuild derives them,
and the waits with the still-waiting censored read from them equal to a direct computation over
the rows for random data and every filter set."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AanmeldingOutcome,
    Domain,
    Intensity,
    StatsProviderEvent,
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
        rows.append(
            fact(f"t{n}", start, None, domain=domain, wijk=wijk, age_band=age,
                 decision_date=decided, provider_agb=rng.choice(PROVIDERS),
                 intensity=rng.choice(("laag", "zwaar")))
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
