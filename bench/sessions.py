"""What the server-side session record costs per request: finding the signed-in user
through its ``user_sessions`` row (``workflows.sessions.signed_in_user``, one statement with a
join) against the lookup it replaced (``session.get(User, id)`` and a generation compare).

Two figures, A/B in the same process, interleaved rounds, medians:

* the lookup alone, each in a fresh ORM session (as each request has one);
* a whole request (``GET /account``, through the access table, audit context and headers), with
  Flask-Login's user loader switched between the two.

The table holds ``--rows`` other sessions (default 100,000). Runs against ``DATABASE_URL``
(migrated; e.g. a test database when no test runs on it) and removes what it made.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/DB \
        .venv/bin/python bench/sessions.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.sessions import open_session  # noqa: E402
from app.extensions import db, login_manager  # noqa: E402
from models import Role, User, UserSession  # noqa: E402
from workflows.sessions import signed_in_user  # noqa: E402
from workflows.users import hash_password  # noqa: E402

EMAIL = "bench-sessions@bench.invalid"


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app = create_app(
        {"ENV_NAME": "testing", "SECRET_KEY": "bench-sessions", "SESSION_COOKIE_SECURE": False}
    )
    engine = db.engine
    assert engine is not None
    now = datetime.now(UTC)
    with db.sessions() as s:
        user = User(
            email=EMAIL, name="Bench", role=Role.MANAGER, password_hash=hash_password("x" * 12)
        )
        s.add(user)
        s.flush()
        user_id = user.id
        s.execute(
            insert(UserSession),
            [
                {"key_hash": f"{i:064x}", "user_id": user_id, "started_at": now}
                for i in range(args.rows)
            ],
        )
        s.commit()
    try:
        with app.app_context():
            values = open_session(db.session.get(User, user_id))  # type: ignore[arg-type]
        key = values["_user_id"]

        def old_lookup(session: Session) -> User | None:
            found = session.get(User, user_id)
            if found is None or not found.active or found.session_generation != 1:
                return None
            return found

        def new_lookup(session: Session) -> User | None:
            return signed_in_user(session, key)

        def lookups(lookup: Callable[[Session], User | None]) -> float:
            samples = []
            for _ in range(args.repeat):
                with db.sessions() as session:
                    started = time.perf_counter()
                    assert lookup(session) is not None
                    samples.append(time.perf_counter() - started)
            return median_us(samples)

        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session.update(values)
        loaders = {
            "old": lambda _key: old_lookup(db.session),
            "new": lambda k: signed_in_user(db.session, k),
        }

        def requests(name: str) -> float:
            login_manager.user_loader(loaders[name])
            samples = []
            for _ in range(args.repeat // 4):
                started = time.perf_counter()
                response = client.get("/account")
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            return median_us(samples)

        figures: dict[str, list[float]] = {k: [] for k in ("lookup old", "lookup new")}
        figures.update({"request old": [], "request new": []})
        for round_ in range(args.rounds):
            order = ["old", "new"] if round_ % 2 == 0 else ["new", "old"]  # neither always first
            for name in order:
                figures[f"lookup {name}"].append(
                    lookups(old_lookup if name == "old" else new_lookup)
                )
            for name in order:
                figures[f"request {name}"].append(requests(name))
        print(f"database: {engine.url.render_as_string().split('@')[-1]}  rows: {args.rows:,}")
        for name, values_us in figures.items():
            print(
                f"{name:<12} median of rounds {statistics.median(values_us):8.1f} µs  {values_us}"
            )
    finally:
        with db.sessions() as s:
            s.execute(delete(UserSession).where(UserSession.user_id == user_id))
            s.execute(delete(User).where(User.id == user_id))
            s.commit()


if __name__ == "__main__":
    main()
