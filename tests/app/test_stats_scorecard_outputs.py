"""The provider scorecard on every output — the API's JSON, the manager's page "Aanbieders", its
CSV and XLSX, and the provider's own scorecard — all from ``report.scorecard``, and who may see
what: managers all providers, a provider only its own beside the municipality."""

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
from ..workflows.stats_helpers import TODAY, fact, load
from .helpers import login_as

D = date
PERIOD = {"from": "2021-07", "to": "2021-12", "domain": "jeugd"}


@pytest.fixture
def closed(session: Session, world: World) -> None:
    """Zorg A: six closed with the result on time (category b, € 1.000 each) and one late
    (category d); zorg B: two closed without a result."""
    a, b = world.zorg_a.agb_code, world.zorg_b.agb_code
    rows = [
        fact(f"a{n}", D(2021, 1, 1), D(2021, 9, 1), provider_agb=a, planned_end=D(2021, 9, 30),
             result_achieved=True, closure_category="b", price="1000.00")
        for n in range(6)
    ]  # fmt: skip
    rows.append(
        fact("late", D(2021, 1, 1), D(2021, 10, 1), provider_agb=a, planned_end=D(2021, 9, 1),
             result_achieved=True, closure_category="d", price="1000.00")
    )  # fmt: skip
    rows += [
        fact(f"b{n}", D(2021, 1, 1), D(2021, 11, 1), provider_agb=b, result_achieved=False,
             closure_category="c")
        for n in range(2)
    ]  # fmt: skip
    load(session, *rows)


