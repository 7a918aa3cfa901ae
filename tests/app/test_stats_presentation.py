"""How the published figures are shown: a year is a label (never "2.021"), a year the period
covers in part says which months, the waiting list now is in every output, hidden values
are marked in the charts, and the monitor PDF keeps words, amounts and charts whole."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_RIGHT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Table
from sqlalchemy.orm import Session

from app.manager.presentation import DataTable, Money, year_label
from app.pdf import CELL_PADDING, MonitorReportPdf
from app.statistics import FIGURE_NAMES, published, query_from
from models import StatsTrajectory

from ..factories import World
from ..workflows.stats_helpers import TODAY, fact, jeugd_times_five, load
from .helpers import login_as

# Two calendar years, each only in part: every year label is flagged.
PERIOD = {"from": "2020-03", "to": "2021-10", "domain": "jeugd"}
# "2.020", "2,021": a year that went through a number formatter.
YEAR_AS_NUMBER = re.compile(r"(?<![\d.,])20[.,]2\d(?!\d)|(?<![\d.,])2[.,]02\d(?!\d)")


def waiting(n: int) -> list[StatsTrajectory]:
    """``n`` trajectories with a decision and no start of care: the waiting list today."""
    return [fact(f"w{i}", None, None, decision_date=date(2021, 12, 1)) for i in range(n)]


def signed_in(
    client: FlaskClient, session: Session, world: World, *rows: StatsTrajectory
) -> FlaskClient:
    """The manager, signed in, over a feed of ``rows``."""
    load(session, *rows)
    with freeze_time(TODAY):  # the session cookie is signed with a timestamp
        login_as(client, world.manager)
    return client


@pytest.fixture
def manager(client: FlaskClient, session: Session, world: World) -> FlaskClient:
    return signed_in(client, session, world, *jeugd_times_five(), *waiting(6))


def get(client: FlaskClient, url: str, **params: str) -> bytes:
    with freeze_time(TODAY):
        response = client.get(url, query_string=params)
    assert response.status_code == 200, url
    return response.get_data()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


# --- years --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_page_or_download_shows_a_year_as_a_number(manager: FlaskClient, lang: str) -> None:
    with freeze_time(TODAY):
        manager.get(f"/taal/{lang}")
    outputs: dict[str, str] = {}
    for figure in FIGURE_NAMES:
        outputs[f"page {figure}"] = get(manager, "/manager/", figuur=figure, **PERIOD).decode()
        csv = get(manager, "/manager/cijfers.csv", figuur=figure, **PERIOD)
        outputs[f"csv {figure}"] = csv.decode("utf-8-sig")
        book = load_workbook(
            io.BytesIO(get(manager, "/manager/cijfers.xlsx", figuur=figure, **PERIOD))
        )
        outputs[f"xlsx {figure}"] = "\n".join(
            str(value)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for value in row
        )
    outputs["pdf"] = pdf_text(get(manager, "/manager/monitor.pdf", **PERIOD))
    assert "Gemeente Dronten" in outputs["pdf"]  # every PDF names the municipality
    for name, text in outputs.items():
        assert YEAR_AS_NUMBER.search(text) is None, (name, YEAR_AS_NUMBER.search(text))
    # the years are there, as labels
    assert ("2021 (t/m oktober)" if lang == "nl" else "2021 (up to October)") in outputs["pdf"]
    assert re.search(
        r"<th scope=\"row\">2020 \((vanaf maart|from March)\)</th>", outputs["page results"]
    )
    assert "2021" in outputs["csv flows"]


def test_the_command_line_shows_years_as_labels(app: Flask, session: Session) -> None:
    load(session, *jeugd_times_five())
    for figure in ("flows", "durations", "results"):
        with freeze_time(TODAY):
            result = app.test_cli_runner().invoke(
                args=["stats", figure, "--from", "2020-03", "--to", "2021-10"]
            )
        assert result.exit_code == 0, result.output
        assert YEAR_AS_NUMBER.search(result.output) is None, (figure, result.output)
        assert "2021" in result.output


def test_an_xlsx_year_is_a_text_label(manager: FlaskClient) -> None:
    book = load_workbook(
        io.BytesIO(get(manager, "/manager/cijfers.xlsx", figuur="results", **PERIOD))
    )
    years = [row[0] for row in book["years"].iter_rows(min_row=3, values_only=True)]
    assert years == ["2020 (vanaf maart)", "2021 (t/m oktober)"]


@pytest.mark.parametrize(
    ("start", "end", "year", "dutch", "english"),
    [
        ("2025-01", "2025-12", 2025, "2025", "2025"),
        ("2026-01", "2026-10", 2026, "2026 (t/m oktober)", "2026 (up to October)"),
        ("2024-03", "2025-12", 2024, "2024 (vanaf maart)", "2024 (from March)"),
        ("2024-03", "2025-12", 2025, "2025", "2025"),
        ("2024-03", "2024-10", 2024, "2024 (maart t/m oktober)", "2024 (March to October)"),
        ("2024-06", "2024-06", 2024, "2024 (alleen juni)", "2024 (June only)"),
    ],
)
def test_a_partial_year_says_which_months(
    request_context: None, start: str, end: str, year: int, dutch: str, english: str
) -> None:
    header = {"from": start, "to": end}
    assert year_label(year, header) == dutch
    with force_locale("en"):
        assert year_label(year, header) == english


# --- the waiting list now -----------------------------------------------------------------


STAGE_ROW = "Besluit, zorg nog niet gestart"
# waiting(6): six decisions of 1 December, 30 days before the reference date 31 December 2021
# (2 to 6 weeks); no request without a decision. Published: band, stage total and total.
STAGE_CELLS = [0, 6, 0, 0, 0, 6]


def test_the_waiting_list_now_is_on_the_dashboard_and_in_every_download(
    manager: FlaskClient,
) -> None:
    page = get(manager, "/manager/", figuur="waiting-times", **PERIOD).decode()
    table = re.search(r'<table id="tabel-waiting_now">.*?</table>', page, re.S)
    assert table is not None
    html = table.group(0)
    assert "<caption>Wachtlijst op 31 december 2021" in html
    assert '<th scope="col" class="num">2 tot 6 weken</th>' in html
    cells = "".join(f'<td class="num">{n}</td>' for n in STAGE_CELLS)
    assert f'<th scope="row">{STAGE_ROW}</th>{cells}' in html
    assert '<th scope="row">Alle wachtenden</th>' + '<td class="num">—</td>' * 5 in html
    assert re.search(r'<svg [^>]*id="grafiek-1".*?Wachtlijst naar wachtduur', page, re.S)

    csv = get(manager, "/manager/cijfers.csv", figuur="waiting-times", **PERIOD).decode("utf-8-sig")
    assert f"{STAGE_ROW};" + ";".join(map(str, STAGE_CELLS)) in csv

    book = load_workbook(
        io.BytesIO(get(manager, "/manager/cijfers.xlsx", figuur="waiting-times", **PERIOD))
    )
    rows = list(book["waiting_now"].iter_rows(min_row=3, values_only=True))
    assert (STAGE_ROW, *STAGE_CELLS) in rows

    pdf = pdf_text(get(manager, "/manager/monitor.pdf", **PERIOD))
    assert re.search(rf"{STAGE_ROW}\s+" + r"\s+".join(map(str, STAGE_CELLS)), pdf)


def test_a_short_waiting_list_is_never_shown_as_itself(
    client: FlaskClient, session: Session, world: World
) -> None:
    client = signed_in(client, session, world, *jeugd_times_five(), *waiting(2))
    page = get(client, "/manager/", figuur="waiting-times", **PERIOD).decode()
    shown = re.search(rf'<th scope="row">{STAGE_ROW}</th>((?:<td class="num">[^<]*</td>)+)', page)
    assert shown is not None
    values = re.findall(r'<td class="num">(\d+)</td>', shown.group(1))
    assert len(values) == 6 and set(values) <= {"0", "5"}  # 2, perturbed: 0 or k


def test_a_stage_the_filters_do_not_apply_to_says_so(manager: FlaskClient) -> None:
    """With a provider filter there is no request stage (a request has no provider yet): its
    row and the overall total read "n.v.t.", never 0; the chart draws the decisions only."""
    page = get(manager, "/manager/", figuur="waiting-times", provider="12345678", **PERIOD).decode()
    table = re.search(r'<table id="tabel-waiting_now">.*?</table>', page, re.S)
    assert table is not None
    na = '<td class="num">n.v.t.</td>'
    assert '<th scope="row">Aanmelding, nog geen besluit</th>' + na * 6 in table.group(0)
    assert '<td class="num">—</td>' * 5 + na + "</tr>" in table.group(0)
    chart = re.search(r'<svg [^>]*id="grafiek-1".*?</svg>', page, re.S)
    assert chart is not None and "Aanmelding, nog geen besluit" not in chart.group(0)
    assert "Besluit, zorg nog niet gestart" in chart.group(0)


# --- hidden values in the dashboard's charts ----------------------------------------------


def test_a_hidden_median_is_a_marked_gap_in_the_dashboard_chart(
    client: FlaskClient, session: Session, world: World
) -> None:
    """Counts are never hidden (they are perturbed); a median over fewer than k waits is."""
    decided = {"decision_date": date(2021, 1, 20)}
    client = signed_in(
        client,
        session,
        world,
        fact("a", date(2021, 2, 3), **decided),
        fact("b", date(2021, 2, 4), **decided),
    )
    page = get(
        client,
        "/manager/",
        figuur="waiting-times",
        **{"from": "2021-01", "to": "2021-04", "domain": "jeugd"},
    )
    svg = re.search(r'<svg [^>]*id="grafiek-2".*?</svg>', page.decode(), re.S).group(0)
    # February's two waits give no median: marked as hidden, not drawn as zero; January
    # (no waits at all) is simply empty
    assert re.search(r"<title>2021-02, Besluit . start: verborgen</title>", svg)
    assert "2021-01, Besluit" not in svg
    assert ">verborgen</text>" in svg  # the legend


# --- the monitor PDF ----------------------------------------------------------------------


def monitor(app: Flask, session: Session) -> MonitorReportPdf:
    load(session, *jeugd_times_five(), *waiting(6))
    with freeze_time(TODAY):
        query = query_from(PERIOD)
        sections = [(name, name, published(name, query)) for name in FIGURE_NAMES]
    return MonitorReportPdf(sections, TODAY)


def test_every_chart_is_kept_together_with_its_table(
    app: Flask, session: Session, request_context: None
) -> None:
    story = monitor(app, session).story()
    drawings = [f for f in story if isinstance(f, Drawing)]
    assert drawings == []  # none loose in the story
    kept = [f for f in story if isinstance(f, KeepTogether)]
    with_chart = [k for k in kept if any(isinstance(f, Drawing) for f in k._content)]
    # flows (two charts), intensity, durations, the waiting list, waiting times, the unmet
    # demand, results, finance (committed spend)
    assert len(with_chart) == 8
    for block in with_chart:
        assert isinstance(block._content[-1], Table)  # the chart's table closes its block


def test_the_pdf_table_columns_fit_their_longest_word_and_figures_are_right_aligned(
    app: Flask, session: Session, request_context: None
) -> None:
    document = monitor(app, session)
    table = DataTable(
        "years",
        "Kosten",
        ["Jaar", "Som trajectprijzen", "Huishoudens met beschikking", "Onderscheidingsvermogen"],
        [["2021 (t/m oktober)", Money(1234567.5), 12, 3]],
    )
    built = document.data_table(table)
    for column, header in enumerate(table.columns):
        longest = max(stringWidth(w, "Helvetica-Bold", 8) for w in header.split())
        assert built._colWidths[column] >= longest + 2 * CELL_PADDING
    amount = built._cellvalues[1][1]
    assert amount.text == "€&nbsp;1.234.567,50"  # one unbreakable line
    assert amount.style.alignment == TA_RIGHT
    assert built._cellvalues[0][2].style.alignment == TA_RIGHT  # its header too
    assert all(not p.style.splitLongWords for row in built._cellvalues for p in row)


def euro(value: float) -> str:
    """An amount as the pages and the PDF write it: "€ 35.000,00"."""
    return "€ " + f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_the_pdf_breaks_no_word_and_shows_amounts_in_euros(
    app: Flask, manager: FlaskClient
) -> None:
    text = pdf_text(get(manager, "/manager/monitor.pdf", **PERIOD)).replace("\xa0", " ")
    words = set(text.split())
    for header in ("Huishoudens met beschikking", "Gemiddelde prijs per cliënt", "Startjaar"):
        assert set(header.split()) <= words, header
    with app.test_request_context(), freeze_time(TODAY):
        years = published("results", query_from(PERIOD)).to_json()["years"]
    [year] = [y for y in years if y["year"] == 2021]
    # 2021 until October: 35 trajectories of € 1.000 started by 20 clients (€ 1.750 each). The
    # sum of money is published as every sum (moved by ½ … 2 times the mean per client, whole
    # euros), the mean from the published sum and count; the PDF shows exactly those.
    price, mean = year["price_total"], year["mean_price_per_client"]
    assert price != 35000 and 875 <= abs(price - 35000) <= 3500 and price == round(price)
    assert mean == round(price / year["clients_started"], 2)
    assert euro(price) in text and euro(mean) in text


# --- cost and cohorts scoped to the period ------------------------------------------------


def test_cost_and_cohorts_count_only_the_months_in_the_period(session: Session) -> None:
    from workflows.stats import figures

    from ..workflows.stats_helpers import query

    load(session, *jeugd_times_five())
    # February–December 2021: the starts of c (twice), d (twice) and e's second trajectory,
    # five of each; a and e's first trajectory started in January and are not counted.
    cohort = figures.durations(session, query("2021-02", "2021-12")).cohorts
    assert [(c.year, c.n) for c in cohort] == [(2021, 25)]
    year = figures.results(session, query("2021-02", "2021-12"), 5).years[0]
    assert (year.year, year.started_clients, year.started_price) == (2021, 15, 25000)
    # in care during February–December: c, d, e and f (b ended on 31 January, a on the 15th)
    assert year.clients_in_care == 20
    whole = figures.results(session, query("2021-01", "2021-12"), 5).years[0]
    assert (whole.started_clients, whole.clients_in_care) == (20, 30)


def test_the_cost_per_year_is_the_same_in_the_api_csv_xlsx_and_pdf(
    manager: FlaskClient, session: Session, world: World
) -> None:
    """The sums of money are published once (``report.results``); every output shows those."""
    from workflows.stats.admin import issue_token

    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    session.flush()
    params = {"figuur": "results", **PERIOD}
    with freeze_time(TODAY):
        api = manager.get(
            "/api/v1/stats/results",
            query_string=PERIOD,
            headers={"Authorization": f"Bearer {secret}"},
        ).get_json()
        csv = manager.get("/manager/cijfers.csv", query_string=params).get_data()
        xlsx = manager.get("/manager/cijfers.xlsx", query_string=params).get_data()
    pdf = pdf_text(get(manager, "/manager/monitor.pdf", **PERIOD)).replace("\xa0", " ")
    sheet = load_workbook(io.BytesIO(xlsx))["years"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    lines = {
        line.split(";")[0]: line.split(";")
        for line in csv.decode("utf-8-sig").splitlines()
        if line.startswith("20")
    }
    labels = {2020: "2020 (vanaf maart)", 2021: "2021 (t/m oktober)"}
    for year in api["years"]:
        label = labels[year["year"]]
        price, mean = year["price_total"], year["mean_price_per_client"]
        assert isinstance(price, float) and isinstance(mean, float)
        assert rows[label][1:4] == (year["clients_started"], price, mean)
        shown = [price, mean]
        assert [float(v.replace(",", ".")) for v in lines[label][2:4]] == shown
        assert euro(price) in pdf and euro(mean) in pdf
