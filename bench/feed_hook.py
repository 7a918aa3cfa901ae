"""What keeping the statistics feed and its aggregates costs a write.

Changes the wijk of the residents of the first N active trajectories, one at a time, and times
each flush (the flush hook re-derives the resident's feed rows and every kept cell they count
in); rolls everything back. Run it against a database with the demo data:

    DATABASE_URL=sqlite:///$PWD/instance/trajectwijzer.sqlite3 TRAJECTWIJZER_ENV=development \\
        .venv/bin/python bench/feed_hook.py --n 300
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from models import Resident, Trajectory, TrajectoryState, Wijk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    app = create_app()
    with app.app_context(), db.sessions() as session:
        wijken = list(session.scalars(select(Wijk.id).order_by(Wijk.id)))
        residents = session.scalars(
            select(Trajectory.resident_id)
            .where(Trajectory.state == TrajectoryState.ACTIEF)
            .order_by(Trajectory.id)
            .limit(args.n)
        ).all()
        times: list[float] = []
        for resident_id in residents:
            resident = session.get(Resident, resident_id)
            assert resident is not None
            now = wijken.index(resident.wijk_id) if resident.wijk_id in wijken else -1
            resident.wijk_id = wijken[(now + 1) % len(wijken)]
            started = time.perf_counter()
            session.flush()
            times.append((time.perf_counter() - started) * 1000)
        session.rollback()
    times.sort()
    print(
        f"flush after a wijk change: median {statistics.median(times):.2f} ms, "
        f"p90 {times[int(len(times) * 0.9)]:.2f} ms (n={len(times)})"
    )


if __name__ == "__main__":
    main()
