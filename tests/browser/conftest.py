"""Browser tests: the app served on loopback in a thread, driven by Debian's Chromium through
pytest-playwright. Data is committed for real (the server runs in another thread), so the
fixtures delete what they made afterwards; the code lists from the migration stay.

Every page a test's ``page`` shows is checked with axe-core (``accessibility.py``); a serious or
critical violation fails the test that showed it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from app.extensions import db
from workflows import clock
from workflows.stats.episodes import month_index, month_label
from workflows.stats.feed import rebuild_aggregates

from ..factories import World
from ..workflows.stats_helpers import fact
from .accessibility import AccessibilityWatch

CHROMIUM = "/usr/bin/chromium"
WATCH = pytest.StashKey[AccessibilityWatch]()


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
def live_world(committed_world: World) -> World:
    """The world the live server serves: committed, so its own connections see it."""
    return committed_world


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


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Page:
    """pytest-playwright's page, watched: axe checks every document it shows."""
    watch = AccessibilityWatch(page)
    watch.start()
    request.node.stash[WATCH] = watch
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a browser test passed: check the page it ended on, then fail the test (not its
    teardown) with every serious or critical violation its pages had."""
    result = yield
    watch = item.stash.get(WATCH, None)
    if watch is not None:
        watch.check()
        if watch.problems:
            pytest.fail(watch.report(), pytrace=False)
    return result


@pytest.fixture
def figures(app: Flask, live_world: World) -> str:
    """Six Jeugd clients starting care in March last year; for two of them it continues care
    that began in December (adjoining: one episode each)."""
    start = date(clock.today().year - 1, 3, 1)
    with Session(db.engine) as session:
        rows = [fact(f"j{n}", start + timedelta(days=n), None) for n in range(6)]
        rows += [
            fact(f"j{n}", start - timedelta(days=60), start + timedelta(days=n - 1)) for n in (0, 1)
        ]
        rows += [fact(f"w{n}", start, None, domain="wmo") for n in range(7)]
        session.add_all(rows)
        session.flush()
        rebuild_aggregates(session.connection())
        session.commit()
    return month_label(month_index(start))
