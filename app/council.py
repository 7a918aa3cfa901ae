"""The council report (*raadsrapportage*, docs/statistics.md "Council report"): per domain, year
Y beside Y − 1, each value the published value of an existing figure for that year's period
(``app.statistics.published``: flows, results, finance), never computed again, and the
difference of the two published values. A hidden value stays hidden, and its difference is
empty. The page, the XLSX, the PDF and the API all take their rows and definitions from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from models import Domain
from workflows import council as council_wf
from workflows.errors import N_
from workflows.stats.anonymity import PublishedFinance, PublishedFlows, PublishedResults

from .charts import HIDDEN
from .extensions import db
from .manager.downloads import disclosure_notice
from .manager.presentation import Cell, DataTable, Money, Points, Share, year_label
from .statistics import published, query_from, threshold

# The figures of the report, in order: key → (label, unit, definition), Dutch message ids,
# translated where shown. Written once: the page, the XLSX, the PDF and the API (its answer
# and its OpenAPI description) all show these.
DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "clients_in_care": (
        N_("Cliënten in zorg"),
        "count",
        N_(
            "Het aantal verschillende cliënten met zorg in het jaar (begin van de zorg vóór "
            "of in het jaar, en geen einde of een einde in of na het jaar); het cijfer "
            "clients_in_care van Resultaten en kosten."
        ),
    ),
    "inflow": (
        N_("Instroom per maand"),
        "mean",
        N_(
            "Het gemiddelde over de maanden van het jaar van het aantal cliënten dat in een "
            "maand met zorg begon (een vervolg zonder dag zonder zorg telt niet als nieuwe "
            "instroom); maanden die de beheerder als uitschieter markeerde tellen niet mee. "
            "Het jaargemiddelde van Doorstroom, eenheid cliënt."
        ),
    ),
    "outflow": (
        N_("Uitstroom per maand"),
        "mean",
        N_(
            "Het gemiddelde over de maanden van het jaar van het aantal cliënten van wie de "
            "zorg in een maand eindigde, zonder uitschietermaanden. Het jaargemiddelde van "
            "Doorstroom, eenheid cliënt."
        ),
    ),
    "achieved_on_time": (
        N_("Resultaat behaald, op tijd"),
        "share",
        N_(
            "Van de trajecten die in het jaar eindigden: het deel waarvan het resultaat is "
            "behaald op of vóór de geplande einddatum."
        ),
    ),
    "achieved_late": (
        N_("Resultaat behaald, na de termijn"),
        "share",
        N_(
            "Van de trajecten die in het jaar eindigden: het deel waarvan het resultaat is "
            "behaald na de geplande einddatum."
        ),
    ),
    "committed": (
        N_("Nieuwe verplichtingen"),
        "money",
        N_(
            "De som van de prijzen van de trajecten waarvan de verplichting (de beschikking, "
            "of zonder beschikkingsdatum het begin van de zorg) in het jaar begon; het totaal "
            "van Financiën."
        ),
    ),
    "approved": (
        N_("Goedgekeurde declaraties"),
        "money",
        N_(
            "De som van de bedragen van de declaraties die in het jaar zijn goedgekeurd; het "
            "totaal van Financiën."
        ),
    ),
    "mean_price_per_client": (
        N_("Prijs per cliënt"),
        "money",
        N_(
            "De som van de prijzen van de trajecten die in het jaar begonnen, gedeeld door "
            "het aantal verschillende cliënten met zo'n traject (beide zoals gepubliceerd)."
        ),
    ),
    "clients_per_1000_inhabitants": (
        N_("Cliënten per 1.000 inwoners"),
        "rate",
        N_(
            "Cliënten in zorg per 1.000 inwoners van de gemeente in het jaar, volgens de "
            "bevolkingscijfers van de beheerder (leeg zonder bevolkingscijfers)."
        ),
    ),
    "households_per_1000_households": (
        N_("Huishoudens met een beschikking per 1.000 huishoudens"),
        "rate",
        N_(
            "Het aantal verschillende huishoudens met een lopende beschikking in het jaar, "
            "per 1.000 huishoudens van de gemeente (leeg zonder bevolkingscijfers)."
        ),
    ),
}
assert tuple(DEFINITIONS) == council_wf.FIGURE_KEYS
# How a difference is rounded, per unit (as the values themselves are).
# A share's difference to a tenth of a percentage point, as it is shown.
DIGITS = {"count": 0, "mean": 1, "share": 3, "money": 2, "rate": 2}
SIDES = ("last_year", "this_year")


@dataclass(frozen=True)
class CouncilRow:
    figure: str
    unit: str
    last_year: float | None
    this_year: float | None
    suppressed: list[str]  # the sides ("last_year", "this_year") whose value is hidden
    commentary: str | None

    @property
    def difference(self) -> float | None:
        """This year's published value minus last year's; empty when either is hidden or
        empty."""
        if self.suppressed or self.last_year is None or self.this_year is None:
            return None
        value = round(self.this_year - self.last_year, DIGITS[self.unit]) + 0.0  # no "-0,0"
        return int(value) if self.unit == "count" else value

    def to_json(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "label": _(DEFINITIONS[self.figure][0]),
            "unit": self.unit,
            "last_year": self.last_year,
            "this_year": self.this_year,
            "difference": self.difference,
            "suppressed": self.suppressed,
            "commentary": self.commentary,
        }


@dataclass(frozen=True)
class CouncilDomain:
    domain: Domain
    rows: list[CouncilRow]
    # Per side: the months the flows' yearly means count, and those left out as outliers.
    months: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain.value,
            "rows": [row.to_json() for row in self.rows],
            "flow_months": self.months,
        }


@dataclass(frozen=True)
class CouncilReport:
    period: council_wf.CouncilYear
    header: dict[str, Any]  # suppression_threshold, cutoff and disclosure, as every figure's
    domains: list[CouncilDomain] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.period.year

    def label(self, side: str) -> str:
        """The column's year: "2025", or "2025 (t/m oktober)" for a partial comparison."""
        year = self.year if side == "this_year" else self.year - 1
        start, end = self.period.period(year)
        return year_label(year, {"from": start, "to": end})

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "last_month": self.period.last_month,
            "partial": self.period.partial,
            "labels": {side: self.label(side) for side in SIDES},
            **self.header,
            "domains": [domain.to_json() for domain in self.domains],
            "definitions": definitions(),
        }


