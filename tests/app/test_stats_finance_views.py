"""The finance figure on every output: the API (valid against the OpenAPI document), the
manager's page "Financiën" with its chart, and the CSV and XLSX downloads show the same
published numbers, all from ``report.finance``; only managers reach it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from models import StatsTrajectory
from workflows.stats.admin import issue_token

from ..factories import World
from ..workflows.stats_helpers import TODAY, load
from ..workflows.test_stats_finance import hand_rows
from .helpers import login_as

PERIOD = {"from": "2021-01", "to": "2021-06", "domain": "jeugd"}


def rows_times(copies: int) -> list[StatsTrajectory]:
    """The hand-computed rows, ``copies`` times over (other clients), so no sum is hidden."""
    found = []
    for copy in range(copies):
        for row in hand_rows():
            row.client_key = f"{row.client_key}{copy}"
            row.household_key = row.client_key
            row.record_key = (row.record_key + 7919 * copy) % (1 << 30)
            found.append(row)
    return found


@pytest.fixture
def data(session: Session) -> None:
    load(session, *rows_times(6))


@pytest.fixture
def manager(client: FlaskClient, world: World, data: None) -> FlaskClient:
    with freeze_time(TODAY):
        login_as(client, world.manager)
    return client


def api(client: FlaskClient, session: Session, world: World) -> dict[str, Any]:
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    session.flush()
    with freeze_time(TODAY):
        response = client.get(
            "/api/v1/stats/finance",
            query_string=PERIOD,
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    document = client.get("/api/v1/openapi.json").get_json()
    Draft202012Validator(
        {"$ref": "#/components/schemas/Finance", "components": document["components"]}
    ).validate(body)
    return body


def euros(text: str) -> float:
    """ "€ 26.700,00" → 26700.0"""
    return float(
        text.replace("€", "")
        .replace("\xa0", "")
        .replace(" ", "")
        .replace(".", "")
        .replace(",", ".")
    )


def test_the_api_page_csv_and_xlsx_show_the_same_figures(
    client: FlaskClient, session: Session, world: World, data: None
) -> None:
    body = api(client, session, world)
    march = body["months"][2]
    assert march["month"] == "2021-03"
    committed = march["committed"]
    assert committed["amount"] is not None and committed["n"] >= 5
    # the exact 12 trajectories and € 26.700, perturbed
    assert abs(committed["n"] - 12) <= 2
    assert abs(committed["amount"] - 26700) <= 2 * 26700 / 12 + 1
    assert body["expected"]["from"] == "2022-01"

    with freeze_time(TODAY):
        login_as(client, world.manager)
        page = client.get("/manager/", query_string={"figuur": "finance", **PERIOD})
        csv = client.get("/manager/cijfers.csv", query_string={"figuur": "finance", **PERIOD})
        xlsx = client.get("/manager/cijfers.xlsx", query_string={"figuur": "finance", **PERIOD})
    assert page.status_code == csv.status_code == xlsx.status_code == 200
    html = page.get_data(as_text=True)
    assert "Financiën" in html and 'aria-current="page">Financiën' in html
    row = re.search(r'<th scope="row">2021-03</th>(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert int(cells[0]) == committed["n"]
    assert euros(cells[1]) == committed["amount"]

    text = csv.get_data().decode("utf-8-sig")
    line = re.search(r"^2021-03;([^\r\n]*)\r?$", text, re.M)
    assert line is not None
    values = line.group(1).split(";")
    assert int(values[0]) == committed["n"]
    assert float(values[1].replace(",", ".")) == committed["amount"]

    book = load_workbook(io.BytesIO(xlsx.get_data()))
    assert book.sheetnames == [
        "Toelichting",
        "finance",
        "finance_totals",
        "finance_expected",
        "finance_budget",
    ]
    sheet_row = next(r for r in book["finance"].iter_rows(values_only=True) if r[0] == "2021-03")
    assert sheet_row[1] == committed["n"] and sheet_row[2] == committed["amount"]
    totals = body["totals"]
    refused = next(
        r for r in book["finance_totals"].iter_rows(values_only=True) if r[0] == "Afgewezen"
    )
    assert refused[1:] == (totals["refused"]["n"], totals["refused"]["amount"])


def test_the_finance_page_has_its_chart_of_committed_spend(manager: FlaskClient) -> None:
    with freeze_time(TODAY):
        response = manager.get("/manager/", query_string={"figuur": "finance", **PERIOD})
    html = response.get_data(as_text=True)
    svg = re.search(r"<svg [^>]*role=\"img\"[^>]*>.*?</svg>", html, re.S)
    assert svg is not None and "Verplichtingen aan het eind van elke maand" in svg.group(0)
    assert "€ " in svg.group(0)  # the value axis is in euros
    assert "Verwachte declaraties per maand vanaf 2022-01" in html
    assert "naar rato van de verstreken geplande duur" in html
    assert "<script" not in html


def test_a_small_sum_is_hidden_on_the_page(
    client: FlaskClient, session: Session, world: World
) -> None:
    load(session, *hand_rows())
    with freeze_time(TODAY):
        login_as(client, world.manager)
        html = client.get("/manager/", query_string={"figuur": "finance", **PERIOD}).get_data(
            as_text=True
        )
    row = re.search(r'<th scope="row">2021-03</th>(.*?)</tr>', html, re.S)
    assert row is not None
    assert "&lt;5" in row.group(1)
    assert "4.450" not in row.group(1)


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "beheerder"])
def test_only_managers_see_the_finance_figure(
    client: FlaskClient, world: World, data: None, who: str
) -> None:
    with freeze_time(TODAY):
        login_as(client, getattr(world, who))
        for url in ("/manager/", "/manager/cijfers.csv", "/manager/cijfers.xlsx"):
            assert client.get(url, query_string={"figuur": "finance"}).status_code == 403
        # The API opens by a manager's token only, never by a session cookie.
        refused = client.get("/api/v1/stats/finance")
    assert refused.status_code in (401, 403)
    assert refused.get_json()["error"] in ("unauthorized", "forbidden")
