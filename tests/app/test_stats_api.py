"""The statistics API: bearer tokens (hashed, revocable), the JSON shapes of
docs/statistics.md, every answer valid against /api/v1/openapi.json, HTTP 400 with a Dutch
message for bad input, and no CSRF on the token API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiToken
from workflows.stats.admin import issue_token, revoke_token

from ..factories import World
from ..workflows.stats_helpers import TODAY, jeugd_times_five, load
from .helpers import login_as

D = date


@pytest.fixture
def token(session: Session, world: World) -> str:
    load(session, *jeugd_times_five())
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI-tool")
    session.flush()
    return secret


def get(client: FlaskClient, path: str, token: str | None, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with freeze_time(TODAY):
        return client.get(f"/api/v1/stats/{path}", query_string=params, headers=headers)


def validator(client: FlaskClient, schema: str) -> Draft202012Validator:
    document = client.get("/api/v1/openapi.json").get_json()
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
    )


def test_flows_as_in_statistics_md(client: FlaskClient, token: str) -> None:
    response = get(
        client, "flows", token, **{"from": "2021-01", "to": "2021-04", "domain": "jeugd"},
        unit="client",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.get_json()
    validator(client, "Flows").validate(body)
    assert {k: body[k] for k in ("unit", "domain", "from", "to", "cutoff")} == {
        "unit": "client",
        "domain": "jeugd",
        "from": "2021-01",
        "to": "2021-04",
        "cutoff": "2021-12",
    }
    assert body["suppression_threshold"] == 5
    assert body["filters"] == {
        "category": None, "profile": None, "intensity": None, "provider": None, "wijk": None,
        "age_band": None,
    }  # fmt: skip
    assert body["disclosure"]["method"] == "cell key"
    assert "licht verstoord" in body["disclosure"]["notice"]
    # The exact figures (tests/workflows/test_stats_figures.py), perturbed by at most 2; a zero
    # stays zero; beginstand is the previous eindstand, the same cell.
    exact = [(10, 15, 0, 0), (15, 5, 0, 5)]  # instroom and uitstroom of 2021-01 … 2021-04
    assert body["months"][1]["month"] == "2021-02"
    for cell, values in zip(("instroom", "uitstroom"), exact, strict=True):
        published = [m[cell] for m in body["months"]]
        assert all(
            abs(p - n) <= 2 and (p == 0) == (n == 0) for p, n in zip(published, values, strict=True)
        )
    for previous, month in zip(body["months"], body["months"][1:], strict=False):
        assert month["beginstand"] == previous["eindstand"]
    (year,) = body["yearly"]
    assert (year["year"], year["months_counted"], year["excluded_months"]) == (2021, 4, [])
    assert year["mean_instroom"] == round(sum(m["instroom"] for m in body["months"]) / 4 + 1e-9, 1)


@pytest.mark.parametrize(
    ("path", "schema", "params"),
    [
        ("flows", "Flows", {}),
        ("flows", "Flows", {"unit": "client", "intensity": "zwaar"}),
        ("intensity", "Intensity", {"basis": "instroom"}),
        ("intensity", "Intensity", {}),
        ("durations", "Durations", {"unit": "client"}),
        ("waiting-times", "WaitingTimes", {"domain": "wmo"}),
        ("results", "Results", {"wijk": "Dronten", "age_band": "12-17"}),
    ],
)
def test_every_answer_matches_the_openapi_document(
    client: FlaskClient, token: str, path: str, schema: str, params: dict[str, str]
) -> None:
    response = get(client, path, token, **{"from": "2020-11", "to": "2021-06", **params})
    assert response.status_code == 200, response.get_json()
    validator(client, schema).validate(response.get_json())
    assert response.headers["Cache-Control"] == "no-store"  # app/security.py, every response


def test_intensity_shares_sum_to_one(client: FlaskClient, token: str) -> None:
    body = get(client, "intensity", token, **{"from": "2021-03", "to": "2021-03"}).get_json()
    (march,) = body["months"]
    assert march["counts"] == {"laag": 10, "middel": 0, "zwaar": 5}
    assert march["shares"] == {"laag": 0.6667, "middel": 0.0, "zwaar": 0.3333}
    assert body["basis"] == "eindstand" and body["unit"] == "traject"


@pytest.mark.parametrize(
    ("params", "parameter", "text"),
    [
        ({"from": "2021-13"}, "from", "maand 13 bestaat niet"),
        ({"from": "2021-05", "to": "2021-01"}, "from", "ligt na 'to'"),
        ({"to": "april"}, "to", "JJJJ-MM"),
        ({"domain": "zorg"}, "domain", "Onbekend domein"),
        ({"unit": "huishouden"}, "unit", "Onbekende eenheid"),
        ({"profile": "BESTAAT-NIET"}, "profile", "Onbekende waarde 'BESTAAT-NIET'"),
        ({"provider": "00000000"}, "provider", "aanbieder"),
        ({"age_band": "99+"}, "age_band", "leeftijdsgroep"),
        ({"from": "1990-01"}, "from", "tussen 2000 en 2100"),
        ({"from": "2023-01", "to": "2023-02"}, "from", "laatste volledige maand"),
    ],
)
def test_bad_parameters_give_400_with_a_dutch_message(
    client: FlaskClient, token: str, params: dict[str, str], parameter: str, text: str
) -> None:
    response = get(client, "flows", token, **params)
    assert response.status_code == 400
    body = response.get_json()
    validator(client, "Error").validate(body)
    assert body["error"] == "bad_request"
    assert [p["parameter"] for p in body["problems"]] == [parameter]
    assert text in body["message"]


def test_without_a_valid_token_the_api_answers_401(
    client: FlaskClient, session: Session, world: World, token: str
) -> None:
    assert get(client, "flows", None).status_code == 401
    assert get(client, "flows", "tw_not-a-token").status_code == 401
    response = get(client, "flows", "Basic abc")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # a manager's browser session is no token
    login_as(client, world.manager)
    assert get(client, "flows", None).status_code == 401


def test_tokens_are_stored_hashed_and_can_be_revoked(
    client: FlaskClient, session: Session, world: World, token: str
) -> None:
    row = session.scalar(select(ApiToken))
    assert row is not None and token not in row.token_hash and row.prefix == token[:10]
    assert get(client, "flows", token).status_code == 200
    session.expire_all()
    assert session.scalar(select(ApiToken.last_used_at)) is not None
    revoke_token(session, world.beheerder, row.id, datetime.now(UTC))
    session.flush()
    assert get(client, "flows", token).status_code == 401


def test_a_token_of_a_deactivated_manager_stops_working(
    client: FlaskClient, session: Session, world: World, token: str
) -> None:
    world.manager.active = False
    session.flush()
    assert get(client, "flows", token).status_code == 401


def test_the_token_api_needs_no_csrf_token_and_refuses_other_methods(
    client: FlaskClient, token: str
) -> None:
    response = client.post("/api/v1/stats/flows", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_the_openapi_document_lists_the_six_figures_the_scorecard_and_the_council_report(
    client: FlaskClient,
) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert sorted(document["paths"]) == [
        f"/api/v1/stats/{name}"
        for name in sorted(
            [
                "durations",
                "finance",
                "flows",
                "intensity",
                "results",
                "waiting-times",
                "providers",
                "council",
            ]
        )
    ]
    Draft202012Validator.check_schema(document["components"]["schemas"]["Flows"])