def definitions() -> list[dict[str, str]]:
    return [
        {"figure": key, "label": _(label), "definition": _(text)}
        for key, (label, _unit, text) in DEFINITIONS.items()
    ]


def figure_label(key: str) -> str:
    return str(_(DEFINITIONS[key][0]))


def _published(name: str, year: int, period: council_wf.CouncilYear, domain: Domain,
               **extra: str) -> Any:  # fmt: skip
    start, end = period.period(year)
    return published(name, query_from({"from": start, "to": end, "domain": domain.value, **extra}))


def _flows(period: council_wf.CouncilYear, domain: Domain) -> dict[str, Any]:
    """Each side's yearly row of the flows figure (unit client): one figure over Y − 1 and Y
    for whole years; for a partial year each side over January up to the cut-off month."""
    if period.partial:
        rows = [
            _published("flows", year, period, domain, unit="client").yearly[0]
            for year in (period.year - 1, period.year)
        ]
    else:
        start, end = f"{period.year - 1:04d}-01", f"{period.year:04d}-12"
        flows: PublishedFlows = published(
            "flows",
            query_from({"from": start, "to": end, "domain": domain.value, "unit": "client"}),
        )
        rows = list(flows.yearly)
    return dict(zip(SIDES, rows, strict=True))


def _side(results: PublishedResults, finance: PublishedFinance,
          flows: Any) -> dict[str, tuple[float | None, bool]]:  # fmt: skip
    """Figure key → (published value, hidden) for one year."""
    (year,) = results.years
    totals = finance.totals
    return {
        "clients_in_care": (year["clients_in_care"], False),
        "inflow": (flows.mean_instroom, "mean_instroom" in flows.suppressed),
        "outflow": (flows.mean_uitstroom, "mean_uitstroom" in flows.suppressed),
        "achieved_on_time": (results.result["share_achieved_on_time"], False),
        "achieved_late": (results.result["share_achieved_late"], False),
        "committed": (
            totals["new_commitments"]["amount"],
            "new_commitments.amount" in totals["suppressed"],
        ),
        "approved": (totals["approved"]["amount"], "approved.amount" in totals["suppressed"]),
        "mean_price_per_client": (
            year["mean_price_per_client"],
            "mean_price_per_client" in year["suppressed"],
        ),
        "clients_per_1000_inhabitants": (year["clients_per_1000_inhabitants"], False),
        "households_per_1000_households": (year["households_per_1000_households"], False),
    }


