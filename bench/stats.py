"""Time the statistics API over a large feed, each figure beside DuckDB's time for the same
figure from the raw rows, and check that both give the same exact numbers.

The targets (docs/statistics.md, bench/README.md): at 1,000,000 trajectories, warm medians through
the API, SQLite and PostgreSQL: flows (both units), intensity, durations and results, with no
filter, a profile, a provider, and wijk + age band, each at most 100 ms and at most DuckDB's time
for the same figure from the raw rows, computed in the same run.

The script builds a database (everything in it is dropped; with ``--reuse`` a database already
holding exactly ``--n`` feed rows is kept, so 1,000,000 rows are built once, and one holding
another number is left alone with a message): the migrations, a
small catalogue (profiles, providers, wijken), a manager, then the feed itself — the bulk
generator writes ``stats_trajectories`` directly (a million trajectories through the workflows
would take hours and measure the workflows, not the statistics), and
``workflows.stats.feed.rebuild_aggregates`` derives the episodes and monthly counts as the flush
hook keeps them. Then for 36 months of Jeugd and each figure × filter set:

* the app's EXACT figure (``workflows.stats.figures``, before disclosure control: the published
  figures are suppressed or perturbed, so they cannot be compared) is computed once and checked
  equal to DuckDB's — the feed's rows written to a CSV and loaded into an in-memory DuckDB table,
  each figure one or a few SQL statements following docs/statistics.md (client episodes with
  window functions, the Kaplan–Meier product over DuckDB's grouped counts);
* DuckDB's time for that computation, and the API's (``GET /api/v1/stats/<figure>`` through
  Flask's test client with a token: routing, token check, queries, disclosure control, JSON),
  each the median of ``--repeat`` warm calls (at least 3, fewer than ``--repeat`` when the calls
  take longer than ``--budget`` seconds).

Then the manager dashboard page, and on request (``--import-rows``; it adds rows, so not with a
database you mean to reuse) the history import. A Markdown table of the timings ends the output.

Usage:

    .venv/bin/python bench/stats.py --database-url sqlite:////tmp/bench_stats_1m.sqlite3 --reuse
    .venv/bin/python bench/stats.py --reuse \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_stats_1m

Options: ``--n`` trajectories (1,000,000), ``--clients`` (2/5 of ``--n``), ``--repeat`` (20),
``--budget`` (20 s), ``--import-rows`` (0), ``--reuse``, ``--only FIGURE`` (repeatable), ``--cache``
(the API's repeated calls may be answered by the figure cache; without it every call computes).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.sessions import open_session  # noqa: E402
from app.cli import run_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from models import (  # noqa: E402
    KEY_BITS,
    Contract,
    ContractRole,
    Domain,
    Intensity,
    ProfileIntensity,
    Provider,
    Role,
    StatsProviderEvent,
    StatsRequest,
    StatsTrajectory,
    SupportProfile,
    User,
    Wijk,
    derived_key,
)
from workflows import clock  # noqa: E402
from workflows.bsn import bsn_check_digit  # noqa: E402
from workflows.bulk import write_rows  # noqa: E402
from workflows.council import council_year  # noqa: E402
from workflows.stats import admin, cache, figures, finance, kept  # noqa: E402
from workflows.stats.episodes import month_index  # noqa: E402
from workflows.stats.feed import pseudonym, pseudonym_key, rebuild_aggregates  # noqa: E402
from workflows.stats.history import COLUMNS, apply_import, check_import  # noqa: E402
from workflows.stats.money import cents  # noqa: E402
from workflows.stats.selection import StatsQuery, parse_query  # noqa: E402
from workflows.users import hash_password  # noqa: E402

TODAY = clock.today()
CUTOFF = month_index(TODAY) - 1
FIRST = TODAY.replace(day=1) - timedelta(days=3652)
PROFILES = [
    # code, domain, category, intensities
    ("WMO-HH", Domain.WMO, "01", ("laag", "zwaar")),
    ("WMO-BG", Domain.WMO, "02", ("laag", "middel", "zwaar")),
    ("WMO-DB", Domain.WMO, "07", ("laag", "middel", "zwaar")),
    ("JZ-AMB", Domain.JEUGD, "45", ("laag", "middel", "zwaar")),
    ("JZ-GGZ", Domain.JEUGD, "54", ("laag", "middel", "zwaar")),
    ("JZ-VBL", Domain.JEUGD, "43", ("middel", "zwaar")),
]
WIJKEN = ("Dronten", "Biddinghuizen", "Swifterbant")
AGB = [f"{n:08d}" for n in range(20_000_001, 20_000_011)]
BATCH = 100_000


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def timed(call: Callable[[], Any], repeat: int, budget: float = 20.0) -> tuple[float, Any]:
    """Median of ``repeat`` warm calls in ms, fewer (at least 3) when they pass ``budget``
    seconds; and the last call's result."""
    result = call()  # warm
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < repeat and (len(samples) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def catalogue(session: Session) -> tuple[User, str]:
    """Profiles, providers, wijken, a gids, a manager with a token; returns (gids, token)."""
    for code, domain, category, levels in PROFILES:
        profile = SupportProfile(code=code, name=code, domain=domain, category_code=category)
        profile.intensities = [ProfileIntensity(intensity=Intensity(level)) for level in levels]
        session.add(profile)
    for n, agb in enumerate(AGB):
        provider = Provider(name=f"Zorg {n}", agb_code=agb)
        session.add(provider)
    session.flush()
    for provider in session.scalars(select(Provider)):
        for profile in session.scalars(select(SupportProfile)):
            session.add(
                Contract(
                    provider=provider,
                    profile=profile,
                    role=ContractRole.HOOFDAANNEMER,
                    valid_from=date(2015, 1, 1),
                )  # fmt: skip
            )
    session.add_all(Wijk(name=name) for name in WIJKEN)
    password = hash_password("bench-wachtwoord")
    gids = User(email="gids@bench.nl", name="Gids", role=Role.GIDS, password_hash=password)
    manager = User(email="m@bench.nl", name="Manager", role=Role.MANAGER, password_hash=password)
    beheerder = User(email="b@bench.nl", name="Beheer", role=Role.BEHEERDER, password_hash=password)
    session.add_all([gids, manager, beheerder])
    session.flush()
    _row, token = admin.issue_token(session, beheerder, user_id=manager.id, name="bench")
    return gids, token


def feed_rows(n: int, clients: int, key: bytes, seed: int = 4) -> Iterator[dict[str, Any]]:
    """``n`` trajectories of ``clients`` clients over the 10 years before today: 35 % Jeugd;
    chains of trajectories per client, a third of the follow-ups adjoining (scaling), the rest
    after a gap of 1–30 months; durations exponential (mean 200 days); care still running at the
    cut-off is open; 1 % waiting (no start). Clients are visited in turns until ``n`` is made;
    they are pseudonymised with ``key``, as the feed does."""
    rng = random.Random(seed)
    span = (TODAY - FIRST).days
    cutoff_day = TODAY - timedelta(days=1)
    made = 0
    client = 0
    while made < n:
        number = client % clients
        client += 1
        client_key = pseudonym(key, "bsn", f"{number:09d}")
        household = pseudonym(key, "huishouden", str(number))
        person = random.Random(number)  # the same domain, age band and wijk on each visit
        domain = Domain.JEUGD if person.random() < 0.35 else Domain.WMO
        if domain == Domain.JEUGD:
            age_band = person.choice(("4-11", "12-17"))
        else:
            age_band = person.choice(("27-64", "65-74", "75-84", "85+"))
        wijk = WIJKEN[person.choices(range(3), (68, 17, 15))[0]]
        profiles = [p for p in PROFILES if p[1] == domain]
        start = FIRST + timedelta(days=rng.randrange(span))
        for _ in range(rng.randint(1, 3)):
            if made >= n:
                return
            code, _d, category, levels = rng.choice(profiles)
            end: date | None = start + timedelta(days=int(rng.expovariate(1 / 200)))
            waiting = rng.random() < 0.01 or start > cutoff_day
            if waiting or (end is not None and end > cutoff_day):
                end = None
            care_start = None if waiting else start
            closed = care_start is not None and end is not None
            decision = start - timedelta(days=rng.randint(7, 70))
            price = Decimal(rng.choice(("1200.00", "2600.00", "3800.00", "6200.00")))
            achieved = (rng.random() < 0.7) if closed else None
            money = money_of(rng, decision, start, end if closed else None, price, achieved)
            made += 1
            yield {
                "source_trajectory_id": None,
                "frozen": False,
                "follows_source_id": None,
                "client_key": client_key,
                "household_key": household,
                "age_band": age_band,
                "wijk": wijk,
                "domain": domain.value,
                "category_code": category,
                "profile_code": code,
                "intensity": rng.choice(levels),
                "provider_agb": rng.choice(AGB),
                "need_type": "eindig",
                "request_date": decision - timedelta(days=rng.randint(5, 40)),
                "decision_date": decision,
                "care_start": care_start,
                "planned_end": start + timedelta(days=182),
                "care_end": end if closed else None,
                "start_month": month_index(care_start) if care_start else None,
                "end_month": month_index(end) if closed and end else None,
                "price": price,
                "closure_category": rng.choice("abcd") if closed else None,
                "end_reason_code": "19" if closed else None,
                "result_achieved": achieved,
                **money,
                "extensions": 1 if rng.random() < 0.05 else 0,
                # Record keys for the cell key method (a detached row keeps a drawn one).
                "record_key": rng.getrandbits(KEY_BITS),
                "client_record_key": derived_key("client", client_key),
                "household_record_key": derived_key("household", household),
            }
            if end is None:
                break  # open care or waiting: this visit ends here
            start = end + timedelta(days=1 if rng.random() < 0.33 else rng.randint(30, 900))
            if start > cutoff_day:
                break


def money_of(
    rng: random.Random,
    decision: date,
    start: date,
    end: date | None,
    price: Decimal,
    achieved: bool | None,
) -> dict[str, Any]:
    """The feed's money columns (``workflows.stats.money``) for a generated trajectory: four in
    five at the tariff, the rest 10 % above it; closed care claimed in nine cases of ten (most
    approved, some refused, some still submitted) in its month of end or the next; the rest
    expected."""
    planned_end = start + timedelta(days=182)
    tariff = price if rng.random() < 0.8 else (price / Decimal("1.1")).quantize(Decimal("0.01"))
    partial = None
    if end is not None and not achieved:
        days = min((end - start).days + 1, 183)
        partial = (price * days / 183).quantize(Decimal("0.01"))
    claim: dict[str, Any] = {
        "claim_state": None,
        "claim_amount": None,
        "claim_submitted_month": None,
        "claim_decided_month": None,
    }
    if end is not None and rng.random() < 0.9:
        submitted = month_index(end) + rng.randint(0, 1)
        state = rng.choices(("goedgekeurd", "afgewezen", "ingediend"), (80, 8, 12))[0]
        claim = {
            "claim_state": state,
            "claim_amount": price if achieved else partial,
            "claim_submitted_month": submitted,
            "claim_decided_month": None if state == "ingediend" else submitted + rng.randint(0, 1),
        }
    expected = None
    if claim["claim_state"] is None:
        expected = month_index(end) if end is not None else month_index(planned_end)
    return {
        "commit_month": month_index(decision),
        "tariff_price": tariff,
        **claim,
        "expected_month": expected,
        "pro_rata_amount": partial,
    }


def load_feed(session: Session, n: int, clients: int) -> None:
    table = StatsTrajectory.__table__
    batch: list[dict[str, Any]] = []
    for row in feed_rows(n, clients, pseudonym_key(session)):
        batch.append(row)
        if len(batch) >= BATCH:
            write_rows(session.connection(), table, batch)  # type: ignore[arg-type]
            batch = []
    write_rows(session.connection(), table, batch)  # type: ignore[arg-type]


def request_rows(session: Session, seed: int = 5) -> Iterator[dict[str, Any]]:
    """The aanmeldingen behind the feed (``stats_requests``): for each trajectory with a request
    date a request granted on its decision date (still undecided when that lies after the
    cut-off), and beside them, for about one in eight, a request of the same client refused or
    closed without follow-up 5–60 days after it was made, and for one in a hundred a request
    still undecided, made in the 120 days before the cut-off."""
    rng = random.Random(seed)
    cutoff_day = TODAY.replace(day=1) - timedelta(days=1)
    F = StatsTrajectory
    for client_key, age_band, wijk, domain, requested, decided in session.execute(
        select(F.client_key, F.age_band, F.wijk, F.domain, F.request_date, F.decision_date)
        .where(F.request_date.is_not(None))
        .order_by(F.id)
        .execution_options(yield_per=50_000)
    ):
        base = {
            "source_request_id": None,
            "frozen": False,
            "client_key": client_key,
            "age_band": age_band,
            "wijk": wijk,
            "domain": getattr(domain, "value", domain),
        }
        undecided = decided is None or decided > cutoff_day
        yield {
            **base,
            "request_date": requested,
            "decided_on": None if undecided else decided,
            "outcome": "in_behandeling" if undecided else "toegekend",
            "record_key": rng.getrandbits(KEY_BITS),
        }
        draw = rng.random()
        if draw < 0.125:
            made = requested - timedelta(days=rng.randint(60, 400))
            yield {
                **base,
                "request_date": made,
                "decided_on": made + timedelta(days=rng.randint(5, 60)),
                "outcome": "afgewezen" if draw < 0.05 else "geen_vervolg",
                "record_key": rng.getrandbits(KEY_BITS),
            }
        elif draw < 0.135:
            yield {
                **base,
                "request_date": cutoff_day - timedelta(days=rng.randint(0, 120)),
                "decided_on": None,
                "outcome": "in_behandeling",
                "record_key": rng.getrandbits(KEY_BITS),
            }


def load_requests(session: Session) -> int:
    """``stats_requests`` from ``request_rows``, when it is empty (a database built before the
    requests were part of the benchmark gets them on ``--reuse``), and their kept waits;
    returns the rows written."""
    if session.scalar(select(func.count()).select_from(StatsRequest)):
        return 0
    table = StatsRequest.__table__
    written = 0
    batch: list[dict[str, Any]] = []
    for row in request_rows(session):
        batch.append(row)
        if len(batch) >= BATCH:
            write_rows(session.connection(), table, batch)  # type: ignore[arg-type]
            written += len(batch)
            batch = []
    write_rows(session.connection(), table, batch)  # type: ignore[arg-type]
    # Their waits for a decision, kept as the flush hook keeps them.
    kept.rebuild_request_waits(session.connection())
    return written + len(batch)


def load_provider_events(session: Session, seed: int = 6) -> int:
    """``stats_provider_events`` beside the feed, when it is empty: for about 3 % of the
    trajectories a proposal returned a few days before the decision by a provider drawn at
    random, for 2 % a request to scale up or down during care by its own provider."""
    E = StatsProviderEvent
    if session.scalar(select(func.count()).select_from(E)):
        return 0
    rng = random.Random(seed)
    F = StatsTrajectory
    rows: list[dict[str, Any]] = []
    for provider, domain, decided, start in session.execute(
        select(F.provider_agb, F.domain, F.decision_date, F.care_start)
        .order_by(F.id)
        .execution_options(yield_per=50_000)
    ):
        draw = rng.random()
        if draw < 0.03 and decided is not None:
            day = decided - timedelta(days=rng.randint(1, 10))
            kind, who = "returned", rng.choice(AGB)
        elif draw < 0.05 and start is not None:
            day = start + timedelta(days=rng.randint(10, 120))
            kind, who = "scaling", provider
        else:
            continue
        rows.append(
            {
                "source_event_id": None,
                "source_trajectory_id": None,
                "frozen": False,
                "kind": kind,
                "provider_agb": who,
                "domain": getattr(domain, "value", domain),
                "day": day,
                "month": month_index(day),
                "record_key": rng.getrandbits(KEY_BITS),
            }
        )
    write_rows(session.connection(), E.__table__, rows)  # type: ignore[arg-type]
    return len(rows)


def import_file(rows: int, path: Path) -> None:
    """``rows`` new trajectories in the import format, for about ``rows``/1.6 new residents."""
    rng = random.Random(11)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        person = 30_000_000
        for n in range(rows):
            if n == 0 or rng.random() < 0.62:
                while True:
                    person += 1
                    bsn = bsn_check_digit(str(person))
                    if bsn:
                        break
                birth = date(1940, 1, 1) + timedelta(days=rng.randrange(20_000))
            code, domain, category, levels = rng.choice([p for p in PROFILES if p[1] == Domain.WMO])
            start = TODAY - timedelta(days=rng.randint(40, 3000))
            end = start + timedelta(days=rng.randint(0, 400))
            closed = end < TODAY - timedelta(days=1)
            writer.writerow(
                [
                    f"BENCH-{n}",
                    bsn,
                    birth.isoformat(),
                    f"82{rng.randint(10, 99)}AB",
                    domain.value,
                    category,
                    code,
                    rng.choice(levels),
                    rng.choice(AGB),
                    (start - timedelta(days=30)).isoformat(),
                    (start - timedelta(days=10)).isoformat(),
                    start.isoformat(),
                    (start + timedelta(days=182)).isoformat(),
                    end.isoformat() if closed else "",
                    "2600,00",
                    ("ja" if rng.random() < 0.7 else "nee") if closed else "",
                    rng.choice("abc") if closed else "",
                    "19" if closed else "",
                ]  # fmt: skip
            )


def vacuum(url: str) -> None:
    """PostgreSQL: VACUUM ANALYZE after a bulk load or a migration, as autovacuum does on a live
    database (it is off on the benchmark machines): fresh statistics, and the visibility map
    that lets the figures with filters read the feed's covering indexes without the table.
    SQLite needs neither (ANALYZE for its planner)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM (ANALYZE)" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()


def build(app: Any, url: str, n: int, clients: int, reuse: bool) -> None:
    """A database with ``n`` feed rows: kept as it is with ``reuse`` when it already holds
    exactly that many, built when it has no feed table yet; with other contents ``reuse``
    stops rather than drop them. Without ``reuse`` it is built fresh (everything dropped)."""
    if reuse:
        try:
            with app.app_context():
                rows = db.session.scalar(select(func.count()).select_from(StatsTrajectory))
        except Exception:  # noqa: BLE001 - no tables yet: build
            rows = None
        if rows == n:
            # A database built by an older revision is brought up to date first (the migrations
            # fill what they add for the rows already there, e.g. the record keys).
            started = time.perf_counter()
            with app.app_context():
                run_migrations()
                requests = load_requests(db.session)
                load_provider_events(db.session)
                db.session.commit()
            took = time.perf_counter() - started
            print(
                f"reusing the database with {n:,} feed rows (migrated in {took:.1f} s"
                + (f", {requests:,} requests added)" if requests else ")")
            )
            vacuum(url)
            return
        if rows is not None:
            # Never drop a database that holds other data: it may be another run's, still being
            # built (a second run used to delete a SQLite file under the first one's feet).
            raise SystemExit(
                f"{url} holds {rows:,} feed rows, not {n:,}: not dropped with --reuse. Delete it"
                " yourself, or choose another database (another run may still be building it)."
            )
    with app.app_context():
        # The reuse check above opened a pooled connection (SQLite: to the file about to be
        # deleted, which the build would then fill unseen, leaving an empty file behind).
        db.engine.dispose()
    fresh_database(url)
    with app.app_context():
        session = db.session
        run_migrations()
        started = time.perf_counter()
        catalogue(session)
        load_feed(session, n, clients)
        loaded = time.perf_counter() - started
        episodes = rebuild_aggregates(session.connection())
        requests = load_requests(session)
        load_provider_events(session)
        session.commit()
        print(
            f"loaded {n:,} feed rows in {loaded:.1f} s, aggregates "
            f"({episodes:,} episodes) and {requests:,} requests in "
            f"{time.perf_counter() - started - loaded:.1f} s"
        )
    vacuum(url)


RAW_TYPES = {
    "client_key": "VARCHAR",
    "household_key": "VARCHAR",
    "domain": "VARCHAR",
    "category_code": "VARCHAR",
    "profile_code": "VARCHAR",
    "provider_agb": "VARCHAR",
    "wijk": "VARCHAR",
    "age_band": "VARCHAR",
    "intensity": "VARCHAR",
    "request_date": "DATE",
    "decision_date": "DATE",
    "care_start": "DATE",
    "planned_end": "DATE",
    "care_end": "DATE",
    "commit_month": "INTEGER",
    "tariff_price": "DECIMAL(10,2)",
    "claim_state": "VARCHAR",
    "claim_amount": "DECIMAL(10,2)",
    "claim_submitted_month": "INTEGER",
    "claim_decided_month": "INTEGER",
    "expected_month": "INTEGER",
    "pro_rata_amount": "DECIMAL(10,2)",
    "start_month": "INTEGER",
    "end_month": "INTEGER",
    "price": "DECIMAL(12,2)",
    "closure_category": "VARCHAR",
    "result_achieved": "BOOLEAN",
    "extensions": "INTEGER",
}
FILTER_COLUMNS = {
    "category": "category_code",
    "profile": "profile_code",
    "provider": "provider_agb",
    "wijk": "wijk",
    "age_band": "age_band",
}
FILTER_SETS: dict[str, dict[str, str]] = {
    "none": {},
    "profile": {"profile": "JZ-AMB"},
    "provider": {"provider": AGB[0]},
    "wijk + age band": {"wijk": "Dronten", "age_band": "4-11"},
}
# (row label, API path, unit)
FIGURES = (
    ("flows, traject", "flows", "traject"),
    ("flows, client", "flows", "client"),
    ("intensity", "intensity", "traject"),
    ("durations", "durations", "traject"),
    ("results", "results", "traject"),
    ("finance", "finance", "traject"),
    # The waiting-times answer holds these three (and the waiting list now).
    ("waits by month", "waiting-times", "traject"),
    ("waits censored", "waiting-times", "traject"),
    ("unmet demand", "waiting-times", "traject"),
    ("scorecard", "providers", "traject"),
    # The council report of the default year (Jeugd): the figures it composes, together.
    ("council", "council", "traject"),
)
# The figure DuckDB and ``exact`` compute for a row of FIGURES (by default its API path).
DUCK_FIGURE = {
    "waits by month": "waiting_times",
    "waits censored": "censored_waits",
    "unmet demand": "unmet_demand",
    "scorecard": "scorecard",
    "council": "council",
}
# The filter sets each figure is asked with (the scorecard takes a period and a domain only).
FIGURE_FILTERS = {"scorecard": ("none",), "council": ("none",)}
REQUEST_TYPES = {
    "client_key": "VARCHAR",
    "age_band": "VARCHAR",
    "wijk": "VARCHAR",
    "domain": "VARCHAR",
    "request_date": "DATE",
    "decided_on": "DATE",
    "outcome": "VARCHAR",
}
EVENT_TYPES = {"kind": "VARCHAR", "provider_agb": "VARCHAR", "domain": "VARCHAR", "day": "DATE"}
# Filters only a trajectory has: the request figures do not apply with one of them.
TRAJECTORY_ONLY = ("category", "profile", "intensity", "provider")

# Client episodes after the filters, as ``workflows.stats.episodes.merge`` forms them: sorted by
# start (then end, open last), a trajectory opens a new episode when it starts more than one day
# after every earlier one's end; an open trajectory (end 9999-12-31 here) keeps it open.
EPISODES = """
    x AS (SELECT client_key, domain, care_start,
                 coalesce(care_end, DATE '9999-12-31') AS ce FROM t WHERE {where}),
    y AS (SELECT *, max(ce) OVER (PARTITION BY client_key, domain ORDER BY care_start, ce
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
          FROM x),
    z AS (SELECT *, sum(CASE WHEN prev IS NULL OR care_start - 1 > prev THEN 1 ELSE 0 END)
                    OVER (PARTITION BY client_key, domain ORDER BY care_start, ce
                          ROWS UNBOUNDED PRECEDING) AS g
          FROM y),
    ep AS (SELECT client_key, domain, min(care_start) AS es,
                  nullif(max(ce), DATE '9999-12-31') AS ee
           FROM z GROUP BY client_key, domain, g)
"""
# Monthly flows from r(s, e): start and end month of each counted unit (e NULL while open).
FLOWS = """
    base AS (SELECT count(*) FILTER (WHERE s < $start) - count(*) FILTER (WHERE e < $start) AS b
             FROM r),
    i AS (SELECT s AS m, count(*) AS n FROM r WHERE s BETWEEN $start AND $last GROUP BY 1),
    u AS (SELECT e AS m, count(*) AS n FROM r WHERE e BETWEEN $start AND $last GROUP BY 1),
    f AS (SELECT months.range AS m, coalesce(i.n, 0) AS i, coalesce(u.n, 0) AS u
          FROM range($start, $last + 1) months
          LEFT JOIN i ON i.m = months.range LEFT JOIN u ON u.m = months.range),
    g AS (SELECT m, i, u, (SELECT b FROM base) + sum(i - u) OVER (ORDER BY m) AS eind FROM f)
    SELECT eind - i + u, i, u, eind FROM g ORDER BY m
"""
MONTH_OF = "(year({0}) * 12 + month({0}) - 1)"


def council_parts(query: StatsQuery) -> list[tuple[str, str, StatsQuery]]:
    """The figures the council report of the default year composes for the domain of
    ``query`` (``app/council.py``): the flows (unit client) over Y − 1 … Y, and results and
    finance of each year."""
    year = council_year(None, TODAY)
    assert not year.partial

    def months(first: int, last: int, unit: str = "traject") -> StatsQuery:
        start, end = month_index(date(first, 1, 1)), month_index(date(last, 12, 1))
        return replace(query, start=start, end=end, unit=unit)

    y = year.year
    return [
        ("flows", "client", months(y - 1, y, "client")),
        *((name, "traject", months(one, one)) for name in ("results", "finance")
          for one in (y - 1, y)),
    ]  # fmt: skip


class Duck:
    """The figures of docs/statistics.md computed by DuckDB from the raw feed rows (a CSV of
    them in an in-memory table), each returned in the shape ``exact`` gives the app's."""

    def __init__(
        self, csv_path: Path, query: StatsQuery, repeat_years: int, requests_path: Path
    ) -> None:
        self.con = duckdb.connect()
        self.con.execute(
            "CREATE TABLE t AS SELECT * FROM read_csv(?, header=true, columns=?)",
            [str(csv_path), RAW_TYPES],
        )
        self.con.execute(
            "CREATE TABLE rq AS SELECT * FROM read_csv(?, header=true, columns=?)",
            [str(requests_path), REQUEST_TYPES],
        )
        self.con.execute(
            "CREATE TABLE ev AS SELECT * FROM read_csv(?, header=true, columns=?)",
            [str(requests_path.with_name("events.csv")), EVENT_TYPES],
        )
        self.query = query
        self.repeat_years = repeat_years

    def params(self, filters: dict[str, str], *names: str) -> dict[str, Any]:
        q = self.query
        known = {
            "domain": q.domain.value if q.domain else None,
            "start": q.start,
            "last": q.last,
            "first_day": q.period_first_day,
            "last_day": q.period_last_day,
            "cutoff": q.cutoff_date,
            "y0": q.period_first_day.year,
            "y1": q.period_last_day.year,
            "ry": self.repeat_years,
        }
        values = {name: known[name] for name in ("domain", *names)}
        values.update({f"f_{name}": value for name, value in filters.items()})
        return values

    @staticmethod
    def where(filters: dict[str, str], started: bool = True) -> str:
        conditions = ["domain = $domain"]
        conditions += [f"{FILTER_COLUMNS[name]} = $f_{name}" for name in filters]
        if started:
            conditions.append("care_start IS NOT NULL")
        return " AND ".join(conditions)

    def run(self, sql: str, params: dict[str, Any]) -> list[Any]:
        return self.con.execute(sql, params).fetchall()

    def figure(self, name: str, filters: dict[str, str], unit: str) -> Callable[[], Any]:
        if name == "flows":
            return lambda: self.flows(filters, unit)
        return lambda: getattr(self, name)(filters)

    def council(self, filters: dict[str, str]) -> list[Any]:
        """The parts of the council report, one after the other (the time is their sum)."""
        base = self.query
        answers = []
        try:
            for name, unit, query in council_parts(base):
                self.query = query
                answers.append(self.figure(name, filters, unit)())
        finally:
            self.query = base
        return answers

    def flows(self, filters: dict[str, str], unit: str) -> list[tuple[int, ...]]:
        where = self.where(filters)
        if unit == "traject":
            source = f"r AS (SELECT start_month AS s, end_month AS e FROM t WHERE {where}),"
        else:
            source = (
                EPISODES.format(where=where)
                + f", r AS (SELECT {MONTH_OF.format('es')} AS s, {MONTH_OF.format('ee')} AS e"
                + " FROM ep),"
            )
        rows = self.run("WITH " + source + FLOWS, self.params(filters, "start", "last"))
        return [tuple(int(v) for v in row) for row in rows]

    def intensity(self, filters: dict[str, str]) -> list[tuple[int, ...]]:
        sql = f"""
            WITH r AS (SELECT intensity AS k, start_month AS s, end_month AS e FROM t
                       WHERE {self.where(filters)}),
            base AS (SELECT k, count(*) FILTER (WHERE s < $start)
                               - count(*) FILTER (WHERE e < $start) AS b FROM r GROUP BY k),
            i AS (SELECT k, s AS m, count(*) AS n FROM r
                  WHERE s BETWEEN $start AND $last GROUP BY k, s),
            u AS (SELECT k, e AS m, count(*) AS n FROM r
                  WHERE e BETWEEN $start AND $last GROUP BY k, e),
            grid AS (SELECT months.range AS m, levels.k FROM range($start, $last + 1) months,
                     (SELECT unnest(['laag', 'middel', 'zwaar']) AS k) levels),
            f AS (SELECT grid.m, grid.k, coalesce(i.n, 0) AS i, coalesce(u.n, 0) AS u,
                         coalesce(base.b, 0) AS b
                  FROM grid LEFT JOIN i USING (m, k) LEFT JOIN u USING (m, k)
                  LEFT JOIN base USING (k))
            SELECT m, b + sum(i - u) OVER (PARTITION BY k ORDER BY m) FROM f ORDER BY m, k
        """
        rows = self.run(sql, self.params(filters, "start", "last"))
        # three rows per month, the levels in the order of figures.INTENSITIES
        return [tuple(int(r[1]) for r in rows[j : j + 3]) for j in range(0, len(rows), 3)]

    def durations(self, filters: dict[str, str]) -> tuple[Any, ...]:
        where = self.where(filters)
        ended, mean, median = self.run(
            f"SELECT count(*), avg(care_end - care_start + 1), median(care_end - care_start + 1)"
            f" FROM t WHERE {where} AND care_end BETWEEN $first_day AND $last_day",
            self.params(filters, "first_day", "last_day"),
        )[0]
        grouped = self.run(
            f"""SELECT year(care_start) AS y,
                       CASE WHEN care_end <= $cutoff THEN care_end - care_start + 1
                            ELSE $cutoff - care_start + 1 END AS d,
                       count(*) AS leaving,
                       count(*) FILTER (WHERE care_end <= $cutoff) AS events
                FROM t WHERE {where} AND year(care_start) BETWEEN $y0 AND $y1
                             AND care_start <= $cutoff
                             AND care_start BETWEEN $first_day AND $last_day
                GROUP BY ALL ORDER BY y, d""",
            self.params(filters, "cutoff", "y0", "y1", "first_day", "last_day"),
        )
        by_year: dict[int, list[tuple[int, int, int]]] = {}
        for year, days, leaving, events in grouped:
            by_year.setdefault(year, []).append((days, leaving, events))
        cohorts = []
        for year in range(self.query.period_first_day.year, self.query.period_last_day.year + 1):
            steps = by_year.get(year, [])
            n = sum(leaving for _d, leaving, _e in steps)
            done = sum(events for _d, _l, events in steps)
            cohorts.append((year, n, done, n - done, km_median_grouped(steps, n)))
        return (ended, _rounded(mean), _rounded(median), cohorts)

    def finance(self, filters: dict[str, str]) -> tuple[Any, ...]:
        """docs/statistics.md, "Finance", from its definitions: the committed stock of a month
        as the rows committed by its end and not ended by it; each flow by its month; the
        expected claims from the current month on."""
        where = self.where(filters, started=False)
        params = self.params(filters, "start", "last")
        stock = self.run(
            f"""WITH f AS (SELECT commit_month, end_month, price FROM t WHERE {where})
                SELECT m.range, count(f.price), coalesce(sum(f.price), 0)
                FROM range($start, $last + 1) m LEFT JOIN f
                  ON f.commit_month <= m.range AND (f.end_month IS NULL OR f.end_month > m.range)
                GROUP BY m.range ORDER BY m.range""",
            params,
        )
        kinds = {
            "new": ("commit_month", "price", "commit_month IS NOT NULL"),
            "claimed": ("claim_submitted_month", "claim_amount", "claim_state IS NOT NULL"),
            "approved": ("claim_decided_month", "claim_amount", "claim_state = 'goedgekeurd'"),
            "refused": ("claim_decided_month", "claim_amount", "claim_state = 'afgewezen'"),
            "tariff": ("commit_month", "price", "tariff_price IS NOT NULL"),
            "deviating": ("commit_month", "price", "tariff_price <> price"),
        }
        flows: dict[str, dict[int, tuple[int, int]]] = {}
        for name, (month, amount, condition) in kinds.items():
            flows[name] = {
                m: (n, cents(total))
                for m, n, total in self.run(
                    f"""SELECT {month}, count(*), sum({amount}) FROM t
                        WHERE {condition} AND {where} AND {month} BETWEEN $start AND $last
                        GROUP BY 1""",
                    params,
                )
            }
        months = [
            (m, n, cents(total), *(v for name in kinds for v in flows[name].get(m, (0, 0))))
            for m, n, total in stock
        ]
        totals = tuple(
            (sum(n for n, _c in flows[name].values()), sum(c for _n, c in flows[name].values()))
            for name in kinds
        )
        now = self.query.cutoff + 1
        expected = dict.fromkeys(range(now, now + 12), (0, 0))
        for m, n, total in self.run(
            f"""SELECT CASE WHEN care_end IS NULL THEN greatest(expected_month, {now})
                            ELSE {now} END,
                       count(*),
                       sum(CASE WHEN care_end IS NULL OR result_achieved THEN price
                                ELSE pro_rata_amount END)
                FROM t
                WHERE expected_month IS NOT NULL AND {where}
                  AND ((care_end IS NULL AND expected_month < {now + 12})
                       OR (care_end IS NOT NULL AND expected_month BETWEEN {now - 12} AND {now}))
                GROUP BY 1""",
            self.params(filters),
        ):
            expected[m] = (n, cents(total))
        return (months, totals, sorted(expected.items()))

    def results(self, filters: dict[str, str]) -> tuple[Any, ...]:
        where = self.where(filters, started=False)
        closed = self.run(
            f"""SELECT count(*) FILTER (WHERE result_achieved AND care_end <= planned_end),
                       count(*) FILTER (WHERE result_achieved AND care_end > planned_end),
                       count(*) FILTER (WHERE NOT coalesce(result_achieved, false)),
                       count(*) FILTER (WHERE closure_category = 'a'),
                       count(*) FILTER (WHERE closure_category = 'b'),
                       count(*) FILTER (WHERE closure_category = 'c'),
                       count(*) FILTER (WHERE closure_category = 'd')
                FROM t WHERE {where} AND end_month BETWEEN $start AND $last""",
            self.params(filters, "start", "last"),
        )[0]
        active = self.run(
            f"""SELECT count(*), coalesce(sum(extensions), 0) FROM t
                WHERE {where} AND care_start <= $last_day
                      AND (care_end IS NULL OR care_end >= $first_day)""",
            self.params(filters, "first_day", "last_day"),
        )[0]
        repeat = self.run(
            "WITH "
            + EPISODES.format(where=self.where(filters))
            + """, w AS (SELECT es, lag(ee) OVER (PARTITION BY client_key, domain ORDER BY es)
                          AS pe FROM ep)
            SELECT count(*), count(*) FILTER (WHERE pe >= CASE
                WHEN month(es) = 2 AND day(es) = 29 THEN make_date(year(es) - $ry, 3, 1)
                ELSE CAST(es - to_years(CAST($ry AS INTEGER)) AS DATE) END)
            FROM w WHERE es BETWEEN $first_day AND $last_day""",
            self.params(filters, "first_day", "last_day", "ry"),
        )[0]
        years = self.run(
            f"""WITH r AS (SELECT * FROM t WHERE {where}),
            yrs AS (SELECT range AS y,
                           greatest(make_date(CAST(range AS INTEGER), 1, 1), $first_day) AS jan1,
                           least(make_date(CAST(range AS INTEGER), 12, 31), $last_day) AS dec31
                    FROM range($y0, $y1 + 1)),
            started AS (SELECT y, count(DISTINCT client_key) AS c, coalesce(sum(price), 0) AS p
                        FROM yrs LEFT JOIN r
                        ON r.start_month BETWEEN year(jan1) * 12 + month(jan1) - 1
                                             AND year(dec31) * 12 + month(dec31) - 1
                        GROUP BY y),
            care AS (SELECT y, count(DISTINCT client_key) AS c FROM yrs LEFT JOIN r
                     ON r.care_start <= dec31 AND (r.care_end IS NULL OR r.care_end >= jan1)
                     GROUP BY y),
            households AS (SELECT y, count(DISTINCT household_key) AS h FROM yrs LEFT JOIN r
                           ON r.decision_date <= dec31
                              AND (r.care_end IS NULL OR r.care_end >= jan1)
                           GROUP BY y)
            SELECT y, started.c, started.p, care.c, households.h
            FROM started JOIN care USING (y) JOIN households USING (y) ORDER BY y""",
            self.params(filters, "y0", "y1", "first_day", "last_day"),
        )
        return (
            closed[0] + closed[1] + closed[2],
            *closed,
            *active,
            *repeat,
            [(int(y), c, _money(p), care, h) for y, c, p, care, h in years],
        )

    def censored_waits(self, filters: dict[str, str]) -> tuple[Any, ...]:
        """Per stage (request, decision) the waits that began in the period: n, ended by the
        cut-off date, censored there, and the Kaplan–Meier median."""

        def stage(sql: str) -> tuple[Any, ...]:
            steps = [
                (int(d), int(leaving), int(events))
                for d, leaving, events in self.run(
                    sql, self.params(filters, "first_day", "last_day", "cutoff")
                )
            ]
            n = sum(leaving for _d, leaving, _e in steps)
            done = sum(events for _d, _l, events in steps)
            return (n, done, n - done, km_median_grouped(steps, n))

        decision = stage(
            f"""SELECT CASE WHEN care_start <= $cutoff THEN care_start - decision_date
                            ELSE $cutoff - decision_date END AS d,
                       count(*), count(*) FILTER (WHERE care_start <= $cutoff)
                FROM t WHERE {self.where(filters, started=False)}
                             AND decision_date BETWEEN $first_day AND $last_day
                GROUP BY ALL ORDER BY d"""
        )
        if any(name in TRAJECTORY_ONLY for name in filters):
            return (None, decision)
        request = stage(
            f"""SELECT CASE WHEN decided_on <= $cutoff THEN decided_on - request_date
                            ELSE $cutoff - request_date END AS d,
                       count(*), count(*) FILTER (WHERE decided_on <= $cutoff)
                FROM rq WHERE {self.where(filters, started=False)}
                              AND request_date BETWEEN $first_day AND $last_day
                GROUP BY ALL ORDER BY d"""
        )
        return (request, decision)

    def waiting_times(self, filters: dict[str, str]) -> list[tuple[Any, ...]]:
        """Per month of start in the period: the waits from request to decision and from
        decision to start of the trajectories started in it (number, mean, median)."""
        rows = self.run(
            f"""WITH w AS (SELECT start_month AS m, decision_date - request_date AS asked,
                                  care_start - decision_date AS waited
                           FROM t WHERE {self.where(filters)}
                                        AND start_month BETWEEN $start AND $last)
                SELECT months.range, count(asked), avg(asked), median(asked), count(waited),
                       avg(waited), median(waited)
                FROM range($start, $last + 1) months LEFT JOIN w ON w.m = months.range
                GROUP BY 1 ORDER BY 1""",
            self.params(filters, "start", "last"),
        )
        return [
            (int(m), int(n1), _rounded(mean1), _rounded(median1), int(n2), _rounded(mean2),
             _rounded(median2))
            for m, n1, mean1, median1, n2, mean2, median2 in rows
        ]  # fmt: skip

    def unmet_demand(self, filters: dict[str, str]) -> list[tuple[int, int, int]] | None:
        """Per month of the period: the requests refused and closed without follow-up."""
        if any(name in TRAJECTORY_ONLY for name in filters):
            return None
        rows = self.run(
            f"""SELECT months.range,
                       count(rq.outcome) FILTER (WHERE rq.outcome = 'afgewezen'),
                       count(rq.outcome) FILTER (WHERE rq.outcome = 'geen_vervolg')
                FROM range($start, $last + 1) months LEFT JOIN rq
                  ON {MONTH_OF.format("rq.decided_on")} = months.range
                 AND rq.outcome IN ('afgewezen', 'geen_vervolg')
                 AND {" AND ".join(f"rq.{c}" for c in self.where(filters, False).split(" AND "))}
                GROUP BY 1 ORDER BY 1""",
            self.params(filters, "start", "last"),
        )
        return [(int(m), int(r), int(g)) for m, r, g in rows]

    def scorecard(self, _filters: dict[str, str]) -> dict[str, tuple[Any, ...]]:
        """Per provider (and "" for all): closed, on time, late, categories b and d, returned,
        scaling requests, achieved, their prices, and the waits from decision to start."""
        p = self.params({}, "start", "last", "first_day", "last_day", "cutoff")
        closed = self.run(
            """SELECT coalesce(provider_agb, ''), count(*),
                      count(*) FILTER (WHERE result_achieved AND care_end <= planned_end),
                      count(*) FILTER (WHERE result_achieved AND care_end > planned_end),
                      count(*) FILTER (WHERE closure_category = 'b'),
                      count(*) FILTER (WHERE closure_category = 'd'),
                      count(*) FILTER (WHERE result_achieved),
                      coalesce(sum(price) FILTER (WHERE result_achieved), 0)
               FROM t WHERE domain = $domain AND end_month BETWEEN $start AND $last
               GROUP BY ROLLUP (provider_agb)""",
            {k: p[k] for k in ("domain", "start", "last")},
        )
        events = self.run(
            """SELECT coalesce(provider_agb, ''), count(*) FILTER (WHERE kind = 'returned'),
                      count(*) FILTER (WHERE kind = 'scaling')
               FROM ev WHERE domain = $domain AND day BETWEEN $first_day AND $last_day
               GROUP BY ROLLUP (provider_agb)""",
            {k: p[k] for k in ("domain", "first_day", "last_day")},
        )
        waits = self.run(
            """SELECT coalesce(provider_agb, ''),
                      CASE WHEN care_start <= $cutoff THEN care_start - decision_date
                           ELSE $cutoff - decision_date END AS d,
                      count(*), count(*) FILTER (WHERE care_start <= $cutoff)
               FROM t WHERE domain = $domain
                            AND decision_date BETWEEN $first_day AND $last_day
               GROUP BY GROUPING SETS ((provider_agb, d), (d)) ORDER BY 1, d""",
            {k: p[k] for k in ("domain", "first_day", "last_day", "cutoff")},
        )
        found: dict[str, list[Any]] = {}
        for agb, *cells in closed:
            found[agb] = [*cells[:5], 0, 0, cells[5], _money(cells[6]), None]
        for agb, returned, scaling in events:
            found.setdefault(agb, [0, 0, 0, 0, 0, 0, 0, 0, _money(0), None])
            found[agb][5:7] = [returned, scaling]
        steps: dict[str, list[tuple[int, int, int]]] = {}
        for agb, days, leaving, events_n in waits:
            steps.setdefault(agb, []).append((int(days), int(leaving), int(events_n)))
        for agb, rows in steps.items():
            n = sum(leaving for _d, leaving, _e in rows)
            done = sum(e for _d, _l, e in rows)
            found.setdefault(agb, [0, 0, 0, 0, 0, 0, 0, 0, _money(0), None])
            found[agb][9] = (n, done, n - done, km_median_grouped(rows, n))
        return {agb: tuple(cells) for agb, cells in found.items()}


def km_median_grouped(steps: list[tuple[int, int, int]], at_risk: int) -> int | None:
    """``figures.kaplan_meier_median`` over grouped rows (duration, leaving, events), sorted by
    duration: the same arithmetic in the same order, so the same answer."""
    survival = 1.0
    for days, leaving, events in steps:
        if events:
            survival *= 1 - events / at_risk
            if survival <= 0.5 + 1e-12:
                return int(days)
        at_risk -= leaving
    return None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 9)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def exact(session: Session, name: str, query: StatsQuery, repeat_years: int) -> Any:
    """The app's exact figure (``workflows.stats.figures``, before disclosure control) in the
    shape ``Duck`` gives."""
    if name == "council":
        return [exact(session, part, q, repeat_years) for part, _unit, q in council_parts(query)]
    if name == "flows":
        return [
            (m.beginstand, m.instroom, m.uitstroom, m.eindstand)
            for m in figures.flows(session, query).months
        ]
    if name == "intensity":
        return [
            tuple(m.counts[level] for level in figures.INTENSITIES)
            for m in figures.intensity(session, query)
        ]
    if name == "scorecard":
        card = figures.scorecard(session, query, AGB)
        found: dict[str, tuple[Any, ...]] = {}
        for column in [*card.providers, card.municipality]:
            c = column.counts
            waits = column.decision_to_start
            cells = (
                c["closed"], c["achieved_on_time"], c["achieved_late"], c["category_b"],
                c["category_d"], c["returned"], c["scaling_requests"], column.achieved,
                _money(column.achieved_price),
                (waits.n, waits.ended, waits.censored, waits.km_median_days) if waits.n else None,
            )  # fmt: skip
            if any(cells[:8]) or waits.n:
                found[column.agb] = cells
        return found
    if name == "waiting_times":
        return [
            (
                m.month,
                *(
                    v
                    for w in (m.request_to_decision, m.decision_to_start)
                    for v in (w.n, _rounded(w.mean_days), _rounded(w.median_days))
                ),
            )
            for m in figures.waiting_times(session, query).months
        ]
    if name == "censored_waits":
        waits = figures.censored_waits(session, query)
        return tuple(
            None if s is None else (s.n, s.ended, s.censored, s.km_median_days)
            for s in (waits.stages["request"], waits.stages["decision"])
        )
    if name == "unmet_demand":
        unmet = figures.unmet_demand(session, query)
        if unmet.months is None:
            return None
        return [(m.month, m.counts["refused"], m.counts["no_follow_up"]) for m in unmet.months]
    if name == "durations":
        d = figures.durations(session, query)
        cohorts = [(c.year, c.n, c.ended, c.censored, c.km_median_days) for c in d.cohorts]
        return (d.ended, _rounded(d.mean_days), _rounded(d.median_days), cohorts)
    if name == "finance":
        f = finance.finance(session, query)
        order = ("new_commitments", "claimed", "approved", "refused", "tariff", "deviating")
        return (
            [
                (
                    m.month,
                    m.committed.n,
                    m.committed.cents,
                    *(v for kind in order for v in (m.flows[kind].n, m.flows[kind].cents)),
                )
                for m in f.months
            ],
            tuple((f.totals[kind].n, f.totals[kind].cents) for kind in order),
            [(month, (amount.n, amount.cents)) for month, amount in f.expected],
        )
    r = figures.results(session, query, repeat_years)
    return (
        r.closed,
        r.achieved_on_time,
        r.achieved_late,
        r.not_achieved,
        *(r.categories[c] for c in figures.CATEGORIES),
        r.active,
        r.extensions,
        r.new_episodes,
        r.repeat_episodes,
        [
            (
                y.year,
                y.started_clients,
                _money(y.started_price),
                y.clients_in_care,
                y.households_with_decision,
            )
            for y in r.years
        ],  # fmt: skip
    )


def write_raw(path: Path) -> None:
    """The feed rows as a CSV for DuckDB (the columns the figures read)."""
    columns = [getattr(StatsTrajectory, name) for name in RAW_TYPES]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RAW_TYPES)
        for row in db.session.execute(select(*columns).execution_options(yield_per=50_000)):
            writer.writerow([_raw(value) for value in row])


