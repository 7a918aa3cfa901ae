"""Manager pages: the anonymised statistics of docs/statistics.md — never a name, BSN, birth date or
address. Everything comes from ``workflows.stats.report`` (the feed, anonymised on the way out);
the views only parse the filters and render tables and charts."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Domain
from workflows import council as council_wf
from workflows.council import comment_field, council_year, fingerprint
from workflows.errors import DomainError

from .. import clock
from ..auth.access import me
from ..charts import send_chart, to_svg
from ..council import (
    CouncilReport,
    about_lines,
    council_report,
    council_tables,
    definitions,
    definitions_table,
    domain_label,
    figure_label,
    flow_months_note,
)
from ..errors import render_error
from ..extensions import db
from ..formtools import run_step
from ..pdf import CouncilReportPdf, MonitorReportPdf, send_pdf
from ..statistics import (
    FIGURE_NAMES,
    problem_messages,
    published,
    published_scorecard,
    query_from,
    threshold,
)
from .downloads import csv_bytes, describe, disclosure_notice, format_cell, xlsx_bytes
from .forms import FilterForm, council_form
from .presentation import charts_for, finance_warnings, scorecard_tables, tables_for

bp = Blueprint("manager", __name__)


def figure_titles() -> dict[str, str]:
    return {
        "flows": _("Doorstroom"),
        "intensity": _("Intensiteit"),
        "durations": _("Duur"),
        "waiting-times": _("Wachttijden"),
        "results": _("Resultaten en kosten"),
        "finance": _("Financiën"),
    }


def _figure_name() -> str:
    name = request.args.get("figuur") or "flows"
    if name not in FIGURE_NAMES:
        abort(400)
    return name


@bp.get("/")
def index() -> tuple[str, int]:
    name = _figure_name()
    form = FilterForm(request.args)
    form.fill_choices(db.session)
    context: dict[str, Any] = {
        "form": form,
        "figure": name,
        "titles": figure_titles(),
        "k": threshold(),
        "format_cell": format_cell,
        "args": {key: value for key, value in request.args.items() if key != "figuur"},
    }
    try:
        query = query_from(request.args)
    except DomainError as error:
        context["problems"] = [message for _field, message in problem_messages(error)]
        return render_template("manager/index.html", **context), 400
    report = published(name, query)
    context.update(
        about=describe(report.header),
        disclosure_notice=disclosure_notice(report.header),
        tables=tables_for(name, report),
        warnings=finance_warnings(report) if name == "finance" else [],
        charts=[
            (number, chart.title, to_svg(chart, f"grafiek-{number}"))
            for number, chart in enumerate(charts_for(name, report), start=1)
        ],
    )
    return render_template("manager/index.html", **context), 200


def _stem(name: str, header: dict[str, Any]) -> str:
    """The start of a download's file name: the figure and its period."""
    return f"trajectwijzer-{name}-{header['from']}-{header['to']}"


def _published_figure() -> tuple[str, Any]:
    """The figure the request names and its published report for the request's parameters, as
    the page computes them; bad parameters end the request: 400 with the page's Dutch message."""
    name = _figure_name()
    try:
        query = query_from(request.args)
    except DomainError as error:
        abort(make_response(render_error(400, " ".join(m for _f, m in problem_messages(error)))))
    return name, published(name, query)


@bp.get("/grafiek-<int:number>.<fmt>")
def chart_file(number: int, fmt: str) -> Response:
    """Chart ``number`` (from 1) of the figure as the page draws it, from the same parameters
    and the same published figures, as an SVG file or a PNG image."""
    name, report = _published_figure()
    charts = charts_for(name, report)
    if not 1 <= number <= len(charts):
        abort(404)
    return send_chart(charts[number - 1], fmt, f"{_stem(name, report.header)}-grafiek-{number}")


def _download(kind: str) -> Response:
    name, report = _published_figure()
    title = f"Trajectwijzer — {figure_titles()[name]}"
    tables = tables_for(name, report)
    stem = _stem(name, report.header)
    if kind == "csv":
        data, mimetype = csv_bytes(title, report.header, tables), "text/csv"
    else:
        data = xlsx_bytes(title, report.header, tables)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # Not cached: app/security.py sends Cache-Control: no-store with every response.
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{stem}.{kind}"
    )


@bp.get("/cijfers.csv")
def download_csv() -> Response:
    return _download("csv")


@bp.get("/cijfers.xlsx")
def download_xlsx() -> Response:
    return _download("xlsx")


@bp.get("/monitor.pdf")
def monitor_pdf() -> Response | tuple[str, int]:
    """*Monitor resultaatgericht werken*: every figure for the chosen period and filters."""
    try:
        query = query_from(request.args)
    except DomainError as error:
        return render_error(400, " ".join(m for _f, m in problem_messages(error)))
    titles = figure_titles()
    sections = [(name, titles[name], published(name, query)) for name in FIGURE_NAMES]
    document = MonitorReportPdf(sections, clock.today())
    return send_pdf(document, f"monitor-{query.header(threshold())['from']}.pdf")


def _scorecard_args() -> dict[str, str]:
    """The scorecard's parameters as asked, and any filter (refused with a message)."""
    return {key: value for key, value in request.args.items() if key != "figuur"}


