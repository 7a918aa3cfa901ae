"""Load benchmark: the gids caseload page and the trajectory page under wrk, against
gunicorn with 2 workers on the 1,000,000-trajectory data set, with a bare Flask "hello" endpoint
measured in the same run as the ceiling.

Target: each page holds >= 200 requests/s with p99 <= 250 ms and zero errors for 60 s.

The data set is the scheduler benchmark's (``bench/scheduler_tick.py``: 1,000,000 active
trajectories of 20 gidsen — 50,000 each, a worst case for one caseload — and 200 residents),
bulk-loaded with COPY into a FRESH database unless ``--reuse`` finds it there. The first gids
gets a password and a second factor, and the benchmark logs in over HTTP like a person would
(password, then the TOTP code), so wrk sends a real session cookie. Every request goes through
the whole stack: access table, session checks, audit log (the caseload writes 50 read entries
per view), security headers.

Usage (PostgreSQL; wrk from Debian: ``apt-get install wrk``):

    .venv/bin/python bench/load.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_sec --reuse

Options: ``--n`` (trajectories, default 1,000,000), ``--duration`` (seconds per page, 60),
``--connections`` (wrk, 8), ``--threads`` (wrk, 2), ``--workers`` (gunicorn, 2),
``--worker-threads`` (per gunicorn worker, 3), ``--port`` (the app; the hello app on the next).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402

from app import create_app  # noqa: E402
from app.cli import run_migrations  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.scheduler_tick import fresh_database, load_postgresql, reference_rows  # noqa: E402
from models import Trajectory, User  # noqa: E402
from workflows.users import hash_password  # noqa: E402

BENCH_EMAIL = "gids0@bench.test"
BENCH_PASSWORD = "bench-wachtwoord"
BENCH_TOTP = "BENCHBENCHBENCHBENCHBENCHBENCH23"
SECRET_KEY = "bench-secret-key-not-for-production"
PSEUDONYM_KEY = "bench-pseudonym-key-not-for-production"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepare(url: str, n: int, reuse: bool) -> int:
    """Load the data set when needed; give the first gids a password and a second factor.
    Returns the id of one of that gids's trajectories (for the trajectory page)."""
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench"})
    engine = db.engine
    assert engine is not None
    existing = 0
    if reuse:
        try:
            with db.sessions() as session:
                existing = session.scalar(select(func.count(Trajectory.id))) or 0
        except Exception:  # noqa: BLE001 - no schema yet
            existing = 0
    if existing != n:
        fresh_database(url)
        with app.app_context():
            run_migrations()
        with db.sessions() as session:
            ref = reference_rows(session)
            session.commit()
        started = time.perf_counter()
        load_postgresql(engine, n, ref)
        print(f"bulk load of {n:,} trajectories: {time.perf_counter() - started:.0f} s")
    else:
        with app.app_context():
            run_migrations()  # the schema may be older than the code
        print(f"reusing {existing:,} trajectories")
    with db.sessions() as session:
        session.execute(
            update(User)
            .where(User.email == BENCH_EMAIL)
            .values(
                password_hash=hash_password(BENCH_PASSWORD),
                totp_secret=BENCH_TOTP,
                totp_confirmed_at=datetime.now(UTC),
                totp_last_step=None,
                active=True,
            )
        )
        session.execute(text("DELETE FROM login_attempts"))
        gids_id = session.scalar(select(User.id).where(User.email == BENCH_EMAIL))
        trajectory_id = session.scalar(
            select(Trajectory.id).where(Trajectory.gids_id == gids_id).order_by(Trajectory.id)
        )
        mine = session.scalar(select(func.count()).where(Trajectory.gids_id == gids_id))
        session.commit()
    print(
        f"{BENCH_EMAIL} has {mine:,} trajectories; trajectory page: /gids/trajecten/{trajectory_id}"
    )
    engine.dispose()
    assert trajectory_id is not None
    return trajectory_id


