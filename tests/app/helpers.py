"""Helpers for view tests: CSRF stays ON, so tokens are read from the rendered forms."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ..factories import PASSWORD

TOKEN_RE = re.compile(r'name="(?P<name>(?:[\w-]+-)?csrf_token)"[^>]*value="(?P<value>[^"]+)"')


def csrf_token(response: TestResponse, prefix: str = "") -> tuple[str, str]:
    """The (field name, token) of the form with ``prefix`` on the page."""
    wanted = f"{prefix}-csrf_token" if prefix else "csrf_token"
    for match in TOKEN_RE.finditer(response.get_data(as_text=True)):
        if match.group("name") == wanted:
            return wanted, match.group("value")
    raise AssertionError(f"no {wanted} on the page")


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    return client.post("/inloggen", data={name: token, "email": email, "password": password})


def post_form(
    client: FlaskClient, page_url: str, action_url: str, data: dict[str, Any], prefix: str = ""
) -> TestResponse:
    """GET the page that holds the form, then POST ``data`` with its CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    name, token = csrf_token(page, prefix)
    return client.post(action_url, data={name: token, **data})


def logout(client: FlaskClient) -> TestResponse:
    page = client.get("/", follow_redirects=True)
    name, token = csrf_token(page)
    return client.post("/uitloggen", data={name: token})
