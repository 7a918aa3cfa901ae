"""Schemathesis against the application's own ``/api/v1/openapi.json``: every operation of the
document is called with generated input, with a manager's bearer token (over a feed with data in
it) and without one, and no answer may be a 500, use a status the document does not list, or break
the document's response schema.

(Schemathesis's own pytest plugin, ``from_fixture``, does not run under pytest 9, so the
operations are driven with hypothesis directly: the same strategies and checks.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from workflows.stats.admin import issue_token

from ..factories import World
from ..workflows.stats_helpers import jeugd_times_five, load

pytestmark = pytest.mark.slow  # schemathesis: every operation with generated requests

OPENAPI_PATH = "/api/v1/openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(app: Flask, connection: Any) -> Any:
    document = app.test_client().get(OPENAPI_PATH)
    assert document.status_code == 200, document.status_code
    return schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)


@pytest.fixture(params=["token", "no token"])
def auth_headers(request: pytest.FixtureRequest, session: Session, world: World) -> dict[str, str]:
    """A manager's bearer token over a feed with a few hundred trajectories, or none (401)."""
    if request.param == "no token":
        return {}
    load(session, *jeugd_times_five())
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="fuzz")
    session.flush()
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_never_fails_and_keeps_to_its_schema(
    api_schema: Any, auth_headers: dict[str, str]
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the document lists no operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=50,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=auth_headers, checks=CHECKS)

        call()
