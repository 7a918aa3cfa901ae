"""Web hardening: security headers and a strict Content-Security-Policy on every response, no
inline script or style on any page, secure session cookies in production, no personal data in
URLs or logs, form input no person types refused, a health check that asks the database."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.config import load_config
from app.errors import log_unexpected
from app.security import CONTENT_SECURITY_POLICY
from models import Resident, Role

from .helpers import login_as, post_form
from .routes import USERS, get_pages, scene_ids

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"<[^>]+\sstyle=", re.I), "style attribute"),
    (re.compile(r"<[^>]+\son[a-z]+=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]
# The only fields a GET form may send: filters that say nothing about a person.
SAFE_QUERY_FIELDS = {
    "state",
    "domain",
    "toon",
    "page",
    "status",
    "jaar",
    "soort",
    "domein",
    "volgorde",
    "sorteer",
    "from",  # a period's first and last month (the provider's scorecard)
    "to",
}


@pytest.mark.parametrize("role", [None, *USERS], ids=["anonymous", *(r.value for r in USERS)])
def test_every_response_has_the_security_headers_and_no_inline_code(
    app,
    client,
    world,
    scene,
    role,
):
    if role is not None:
        login_as(client, getattr(world, USERS[role]))
    checked = 0
    for url, response in get_pages(app, client, scene_ids(world, scene)):
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["Referrer-Policy"] == "same-origin", url
        assert headers["Cache-Control"] == "no-store", url
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            for pattern, what in INLINE:
                assert not pattern.search(body), (url, what)
            checked += 1
    assert checked > 3


def test_the_policy_allows_only_the_applications_own_files():
    policy = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert policy["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "img-src"):
        assert policy[directive] == "'self'", directive
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_static_files_may_be_cached_pages_not(client, world):
    static = client.get("/static/style.css")
    static.close()
    assert static.headers.get("Cache-Control") != "no-store"
    assert client.get("/inloggen").headers["Cache-Control"] == "no-store"


def test_production_cookies_are_secure_httponly_samesite_and_host_only(app, client, monkeypatch):
    monkeypatch.setenv("TRAJECTWIJZER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("STATS_PSEUDONYM_KEY", "y" * 32)
    production = load_config()
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["SESSION_COOKIE_NAME"] == "__Host-trajectwijzer"
    for key in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_NAME"):
        monkeypatch.setitem(app.config, key, production[key])
    response = client.get("/inloggen", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-trajectwijzer=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie, flag
    assert "Domain=" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("role", [Role.GIDS, Role.AANBIEDER])
def test_no_page_puts_personal_data_in_a_url(app, client, world, scene, role):
    login_as(client, getattr(world, USERS[role]))
    personal = [world.adult.bsn, world.child.bsn, "Anna", "Vries", "Bram", "Jansen", "1950-05-05"]
    for url, response in get_pages(app, client, scene_ids(world, scene)):
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        for target in re.findall(r'(?:href|src|action)="([^"]*)"', body):
            assert not any(p.lower() in target.lower() for p in personal), (url, target)
        for form in re.findall(r"<form\b[^>]*>.*?</form>", body, re.S):
            if re.search(r'method="get"', form, re.I):
                names = set(re.findall(r'name="([^"]+)"', form))
                assert names <= SAFE_QUERY_FIELDS, (url, names)


def test_a_search_in_the_query_string_is_not_run(client, world, scene):
    login_as(client, world.gids)
    by_url = client.get(f"/gids/inwoners?q={world.adult.bsn}").get_data(as_text=True)
    assert "Anna de Vries" not in by_url
    by_post = post_form(client, "/gids/inwoners", "/gids/inwoners", {"q": world.adult.bsn})
    body = by_post.get_data(as_text=True)
    assert "Anna de Vries" in body
    assert world.adult.bsn not in body.replace(f'value="{world.adult.bsn}"', "")


def test_a_database_error_logs_no_values(app, session, world, caplog):
    """Neither the statement's parameters nor the database's own message (PostgreSQL quotes the
    duplicate key) reach the log."""
    nested = session.begin_nested()
    try:
        with pytest.raises(IntegrityError) as error:
            session.execute(
                insert(Resident).values(
                    bsn=world.adult.bsn,  # a duplicate: unique constraint
                    given_name="Dubbel",
                    family_name="Geheim",
                    birth_date=world.adult.birth_date,
                    household_id=world.adult.household_id,
                )
            )
    finally:
        nested.rollback()
    with (
        app.test_request_context("/gids/inwoners/nieuw", method="POST"),
        caplog.at_level(logging.ERROR),
    ):
        log_unexpected(error.value)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "IntegrityError" in logged and "gids.new_resident" in logged  # useful, still
    assert world.adult.bsn not in logged
    assert "Geheim" not in logged and "Dubbel" not in logged


def test_the_bsn_is_masked_on_lists_and_provider_pages(client, world, scene):
    login_as(client, world.gids)
    found = post_form(client, "/gids/inwoners", "/gids/inwoners", {"q": "vries"})
    assert "••••••333" in found.get_data(as_text=True)
    assert world.adult.bsn not in found.get_data(as_text=True)
    login_as(client, world.aanbieder_a)
    page = client.get(f"/aanbieder/trajecten/{scene['proposed'].id}").get_data(as_text=True)
    assert world.adult.bsn not in page and "••••••333" in page
    shown = client.get(f"/aanbieder/trajecten/{scene['proposed'].id}?bsn=tonen")
    assert world.adult.bsn in shown.get_data(as_text=True)


@pytest.mark.parametrize(
    "value",
    ["Anna\x00de Vries", "a\x1bb", "x" * 1_000_001, "bel\x7f"],
    ids=["nul", "esc", "a million characters", "del"],
)
def test_input_no_person_types_is_refused_and_nothing_stored(client, world, session, value):
    login_as(client, world.gids)
    before = session.scalar(select(func.count()).select_from(Resident))
    data = {
        "bsn": "345678904",
        "given_name": value,
        "family_name": "Visser",
        "birth_date": "1970-03-04",
    }
    response = post_form(client, "/gids/inwoners/nieuw", "/gids/inwoners/nieuw", data)
    assert response.status_code == 400
    assert "tekens die niet zijn toegestaan of een te lange tekst" in response.get_data(
        as_text=True
    )
    assert session.scalar(select(func.count()).select_from(Resident)) == before


def test_the_health_check_asks_the_database(client, world, monkeypatch):
    ok = client.get("/health")
    assert ok.status_code == 200 and ok.json == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in ok.headers

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(Session, "execute", broken)
    down = client.get("/health")
    assert down.status_code == 503 and down.json["database"] == "unreachable"
