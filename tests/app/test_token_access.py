"""The statistics API in the access table: its routes are ``token(...)`` entries, reached with a
bearer token only — never with the session cookie — and the token's user must still be an active
manager. Refusals have the API's JSON error shape (``Error`` in the OpenAPI document)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth.access import ACCESS
from models import Role
from workflows.stats.admin import issue_token

from ..factories import World


def _token(session: Session, world: World) -> str:
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    session.flush()
    return secret


def _get(client: FlaskClient, token: str | None) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/stats/flows", headers=headers)


def test_every_api_route_is_a_manager_token_entry_except_the_document(app: Flask) -> None:
    api = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert api >= {"api.flows", "api.intensity", "api.durations", "api.openapi"}
    for endpoint in api - {"api.openapi"}:
        assert ACCESS[endpoint].token and ACCESS[endpoint].roles == {Role.MANAGER}, endpoint
    assert ACCESS["api.openapi"].public


def test_no_token_is_401_in_the_api_error_shape(client: FlaskClient, world: World) -> None:
    response = _get(client, None)

    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert body["error"] == "unauthorized" and body["problems"] == []
    assert "API-token" in body["message"]


def test_a_token_whose_user_is_no_longer_a_manager_is_refused(
    client: FlaskClient, session: Session, world: World
) -> None:
    token = _token(session, world)
    assert _get(client, token).status_code == 200  # type: ignore[attr-defined]

    world.manager.role = Role.GIDS
    session.flush()
    refused = _get(client, token)

    # the token was issued to a manager: it no longer authenticates anyone
    assert refused.status_code == 401  # type: ignore[attr-defined]
    assert refused.get_json()["error"] == "unauthorized"  # type: ignore[attr-defined]


def test_a_blocked_managers_token_no_longer_opens_the_api(
    client: FlaskClient, session: Session, world: World
) -> None:
    token = _token(session, world)

    world.manager.active = False
    session.flush()

    assert _get(client, token).status_code == 401  # type: ignore[attr-defined]
