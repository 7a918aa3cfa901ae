"""The manager dashboard: every figure as SVG chart with its data table, filters, the CSV, XLSX
and PDF downloads, Dutch messages for bad filters — and only for managers."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from ..factories import World
from ..workflows.stats_helpers import TODAY, jeugd_times_five, load
from .helpers import login_as

FIGURES = ("flows", "intensity", "durations", "waiting-times", "results")
PERIOD = {"from": "2021-01", "to": "2021-04", "domain": "jeugd"}


@pytest.fixture
def manager(client: FlaskClient, session: Session, world: World) -> FlaskClient:
    load(session, *jeugd_times_five())
    with freeze_time(TODAY):  # the session cookie is signed with a timestamp
        login_as(client, world.manager)
    return client


def page(client: FlaskClient, url: str, **params: str) -> tuple[int, str]:
    with freeze_time(TODAY):
        response = client.get(url, query_string=params)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("figure", FIGURES)
def test_each_figure_has_an_accessible_chart_and_its_table(
    manager: FlaskClient, figure: str
) -> None:
    status, body = page(manager, "/manager/", figuur=figure, **PERIOD)
    assert status == 200
    assert "<script" not in body
    svg = re.search(r"<svg [^>]*role=\"img\"[^>]*>.*?</svg>", body, re.S)
    assert svg is not None
    assert "<title id=" in svg.group(0) and "<desc id=" in svg.group(0)
    assert "<caption>" in body and 'scope="col"' in body
    assert 'aria-current="page"' in body


def test_the_flows_table_shows_the_hand_computed_figures(manager: FlaskClient) -> None:
    _status, body = page(manager, "/manager/", unit="client", **PERIOD)
    row = re.search(r'<th scope="row">2021-02</th>(.*?)</tr>', body, re.S)
    assert row is not None
    shown = [int(v) for v in re.findall(r'<td class="num">([^<]*)</td>', row.group(1))]
    # The hand-computed 5, 15, 5, 15, perturbed by at most 2 (docs/statistics.md).
    assert all(abs(p - n) <= 2 for p, n in zip(shown, [5, 15, 5, 15], strict=True))
    assert "licht verstoord" in body


def test_a_filter_narrows_the_episodes(manager: FlaskClient) -> None:
    status, body = page(manager, "/manager/", intensity="zwaar", unit="client", **PERIOD)
    assert status == 200
    row = re.search(r'<th scope="row">2021-02</th>(.*?)</tr>', body, re.S)
    assert row is not None  # only the zwaar trajectories of d start in February
    assert re.findall(r'<td class="num">([^<]*)</td>', row.group(1)) == ["0", "5", "0", "5"]
    assert re.search(r'<option (selected )?value="zwaar"( selected)?>', body).group(0) != (
        '<option value="zwaar">'
    )


def test_small_numbers_are_never_shown_as_themselves(
    client: FlaskClient, session: Session, world: World
) -> None:
    from datetime import date

    from ..workflows.stats_helpers import fact

    load(session, fact("a", date(2021, 2, 3), None), fact("b", date(2021, 2, 4), None))
    with freeze_time(TODAY):
        login_as(client, world.manager)
    _status, body = page(client, "/manager/", **PERIOD)
    row = re.search(r'<th scope="row">2021-02</th>(.*?)</tr>', body, re.S)
    assert row is not None
    # Beginstand 0 and uitstroom 0 stay 0; instroom and eindstand 2 are shown as 0 or 5,
    # never as 1…4, and as the same value (the same two rows, hence the same cell key).
    cells = [int(v) for v in re.findall(r'<td class="num">([^<]*)</td>', row.group(1))]
    assert cells[0] == 0 and cells[2] == 0
    assert cells[1] in (0, 5) and cells[3] == cells[1]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2021-13"}, "maand 13 bestaat niet"),
        ({"from": "2021-05", "to": "2021-01"}, "ligt na"),
        ({"profile": "ONBEKEND"}, "Onbekende waarde"),
        ({"wijk": "Atlantis"}, "Onbekende waarde &#39;Atlantis&#39; voor het filter wijk"),
    ],
)
def test_bad_filters_give_a_dutch_message_and_400(
    manager: FlaskClient, params: dict[str, str], message: str
) -> None:
    status, body = page(manager, "/manager/", **params)
    assert status == 400
    assert "Controleer de filters" in body and message in body


def test_an_unknown_figure_is_400(manager: FlaskClient) -> None:
    assert page(manager, "/manager/", figuur="geheim")[0] == 400
    assert page(manager, "/manager/cijfers.csv", figuur="geheim")[0] == 400


def test_the_csv_download_is_for_dutch_excel(manager: FlaskClient) -> None:
    with freeze_time(TODAY):
        response = manager.get("/manager/cijfers.csv", query_string={"unit": "client", **PERIOD})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Maand;Beginstand;Instroom;Uitstroom;Eindstand" in text
    assert "licht verstoord" in text
    row = re.search(r"^2021-02;(\d+);(\d+);(\d+);(\d+)\r?$", text, re.M)
    assert row is not None
    shown = [int(v) for v in row.groups()]
    assert all(abs(p - n) <= 2 for p, n in zip(shown, [5, 15, 5, 15], strict=True))
    assert re.search(r"^2021;4;—;\d+(,\d)?;\d+(,\d)?\r?$", text, re.M)


def test_the_xlsx_download_keeps_numbers_as_numbers(manager: FlaskClient) -> None:
    with freeze_time(TODAY):
        response = manager.get(
            "/manager/cijfers.xlsx", query_string={"figuur": "intensity", **PERIOD}
        )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Toelichting", "intensity"]
    sheet = book["intensity"]
    rows = list(sheet.iter_rows(values_only=True))
    march = next(r for r in rows if r[0] == "2021-03")
    assert march[1:4] == (10, 0, 5)
    assert march[4] == pytest.approx(0.6667)


def test_every_download_says_the_figures_are_perturbed(manager: FlaskClient) -> None:
    """One notice, on the page, in the CSV, the XLSX and the PDF (the API and the CLI carry it
    in the JSON header: tests/app/test_stats_api.py, test_stats_cli.py)."""
    with freeze_time(TODAY):
        csv = manager.get("/manager/cijfers.csv", query_string=PERIOD).get_data()
        xlsx = manager.get("/manager/cijfers.xlsx", query_string=PERIOD).get_data()
        pdf = manager.get("/manager/monitor.pdf", query_string=PERIOD).get_data()
    assert "cijfers licht verstoord" in page(manager, "/manager/", **PERIOD)[1]
    assert "cijfers licht verstoord" in csv.decode("utf-8-sig")
    about = load_workbook(io.BytesIO(xlsx))["Toelichting"]
    assert any("cijfers licht verstoord" in str(v) for row in about.values for v in row)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "verstoord" in " ".join(text.split())


def test_the_pdf_monitor_has_every_figure(manager: FlaskClient) -> None:
    with freeze_time(TODAY):
        response = manager.get("/manager/monitor.pdf", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = " ".join(p.extract_text() for p in reader.pages)
    for heading in ("Monitor resultaatgericht werken", "Doorstroom", "Intensiteit", "Wachttijden"):
        assert heading in text
    assert "2021-02" in text


def test_the_pdf_refuses_a_bad_period(manager: FlaskClient) -> None:
    status, body = page(manager, "/manager/monitor.pdf", **{"from": "2021-13"})
    assert status == 400 and "maand 13 bestaat niet" in body


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "beheerder"])
def test_only_managers_see_the_statistics(client: FlaskClient, world: World, who: str) -> None:
    login_as(client, getattr(world, who))
    for url in (
        "/manager/",
        "/manager/cijfers.csv",
        "/manager/cijfers.xlsx",
        "/manager/monitor.pdf",
    ):
        assert client.get(url).status_code == 403


def test_the_web_app_reaches_the_figures_only_through_the_anonymising_report() -> None:
    """``workflows.stats.report`` is the one way out: nothing in app/ imports the raw figures."""
    from pathlib import Path

    app_dir = Path(__file__).resolve().parents[2] / "app"
    sources = {path: path.read_text() for path in app_dir.rglob("*.py")}
    assert len(sources) > 20
    for path, source in sources.items():
        assert "stats.figures" not in source and "stats import figures" not in source, path
        assert "stats.anonymity import protect" not in source, path


def test_a_label_that_looks_like_a_formula_stays_text_in_the_xlsx(app) -> None:
    import io as _io

    from openpyxl import load_workbook

    from app.manager.downloads import xlsx_bytes
    from app.manager.presentation import DataTable

    formula = '=HYPERLINK("http://x";"klik")'
    table = DataTable("wijken", "Per wijk", ["wijk", "aantal"], [[formula, 7]])
    header = {
        "suppression_threshold": 5,
        "filters": {"wijk": formula},
        "from": "2025-01",
        "to": "2025-12",
        "cutoff": "2026-10",
        "domain": None,
        "unit": "traject",
    }
    with app.test_request_context():
        data = xlsx_bytes("Titel", header, [table])
    book = load_workbook(_io.BytesIO(data))
    cell = book["wijken"]["A3"]
    assert (cell.data_type, cell.value) == ("s", formula)
    assert all(c.data_type == "s" for row in book.worksheets[0].iter_rows() for c in row if c.value)
