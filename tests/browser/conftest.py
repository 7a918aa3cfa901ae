"""Browser tests: the app served on loopback in a thread, driven by Debian's Chromium through
pytest-playwright. Data is committed for real (the server runs in another thread), so the
fixtures delete what they made afterwards; the code lists from the migration stay."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from app.extensions import db

from ..committed import remove_committed_rows
from ..factories import World, build_world

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def live_world(app: Flask) -> Iterator[World]:
    assert db.engine is not None
    with Session(db.engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    try:
        yield world
    finally:
        remove_committed_rows(db.engine)


@pytest.fixture
def live_server(app: Flask, live_world: World) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
