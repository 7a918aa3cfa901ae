"""Every form of the application, posted with random and hostile values: overlong strings, HTML,
SQL fragments, control characters, wrong types, repeated fields, missing fields and a missing
CSRF token. The forms are not listed here: they are found by opening every page of the URL map
as each role and reading its ``<form method="post">`` elements, and a POST route that no page
offers a form for fails the test.

What must hold for every post: never a 500; a refusal (4xx) says why on the page and stores
nothing (every table compared before and after, except the logs); an accepted post (3xx) of text
that merely looks hostile stores it as text and shows it escaped.
"""

from __future__ import annotations

import hashlib
import random

import pytest
from sqlalchemy import select

from models import Base

from .forms import NOT_WALKED, FoundForm, discover
from .helpers import page_token
from .routes import USERS, route_methods, url_rules

pytestmark = pytest.mark.slow  # every form of every page, posted with hostile values

SEED = 20261102
LOGS = {"audit_log", "login_attempts"}
# Searches: they read, never store; a hostile search text is answered with results or a 400.
SEARCHES = {"gids.caseload", "gids.residents", "aanbieder.index"}
SCRIPT = "<script>alert('x')</script>"
MESSAGE_MARKERS = ('class="error', 'class="error-summary"', '<p class="lead">')

# (name, value, refused for sure): values that no person types must be refused whatever the field.
# Overlong text is refused by each text field's maximum, with the text kept to shorten
# (test_long_text); a button or a hidden version may ignore it, so it is not "refused for sure".
HOSTILE: list[tuple[str, object, bool]] = [
    ("overlong", "x" * 25_000, False),
    ("nul", "Anna\x00", True),
    ("escape", "\x1b[31mrood", True),
    ("long text", "lang " * 2_000, False),
    ("html", SCRIPT, False),
    ("sql", "'; DROP TABLE residents; --", False),
    ("wrong type", "abc", False),
    ("huge number", "9" * 40, False),
    ("negative", "-1", False),
    ("unicode", "Zoë 🎉 \u202e", False),
    ("date", "2026-02-30", False),
    ("empty", "", False),
    ("repeated", ["1", "2"], False),
]


def fingerprint(connection) -> str:  # noqa: ANN001
    """A hash of every row of every table but the logs."""
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        if table.name in LOGS:
            continue
        rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


def _baseline(form: FoundForm) -> dict[str, object]:
    """Values as the page offers them (the first non-empty option of a list)."""
    data: dict[str, object] = {}
    for name, values in form.fields.items():
        choices = [v for v in values if v != ""]
        data[name] = choices[0] if choices else (values[0] if values else "")
    return data


def _has_message(body: str) -> bool:
    return any(marker in body for marker in MESSAGE_MARKERS)


def _post(client, form: FoundForm, data: dict[str, object]):
    response = client.post(form.action, data=data)
    response.get_data()
    return response


def _check(app, client, connection, form: FoundForm, data, must_refuse: bool, what: str) -> None:
    nested = connection.begin_nested()
    try:
        before = fingerprint(connection)
        response = _post(client, form, data)
        status = response.status_code
        body = response.get_data(as_text=True)
        where = (form.endpoint, what, status)
        assert status < 500, (*where, body[:300])
        if form.endpoint in SEARCHES:
            assert status in (200, 400), where
            assert fingerprint(connection) == before, where
            assert SCRIPT not in body, where
            return
        if 400 <= status < 500:
            assert _has_message(body), (*where, body[:500])
            assert fingerprint(connection) == before, ("stored although refused", *where)
        else:
            assert not must_refuse, ("accepted", *where)
            assert status in (200, 302, 303), where
            assert SCRIPT not in body, where
            if status in (302, 303):
                shown = client.get(response.headers["Location"])
                assert shown.status_code < 500, where
                assert SCRIPT not in shown.get_data(as_text=True), where
    finally:
        nested.rollback()


@pytest.mark.parametrize("role", [None, *USERS], ids=["anonymous", *(r.value for r in USERS)])
def test_every_form_survives_hostile_input(app, client, connection, world, variants, role):
    forms = discover(app, client, world, variants, role)
    assert forms
    rng = random.Random(SEED)
    for form in forms:
        token = page_token(client, form.page)[1] if role is not None else None
        baseline = _baseline(form)
        if token:
            baseline[form.csrf] = token
        else:
            baseline[form.csrf] = page_token(client, "/inloggen")[1]

        # no CSRF token at all: refused before anything else
        without = {k: v for k, v in baseline.items() if k != form.csrf}
        _check(app, client, connection, form, without, True, "missing csrf")
        # a forged token
        _check(app, client, connection, form, {**baseline, form.csrf: "vervalst"}, True, "forged")
        if not form.data_fields:
            continue
        # every data field at once with each hostile value
        for name, value, refused in HOSTILE:
            data = {**baseline, **{f: value for f in form.data_fields}}
            _check(app, client, connection, form, data, refused, f"all {name}")
        # each field alone with a random hostile value, the rest as offered
        for f in form.data_fields:
            name, value, refused = rng.choice(HOSTILE)
            _check(app, client, connection, form, {**baseline, f: value}, refused, f"{f} {name}")
        # every field missing
        _check(app, client, connection, form, {form.csrf: baseline[form.csrf]}, False, "missing")


def test_every_post_route_is_offered_by_some_page(app, client, world, variants):
    """The walk above is generated from the pages; a POST route that no page offers a form for
    would escape it, so it fails here."""
    offered = set()
    for role in [None, *USERS]:
        fresh = app.test_client()
        offered |= {f.endpoint for f in discover(app, fresh, world, variants, role)}
    post_routes = {r.endpoint for r in url_rules(app) if "POST" in route_methods(r)}
    missing = post_routes - offered - NOT_WALKED
    assert not missing, f"POST routes without a form on any page: {sorted(missing)}"
