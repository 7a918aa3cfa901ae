"""API endpoints in the access table: marked ``token(...)``, they are reached with a bearer
token only — never with the session cookie, so they need no CSRF token — and the token's user
must have one of the entry's roles. Issue 4's ``/api/v1/…`` routes become such entries."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask, Request, g, jsonify

from app.auth import access
from app.extensions import csrf
from models import Role

TOKENS = {
    "manager-token": SimpleNamespace(role=Role.MANAGER, active=True),
    "gids-token": SimpleNamespace(role=Role.GIDS, active=True),
    "blocked-token": SimpleNamespace(role=Role.MANAGER, active=False),
}


def _bearer(request: Request):  # noqa: ANN202
    header = request.headers.get("Authorization", "")
    return TOKENS.get(header.removeprefix("Bearer ")) if header.startswith("Bearer ") else None


@pytest.fixture
def api_app(monkeypatch) -> Flask:
    app = Flask("api_test")
    app.config.update(SECRET_KEY="test", TESTING=True)
    csrf.init_app(app)

    @app.route("/api/v1/cijfers", methods=["GET", "POST"], endpoint="api.figures")
    def figures():  # noqa: ANN202
        return jsonify({"role": g.api_user.role.value})

    monkeypatch.setitem(access.ACCESS, "api.figures", access.token(Role.MANAGER))
    access.register(app)
    return app


def test_without_a_loader_or_a_token_the_api_answers_401(api_app):
    response = api_app.test_client().get("/api/v1/cijfers")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json == {"error": "A valid bearer token is required."}


def test_a_valid_token_of_an_allowed_role_gets_in(api_app):
    access.register_token_loader(api_app, _bearer)
    client = api_app.test_client()
    ok = client.get("/api/v1/cijfers", headers={"Authorization": "Bearer manager-token"})
    assert ok.status_code == 200 and ok.json == {"role": "manager"}
    assert (
        client.get("/api/v1/cijfers", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    blocked = client.get("/api/v1/cijfers", headers={"Authorization": "Bearer blocked-token"})
    assert blocked.status_code == 401


def test_a_token_of_another_role_is_refused(api_app):
    access.register_token_loader(api_app, _bearer)
    response = api_app.test_client().get(
        "/api/v1/cijfers", headers={"Authorization": "Bearer gids-token"}
    )
    assert response.status_code == 403


def test_a_token_endpoint_needs_no_csrf_token(api_app):
    access.register_token_loader(api_app, _bearer)
    client = api_app.test_client()
    response = client.post("/api/v1/cijfers", headers={"Authorization": "Bearer manager-token"})
    assert response.status_code == 200  # exempt: no cookie can authenticate it
