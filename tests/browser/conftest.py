"""Browser tests: the app served on loopback in a thread, driven by Debian's Chromium through
pytest-playwright. Data is committed for real (the server runs in another thread), so the
fixtures delete what they made afterwards; the code lists from the migration stay.

Every page a test's ``page`` shows is checked with axe-core (``accessibility.py``); a serious or
critical violation fails the test that showed it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import make_server

from ..factories import World
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