def write_events(path: Path) -> None:
    """The rows of ``stats_provider_events`` as a CSV for DuckDB."""
    columns = [getattr(StatsProviderEvent, name) for name in EVENT_TYPES]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EVENT_TYPES)
        for row in db.session.execute(select(*columns)):
            writer.writerow([_raw(value) for value in row])


def write_requests(path: Path) -> None:
    """The rows of ``stats_requests`` as a CSV for DuckDB."""
    columns = [getattr(StatsRequest, name) for name in REQUEST_TYPES]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUEST_TYPES)
        for row in db.session.execute(select(*columns).execution_options(yield_per=50_000)):
            writer.writerow([_raw(value) for value in row])


def _raw(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=None, help="default: 2/5 of --n")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per timing (min 3)")
    parser.add_argument("--import-rows", type=int, default=0, help="adds rows: not with --reuse")
    parser.add_argument("--reuse", action="store_true", help="keep a database holding --n rows")
    parser.add_argument(
        "--cache", action="store_true", help="let the figure cache answer the repeated calls"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="only these figures (flows, results, …)"
    )
    args = parser.parse_args()
    os.environ.setdefault("TRAJECTWIJZER_ENV", "testing")
    url = args.database_url
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "ENV_NAME": "testing"})
    build(app, url, args.n, args.clients or args.n * 2 // 5, args.reuse)
    repeat_years = int(app.config["STATS_REPEAT_YEARS"])
    with app.app_context():
        session = db.session
        rows = session.scalar(select(func.count()).select_from(StatsTrajectory))
        clients = session.scalar(select(func.count(func.distinct(StatsTrajectory.client_key))))
        manager = session.scalar(select(User).where(User.role == Role.MANAGER))
        beheerder = session.scalar(select(User).where(User.role == Role.BEHEERDER))
        assert manager is not None and beheerder is not None
        _row, token = admin.issue_token(
            session, beheerder, user_id=manager.id, name=f"bench run {time.time_ns()}"
        )
        session.commit()
        manager_id = manager.id
        gids = session.scalar(select(User).where(User.role == Role.GIDS))
    print(f"database: {url.split('@')[-1]}  rows: {rows:,}  clients: {clients:,}")
    start, end = CUTOFF - 35, CUTOFF
    period = {"from": label(start), "to": label(end), "domain": "jeugd"}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def api(path: str, params: dict[str, str]) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(f"/api/v1/stats/{path}", query_string=params, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

        return call

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "rows.csv"
        raw_requests = Path(tmp) / "requests.csv"
        with app.app_context():
            write_raw(raw)
            write_requests(raw_requests)
            write_events(raw_requests.with_name("events.csv"))
            base_query = parse_query(db.session, period, TODAY)
        duck = Duck(raw, base_query, repeat_years, raw_requests)
    table: list[tuple[str, str, float, float]] = []
    for label_, path, unit in FIGURES:
        if args.only and path not in args.only:
            continue
        for filter_name, filters in FILTER_SETS.items():
            if filter_name not in FIGURE_FILTERS.get(label_, FILTER_SETS):
                continue
            params = {**period, "unit": unit, **filters}
            if path == "providers":
                params = dict(period)
            elif path == "council":
                params = {"domain": "jeugd"}  # the default year
            computed = DUCK_FIGURE.get(label_, path)
            with app.app_context():
                query = parse_query(db.session, params, TODAY)
                ours = exact(db.session, computed, query, repeat_years)
            duck_ms, theirs = timed(duck.figure(computed, filters, unit), args.repeat, args.budget)
            assert theirs == ours, (
                f"DuckDB and the app's exact figures disagree: {label_}, {filter_name}\n"
                f"app:    {ours}\nDuckDB: {theirs}"
            )
            # Warm calls of the same query: the figure cache answers those it keeps, unless
            # switched off (``--cache``: measure the cached answers).
            with contextlib.nullcontext() if args.cache else cache.disabled():
                api_ms, _answer = timed(api(path, params), args.repeat, args.budget)
            if label_ in DUCK_FIGURE:
                # The part of the answer that is this figure, alone (exact, no HTTP).
                with app.app_context():
                    alone_ms, _ = timed(
                        lambda computed=computed, query=query: exact(
                            db.session, computed, query, repeat_years
                        ),
                        args.repeat,
                        args.budget,
                    )
                print(f"{label_:<16} {filter_name:<16} the figure alone {alone_ms:7.1f} ms")
            table.append((label_, filter_name, api_ms, duck_ms))
            print(
                f"{label_:<16} {filter_name:<16} API {api_ms:9.1f} ms   DuckDB {duck_ms:7.1f} ms"
                f"   ratio {ratio(api_ms, duck_ms):>7}",
                flush=True,
            )

    page_client = app.test_client()
    with app.app_context():
        values = open_session(db.session.get(User, manager_id))  # type: ignore[arg-type]
    with page_client.session_transaction() as flask_session:
        flask_session.update(values)

    def page() -> None:
        response = page_client.get("/manager/", query_string=period)
        assert response.status_code == 200, response.status_code

    page_ms, _ = timed(page, args.repeat, args.budget)
    print(f"\ndashboard page (flows tab, no filter): {page_ms:.1f} ms\n")
    print("| figure | filter | API | DuckDB | API / DuckDB |")
    print("|---|---|---|---|---|")
    for label_, filter_name, api_ms, duck_ms in table:
        print(
            f"| {label_} | {filter_name} | {api_ms:,.1f} ms | {duck_ms:,.1f} ms "
            f"| {ratio(api_ms, duck_ms)} |"
        )

    if args.import_rows:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "import.csv"
            import_file(args.import_rows, path)
            with app.app_context():
                session = db.session
                gids = session.merge(gids)
                started = time.perf_counter()
                check = check_import(session, path.read_text(encoding="utf-8"), TODAY)
                assert check.ok, [p.render() for p in check.problems[:5]]
                checked = time.perf_counter() - started
                result = apply_import(session, check, gids, TODAY, by=gids)
                session.commit()
                total = time.perf_counter() - started
        print(
            f"import of {args.import_rows:,} rows: {total:.1f} s (check {checked:.1f} s); "
            f"{result.created:,} trajectories, {result.new_residents:,} new residents"
        )


def ratio(api_ms: float, duck_ms: float) -> str:
    """API ÷ DuckDB, or "n.a." where DuckDB had nothing to compute (a figure that does not
    apply to the filter answers at once)."""
    return f"{api_ms / duck_ms:,.2f}" if duck_ms >= 0.05 else "n.a."


def label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


if __name__ == "__main__":
    main()
