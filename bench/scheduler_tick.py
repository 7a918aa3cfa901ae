"""Time one scheduler tick (`workflows.scheduler_jobs.run_all`) over N active trajectories.

The target: with 1,000,000 active trajectories one tick takes at most 10 s on SQLite and on
PostgreSQL. The script builds a FRESH database (everything in it is dropped), bulk-loads N active
trajectories with one planned evaluation each, then times:

* a cold tick: the tasks table emptied first, every prompt is new (worst case: the first run);
* the same tick repeated at once: idempotent, inserts 0;
* the e-mail claim (mark unmailed tasks, count them per user) after the cold tick;
* the next day's tick: the daily steady state — the windows are re-checked and only the
  prompts that entered a window overnight are inserted; then its e-mail claim. Before it the
  database is vacuumed and analysed, as autovacuum would have done during the day after a first
  run that rewrote a million rows;
* finally the inbox pages of the provider and the gids with the most open tasks, through
  Flask's test client (server time, warm, median of ``--inbox-repeat``).

Usage:

    .venv/bin/python bench/scheduler_tick.py --database-url sqlite:////tmp/bench_tick.sqlite3
    psql -h 127.0.0.1 -U postgres -c 'create database bench_tick'
    .venv/bin/python bench/scheduler_tick.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_tick

Options: ``--n`` (default 1,000,000), ``--runs`` (rounds of the above, default 3, medians printed),
``--reuse`` (keep the loaded data when it has N trajectories), ``--explain`` (print the query
plans), ``--sqlite-cache-mb`` (a larger SQLite page cache than the default 2 MB).

Data, for the run date 2026-11-02: 30 % Jeugd, 70 % Wmo; planned start 30–300 days ago; planned
end from 30 days ago to 335 days ahead; Wmo decision end = planned end, Jeugd decision end
0–1,500 days after the planned end; one planned evaluation per trajectory due within ±60 days.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import run_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from models import (  # noqa: E402
    Domain,
    Household,
    Intensity,
    Provider,
    Resident,
    Role,
    SupportProfile,
    Tariff,
    Task,
    Trajectory,
    User,
)
from workflows.scheduler_jobs import claim_unmailed_tasks, run_all  # noqa: E402

TODAY = date(2026, 11, 2)
BATCH = 100_000

TRAJECTORY_COLUMNS = [
    "id",
    "resident_id",
    "gids_id",
    "domain",
    "profile_id",
    "intensity",
    "tariff_id",
    "provider_id",
    "need_type",
    "price",
    "planned_start",
    "planned_end",
    "decision_date",
    "decision_end",
    "care_start",
    "state",
    "uses_zrm",
    "version",
    "created_at",
    "updated_at",
]
EVALUATION_COLUMNS = [
    "id",
    "trajectory_id",
    "kind",
    "due_on",
    "state",
    "with_inwoner",
    "with_gids",
    "with_aanbieder",
    "with_netwerk",
    "created_at",
]


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    assert db.engine is not None
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def reference_rows(session: Session) -> dict[str, Any]:
    """The few rows the trajectories point at: two profiles, five providers, gidsen, residents."""
    profiles = {}
    for domain, code, category in ((Domain.WMO, "WMO-BG", "02"), (Domain.JEUGD, "JZ-AMB", "45")):
        profile = SupportProfile(code=code, name=code, domain=domain, category_code=category)
        profile.tariffs.append(
            Tariff(
                intensity=Intensity.MIDDEL,
                valid_from=date(2021, 1, 1),
                price=5000,
                standard_duration_weeks=26,
                evaluation_interval_months=3 if domain == Domain.JEUGD else 6,
            )
        )
        session.add(profile)
        profiles[domain] = profile
    providers = [Provider(name=f"Zorg {i}", agb_code=f"{10000000 + i}") for i in range(5)]
    session.add_all(providers)
    gidsen = [
        User(email=f"gids{i}@bench.test", name=f"Gids {i}", role=Role.GIDS, password_hash="x")
        for i in range(20)
    ]
    staff = [
        User(
            email=f"aanbieder{i}.{j}@bench.test",
            name=f"Aanbieder {i}.{j}",
            role=Role.AANBIEDER,
            password_hash="x",
            provider=p,
        )
        for i, p in enumerate(providers)
        for j in range(2)
    ]
    session.add_all(gidsen + staff)
    session.flush()
    residents = [
        Resident(
            bsn=f"{100000000 + i}",
            given_name="Bench",
            family_name=f"Inwoner {i}",
            birth_date=date(1960, 1, 1) + timedelta(days=i * 97),
            household=Household(gids=gidsen[i % len(gidsen)]),
        )
        for i in range(200)
    ]
    session.add_all(residents)
    session.flush()
    return {
        "profiles": {d: (p.id, p.tariffs[0].id) for d, p in profiles.items()},
        "providers": [p.id for p in providers],
        "gidsen": [g.id for g in gidsen],
        "residents": [r.id for r in residents],
    }


def _stamp(iso: bool) -> Any:
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if iso else now


def _day(d: date, iso: bool) -> Any:
    return d.isoformat() if iso else d


def trajectory_rows(n: int, ref: dict[str, Any], iso: bool) -> Iterator[tuple[Any, ...]]:
    """Generated lazily (dates as ISO text for SQLite, date objects for COPY)."""
    rng = random.Random(2026)
    stamp = _stamp(iso)
    providers, gidsen, residents = ref["providers"], ref["gidsen"], ref["residents"]
    for i in range(1, n + 1):
        domain = Domain.JEUGD if i % 10 < 3 else Domain.WMO
        profile_id, tariff_id = ref["profiles"][domain]
        start = TODAY - timedelta(days=rng.randint(30, 300))
        end = TODAY + timedelta(days=rng.randint(-30, 335))
        decision_end = end if domain == Domain.WMO else end + timedelta(days=rng.randint(0, 1500))
        yield (
            i,
            residents[i % len(residents)],
            gidsen[i % len(gidsen)],
            domain.value,
            profile_id,
            "middel",
            tariff_id,
            providers[i % len(providers)],
            "eindig",
            "5000.00",
            _day(start, iso),
            _day(end, iso),
            _day(start - timedelta(days=14), iso),
            _day(decision_end, iso),
            _day(start, iso),
            "actief",
            False,
            1,
            stamp,
            stamp,
        )


def evaluation_rows(n: int, iso: bool) -> Iterator[tuple[Any, ...]]:
    """One planned evaluation per trajectory, due within ±60 days of the run date."""
    rng = random.Random(2027)
    stamp = _stamp(iso)
    for i in range(1, n + 1):
        due = TODAY + timedelta(days=rng.randint(-60, 60))
        yield (i, i, "regulier", _day(due, iso), "gepland", False, False, False, False, stamp)


def _tables(n: int, ref: dict[str, Any], iso: bool) -> list[tuple[str, list[str], Any]]:
    return [
        ("trajectories", TRAJECTORY_COLUMNS, trajectory_rows(n, ref, iso)),
        ("evaluations", EVALUATION_COLUMNS, evaluation_rows(n, iso)),
    ]


def load_sqlite(engine: Engine, n: int, ref: dict[str, Any]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("BEGIN")
        for table, columns, rows in _tables(n, ref, iso=True):
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            while batch := list(itertools.islice(rows, BATCH)):
                cursor.executemany(sql, batch)
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        raw.close()


def load_postgresql(engine: Engine, n: int, ref: dict[str, Any]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, columns, rows in _tables(n, ref, iso=False):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        raw.commit()
    finally:
        raw.close()
    vacuum_analyze(engine)


def empty_tasks(engine: Engine) -> None:
    """Back to the state before the first tick ever: no tasks, no prompt marks; then vacuumed,
    as autovacuum would leave a database that did not just rewrite every row."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE tasks"))
        else:
            conn.execute(text("DELETE FROM tasks"))
        conn.execute(text("UPDATE evaluations SET prompt_stage = 0 WHERE prompt_stage <> 0"))
        conn.execute(
            text(
                "UPDATE trajectories SET term_prompt_stage = 0, decision_prompted_for = NULL "
                "WHERE term_prompt_stage <> 0 OR decision_prompted_for IS NOT NULL"
            )
        )
    vacuum_analyze(engine)