@bp.get("/aanbieders")
def providers() -> tuple[str, int]:
    """The providers' scorecards side by side, with the municipality's."""
    form = FilterForm(request.args)
    form.fill_choices(db.session)
    args = _scorecard_args()
    context: dict[str, Any] = {"form": form, "k": threshold(), "format_cell": format_cell,
                               "args": args}  # fmt: skip
    try:
        scorecard = published_scorecard(args)
    except DomainError as error:
        context["problems"] = [message for _field, message in problem_messages(error)]
        return render_template("manager/providers.html", **context), 400
    context.update(
        about=[line for line in describe(scorecard.header) if line[0] != _("Eenheid")],
        disclosure_notice=disclosure_notice(scorecard.header),
        tables=scorecard_tables(scorecard),
    )
    return render_template("manager/providers.html", **context), 200


def _scorecard_download(kind: str) -> Response | tuple[str, int]:
    try:
        scorecard = published_scorecard(_scorecard_args())
    except DomainError as error:
        return render_error(400, " ".join(m for _f, m in problem_messages(error)))
    title = f"Trajectwijzer — {_('Aanbieders')}"
    tables = scorecard_tables(scorecard)
    stem = f"trajectwijzer-aanbieders-{scorecard.header['from']}-{scorecard.header['to']}"
    if kind == "csv":
        data, mimetype = csv_bytes(title, scorecard.header, tables), "text/csv"
    else:
        data = xlsx_bytes(title, scorecard.header, tables)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{stem}.{kind}"
    )


@bp.get("/aanbieders.csv")
def providers_csv() -> Response | tuple[str, int]:
    return _scorecard_download("csv")


@bp.get("/aanbieders.xlsx")
def providers_xlsx() -> Response | tuple[str, int]:
    return _scorecard_download("xlsx")


# --- the council report (raadsrapportage) ------------------------------------------------------


def _council() -> CouncilReport:
    """The report of the year asked for (``year``; raises ``DomainError``), both domains."""
    return council_report(council_year(request.args.get("year"), clock.today()), list(Domain))


def _commentary_fields(report: CouncilReport) -> list[tuple[str, str]]:
    return [
        (
            comment_field(domain.domain, row.figure),
            _(
                "Toelichting bij %(figure)s (%(domain)s)",
                figure=figure_label(row.figure),
                domain=domain_label(domain.domain),
            ),
        )  # fmt: skip
        for domain in report.domains
        for row in domain.rows
    ]


def _basis_of(value: str) -> dict[str, str]:
    """The form's ``basis`` ("field=fingerprint;…") as field → fingerprint."""
    return dict(part.split("=", 1) for part in value.split(";") if "=" in part)


@bp.route("/raadsrapportage", methods=["GET", "POST"])
def council() -> Response | tuple[str, int]:
    """The council report: per domain this year beside last year, with the managers'
    commentary (one form for every figure) and the definitions."""
    try:
        report = _council()
    except DomainError as error:
        problems = [message for _field, message in problem_messages(error)]
        context = {"problems": problems, "year": request.args.get("year", "")}
        return render_template("manager/council.html", **context), 400
    kept = {
        comment_field(domain.domain, row.figure): row.commentary or ""
        for domain in report.domains
        for row in domain.rows
    }
    form = council_form(_commentary_fields(report), kept)
    errors: list[str] = []
    if form.validate_on_submit():
        texts = {
            (domain.domain, row.figure): form[comment_field(domain.domain, row.figure)].data or ""
            for domain in report.domains
            for row in domain.rows
        }
        basis = _basis_of(request.form.get("basis", ""))
        shown = {key: basis.get(comment_field(*key), "") for key in texts}
        step = run_step(
            form,
            lambda: council_wf.save_comments(db.session, me(), report.year, texts, shown),
            success=_("De toelichting is opgeslagen."),
        )
        if step.ok:
            return redirect(url_for("manager.council", year=report.year))
        errors = step.general
    status = 422 if form.errors or errors else 200
    context = {
        "report": report,
        "form": form,
        "errors": errors,
        "year": str(report.year),
        "tables": council_tables(report),
        "definitions": definitions(),
        "k": threshold(),
        "format_cell": format_cell,
        "about": about_lines(report),
        "notes": [flow_months_note(report, domain) for domain in report.domains],
        "comment_field": comment_field,
        "max_comment": council_wf.MAX_COMMENT,
        # What the texts were when this page was made (sent back with the form: a text somebody
        # else changed meanwhile is not overwritten unseen).
        "basis": ";".join(f"{name}={fingerprint(text)}" for name, text in kept.items()),
    }
    return render_template("manager/council.html", **context), status


@bp.get("/raadsrapportage.xlsx")
def council_xlsx() -> Response | tuple[str, int]:
    try:
        report = _council()
    except DomainError as error:
        return render_error(400, " ".join(m for _f, m in problem_messages(error)))
    title = str(_("Raadsrapportage %(year)s", year=report.label("this_year")))
    tables = [*council_tables(report, with_commentary=True), definitions_table()]
    data = xlsx_bytes(title, report.header, tables, about=about_lines(report))
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"trajectwijzer-raadsrapportage-{report.year}.xlsx",
    )


@bp.get("/raadsrapportage.pdf")
def council_pdf() -> Response | tuple[str, int]:
    try:
        report = _council()
    except DomainError as error:
        return render_error(400, " ".join(m for _f, m in problem_messages(error)))
    return send_pdf(CouncilReportPdf(report, clock.today()), f"raadsrapportage-{report.year}.pdf")
