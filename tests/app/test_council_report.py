"""The council report (docs/statistics.md, "Council report"): a small municipality computed by
hand (a trajectory that starts and ends in one month, a price that deviates from the tariff, a
refused claim, population figures for the rates); the page, the XLSX, the PDF and the API
agree with each other and with the published flows, results and finance of the same periods;
a hidden value stays hidden with an empty difference, and no choice of domain or period
reveals it; the commentary is saved, change-logged, shown in every output and kept on error;
a partial year is labelled and compared over the same months."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.statistics import published, query_from
from models import ConfigChange, CouncilComment, Domain, PopulationFigure, StatsTrajectory
from workflows import council as council_wf
from workflows.errors import DomainError
from workflows.stats.admin import issue_token

from ..factories import World
from ..workflows.stats_helpers import TODAY, load
from ..workflows.test_stats_finance import money_fact
from .helpers import csrf_token, field_error, input_value, login_as
from .test_stats_api import validator

D = date
PAGE = "/manager/raadsrapportage"
KEYS = council_wf.FIGURE_KEYS


def municipality() -> list[StatsTrajectory]:
    """Five Jeugd clients of each kind (no count under the threshold), two Wmo clients in 2020
    (their money hidden) and five in 2021."""
    rows = []
    for n in range(5):
        rows += [
            # Starts and ends in March 2020, result on time; claimed and approved in April.
            money_fact(
                f"a{n}", D(2020, 2, 1), D(2020, 3, 1), D(2020, 3, 20),
                planned_end=D(2020, 3, 31), result_achieved=True, closure_category="a",
                price="1000.00", tariff="1000.00",
                claim=("goedgekeurd", "1000.00", "2020-04", "2020-04"),
            ),
            # Price deviates from the tariff; result reached after the planned end (closed in
            # 2021); the claim refused in March 2021.
            money_fact(
                f"b{n}", D(2020, 6, 1), D(2020, 6, 15), D(2021, 2, 10),
                planned_end=D(2020, 12, 31), result_achieved=True, closure_category="a",
                price="2000.00", tariff="1500.00",
                claim=("afgewezen", "2000.00", "2021-03", "2021-03"),
            ),
            # Decided in January 2021, care from February 2021 and still going on.
            money_fact(f"c{n}", D(2021, 1, 5), D(2021, 2, 1), None, price="4000.00"),
            money_fact(
                f"v{n}", D(2021, 2, 1), D(2021, 3, 1), None, domain="wmo", price="600.00"
            ),
        ]  # fmt: skip
    rows += [
        money_fact(f"w{n}", D(2020, 4, 1), D(2020, 5, 1), None, domain="wmo", price="500.00")
        for n in range(2)
    ]
    return rows


# By hand, Jeugd, 2020 and 2021 (with the noise switched off: counts of k or more exact, money
# over k or more trajectories exact to the euro).
JEUGD = {
    # clients with care in the year: a and b in 2020; b (to February) and c in 2021
    "clients_in_care": (10, 10, 0),
    # clients starting per month over 12 months: 2020 March 5 + June 5; 2021 February 5
    "inflow": (0.8, 0.4, -0.4),
    # clients ending: 2020 March 5; 2021 February 5
    "outflow": (0.4, 0.4, 0.0),
    # closed 2020: the five a's, on time; closed 2021: the five b's, late
    "achieved_on_time": (1.0, 0.0, -1.0),
    "achieved_late": (0.0, 1.0, 1.0),
    # decisions in 2020: 5 × 1,000 + 5 × 2,000; in 2021: 5 × 4,000
    "committed": (15000.0, 20000.0, 5000.0),
    # approved in April 2020: 5 × 1,000; the 2021 claims refused
    "approved": (5000.0, 0.0, -5000.0),
    # started in 2020: 15,000 over 10 clients; in 2021: 20,000 over 5
    "mean_price_per_client": (1500.0, 4000.0, 2500.0),
    # 10 clients per 10,000 inhabitants, both years
    "clients_per_1000_inhabitants": (1.0, 1.0, 0.0),
    # households with a decision running: 10 of 4,000 (2020), 10 of 5,000 (2021)
    "households_per_1000_households": (2.5, 2.0, -0.5),
}


@pytest.fixture
def data(session: Session) -> None:
    load(session, *municipality())
    session.add_all(
        [
            PopulationFigure(year=2020, inhabitants=10_000, households=4_000),
            PopulationFigure(year=2021, inhabitants=10_000, households=5_000),
        ]
    )
    session.flush()


@pytest.fixture
def no_noise(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "STATS_MAX_DEVIATION", 0)
    monkeypatch.setitem(app.config, "STATS_VARIANCE", 0.0)


@pytest.fixture
def token(session: Session, world: World, data: None) -> str:
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="raad")
    session.flush()
    return secret


def api(client: FlaskClient, token: str, today: date = TODAY, **params: str) -> Any:
    with freeze_time(today):
        return client.get(
            "/api/v1/stats/council",
            query_string=params,
            headers={"Authorization": f"Bearer {token}"},
        )


def rows_of(body: dict[str, Any], domain: str) -> dict[str, dict[str, Any]]:
    (part,) = [d for d in body["domains"] if d["domain"] == domain]
    return {row["figure"]: row for row in part["rows"]}


@pytest.mark.usefixtures("no_noise")
def test_the_figures_computed_by_hand(client: FlaskClient, token: str) -> None:
    response = api(client, token)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    validator(client, "Council").validate(body)
    assert (body["year"], body["partial"], body["labels"]) == (
        2021, False, {"last_year": "2020", "this_year": "2021"}
    )  # fmt: skip
    rows = rows_of(body, "jeugd")
    assert list(rows) == list(KEYS)
    for key, (last, this, difference) in JEUGD.items():
        row = rows[key]
        assert (row["last_year"], row["this_year"], row["difference"]) == (
            last, this, difference
        ), key  # fmt: skip
        assert row["suppressed"] == []
    (jeugd,) = [d for d in body["domains"] if d["domain"] == "jeugd"]
    assert jeugd["flow_months"]["this_year"] == {"months_counted": 12, "excluded_months": []}


def test_a_hidden_value_stays_hidden_and_its_difference_empty(
    client: FlaskClient, token: str
) -> None:
    """Two Wmo clients started in 2020: their money is hidden, and so the difference."""
    wmo = rows_of(api(client, token).get_json(), "wmo")
    for key in ("mean_price_per_client", "committed"):
        assert wmo[key]["suppressed"] == ["last_year"], key
        assert wmo[key]["last_year"] is None and wmo[key]["difference"] is None
        assert wmo[key]["this_year"] is not None


def _expected(year: int, through: int, domain: str) -> dict[str, tuple[Any, bool]]:
    """Figure key → (value, hidden) straight from the published figures of the period."""
    period = {"from": f"{year}-01", "to": f"{year}-{through:02d}", "domain": domain}
    results = published("results", query_from(period))
    finance = published("finance", query_from(period))
    flows = published("flows", query_from({**period, "unit": "client"})).yearly[0]
    (row,) = results.years
    totals = finance.totals
    return {
        "clients_in_care": (row["clients_in_care"], False),
        "inflow": (flows.mean_instroom, False),
        "outflow": (flows.mean_uitstroom, False),
        "achieved_on_time": (results.result["share_achieved_on_time"], False),
        "achieved_late": (results.result["share_achieved_late"], False),
        "committed": (
            totals["new_commitments"]["amount"],
            "new_commitments.amount" in totals["suppressed"],
        ),
        "approved": (totals["approved"]["amount"], "approved.amount" in totals["suppressed"]),
        "mean_price_per_client": (
            row["mean_price_per_client"], "mean_price_per_client" in row["suppressed"]
        ),
        "clients_per_1000_inhabitants": (row["clients_per_1000_inhabitants"], False),
        "households_per_1000_households": (row["households_per_1000_households"], False),
    }  # fmt: skip


@pytest.mark.parametrize(("today", "through"), [(TODAY, 12), (D(2021, 11, 10), 10)])
def test_every_value_is_the_published_value_of_its_period(
    app: Flask, client: FlaskClient, token: str, today: date, through: int
) -> None:
    """With the noise on: each value is the published figure's for January … ``through`` of
    each year — so the report reveals nothing the published figures do not, whether asked
    with a domain or without, for a whole year or a partial one."""
    body = api(client, token, today, year="2021").get_json()
    with_domain = {d: api(client, token, today, year="2021", domain=d).get_json() for d in
                   ("wmo", "jeugd")}  # fmt: skip
    with app.test_request_context(), freeze_time(today):
        for domain in ("wmo", "jeugd"):
            assert rows_of(with_domain[domain], domain) == rows_of(body, domain)
            expected = {
                2020: _expected(2020, through, domain),
                2021: _expected(2021, through, domain),
            }
            for key, row in rows_of(body, domain).items():
                for side, year in (("last_year", 2020), ("this_year", 2021)):
                    value, hidden = expected[year][key]
                    assert row[side] == (None if hidden else value), (domain, key, side)
                    assert (side in row["suppressed"]) == hidden
                if row["suppressed"]:
                    assert row["difference"] is None


def test_a_partial_year_compares_the_same_months(client: FlaskClient, token: str) -> None:
    body = api(client, token, D(2021, 11, 10), year="2021").get_json()
    assert (body["partial"], body["last_month"]) == (True, 10)
    assert body["labels"] == {"last_year": "2020 (t/m oktober)", "this_year": "2021 (t/m oktober)"}
    (jeugd,) = [d for d in body["domains"] if d["domain"] == "jeugd"]
    assert jeugd["flow_months"]["last_year"]["months_counted"] == 10
    # The default year then is the last complete one.
    assert api(client, token, D(2021, 11, 10)).get_json()["year"] == 2020
    assert api(client, token, D(2022, 1, 3)).get_json()["year"] == 2021


@pytest.mark.parametrize(
    ("params", "parameter", "text"),
    [
        ({"year": "twintig"}, "year", "vier cijfers"),
        ({"year": "2022"}, "year", "Kies een jaar van 2001 tot en met 2021"),
        ({"year": "2000"}, "year", "Kies een jaar"),
        ({"year": "2021", "domain": "zorg"}, "domain", "Onbekend domein"),
    ],
)
def test_a_bad_year_or_domain_is_a_400_in_dutch(
    client: FlaskClient, token: str, params: dict[str, str], parameter: str, text: str
) -> None:
    response = api(client, token, **params)
    assert response.status_code == 400
    body = response.get_json()
    validator(client, "Error").validate(body)
    assert [p["parameter"] for p in body["problems"]] == [parameter]
    assert text in body["message"]


def log_in(client: FlaskClient, user: Any, today: date = TODAY) -> None:
    with freeze_time(today):  # a session opened at the frozen time
        login_as(client, user)


def page_text(client: FlaskClient, **params: str) -> str:
    with freeze_time(TODAY):
        response = client.get(PAGE, query_string=params)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _open(client: FlaskClient) -> Any:
    """The commentary form of 2021 as the page shows it."""
    with freeze_time(TODAY):
        page = client.get(PAGE, query_string={"year": "2021"})
    assert page.status_code in (200, 422), page.status_code
    return page


def _send(client: FlaskClient, page: Any, texts: dict[str, str]) -> Any:
    """Post ``texts`` with the form of ``page`` (its token and what it showed)."""
    name, token = csrf_token(page)
    basis = input_value(page.get_data(as_text=True), "basis")
    with freeze_time(TODAY):
        return client.post(
            f"{PAGE}?year=2021", data={name: token, "basis": html.unescape(basis or ""), **texts}
        )


def _save(client: FlaskClient, texts: dict[str, str]) -> Any:
    return _send(client, _open(client), texts)


@pytest.mark.usefixtures("data", "no_noise")
def test_page_xlsx_pdf_and_api_agree_and_carry_the_commentary(
    client: FlaskClient, session: Session, world: World, token: str
) -> None:
    log_in(client, world.manager)
    assert "Raadsrapportage" in page_text(client)  # the manager's menu links to it
    response = _save(client, {"jeugd_committed": "Meer beschikkingen\ndoor de wachtlijst."})
    assert response.status_code == 302
    body = api(client, token, year="2021").get_json()
    assert rows_of(body, "jeugd")["committed"]["commentary"] == (
        "Meer beschikkingen\ndoor de wachtlijst."
    )
    page = page_text(client, year="2021")
    assert "Meer beschikkingen\ndoor de wachtlijst." in page
    # The Jeugd table on the page: label, 2020, 2021, difference, as the API gave them.
    table = page[page.index('id="tabel-raad-jeugd"') :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                    table, re.S)]  # fmt: skip
    row = cells[cells.index("Nieuwe verplichtingen") :][:4]
    assert row == ["Nieuwe verplichtingen", "€ 15.000,00", "€ 20.000,00", "€ 5.000,00"]
    row = cells[cells.index("Cliënten per 1.000 inwoners") :][:4]
    assert row == ["Cliënten per 1.000 inwoners", "1,0", "1,0", "0,0"]
    # A difference of shares in percentage points, not as a percentage of a percentage.
    row = cells[cells.index("Resultaat behaald, op tijd") :][:4]
    assert row == ["Resultaat behaald, op tijd", "100,0%", "0,0%", "-100,0 procentpunt"]

    with freeze_time(TODAY):
        xlsx = client.get("/manager/raadsrapportage.xlsx", query_string={"year": "2021"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    sheet = book["raad-jeugd"]
    values = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    api_rows = rows_of(body, "jeugd")
    for key in KEYS:
        label = api_rows[key]["label"]
        assert list(values[label][:3]) == [
            api_rows[key]["last_year"], api_rows[key]["this_year"], api_rows[key]["difference"]
        ], key  # fmt: skip
    assert values["Nieuwe verplichtingen"][3] == "Meer beschikkingen\ndoor de wachtlijst."
    definitions = [r for r in book["definities"].iter_rows(min_row=3, values_only=True)]
    assert [d[1] for d in definitions] == [d["definition"] for d in body["definitions"]]

    with freeze_time(TODAY):
        pdf = client.get("/manager/raadsrapportage.pdf", query_string={"year": "2021"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    flat = " ".join(text.split())
    assert "Raadsrapportage 2021" in flat
    assert "Nieuwe verplichtingen € 15.000,00 € 20.000,00 € 5.000,00" in flat
    assert "Meer beschikkingen door de wachtlijst." in flat
    assert "Definities" in flat and "Prijs per cliënt" in flat


@pytest.mark.usefixtures("data")
def test_hidden_cells_read_below_k_in_every_output(client: FlaskClient, world: World) -> None:
    log_in(client, world.manager)
    page = page_text(client, year="2021")
    table = page[page.index('id="tabel-raad-wmo"') :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                    table, re.S)]  # fmt: skip
    row = cells[cells.index("Prijs per cliënt") :][:4]
    assert row[1] == "<5" and row[3] == "—"
    with freeze_time(TODAY):
        xlsx = client.get("/manager/raadsrapportage.xlsx", query_string={"year": "2021"})
    values = {r[0]: r[1:] for r in load_workbook(io.BytesIO(xlsx.data))["raad-wmo"].iter_rows(
        min_row=3, values_only=True)}  # fmt: skip
    assert values["Prijs per cliënt"][0] == "<5" and values["Prijs per cliënt"][2] is None


@pytest.mark.usefixtures("data")
def test_commentary_is_change_logged_kept_on_error_and_limited(
    client: FlaskClient, session: Session, world: World
) -> None:
    log_in(client, world.manager)
    assert _save(client, {"wmo_inflow": "Eerste versie."}).status_code == 302
    assert _save(client, {"wmo_inflow": "Tweede versie."}).status_code == 302
    row = session.scalars(select(CouncilComment)).one()
    assert (row.year, row.domain, row.figure, row.text) == (2021, Domain.WMO, "inflow",
                                                            "Tweede versie.")  # fmt: skip
    assert row.updated_by_id == world.manager.id
    log = session.scalars(
        select(ConfigChange).where(ConfigChange.object_type == "raadsrapportage")
        .order_by(ConfigChange.id)
    ).all()  # fmt: skip
    assert [(c.action, c.field, c.old, c.new) for c in log] == [
        ("aangemaakt", "text", None, "Eerste versie."),
        ("gewijzigd", "text", "Eerste versie.", "Tweede versie."),
    ]
    assert all(c.user_id == world.manager.id for c in log)
    # Too long: a Dutch message at the field, everything typed kept, nothing saved.
    long = "x" * 2001
    response = _save(client, {"wmo_inflow": "Derde versie.", "jeugd_approved": long})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "ten hoogste 2000" in field_error(body, "jeugd_approved")
    assert long in body and "Derde versie." in body
    assert session.scalars(select(CouncilComment.text)).all() == ["Tweede versie."]
    # Emptied: removed, and logged.
    assert _save(client, {"wmo_inflow": ""}).status_code == 302
    assert session.scalars(select(CouncilComment)).all() == []
    assert session.scalars(
        select(ConfigChange.action).where(ConfigChange.object_type == "raadsrapportage")
        .order_by(ConfigChange.id.desc())
    ).first() == "verwijderd"  # fmt: skip


@pytest.mark.usefixtures("data")
def test_only_a_manager_writes_commentary_and_only_with_the_form_token(
    client: FlaskClient, session: Session, world: World
) -> None:
    for who in ("gids", "beheerder", "aanbieder_a"):
        log_in(client, getattr(world, who))
        with freeze_time(TODAY):
            for url in (PAGE, f"{PAGE}.pdf", f"{PAGE}.xlsx"):
                assert client.get(url).status_code == 403, (who, url)
            assert client.post(PAGE, data={"wmo_inflow": "x"}).status_code in (400, 403)
    log_in(client, world.manager)
    with freeze_time(TODAY):
        assert client.post(PAGE, data={"wmo_inflow": "x"}).status_code == 400  # no CSRF token
        name, value = csrf_token(client.get(PAGE))
    assert session.scalars(select(CouncilComment)).all() == []
    with pytest.raises(DomainError):
        council_wf.save_comments(session, world.beheerder, 2021, {(Domain.WMO, "inflow"): "x"}, {})
    assert name == "csrf_token" and value


@pytest.mark.usefixtures("data")
def test_the_page_labels_a_partial_year_and_refuses_a_bad_year(
    client: FlaskClient, world: World
) -> None:
    log_in(client, world.manager, D(2021, 11, 10))
    with freeze_time(D(2021, 11, 10)):
        page = html.unescape(client.get(PAGE, query_string={"year": "2021"}).get_data(as_text=True))
        bad = client.get(PAGE, query_string={"year": "3000"})
    assert "2021 (t/m oktober)" in page and "2020 (t/m oktober)" in page
    assert bad.status_code == 400
    assert "Kies een jaar van 2001 tot en met 2021" in html.unescape(bad.get_data(as_text=True))


@pytest.mark.usefixtures("data")
def test_a_commentary_changed_by_another_manager_meanwhile_is_not_overwritten(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    """Two managers with the page open: the second save does not wipe out the first one's text
    unseen; it is refused with that text at the field, what was typed stays, and saving again
    from the page shown then overwrites it knowingly. A double submit is no conflict."""
    other = app.test_client()
    log_in(client, world.manager)
    log_in(other, world.manager)  # another manager, or the same in another window
    stale = _open(client)
    assert _save(other, {"wmo_inflow": "Tekst van de collega."}).status_code == 302
    response = _send(client, stale, {"wmo_inflow": "Mijn tekst.", "jeugd_inflow": "Ook van mij."})
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    assert "Tekst van de collega." in field_error(body, "wmo_inflow")
    assert "Mijn tekst." in body and "Ook van mij." in body  # nothing typed is lost
    texts = dict(session.execute(select(CouncilComment.figure, CouncilComment.text)).all())
    assert texts == {"inflow": "Tekst van de collega."}  # and nothing of the refused save
    # Saving again from the page that showed the message: now knowingly.
    again = _send(client, response, {"wmo_inflow": "Mijn tekst.", "jeugd_inflow": "Ook."})
    assert again.status_code == 302
    session.expire_all()
    assert sorted(session.scalars(select(CouncilComment.text)).all()) == ["Mijn tekst.", "Ook."]
    # The same form sent twice (a double click): the second is no change and no conflict.
    page = _open(client)
    first = _send(client, page, {"wmo_inflow": "Definitief.", "jeugd_inflow": "Ook."})
    second = _send(client, page, {"wmo_inflow": "Definitief.", "jeugd_inflow": "Ook."})
    assert (first.status_code, second.status_code) == (302, 302)
    assert session.scalars(
        select(ConfigChange.new).where(ConfigChange.new == "Definitief.")
    ).all() == ["Definitief."]


def test_a_difference_is_rounded_as_shown_and_never_minus_zero(app: Flask) -> None:
    # Imported here: app.council is imported through the app package, which the fixture loads.
    from app.council import CouncilRow
    from app.manager.downloads import format_cell
    from app.manager.presentation import Points

    row = CouncilRow("achieved_on_time", "share", 0.2114, 0.2113, [], None)
    assert row.difference == 0.0 and str(row.difference) == "0.0"
    with app.test_request_context():
        assert format_cell(Points(row.difference), 5) == "0,0 procentpunt"
        assert format_cell(Points(-0.0042), 5) == "-0,4 procentpunt"
    assert CouncilRow("inflow", "mean", 101.62, 101.6, [], None).difference == 0.0
