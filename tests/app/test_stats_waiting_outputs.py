"""The waits with the still-waiting censored and the unmet demand agree on every output: the
API's JSON, the dashboard's tables, the CSV and the XLSX (all from ``report.waiting_times``)."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from workflows.stats.admin import issue_token

from ..factories import World
from ..workflows.stats_helpers import TODAY, fact, load, request
from .helpers import login_as

D = date
PERIOD = {"figuur": "waiting-times", "from": "2021-07", "to": "2021-12", "domain": "jeugd"}
STAGES = ("Aanmelding, nog geen besluit", "Besluit, zorg nog niet gestart")


@pytest.fixture
def rows(session: Session) -> None:
    """Seven of each: requests decided after 10 and 30 days, one still waiting, one refused and
    one closed without follow-up in October; decisions started after 20 days, and twice as
    many not yet."""
    made: list[Any] = []
    for n in range(7):
        made += [
            request(f"a{n}", D(2021, 7, 1), D(2021, 7, 11)),
            request(f"b{n}", D(2021, 8, 1), D(2021, 8, 31)),
            request(f"c{n}", D(2021, 12, 1)),
            request(f"r{n}", D(2021, 9, 1), D(2021, 10, 4), outcome="afgewezen"),
            request(f"g{n}", D(2021, 6, 1), D(2021, 10, 8), outcome="geen_vervolg"),
            fact(f"d{n}", D(2021, 9, 21), decision_date=D(2021, 9, 1)),
            fact(f"e{n}", None, decision_date=D(2021, 11, 1)),
            fact(f"f{n}", None, decision_date=D(2021, 12, 1)),
        ]
    load(session, *made)


def table(body: str, key: str) -> list[list[str]]:
    found = re.search(rf'<table id="tabel-{key}">(.*?)</table>', body, re.S)
    assert found is not None, key
    return [
        [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ][1:]


def test_api_dashboard_csv_and_xlsx_show_the_same_waits_and_unmet_demand(
    client: FlaskClient, session: Session, world: World, rows: None
) -> None:
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    session.flush()
    params = {k: v for k, v in PERIOD.items() if k != "figuur"}
    with freeze_time(TODAY):
        answer = client.get(
            "/api/v1/stats/waiting-times",
            query_string=params,
            headers={"Authorization": f"Bearer {secret}"},
        )
        document = client.get("/api/v1/openapi.json").get_json()
        login_as(client, world.manager)
        body = client.get("/manager/", query_string=PERIOD).get_data(as_text=True)
        csv_text = (
            client.get("/manager/cijfers.csv", query_string=PERIOD).get_data().decode("utf-8-sig")
        )
        book = load_workbook(
            io.BytesIO(client.get("/manager/cijfers.xlsx", query_string=PERIOD).get_data())
        )
    assert answer.status_code == 200
    json = answer.get_json()
    Draft202012Validator(
        {"$ref": "#/components/schemas/WaitingTimes", "components": document["components"]}
    ).validate(json)
    waits = json["censored_waits"]
    assert waits["reference_date"] == "2021-12-31" and waits["not_applicable"] == []
    request_stage, decision_stage = waits["stages"]["request"], waits["stages"]["decision"]
    # 28 requests made in the period: 7 after 10 days, 7 after 30, 7 refused after 33, and
    # 7 still waiting (30 days at R); S(10) = 3/4, S(30) = 3/4 · 2/3 = ½: the median is 30
    assert request_stage["km_median_days"] == 30
    assert all(abs(request_stage[c] - n) <= 2 for c, n in (("n", 28), ("ended", 21)))
    assert decision_stage["km_median_days"] is None  # S(20) = 2/3: two thirds still wait
    unmet = json["unmet_demand"]
    october = unmet["months"][3]
    assert october["month"] == "2021-10"
    assert all(abs(october[c] - n) <= 2 for c, n in (("refused", 7), ("no_follow_up", 7)))
    assert abs(october["total"] - 14) <= 2 and abs(unmet["period"]["total"] - 14) <= 2

    def numbers(stage: dict[str, Any]) -> list[str]:
        median = stage["km_median_days"]
        return [str(stage[c]) for c in ("n", "ended", "censored")] + [
            "—" if median is None else str(median)
        ]

    expected_waits = [
        [STAGES[0], *numbers(request_stage)],
        [STAGES[1], *numbers(decision_stage)],
    ]
    cells = ("refused", "no_follow_up", "total")
    expected_unmet = [[m["month"], *[str(m[c]) for c in cells]] for m in unmet["months"]]
    expected_unmet.append(["Hele periode", *[str(unmet["period"][c]) for c in cells]])
    # the dashboard
    assert table(body, "censored_waits") == expected_waits
    assert table(body, "unmet_demand") == expected_unmet
    assert 'data-source="unmet_demand"' in body or "Onvervulde vraag per maand" in body
    # the CSV: each table under its title
    lines = list(csv.reader(io.StringIO(csv_text), delimiter=";"))
    at = next(i for i, line in enumerate(lines) if line and line[0].startswith("Onvervulde"))
    assert lines[at + 1] == ["Maand", "Afgewezen", "Geen vervolg", "Totaal"]
    assert lines[at + 2 : at + 2 + len(expected_unmet)] == expected_unmet
    at = next(i for i, line in enumerate(lines) if line and line[0].startswith("Wachttijden van"))
    assert [line[:4] for line in lines[at + 2 : at + 4]] == [w[:4] for w in expected_waits]
    assert lines[at + 2][4] == str(request_stage["km_median_days"])
    assert lines[at + 3][4] == ""  # no median: empty in the CSV
    # the XLSX: a sheet per table, numbers as numbers
    sheet = list(book["unmet_demand"].iter_rows(values_only=True))[2:]
    assert [[str(v) for v in row] for row in sheet] == expected_unmet
    waits_sheet = list(book["censored_waits"].iter_rows(values_only=True))[2:]
    assert waits_sheet[0] == (STAGES[0], *[request_stage[c] for c in ("n", "ended", "censored")],
                              request_stage["km_median_days"])  # fmt: skip


def test_a_trajectory_filter_makes_the_request_figures_not_applicable(
    client: FlaskClient, session: Session, world: World, rows: None
) -> None:
    with freeze_time(TODAY):
        login_as(client, world.manager)
        body = client.get("/manager/", query_string={**PERIOD, "provider": "12345678"}).get_data(
            as_text=True
        )
    assert table(body, "censored_waits")[0] == [STAGES[0], *["n.v.t."] * 4]
    assert table(body, "unmet_demand") == [["Hele periode", *["n.v.t."] * 3]]
