"""Time the main pages against a seeded database, warm, median of repeated requests.

Usage (after `make run` has created and seeded instance/trajectwijzer.sqlite3, or with
DATABASE_URL pointing at a seeded PostgreSQL database):

    TRAJECTWIJZER_ENV=development .venv/bin/python bench/pages.py [--repeat 30]

Requests go through Flask's test client (no network), logged in as the demo users, so the
figures are server time: routing, queries and template rendering.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.sessions import open_session  # noqa: E402
from app.extensions import db  # noqa: E402
from models import Trajectory, User  # noqa: E402


def timed(client, url: str, repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    client.get(url)  # warm
    samples = []
    status = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return statistics.median(samples), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        session = db.session
        users = {
            u.role.value: u
            for u in session.scalars(select(User).where(User.email.like("%@demo.trajectwijzer.nl")))
        }
        gids, provider = users["gids"], users["aanbieder"]
        own = session.scalar(
            select(Trajectory.id).where(Trajectory.gids_id == gids.id).order_by(Trajectory.id)
        )
        offered = session.scalar(
            select(Trajectory.id)
            .where(Trajectory.provider_id == provider.provider_id)
            .where(Trajectory.decision_date.is_not(None))
            .order_by(Trajectory.id)
        )
    users_by_id = {gids.id: gids, provider.id: provider}
    pages = {
        gids.id: [
            ("caseload (open)", "/gids/"),
            ("caseload (all states)", "/gids/?state=alle"),
            ("trajectory page", f"/gids/trajecten/{own}"),
            ("new trajectory form", f"/gids/inwoners/{1}/trajecten/nieuw"),
            ("gids inbox", "/gids/taken"),
        ],
        provider.id: [
            ("provider list", "/aanbieder/"),
            ("provider trajectory", f"/aanbieder/trajecten/{offered}"),
            ("provider inbox", "/aanbieder/taken"),
            ("provider list page 45", "/aanbieder/?page=45"),
            ("provider claims", "/aanbieder/declaraties"),
            ("provider claims 2025", "/aanbieder/declaraties?jaar=2025&status=goedgekeurd"),
            ("provider claims CSV", "/aanbieder/declaraties.csv"),
        ],
    }
    print(f"database: {app.config['DATABASE_URL'].split('@')[-1]}  repeat: {args.repeat}")
    for user_id, urls in pages.items():
        client = app.test_client()
        with app.app_context():
            # what a completed login (password and second factor) makes
            values = open_session(users_by_id[user_id])
        with client.session_transaction() as flask_session:
            flask_session.update(values)
        for name, url in urls:
            median, status = timed(client, url, args.repeat)
            print(f"{name:<24} {median:7.1f} ms  (HTTP {status})")


if __name__ == "__main__":
    main()