def council_report(period: council_wf.CouncilYear, domains: Sequence[Domain]) -> CouncilReport:
    """The report of ``period`` for ``domains``; raises ``DomainError`` as ``query_from``
    does. Per domain: the flows once (whole years) or twice (partial), results and finance
    once per year."""
    comments = council_wf.comments(db.session, period.year)
    header: dict[str, Any] = {}
    report_domains = []
    for domain in domains:
        flows = _flows(period, domain)
        sides = {}
        for side, year in zip(SIDES, (period.year - 1, period.year), strict=True):
            results = _published("results", year, period, domain)
            finance = _published("finance", year, period, domain)
            header = {
                name: results.header[name]
                for name in ("suppression_threshold", "cutoff", "disclosure")
            }
            sides[side] = _side(results, finance, flows[side])
        rows = []
        for key, (_label, unit, _text) in DEFINITIONS.items():
            values = {side: sides[side][key] for side in SIDES}
            comment = comments.get((domain, key))
            rows.append(
                CouncilRow(
                    figure=key,
                    unit=unit,
                    last_year=None if values["last_year"][1] else values["last_year"][0],
                    this_year=None if values["this_year"][1] else values["this_year"][0],
                    suppressed=[side for side in SIDES if values[side][1]],
                    commentary=comment.text if comment is not None else None,
                )
            )
        months = {
            side: {
                "months_counted": flows[side].months_counted,
                "excluded_months": flows[side].excluded_months,
            }
            for side in SIDES
        }
        report_domains.append(CouncilDomain(domain, rows, months))
    if not header:
        header = {"suppression_threshold": threshold()}
    return CouncilReport(period, header, report_domains)


def domain_label(domain: Domain) -> str:
    return "Wmo" if domain == Domain.WMO else str(_("Jeugd"))


def _cell(value: float | None, unit: str) -> Cell:
    if value is None:
        return None
    if unit == "share":
        return Share(value)
    if unit == "money":
        return Money(value)
    if unit == "count":
        return int(value)
    return float(value)


def council_tables(report: CouncilReport, *, with_commentary: bool = False) -> list[DataTable]:
    """A table per domain (figure, last year, this year, difference; with the commentary as a
    last column for the XLSX), and the definitions."""
    columns = [_("Cijfer"), report.label("last_year"), report.label("this_year"), _("Verschil")]
    if with_commentary:
        columns.append(_("Toelichting"))
    tables = []
    for domain in report.domains:
        rows: list[list[Cell]] = []
        for row in domain.rows:
            cells: list[Cell] = [figure_label(row.figure)]
            for side in SIDES:
                value = getattr(row, side)
                cells.append(HIDDEN if side in row.suppressed else _cell(value, row.unit))
            difference = row.difference
            if difference is not None and row.unit == "share":
                cells.append(Points(difference))  # in percentage points
            else:
                cells.append(_cell(difference, row.unit))
            if with_commentary:
                cells.append(row.commentary or "")
            rows.append(cells)
        tables.append(
            DataTable(
                f"raad-{domain.domain.value}",
                _(
                    "%(domain)s: %(last)s en %(this)s",
                    domain=domain_label(domain.domain),
                    last=report.label("last_year"),
                    this=report.label("this_year"),
                ),
                columns,
                rows,
            )  # fmt: skip
        )
    return tables


def definitions_table() -> DataTable:
    return DataTable(
        "definities",
        _("Definities"),
        [_("Cijfer"), _("Definitie")],
        [[item["label"], item["definition"]] for item in definitions()],
    )


def flow_months_note(report: CouncilReport, domain: CouncilDomain) -> str:
    """Over how many months the flows' means go, and which were left out, per year."""
    parts = []
    for side in SIDES:
        months = domain.months[side]
        excluded = ", ".join(months["excluded_months"])
        part = _(
            "%(year)s: %(n)s maanden",
            year=report.label(side),
            n=months["months_counted"],
        )
        if excluded:
            part += " " + _("(uitgesloten als uitschieter: %(months)s)", months=excluded)
        parts.append(part)
    return _("Instroom en uitstroom gemiddeld over %(parts)s.", parts="; ".join(parts))


def about_lines(report: CouncilReport) -> list[tuple[str, str]]:
    """What the report covers, as (label, value) lines (the facts of the page, XLSX and PDF)."""
    lines = [
        (_("Jaar"), report.label("this_year")),
        (_("Vergeleken met"), report.label("last_year")),
        (_("Domein"), ", ".join(domain_label(d.domain) for d in report.domains)),
    ]
    if "cutoff" in report.header:
        lines.append((_("Laatste volledige maand"), report.header["cutoff"]))
        lines.append((_("Afscherming"), disclosure_notice(report.header)))
    return lines
