"""The lockout holds under parallel guessing: 25 wrong passwords sent at the same moment for one
address run at most five password checks (the count and the check of an address happen under a
lock of that address), at the login form and on the account pages. Counted where it costs: the
calls of Argon2's verify. These tests commit for real (each request its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from workflows.signin import ACCOUNT_MAX_FAILURES

from ..factories import World
from .helpers import csrf_token, login_as

GUESSES = 25


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every Argon2 verification (passwords and recovery codes alike)."""
    calls: list[int] = []
    lock = threading.Lock()
    verify = PasswordHasher.verify

    def counted(self: PasswordHasher, *args: Any, **kwargs: Any) -> Any:
        with lock:
            calls.append(1)
        return verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return calls


def _at_once(posts: list[Callable[[], Any]]) -> list[Any]:
    """Run the posts in parallel threads, released together."""
    start = threading.Barrier(len(posts))

    def run(post: Callable[[], Any]) -> Any:
        start.wait()
        return post()

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(run, posts))


def _prepared_post(
    client: FlaskClient, page: str, url: str, data: dict[str, str], prefix: str = ""
):
    name, token = csrf_token(client.get(page), prefix)

    def post() -> int:
        return client.post(
            url, data={name: token, **data}, environ_base={"REMOTE_ADDR": "10.25.0.1"}
        ).status_code

    return post


def test_twenty_five_parallel_wrong_passwords_at_the_login_run_five_checks(
    app: Flask, committed_world: World, password_checks: list[int]
) -> None:
    email = committed_world.gids.email
    posts = [
        _prepared_post(
            app.test_client(), "/inloggen", "/inloggen", {"email": email, "password": "fout"}
        )
        for _ in range(GUESSES)
    ]
    statuses = _at_once(posts)
    assert len(password_checks) <= ACCOUNT_MAX_FAILURES
    assert sorted(statuses) == [422] * ACCOUNT_MAX_FAILURES + [429] * (
        GUESSES - ACCOUNT_MAX_FAILURES
    )


def test_twenty_five_parallel_wrong_passwords_on_the_account_page_run_five_checks(
    app: Flask, committed_world: World, password_checks: list[int]
) -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite (development only) refuses a writer whose transaction read before another "
            "writer committed ('database is locked'), and a signed-in request reads its user "
            "first; the login form, which reads nothing first, is raced on SQLite too"
        )
    posts = []
    for _ in range(GUESSES):
        client = app.test_client()
        login_as(client, committed_world.gids)
        data = {
            "password-current_password": "fout-wachtwoord",
            "password-new_password": "een-nieuw-wachtwoord",
            "password-repeat": "een-nieuw-wachtwoord",
        }
        posts.append(
            _prepared_post(client, "/account", "/account/wachtwoord", data, prefix="password")
        )
    statuses = _at_once(posts)
    assert len(password_checks) <= ACCOUNT_MAX_FAILURES
    assert sorted(statuses) == [422] * ACCOUNT_MAX_FAILURES + [429] * (
        GUESSES - ACCOUNT_MAX_FAILURES
    )
