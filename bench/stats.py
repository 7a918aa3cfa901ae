"""Time the statistics over 1,000,000 trajectories, and the history import.

The targets: with 1,000,000 trajectories (about 400,000 clients, 10 years) the flows for 36
months of one domain take at most 150 ms through the API, per unit (traject and client), on SQLite
and PostgreSQL; the dashboard page at most 300 ms; an import of 100,000 rows at most 60 s. In the
same run the traject-unit flows are computed with DuckDB over the same rows, and our time is
divided by DuckDB's.

The script builds a FRESH database (everything in it is dropped): the migrations, a small
catalogue (profiles, providers, wijken), a manager with an API token, then the feed itself — the
bulk generator writes ``stats_trajectories`` directly (a million trajectories through the
workflows would take hours and measure the workflows, not the statistics), and
``workflows.stats.feed.rebuild_aggregates`` derives the episodes and monthly counts as the flush
hook keeps them. Then, warm, median of ``--repeat`` calls through Flask's test client (no
network; server time):

* ``GET /api/v1/stats/flows`` for 36 months of Jeugd, unit traject and unit client;
* the same with a filter that the aggregates cannot answer (a profile), for reference;
* the manager dashboard page (flows tab, the same period and domain);
* DuckDB: the same traject-unit flows from the raw rows (a CSV of them loaded into an in-memory
  DuckDB table; one SQL statement with a window sum), checked equal to ours;
* the import of ``--import-rows`` new rows (check + write + feed refresh, one transaction).

Usage:

    .venv/bin/python bench/stats.py --database-url sqlite:////tmp/bench_stats.sqlite3
    .venv/bin/python bench/stats.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_stats

Options: ``--n`` trajectories (1,000,000), ``--clients`` (400,000), ``--repeat`` (20),
``--import-rows`` (100,000), ``--reuse`` (keep a database already loaded with N trajectories).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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
from app.statistics import published, query_from  # noqa: E402
from models import (  # noqa: E402
    KEY_BITS,
    Contract,
    ContractRole,
    Domain,
    Intensity,
    ProfileIntensity,
    Provider,
    Role,
    StatsTrajectory,
    SupportProfile,
    User,
    Wijk,
    derived_key,
)
from workflows import clock  # noqa: E402
from workflows.bsn import bsn_check_digit  # noqa: E402
from workflows.bulk import write_rows  # noqa: E402
from workflows.stats import admin  # noqa: E402
from workflows.stats.episodes import month_index  # noqa: E402
from workflows.stats.feed import pseudonym, pseudonym_key, rebuild_aggregates  # noqa: E402
from workflows.stats.history import COLUMNS, apply_import, check_import  # noqa: E402
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


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = call()  # warm
    samples = []
    for _ in range(repeat):
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
                "price": Decimal(rng.choice(("1200.00", "2600.00", "3800.00", "6200.00"))),
                "closure_category": rng.choice("abcd") if closed else None,
                "end_reason_code": "19" if closed else None,
                "result_achieved": (rng.random() < 0.7) if closed else None,
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


def load_feed(session: Session, n: int, clients: int) -> None:
    table = StatsTrajectory.__table__
    batch: list[dict[str, Any]] = []
    for row in feed_rows(n, clients, pseudonym_key(session)):
        batch.append(row)
        if len(batch) >= BATCH:
            write_rows(session.connection(), table, batch)  # type: ignore[arg-type]
            batch = []
    write_rows(session.connection(), table, batch)  # type: ignore[arg-type]


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


def duckdb_flows(csv_path: Path, domain: str, start: int, end: int) -> Callable[[], list[Any]]:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM read_csv(?, header=true, "
        "columns={'domain': 'VARCHAR', 'start_month': 'INTEGER', 'end_month': 'INTEGER'})",
        [str(csv_path)],
    )
    sql = """
        WITH s AS (SELECT start_month AS m, count(*) AS n FROM t
                   WHERE domain = $domain AND start_month IS NOT NULL GROUP BY 1),
             e AS (SELECT end_month AS m, count(*) AS n FROM t
                   WHERE domain = $domain AND end_month IS NOT NULL GROUP BY 1),
             months AS (SELECT range AS m FROM range((SELECT min(m) FROM s), $end + 1)),
             flows AS (SELECT months.m, coalesce(s.n, 0) AS i, coalesce(e.n, 0) AS u
                       FROM months LEFT JOIN s USING (m) LEFT JOIN e USING (m)),
             stock AS (SELECT m, i, u, sum(i - u) OVER (ORDER BY m) AS eind FROM flows)
        SELECT m, eind - i + u AS begin, i, u, eind FROM stock
        WHERE m BETWEEN $start AND $end ORDER BY m
    """
    params = {"domain": domain, "start": start, "end": end}
    return lambda: con.execute(sql, params).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TRAJECTWIJZER_ENV", "testing")
    url = args.database_url
    if not args.reuse:
        fresh_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "ENV_NAME": "testing"})
    with app.app_context():
        session = db.session
        if not args.reuse:
            run_migrations()
            started = time.perf_counter()
            catalogue(session)
            load_feed(session, args.n, args.clients)
            loaded = time.perf_counter() - started
            episodes = rebuild_aggregates(session.connection())
            if session.connection().dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
            session.commit()
            print(
                f"loaded {args.n:,} feed rows in {loaded:.1f} s, aggregates "
                f"({episodes:,} episodes) in {time.perf_counter() - started - loaded:.1f} s"
            )
            if session.connection().dialect.name == "sqlite":
                session.execute(text("ANALYZE"))
                session.commit()
        rows = session.scalar(select(func.count()).select_from(StatsTrajectory))
        clients = session.scalar(select(func.count(func.distinct(StatsTrajectory.client_key))))
        token_user = session.scalar(select(User).where(User.role == Role.MANAGER))
        assert token_user is not None
        _row, token = admin.issue_token(
            session, session.scalar(select(User).where(User.role == Role.BEHEERDER)),  # type: ignore[arg-type]
            user_id=token_user.id, name="bench run",
        )  # fmt: skip
        session.commit()
        manager_id = token_user.id
        gids = session.scalar(select(User).where(User.role == Role.GIDS))
    print(f"database: {url.split('@')[-1]}  rows: {rows:,}  clients: {clients:,}")
    start, end = CUTOFF - 35, CUTOFF
    period = {"from": label(start), "to": label(end), "domain": "jeugd"}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    figures: dict[str, float] = {}

    def api(**extra: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(
                "/api/v1/stats/flows", query_string={**period, **extra}, headers=headers
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

        return call

    figures["API flows, traject"], ours = timed(api(unit="traject"), args.repeat)
    figures["API flows, client"], _ = timed(api(unit="client"), args.repeat)
    figures["API flows, traject, profile filter"], _ = timed(
        api(unit="traject", profile="JZ-AMB"), max(3, args.repeat // 4)
    )
    figures["API flows, client, profile filter"], _ = timed(
        api(unit="client", profile="JZ-AMB"), max(3, args.repeat // 4)
    )
    page_client = app.test_client()
    with app.app_context():
        values = open_session(db.session.get(User, manager_id))  # type: ignore[arg-type]
    with page_client.session_transaction() as flask_session:
        flask_session.update(values)

    def page() -> None:
        response = page_client.get("/manager/", query_string=period)
        assert response.status_code == 200

    figures["dashboard page (flows)"], _ = timed(page, args.repeat)

    # DuckDB over the same rows.
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "rows.csv"
        with app.app_context(), raw.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["domain", "start_month", "end_month"])
            for row in db.session.execute(
                select(
                    StatsTrajectory.domain, StatsTrajectory.start_month, StatsTrajectory.end_month
                ).execution_options(yield_per=50_000)
            ):
                writer.writerow(
                    [row[0].value if hasattr(row[0], "value") else row[0], row[1], row[2]]
                )
        duck = duckdb_flows(raw, "jeugd", start, end)
        figures["DuckDB flows, traject"], duck_rows = timed(duck, args.repeat)
    # The API publishes perturbed figures (the cell key method); DuckDB is checked against the
    # exact ones of the same query, as an operator's audited `stats flows --exact` gives them.
    with app.app_context():
        exact = published("flows", query_from({**period, "unit": "traject"}), exact=True)
    assert ours["months"][0]["month"] == exact.months[0].month
    expected = [(m.beginstand, m.instroom, m.uitstroom, m.eindstand) for m in exact.months]
    assert [tuple(r[1:]) for r in duck_rows] == expected, "DuckDB and the exact figures disagree"
    for name, value in figures.items():
        print(f"{name:<40} {value:9.1f} ms")
    ratio = figures["API flows, traject"] / figures["DuckDB flows, traject"]
    print(f"{'ours / DuckDB (traject flows)':<40} {ratio:9.2f}")

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


def label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


if __name__ == "__main__":
    main()
