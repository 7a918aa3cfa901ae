"""``build_demo``: the order of the build, from the simulation to the rows in the database.

It runs the simulation, turns episodes into trajectories and requests, gives every row its id,
derives the follow-up (evaluations, claims, open requests, tasks) with a generator of its own,
writes everything in bulk (``workflows.bulk.write_rows``; on PostgreSQL the id sequences are
advanced afterwards), lets the morning's scheduler run (``workflows.scheduler_jobs.run_all``)
and rebuilds the statistics feed. The caller commits.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any

from faker import Faker
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    AanmeldingOutcome,
    AgreedResult,
    Claim,
    ClaimState,
    Contract,
    Domain,
    EndOfCareReport,
    Evaluation,
    EvaluationState,
    Household,
    OutlierMonth,
    PopulationFigure,
    ProfileIntensity,
    Provider,
    Resident,
    ResultScore,
    ScalingRequest,
    SupportProfile,
    Tariff,
    Task,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
    Wijk,
)
from workflows import clock
from workflows.bulk import write_rows
from workflows.scheduler_jobs import run_all
from workflows.stats.feed import rebuild as rebuild_feed

from .accounts import TEAM_SIZE, user_rows
from .catalogue import HISTORY_START, JEUGD, PROFILES, PROVIDERS, WIJKEN, WMO, catalogue_rows
from .draws import DAY, stamp
from .follow_up import FollowUpRows
from .residents import contact_details, person_rows
from .simulation import TARGET_IN_CARE, UNMET_SHARE, Home, inflow_volumes, simulate
from .statistics import outlier_rows, population_rows
from .texts import QUESTIONS
from .trajectories import Traj, TrajectoryBuilder, TrajectoryRows, referrer_of

S = TrajectoryState


def build_demo(
    session: Session,
    *,
    password: str,
    seed: int = 2016,
    today: date | None = None,
    scale: float = 1.0,
) -> str:
    """Fill an empty, migrated database with the demo municipality; return a summary line.

    Deterministic for a given ``seed`` and ``today`` (default: the current date). ``scale``
    multiplies the numbers of residents and trajectories. The caller commits.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    today = today or clock.today()
    last_day = today - DAY
    rng = random.Random(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    targets = {d: max(1, round(TARGET_IN_CARE[d] * scale)) for d in (WMO, JEUGD)}

    # 1. Inflow volumes for the targets (a pilot of the years before 2016), then the run.
    volume = inflow_volumes(random.Random(seed * 7919 + 1), today, targets)
    sim, world, _stock = simulate(rng, today, volume, targets)

    # 3. Trajectories, requests without trajectory, the pipeline.
    builder = TrajectoryBuilder(rng, today)
    for ep in sim.episodes:
        builder.episode(ep)
        if ep.care_start >= HISTORY_START and ep.care_start <= last_day:
            if rng.random() < 0.012:
                builder.cancelled_before(ep)
            if rng.random() < UNMET_SHARE:
                builder.unmet_request(ep, world)
    per_provider = Counter(t.provider for t in builder.trajs)
    demo_provider = min(per_provider, key=lambda p: (-per_provider[p], p))
    builder.demo_pipeline(world, demo_provider)

    # 4. Ids: residents and households by first request, trajectories and requests by date.
    trajs = builder.trajs
    order = sorted(range(len(trajs)), key=lambda i: (trajs[i].request_date, i))
    trajs = [trajs[i] for i in order]
    for n, t in enumerate(trajs, start=1):
        t.id = n
    request_items: list[tuple[date, int, Traj | None, int]] = []
    for n, t in enumerate(trajs):
        request_items.append((t.request_date, 0, t, n))
    for n, unmet in enumerate(builder.unmet):
        request_items.append((unmet[2], 1, None, n))
    request_items.sort(key=lambda r: (r[0], r[1], r[3]))
    for day, _kind, item, n in request_items:
        person = item.person if item is not None else builder.unmet[n][0]
        if person.first_request is None or day < person.first_request:
            person.first_request = day
    persons = [p for p in world.persons if p.first_request is not None]
    persons.sort(key=lambda p: p.first_request or date.max)
    homes: list[Home] = []
    for n, p in enumerate(persons, start=1):
        p.id = n
        if p.home.id == 0:
            homes.append(p.home)
            p.home.id = len(homes)
            p.home.created = p.first_request

    # 5. Users (ids fixed up front: 1 demo gids, 2..11 team, 12 manager, 13 beheerder,
    #    14.. one per provider).
    rows = TrajectoryRows(rng, last_day)
    manager_id, beheerder_id = TEAM_SIZE + 2, TEAM_SIZE + 3
    for index in range(len(PROVIDERS)):
        rows.provider_user[index] = TEAM_SIZE + 4 + index
    users = user_rows(fake, password, demo_provider, rows.provider_user, manager_id, beheerder_id)

    # 6. Catalogue rows.
    catalogue = catalogue_rows(rows.tariffs, demo_provider)

    # 7. Residents and households.
    resident_rows, household_rows = person_rows(rng, fake, persons, homes)
    contact_details(seed, resident_rows, persons, today)

    # 8. Requests, trajectories, results and events.
    gids_of = {id(p): p.home.gids for p in persons}
    traj_request: dict[int, int] = {}
    for request_id, (day, _kind, item, n) in enumerate(request_items, start=1):
        referrer: tuple[Any, str | None] = (None, None)
        if item is not None:
            person = item.person
            traj_request[item.id] = request_id
            referrer = referrer_of(item)
            if item.decision_date is None:
                outcome, reason, decided = AanmeldingOutcome.IN_BEHANDELING, None, None
            else:
                outcome, reason = AanmeldingOutcome.TOEGEKEND, None
                decided = item.first_proposal or item.decision_date
            domain, question = item.domain, item.question
        else:
            person, domain, _d, outcome, reason, decided = builder.unmet[n]
            question = rng.choice(QUESTIONS[_family_for(rng, domain)])
        rows.requests.append(
            {
                "id": request_id,
                "resident_id": person.id,
                "gids_id": gids_of[id(person)],
                "request_date": day,
                "domain": domain.value,
                "question": question,
                "outcome": outcome.value,
                "outcome_reason": reason,
                "decided_on": decided,
                "created_at": stamp(rng, day, None),
                "referrer_type": referrer[0] and referrer[0].value,
                "referrer_name": referrer[1],
            }
        )
    for t in trajs:
        rows.trajectory(t, traj_request[t.id], gids_of[id(t.person)], builder.planned_end(t))

    # 9. Evaluations and scores, claims, open change requests and their tasks (own generator).
    follow = FollowUpRows(
        random.Random(seed * 104_729 + 3),
        last_day,
        {r["id"]: r["evaluation_interval_months"] for r in catalogue["tariffs"]},
        {index + 1: user for index, user in rows.provider_user.items()},
    )
    results_of: dict[int, list[int]] = {}
    for r in rows.results:
        results_of.setdefault(r["trajectory_id"], []).append(r["id"])
    for row in rows.trajectories:
        if row["care_start"] is not None:
            follow.cycle(row, results_of.get(row["id"], []))
    follow.make_claims(rows.trajectories, demo_provider + 1)
    follow.demo_work(rows.trajectories, 1, demo_provider + 1)
    follow.review_tasks({r["id"]: r["gids_id"] for r in rows.trajectories})
    follow.handover_tasks(rows.trajectories, rows.events)

    # 10. Write, then the morning's scheduler run fills the inboxes.
    _write(session, "wijken", Wijk, [{"id": i + 1, "name": w[0]} for i, w in enumerate(WIJKEN)])
    _write(session, "providers", Provider, catalogue["providers"])
    _write(session, "support_profiles", SupportProfile, catalogue["profiles"])
    _write(session, None, ProfileIntensity, catalogue["intensities"])
    _write(session, "tariffs", Tariff, catalogue["tariffs"])
    _write(session, "contracts", Contract, catalogue["contracts"])
    _write(session, "users", User, users)
    _write(session, "households", Household, household_rows)
    _write(session, "residents", Resident, resident_rows)
    _write(session, "requests", Aanmelding, rows.requests)
    _write(session, "trajectories", Trajectory, rows.trajectories)
    _write(session, "agreed_results", AgreedResult, rows.results)
    _write(session, "trajectory_events", TrajectoryEvent, rows.events)
    _write(session, "evaluations", Evaluation, follow.evaluations)
    _write(session, "result_scores", ResultScore, follow.scores)
    _write(session, "claims", Claim, follow.claims)
    _write(session, "scaling_requests", ScalingRequest, follow.scaling)
    _write(session, "end_of_care_reports", EndOfCareReport, follow.reports)
    _write(session, "tasks", Task, follow.tasks)
    session.flush()
    scheduled = sum(run_all(session, today).values())

    # 11. Statistics: what the beheerder keeps, then the pseudonymised feed from the rows above.
    _write(session, None, PopulationFigure, population_rows(today))
    _write(session, "stats_outlier_months", OutlierMonth, outlier_rows(beheerder_id))
    stats = rebuild_feed(session)

    in_care = {
        d: len(
            {
                r["resident_id"]
                for r in rows.trajectories
                if r["domain"] == d.value and r["state"] == S.ACTIEF.value
            }
        )
        for d in (WMO, JEUGD)
    }
    states = Counter(r["state"] for r in rows.trajectories)
    evaluation_states = Counter(r["state"] for r in follow.evaluations)
    overdue = sum(
        r["state"] == EvaluationState.GEPLAND.value and r["due_on"] < today
        for r in follow.evaluations
    )
    evaluation_counts = [f"{evaluation_states[s.value]} {s.value}" for s in EvaluationState]
    evaluation_counts.append(f"{overdue} overdue")
    claims = Counter(r["state"] for r in follow.claims)
    return (
        f"{len(WIJKEN)} wijken, {len(PROVIDERS)} providers, {len(PROFILES)} profiles, "
        f"{len(users)} users, {len(resident_rows)} residents in {len(household_rows)} "
        f"households, {len(rows.requests)} requests, {len(rows.trajectories)} trajectories "
        f"({', '.join(f'{states[s.value]} {s.value}' for s in S)}), "
        f"{len(rows.results)} agreed results, {len(rows.events)} events, "
        f"{len(follow.evaluations)} evaluations ({', '.join(evaluation_counts)}), "
        f"{len(follow.scores)} result scores, {len(follow.claims)} claims "
        f"({', '.join(f'{claims[s.value]} {s.value}' for s in ClaimState)}), "
        f"{len(follow.scaling)} scaling requests, {len(follow.reports)} end-of-care reports, "
        f"{len(follow.tasks) + scheduled} open tasks, {stats.rows} rows in the statistics "
        f"feed; "
        f"in care on {today.isoformat()}: {in_care[WMO]} Wmo and {in_care[JEUGD]} Jeugd clients"
    )


def _family_for(rng: random.Random, domain: Domain) -> str:
    return rng.choice([p.family for p in PROFILES if p.domain == domain])


def _write(
    session: Session, table: str | None, model: type[Any], rows: list[dict[str, Any]]
) -> None:
    """Bulk insert ``rows`` (dicts with the same keys, ids included) on the session's connection,
    inside its transaction (``workflows.bulk.write_rows``: COPY on PostgreSQL, the driver's
    executemany on SQLite); on PostgreSQL the id sequence of ``table`` is advanced after."""
    if not rows:
        return
    connection = session.connection()
    write_rows(connection, model.__table__, rows)
    if table is not None and connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