def table(body: str, key: str) -> list[list[str]]:
    found = re.search(rf'<table id="tabel-{key}">(.*?)</table>', body, re.S)
    assert found is not None, key
    return [
        [html.unescape(c).strip() for c in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ][1:]


def test_api_page_csv_xlsx_and_portal_show_the_same_scorecard(
    client: FlaskClient, session: Session, world: World, closed: None
) -> None:
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    session.flush()
    with freeze_time(TODAY):
        answer = client.get(
            "/api/v1/stats/providers", query_string=PERIOD,
            headers={"Authorization": f"Bearer {secret}"},
        )  # fmt: skip
        document = client.get("/api/v1/openapi.json").get_json()
        login_as(client, world.manager)
        body = client.get("/manager/aanbieders", query_string=PERIOD).get_data(as_text=True)
        csv_text = client.get("/manager/aanbieders.csv", query_string=PERIOD).get_data()
        xlsx = client.get("/manager/aanbieders.xlsx", query_string=PERIOD).get_data()
    assert answer.status_code == 200
    json = answer.get_json()
    Draft202012Validator(
        {"$ref": "#/components/schemas/Scorecard", "components": document["components"]}
    ).validate(json)
    by_agb = {p["agb"]: p for p in json["providers"]}
    zorg_a = by_agb[world.zorg_a.agb_code]
    assert zorg_a["name"] == world.zorg_a.name
    # 7 closed, 6 on time and 1 late (perturbed by at most 2; 1 … 4 as 0 or 5)
    assert abs(zorg_a["closed"] - 7) <= 2 and abs(zorg_a["achieved_on_time"] - 6) <= 2
    assert zorg_a["achieved_late"] in (0, 5) and zorg_a["category_d"] in (0, 5)
    # € 7.000, published by the one rule for money (moved by ½ to 2 times the mean of € 1.000,
    # up or down), over the published number of achieved results (7, perturbed)
    published_total = zorg_a["price_per_achieved_result"] * zorg_a["achieved"]
    assert 500 - 1 <= abs(published_total - 7000) <= 2000 + 1
    zorg_b = by_agb[world.zorg_b.agb_code]
    assert zorg_b["price_per_achieved_result"] is None  # no result achieved
    assert json["municipality"]["closed"] >= 5

    def expected(name: str, agb: str, column: dict[str, Any]) -> list[str]:
        def pct(value: float | None) -> str:
            return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")

        price = column["price_per_achieved_result"]
        median = column["decision_to_start"]["km_median_days"]
        return [
            name, agb, str(column["closed"]), str(column["achieved_on_time"]),
            pct(column["share_achieved_on_time"]), str(column["achieved_late"]),
            pct(column["share_achieved_late"]), str(column["category_b"]),
            str(column["category_d"]), str(column["decision_to_start"]["n"]),
            "—" if median is None else str(median), str(column["returned"]),
            str(column["scaling_requests"]), str(column["achieved"]),
            "<5" if "price_per_achieved_result" in column["suppressed"]
            else "—" if price is None else price,
        ]  # fmt: skip

    rows = table(body, "scorecard")
    assert rows[-1][:3] == ["Gemeente (alle aanbieders)", "", str(json["municipality"]["closed"])]
    a_row = next(r for r in rows if r[1] == world.zorg_a.agb_code)
    wanted = expected(world.zorg_a.name, world.zorg_a.agb_code, zorg_a)
    assert a_row[:14] == wanted[:14]
    assert a_row[14].startswith("€") and a_row[14].replace(".", "").replace(",", ".").endswith(
        f"{zorg_a['price_per_achieved_result']:.2f}"
    )
    # the CSV: the same counts, the price as a number with a decimal comma
    lines = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig")), delimiter=";"))
    csv_a = next(line for line in lines if len(line) > 1 and line[1] == world.zorg_a.agb_code)
    assert csv_a[2:4] == [str(zorg_a["closed"]), str(zorg_a["achieved_on_time"])]
    assert float(csv_a[14].replace(",", ".")) == zorg_a["price_per_achieved_result"]
    # the XLSX: numbers stay numbers
    sheet = list(load_workbook(io.BytesIO(xlsx))["scorecard"].iter_rows(values_only=True))
    xlsx_a = next(r for r in sheet if r[1] == world.zorg_a.agb_code)
    assert xlsx_a[2] == zorg_a["closed"] and xlsx_a[14] == zorg_a["price_per_achieved_result"]
    # the provider's portal: its own row and the municipality's, the same values
    with freeze_time(TODAY):
        login_as(client, world.aanbieder_a)
        portal = client.get("/aanbieder/scorekaart", query_string=PERIOD)
    assert portal.status_code == 200
    portal_rows = table(portal.get_data(as_text=True), "scorecard")
    assert [r[1] for r in portal_rows] == [world.zorg_a.agb_code, ""]
    assert portal_rows[0][:14] == wanted[:14]
    assert world.zorg_b.name not in portal.get_data(as_text=True)


def test_a_provider_never_sees_another_providers_scorecard(
    client: FlaskClient, world: World, closed: None
) -> None:
    with freeze_time(TODAY):
        login_as(client, world.aanbieder_a)
        own = client.get(f"/aanbieder/scorekaart/{world.zorg_a.id}", query_string=PERIOD)
        other = client.get(f"/aanbieder/scorekaart/{world.zorg_b.id}", query_string=PERIOD)
        manager_page = client.get("/manager/aanbieders", query_string=PERIOD)
        api = client.get("/api/v1/stats/providers", query_string=PERIOD)
    assert own.status_code == 200
    assert other.status_code == 404
    assert manager_page.status_code == 403
    assert api.status_code == 401  # the API takes tokens, never the session


@pytest.mark.parametrize("who", ["gids", "beheerder"])
def test_only_managers_see_the_providers_side_by_side(
    client: FlaskClient, world: World, who: str
) -> None:
    with freeze_time(TODAY):
        login_as(client, getattr(world, who))
        for url in ("/manager/aanbieders", "/manager/aanbieders.csv", "/manager/aanbieders.xlsx",
                    "/aanbieder/scorekaart"):  # fmt: skip
            assert client.get(url).status_code == 403, url


def test_a_filter_is_refused_with_a_dutch_message(
    client: FlaskClient, world: World, closed: None
) -> None:
    with freeze_time(TODAY):
        login_as(client, world.manager)
        page = client.get("/manager/aanbieders", query_string={**PERIOD, "wijk": "Dronten"})
    assert page.status_code == 400
    assert "kent alleen periode en domein" in page.get_data(as_text=True)
