"""The production run: gunicorn serves ``wsgi:app`` with ``gunicorn.conf.py`` (production
settings, a real socket), the health check answers from the database, and the security headers
and secure cookie settings are in force."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
PORT = 8105  # this engineer's range for local servers (8101-8109)


def test_gunicorn_serves_the_app_and_the_health_check(app: Flask) -> None:
    env = {
        **os.environ,
        "TRAJECTWIJZER_ENV": "production",
        "SECRET_KEY": "production-test-" + "x" * 32,
        "STATS_PSEUDONYM_KEY": "production-test-" + "y" * 32,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{PORT}",
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
        health, login = None, None
        deadline = time.time() + 30
        while time.time() < deadline and health is None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            try:
                conn.request("GET", "/health")
                response = conn.getresponse()
                health = (response.status, response.read(), dict(response.getheaders()))
                conn.request("GET", "/inloggen")
                response = conn.getresponse()
                login = (response.status, dict(response.getheaders()))
                response.read()
            except OSError:
                time.sleep(0.3)
            finally:
                conn.close()
        assert health is not None, server.stderr.read().decode() if server.stderr else ""
        status, body, headers = health
        assert status == 200 and b'"database":"ok"' in body.replace(b" ", b"")
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert login is not None and login[0] == 200
        cookie = login[1]["Set-Cookie"]
        assert cookie.startswith("__Host-trajectwijzer=") and "Secure" in cookie
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()
