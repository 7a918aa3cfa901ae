"""The production run: gunicorn serves ``wsgi:app`` with ``gunicorn.conf.py`` (production
settings, a real socket), the health check answers from the database, the security headers
and secure cookie settings are in force, and the access log cannot be forged through the path."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    """A port no other server (or another engineer's test run) is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app: Flask, access_log: str = "/dev/null") -> Iterator[int]:
    """gunicorn with the production settings and one worker, serving the test database;
    yields its port once ``/health`` answers."""
    port = _free_port()
    env = {
        **os.environ,
        "TRAJECTWIJZER_ENV": "production",
        "SECRET_KEY": "production-test-" + "x" * 32,
        "STATS_PSEUDONYM_KEY": "production-test-" + "y" * 32,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "GUNICORN_ACCESS_LOG": access_log,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 30
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/health")
                conn.getresponse().read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise AssertionError(
                        server.stderr.read().decode() if server.stderr else "no gunicorn"
                    ) from None
                time.sleep(0.3)
            finally:
                conn.close()
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_gunicorn_serves_the_app_and_the_health_check(app: Flask) -> None:
    with gunicorn(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/health")
            response = conn.getresponse()
            status, body, headers = response.status, response.read(), dict(response.getheaders())
            conn.request("GET", "/inloggen")
            response = conn.getresponse()
            login = (response.status, dict(response.getheaders()))
            response.read()
        finally:
            conn.close()
    assert status == 200 and b'"database":"ok"' in body.replace(b" ", b"")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert login[0] == 200
    cookie = login[1]["Set-Cookie"]
    assert cookie.startswith("__Host-trajectwijzer=") and "Secure" in cookie


def _raw_get(port: int, path: str) -> bytes:
    """A request line exactly as given, as a client that does not encode would send it."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_the_access_log_cannot_be_forged_through_the_path(app: Flask, tmp_path: Path) -> None:
    """A path with an encoded line break would otherwise write a second, invented line into
    the access log; terminal escapes and other control characters could hide or recolour lines
    in a terminal. Each request stays one line, its control characters written as escapes."""
    log = tmp_path / "access.log"
    forged = '1.2.3.4 [01/Jan/2026:00:00:00 +0000] "GET /beheer" 200 0 1ms'
    paths = [
        "/x%0d%0a" + forged.replace(" ", "%20").replace('"', "%22"),
        "/y%1b[2K%1b[1Aweg",
        "/z%e2%80%aeevil%00%7f",
    ]
    with gunicorn(app, access_log=str(log)) as port:
        for path in paths:
            assert _raw_get(port, path).startswith(b"HTTP/1.1 404")
        deadline = time.time() + 10
        while time.time() < deadline and log.read_text().count("\n") < 1 + len(paths):
            time.sleep(0.1)
    lines = log.read_text(encoding="utf-8", errors="strict").splitlines()
    logged = [line for line in lines if "/health" not in line]
    assert len(logged) == len(paths), lines  # one line per request, not one more
    assert all(line.count(' "GET /') == 1 for line in logged), logged
    assert not any(line.startswith("1.2.3.4") for line in lines)
    text = log.read_text()
    assert not any(ch in text for ch in "\r\x1b\x00\x7f\x80\x85")
    assert "/x\\r\\n1.2.3.4" in logged[0]
    assert "/y\\x1b[2K\\x1b[1Aweg" in logged[1]
    assert "\\x00\\x7f" in logged[2]


def test_the_app_and_its_commands_load_without_the_demo_extra() -> None:
    """Faker is in the demo extra only: a production install has none. The app, its CLI and the
    login commands that recognise demo accounts must not import it."""
    probe = (
        "import sys, wsgi, app.cli, seed.second_factor\n"
        "assert 'faker' not in sys.modules, sorted(m for m in sys.modules if 'faker' in m)\n"
    )
    env = {**os.environ, "TRAJECTWIJZER_ENV": "development"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