def start_gunicorn(
    app_path: str, port: int, workers: int, url: str, threads: int = 1
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "STATS_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "TRAJECTWIJZER_ENV": "production",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            app_path,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health" if app_path == "wsgi:app" else "/")
            if conn.getresponse().status in (200, 302):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"gunicorn for {app_path} did not start: {process.stderr.read().decode()}")


def _cookie(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name] = rest.split(";", 1)[0]


def _request(
    port: int, method: str, path: str, jar: dict[str, str], form: dict[str, str] | None = None
) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    _cookie(response, jar)
    return response.status, response.headers.get("Location", ""), response.read().decode()


def log_in(port: int) -> str:
    """Password, then the TOTP code, over HTTP; returns the Cookie header for wrk."""
    jar: dict[str, str] = {}
    _, _, page = _request(port, "GET", "/inloggen", jar)
    token = TOKEN_RE.search(page)
    assert token, "no CSRF token on the login page"
    form = {"csrf_token": token.group(1), "email": BENCH_EMAIL, "password": BENCH_PASSWORD}
    status, location, _ = _request(port, "POST", "/inloggen", jar, form)
    assert status == 302 and location.endswith("/inloggen/code"), (status, location)
    _, _, page = _request(port, "GET", "/inloggen/code", jar)
    token = TOKEN_RE.search(page)
    assert token
    code = pyotp.TOTP(BENCH_TOTP).now()
    status, location, _ = _request(
        port, "POST", "/inloggen/code", jar, {"csrf_token": token.group(1), "code": code}
    )
    assert status == 302 and location.endswith("/gids/"), (status, location)
    status, _, _ = _request(port, "GET", "/gids/", jar)
    assert status == 200, status
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class WrkResult:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    @property
    def meets_target(self) -> bool:
        return self.requests_per_second >= 200 and self.p99_ms <= 250 and self.errors == 0


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))  # type: ignore[union-attr]
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    if value.endswith("s"):
        return number * 1000
    return number


def run_wrk(
    name: str, url: str, duration: int, connections: int, threads: int, cookie: str | None
) -> WrkResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(x) for x in match.groups())
    return WrkResult(name, rps, p50, p99, total, errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_sec"
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=3,
        help="threads per gunicorn worker (gunicorn.conf.py's default is 3)",
    )
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()

    trajectory_id = prepare(args.database_url, args.n, args.reuse)
    servers = [
        start_gunicorn(
            "bench.hello:app", args.port + 1, args.workers, args.database_url, args.worker_threads
        ),
        start_gunicorn("wsgi:app", args.port, args.workers, args.database_url, args.worker_threads),
    ]
    try:
        cookie = log_in(args.port)
        base = f"http://127.0.0.1:{args.port}"
        runs = [
            ("hello (bare Flask)", f"http://127.0.0.1:{args.port + 1}/", None),
            ("gids caseload", f"{base}/gids/", cookie),
            ("trajectory page", f"{base}/gids/trajecten/{trajectory_id}", cookie),
        ]
        results = []
        for name, url, run_cookie in runs:
            result = run_wrk(name, url, args.duration, args.connections, args.threads, run_cookie)
            results.append(result)
            print(
                f"{name:<20} {result.requests_per_second:8.1f} req/s  p50 {result.p50_ms:6.1f} ms"
                f"  p99 {result.p99_ms:6.1f} ms  {result.requests:7d} requests"
                f"  {result.errors} errors",
                flush=True,
            )
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    hello = results[0].requests_per_second
    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, gunicorn "
        f"{args.workers} workers x {args.worker_threads} thread(s), n={args.n:,}"
    )
    print("| endpoint | req/s | p50 | p99 | errors | share of hello | target met |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        target = "—" if r is results[0] else ("yes" if r.meets_target else "NO")
        print(
            f"| {r.name} | {r.requests_per_second:.0f} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms "
            f"| {r.errors} | {r.requests_per_second / hello:.1%} | {target} |"
        )


if __name__ == "__main__":
    main()