def vacuum_analyze(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if engine.dialect.name == "postgresql":
            driver.autocommit = True
            driver.execute("VACUUM ANALYZE")
            driver.autocommit = False
        else:
            driver.execute("ANALYZE")
    finally:
        raw.close()


def timed_tick(day: date) -> tuple[float, dict[str, int]]:
    with db.sessions() as session:
        started = time.perf_counter()
        counts = run_all(session, day)
        session.commit()
        return time.perf_counter() - started, counts


def timed_claim() -> tuple[float, int]:
    with db.sessions() as session:
        started = time.perf_counter()
        notes = claim_unmailed_tasks(session)
        session.commit()
        return time.perf_counter() - started, len(notes)


def explain(engine: Engine) -> None:
    """Capture the statements of one tick and print each one's plan (tick rolled back)."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT INTO TASKS", "UPDATE")):
            captured.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with db.sessions() as session:
            run_all(session, TODAY)
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    raw = engine.raw_connection()
    try:
        for statement, params in captured:
            print("\n" + " ".join(statement.split())[:400])
            if engine.dialect.name == "postgresql":
                import psycopg

                cursor: Any = psycopg.ClientCursor(raw.driver_connection)  # type: ignore[arg-type]
                cursor.execute("EXPLAIN " + statement, params)
            else:
                cursor = raw.cursor()
                cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            for row in cursor.fetchall():
                print("    ", " | ".join(str(v) for v in row))
        raw.rollback()
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--inbox-repeat", type=int, default=20)
    parser.add_argument(
        "--sqlite-cache-mb",
        type=int,
        default=0,
        help="SQLite page cache per connection (default: SQLite's 2 MB), to try a larger one.",
    )
    args = parser.parse_args()

    app = create_app(
        {"ENV_NAME": "testing", "DATABASE_URL": args.database_url, "SECRET_KEY": "bench"}
    )
    engine = db.engine
    assert engine is not None
    dialect = engine.dialect.name
    if dialect == "sqlite" and args.sqlite_cache_mb:
        cache_kib = args.sqlite_cache_mb * 1024

        @event.listens_for(engine, "connect")
        def _cache(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA cache_size=-{cache_kib}")

    print(
        f"database: {dialect} {args.database_url.split('@')[-1]}  n={args.n:,}"
        f"  sqlite cache MB: {args.sqlite_cache_mb or 2}"
    )

    existing = 0
    if args.reuse:
        try:
            with db.sessions() as session:
                existing = session.scalar(select(func.count(Trajectory.id))) or 0
        except Exception:  # noqa: BLE001 - no schema yet
            existing = 0
    if existing != args.n:
        if args.reuse:
            print(f"--reuse: found {existing:,} trajectories, rebuilding")
        fresh_database(args.database_url)
        if dialect == "sqlite":  # the engine may hold a connection to the deleted file
            engine.dispose()
        with app.app_context():
            run_migrations()
        with db.sessions() as session:
            ref = reference_rows(session)
            session.commit()
        started = time.perf_counter()
        (load_postgresql if dialect == "postgresql" else load_sqlite)(engine, args.n, ref)
        loaded = time.perf_counter() - started
        print(f"bulk load of {args.n:,} trajectories + evaluations: {loaded:.1f} s")
    else:
        print(f"reusing {existing:,} trajectories")

    if args.explain:
        empty_tasks(engine)
        explain(engine)

    figures: dict[str, list[float]] = {
        "cold tick": [],
        "same-day repeat": [],
        "e-mail claim after cold": [],
        "next-day tick": [],
        "e-mail claim after next day": [],
    }
    counts: dict[str, int] = {}
    for run in range(1, args.runs + 1):
        empty_tasks(engine)
        seconds, counts = timed_tick(TODAY)
        figures["cold tick"].append(seconds)
        seconds, again = timed_tick(TODAY)
        figures["same-day repeat"].append(seconds)
        assert sum(again.values()) == 0, again
        seconds, users = timed_claim()
        figures["e-mail claim after cold"].append(seconds)
        vacuum_analyze(engine)  # the night: autovacuum and autoanalyze catch up on the first run
        seconds, next_day = timed_tick(TODAY + timedelta(days=1))
        figures["next-day tick"].append(seconds)
        seconds, _ = timed_claim()
        figures["e-mail claim after next day"].append(seconds)
        print(
            f"run {run}: "
            + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in figures.items())
            + f"; cold {sum(counts.values()):,} new, next day {sum(next_day.values()):,} new"
            + f" ({next_day}), {users} users mailed"
        )
    with db.sessions() as session:
        total = session.scalar(select(func.count(Task.id)))
    print(f"tasks per job (cold tick): {counts}; in table now: {total:,}")
    print(
        f"median of {args.runs}: "
        + ", ".join(f"{name} {statistics.median(v):.2f} s" for name, v in figures.items())
    )
    time_inboxes(app, args.inbox_repeat)


def time_inboxes(app: Any, repeat: int) -> None:
    """The inbox page of the busiest provider user and the busiest gids (first page and a
    page deep in the backlog), warm, median of ``repeat`` requests."""
    from app.auth.sessions import open_session
    from bench.pages import timed

    with db.sessions() as session:
        busiest = {}
        for column, role in ((Task.provider_id, Role.AANBIEDER), (Task.user_id, Role.GIDS)):
            recipient, open_count = session.execute(
                select(column, func.count())
                .where(column.is_not(None), Task.done_at.is_(None))
                .group_by(column)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            owner = User.provider_id if role is Role.AANBIEDER else User.id
            user = session.scalars(select(User).where(owner == recipient).limit(1)).one()
            session.expunge(user)
            busiest[role] = (user, open_count)
    for role, (user, open_count) in busiest.items():
        client = app.test_client()
        with app.app_context():
            # what a completed login (password and second factor) makes
            values = open_session(user)
        with client.session_transaction() as flask_session:
            flask_session.update(values)
        base = "/aanbieder/taken" if role is Role.AANBIEDER else "/gids/taken"
        for label, url in (("first page", base), ("page 100", f"{base}?page=100")):
            median, status = timed(client, url, repeat)
            print(
                f"{role.value} inbox ({open_count:,} open tasks), {label}: "
                f"{median:.1f} ms (HTTP {status}, median of {repeat})"
            )


if __name__ == "__main__":
    main()
