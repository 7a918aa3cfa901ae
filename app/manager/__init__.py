"""Manager pages: the anonymised statistics of docs/statistics.md — never a name, BSN, birth date or
address. Everything comes from ``workflows.stats.report`` (the feed, anonymised on the way out);
the views only parse the filters and render tables and charts."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workflows.errors import DomainError

from .. import clock
from ..charts import to_svg
from ..errors import render_error
from ..extensions import db
from ..pdf import MonitorReportPdf, send_pdf
from ..statistics import (
    FIGURE_NAMES,
    problem_messages,
    published,
    published_scorecard,
    query_from,
    threshold,
)
from .downloads import csv_bytes, describe, disclosure_notice, format_cell, xlsx_bytes
from .forms import FilterForm
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
            (chart.title, to_svg(chart, f"grafiek-{i}"))
            for i, chart in enumerate(charts_for(name, report), start=1)
        ],
    )
    return render_template("manager/index.html", **context), 200


def _download(kind: str) -> Response | tuple[str, int]:
    name = _figure_name()
    try:
        query = query_from(request.args)
    except DomainError as error:
        return render_error(400, " ".join(m for _f, m in problem_messages(error)))
    report = published(name, query)
    title = f"Trajectwijzer — {figure_titles()[name]}"
    tables = tables_for(name, report)
    stem = f"trajectwijzer-{name}-{report.header['from']}-{report.header['to']}"
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
def download_csv() -> Response | tuple[str, int]:
    return _download("csv")


@bp.get("/cijfers.xlsx")
def download_xlsx() -> Response | tuple[str, int]:
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
