"""Time the statistics fallback: client-unit figures with filters that no kept aggregate
answers, so the client episodes are formed after the filters from the feed rows.

On a database built by ``bench/stats.py`` (use a copy: this script migrates it), for 36 months of
Jeugd it times ``figures.flows`` (unit client) with profile + wijk and with category + age band,
and ``figures.durations`` (unit client) with a profile: the first call after the figure cache was
emptied, and a repeated call (answered by the cache while the feed does not change). Each exact
figure is checked equal to DuckDB's from the raw rows (``bench/stats.py``'s ``Duck``) and to the
same figure computed with the cache switched off.

    .venv/bin/python bench/fallback.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_fallback
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.cli import run_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.stats import CUTOFF, EPISODES, TODAY, Duck, exact, label, write_raw  # noqa: E402
from workflows.stats import figures  # noqa: E402
from workflows.stats.selection import parse_query  # noqa: E402

try:  # the figure cache (absent before it was built: every call is then a first call)
    from workflows.stats import cache as figure_cache
except ImportError:  # pragma: no cover - measuring the code before the cache
    figure_cache = None  # type: ignore[assignment]

CASES: list[tuple[str, str, dict[str, str]]] = [
    ("flows, client", "flows", {"profile": "JZ-AMB", "wijk": "Dronten"}),
    ("flows, client", "flows", {"category": "45", "age_band": "4-11"}),
    ("durations, client", "durations", {"profile": "JZ-AMB"}),
]


def clear() -> None:
    if figure_cache is not None:
        figure_cache.FIGURES.clear()


def duck_figure(duck: Duck, path: str, filters: dict[str, str]) -> Any:
    """DuckDB's figure, unit client. Durations: ``Duck.durations`` (written for trajectories)
    over the client episodes after the filters, put in a table ``t`` of their own."""
    if path == "flows":
        return duck.flows(filters, "client")
    con = duck.con
    con.execute("CREATE SCHEMA IF NOT EXISTS episodes")
    con.execute(
        "CREATE OR REPLACE TABLE episodes.t AS WITH "
        + EPISODES.format(where=duck.where(filters))
        + " SELECT domain, es AS care_start, ee AS care_end FROM ep",
        duck.params(filters),
    )
    con.execute("SET schema = 'episodes'")
    try:
        return duck.durations({})
    finally:
        con.execute("SET schema = 'main'")


def median_ms(call: Callable[[], Any], repeat: int, before: Callable[[], None]) -> float:
    samples = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-duckdb", action="store_true", help="skip the equality check")
    parser.add_argument("--only", default="", help="only the cases whose figure is this")
    args = parser.parse_args()
    os.environ.setdefault("TRAJECTWIJZER_ENV", "testing")
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "b", "ENV_NAME": "testing"})
    with app.app_context():
        run_migrations()
        db.session.commit()
    period = {"from": label(CUTOFF - 35), "to": label(CUTOFF), "domain": "jeugd"}
    repeat_years = int(app.config["STATS_REPEAT_YEARS"])
    duck = None
    with tempfile.TemporaryDirectory() as tmp, app.app_context():
        if not args.no_duckdb:
            raw = Path(tmp) / "rows.csv"
            write_raw(raw)
            duck = Duck(raw, parse_query(db.session, period, TODAY), repeat_years)
        print(f"load: {os.getloadavg()}")
        print("| figure | filters | first call | repeated call |")
        print("|---|---|---|---|")
        for name, path, filters in CASES:
            if args.only and path != args.only:
                continue
            query = parse_query(db.session, {**period, "unit": "client", **filters}, TODAY)
            clear()
            ours = exact(db.session, path, query, repeat_years)
            if duck is not None:
                theirs = duck_figure(duck, path, filters)
                assert theirs == ours, f"{name} {filters}: app {ours} DuckDB {theirs}"
            if figure_cache is not None:
                with figure_cache.disabled():
                    assert exact(db.session, path, query, repeat_years) == ours
            figure = getattr(figures, path)

            def call(figure: Any = figure, query: Any = query) -> Any:
                return figure(db.session, query)

            first = median_ms(call, args.repeat, clear)
            db.session.rollback()
            call()
            again = median_ms(call, args.repeat, lambda: None)
            db.session.rollback()
            shown = " + ".join(f"{k}={v}" for k, v in filters.items())
            print(f"| {name} | {shown} | {first:,.1f} ms | {again:,.1f} ms |", flush=True)


if __name__ == "__main__":
    main()
