"""The published (anonymised) figures as data tables and charts. One definition serves every
output: the dashboard's tables and SVG charts, the CSV and XLSX downloads, the PDF report and the
CLI's text output. Nothing here computes or anonymises: it only lays out what ``report`` gave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from workflows.stats.anonymity import (
    PublishedDurations,
    PublishedFinance,
    PublishedFlows,
    PublishedIntensity,
    PublishedResults,
    PublishedScorecard,
    PublishedWaiting,
)

from ..charts import HIDDEN, Chart, Hidden, Value, bar_chart, line_chart
from ..filters import fmt_money

LEVELS = ("laag", "middel", "zwaar")


class Share(float):
    """A fraction to show as a percentage."""


class Points(Share):
    """A difference of two shares, shown in percentage points ("0,4 procentpunt"); a
    percentage in the XLSX and CSV, like every share."""


class Money(float):
    """An amount in euros: "€ 1.234,50", right-aligned, a currency cell in the XLSX."""


Cell = int | float | str | None | Hidden
_UNSET: Any = object()


def share(value: float | None) -> Share | None:
    return None if value is None else Share(value)


@dataclass(frozen=True)
class DataTable:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]


def _cell(row: Any, name: str, value: Any = _UNSET) -> Cell:
    """The value of ``name`` (or ``value``), or HIDDEN when the row names it as suppressed."""
    suppressed = row["suppressed"] if isinstance(row, dict) else row.suppressed
    if name in suppressed:
        return HIDDEN
    if value is not _UNSET:
        return value  # type: ignore[no-any-return]
    return row[name] if isinstance(row, dict) else getattr(row, name)  # type: ignore[no-any-return]


def money(value: float | None) -> Money | None:
    return None if value is None else Money(value)


def _month_name(month: int) -> str:
    return str(format_date(date(2000, month, 1), "LLLL"))


def year_label(year: int, header: dict[str, Any]) -> str:
    """A year is a label, not a number (never "2.023"); a year the period covers only in part
    says which months: "2026 (t/m oktober)", "2024 (vanaf maart)"."""
    first_year, first_month = (int(part) for part in header["from"].split("-"))
    last_year, last_month = (int(part) for part in header["to"].split("-"))
    first = first_month if year == first_year else 1
    last = last_month if year == last_year else 12
    if first == 1 and last == 12:
        return str(year)
    if first == last:
        return _("%(year)s (alleen %(month)s)", year=str(year), month=_month_name(first))
    if first == 1:
        return _("%(year)s (t/m %(month)s)", year=str(year), month=_month_name(last))
    if last == 12:
        return _("%(year)s (vanaf %(month)s)", year=str(year), month=_month_name(first))
    return _(
        "%(year)s (%(first)s t/m %(last)s)",
        year=str(year),
        first=_month_name(first),
        last=_month_name(last),
    )


def _level(name: str) -> str:
    return {"laag": _("Laag"), "middel": _("Middel"), "zwaar": _("Zwaar")}[name]


def flows_tables(report: PublishedFlows) -> list[DataTable]:
    unit = _("trajecten") if report.header["unit"] == "traject" else _("cliënten")
    months = DataTable(
        "flows",
        _("Doorstroom per maand (%(unit)s)", unit=unit),
        [_("Maand"), _("Beginstand"), _("Instroom"), _("Uitstroom"), _("Eindstand")],
        [
            [r.month, *[_cell(r, c) for c in ("beginstand", "instroom", "uitstroom", "eindstand")]]
            for r in report.months
        ],
    )
    yearly = DataTable(
        "yearly",
        _("Gemiddelde instroom en uitstroom per maand, per jaar (%(unit)s)", unit=unit),
        [
            _("Jaar"),
            _("Maanden geteld"),
            _("Uitgesloten maanden"),
            _("Gemiddelde instroom"),
            _("Gemiddelde uitstroom"),
        ],
        [
            [
                str(y.year),
                y.months_counted,
                ", ".join(y.excluded_months) or "—",
                _cell(y, "mean_instroom"),
                _cell(y, "mean_uitstroom"),
            ]
            for y in report.yearly
        ],
    )
    return [months, yearly]


def intensity_tables(report: PublishedIntensity) -> list[DataTable]:
    basis = _("eindstand") if report.basis == "eindstand" else _("instroom")
    return [
        DataTable(
            "intensity",
            _("Trajecten per intensiteit (basis: %(basis)s)", basis=basis),
            [_("Maand")]
            + [_level(level) for level in LEVELS]
            + [_("Aandeel %(level)s", level=_level(level).lower()) for level in LEVELS],
            [
                [r.month]
                + [_cell(r, f"counts.{level}", r.counts[level]) for level in LEVELS]
                + [_cell(r, f"shares.{level}", share(r.shares[level])) for level in LEVELS]
                for r in report.months
            ],
        )
    ]


def durations_tables(report: PublishedDurations) -> list[DataTable]:
    ended = report.ended
    summary = DataTable(
        "durations",
        _("Duur van de zorg die in de periode eindigde (dagen)"),
        [_("Aantal beëindigd"), _("Gemiddelde duur"), _("Mediane duur")],
        [
            [
                HIDDEN if "ended.n" in report.suppressed else ended["n"],
                HIDDEN if "ended.mean_days" in report.suppressed else ended["mean_days"],
                HIDDEN if "ended.median_days" in report.suppressed else ended["median_days"],
            ]
        ],
    )
    cohorts = DataTable(
        "cohorts",
        _("Kaplan–Meier-mediaan van de duur per startjaar (lopende zorg gecensureerd)"),
        [
            _("Startjaar"),
            _("Aantal gestart"),
            _("Beëindigd"),
            _("Nog in zorg"),
            _("Mediane duur (dagen)"),
        ],
        [
            [
                year_label(c.year, report.header),
                _cell(c, "n"),
                _cell(c, "ended"),
                _cell(c, "censored"),
                _cell(c, "km_median_days")
                if c.km_median_days is not None or "km_median_days" in c.suppressed
                else _("nog niet bereikt"),
            ]
            for c in report.cohorts
        ],
    )
    return [summary, cohorts]


def waiting_tables(report: PublishedWaiting) -> list[DataTable]:
    def wait(row: Any, name: str) -> list[Cell]:
        return [
            _cell(row, f"{name}.{c}", getattr(row, name)[c])
            for c in ("n", "mean_days", "median_days")
        ]

    return [
        waiting_list_table(report.waiting_list),
        DataTable(
            "waiting",
            _("Wachttijden in dagen, naar maand van de start van de zorg"),
            [
                _("Maand"),
                _("Aanmelding → besluit: aantal"),
                _("gemiddeld"),
                _("mediaan"),
                _("Besluit → start: aantal"),
                _("gemiddeld"),
                _("mediaan"),
            ],
            [
                [r.month, *wait(r, "request_to_decision"), *wait(r, "decision_to_start")]
                for r in report.months
            ],
        ),
        *censored_waits_tables(report),
    ]


def censored_waits_tables(report: PublishedWaiting) -> list[DataTable]:
    """The waits of the period with the still-waiting censored (a row per stage), and the
    unmet demand per month with the whole period last; "n.v.t." where the filters do not
    apply to requests."""
    not_applicable = _("n.v.t.")
    waits = report.censored_waits
    rows: list[list[Cell]] = []
    for name, stage in waits["stages"].items():
        if stage is None:
            rows.append([wait_stage_label(name), *[not_applicable] * 4])
        else:
            rows.append(
                [
                    wait_stage_label(name),
                    stage["n"],
                    stage["ended"],
                    stage["censored"],
                    _cell(stage, "km_median_days"),
                ]
            )
    day = date.fromisoformat(waits["reference_date"])
    tables = [
        DataTable(
            "censored_waits",
            _(
                "Wachttijden van wie in de periode begon te wachten, wie op %(day)s nog wacht "
                "meegeteld (Kaplan–Meier)",
                day=str(format_date(day, "d MMMM y")),
            ),
            [
                _("Fase"),
                _("Begonnen in de periode"),
                _("Wachten beëindigd"),
                _("Nog wachtend"),
                _("Mediane wachttijd (dagen)"),
            ],
            rows,
        )
    ]
    unmet = report.unmet_demand
    columns = [_("Maand"), _("Afgewezen"), _("Geen vervolg"), _("Totaal")]
    cells = ("refused", "no_follow_up", "total")
    if unmet is None:
        unmet_rows: list[list[Cell]] = [[_("Hele periode"), *[not_applicable] * 3]]
    else:
        unmet_rows = [[m["month"], *[m[c] for c in cells]] for m in unmet["months"]]
        unmet_rows.append([_("Hele periode"), *[unmet["period"][c] for c in cells]])
    tables.append(
        DataTable(
            "unmet_demand",
            _("Onvervulde vraag: aanmeldingen afgewezen of zonder vervolg, per maand"),
            columns,
            unmet_rows,
        )
    )
    return tables


def wait_band_label(code: str) -> str:
    return {
        "0-2": _("< 2 weken"),
        "2-6": _("2 tot 6 weken"),
        "6-8": _("6 tot 8 weken"),
        "8-13": _("8 tot 13 weken"),
        "13+": _("13 weken of langer"),
    }[code]


def wait_stage_label(name: str) -> str:
    return {
        "request": _("Aanmelding, nog geen besluit"),
        "decision": _("Besluit, zorg nog niet gestart"),
    }[name]


def waiting_list_table(waiting: dict[str, Any]) -> DataTable:
    """The waiting list at the reference date: a row per stage (its bands and its total), then
    the overall total; a stage the filters do not apply to says so in every cell."""
    bands = waiting["bands"]
    not_applicable = _("n.v.t.")
    rows: list[list[Cell]] = []
    for name, stage in waiting["stages"].items():
        if stage is None:
            rows.append([wait_stage_label(name), *[not_applicable] * (len(bands) + 1)])
        else:
            rows.append(
                [wait_stage_label(name), *[stage["bands"][b] for b in bands], stage["total"]]
            )
    total = waiting["total"]
    rows.append(
        [_("Alle wachtenden"), *[None] * len(bands), not_applicable if total is None else total]
    )
    day = date.fromisoformat(waiting["reference_date"])
    return DataTable(
        "waiting_now",
        _(
            "Wachtlijst op %(day)s (de laatste dag van de gegevens, los van de periode), naar "
            "fase en wachtduur",
            day=str(format_date(day, "d MMMM y")),
        ),
        [_("Fase"), *[wait_band_label(b) for b in bands], _("Totaal")],
        rows,
    )


def results_tables(report: PublishedResults) -> list[DataTable]:
    hidden = set(report.suppressed)
    r = report.result

    def count(name: str, value: Any) -> Cell:
        return HIDDEN if name in hidden else value

    outcome = DataTable(
        "results",
        _("Resultaat van de trajecten die in de periode zijn afgesloten"),
        [_("Uitkomst"), _("Aantal"), _("Aandeel")],
        [
            [
                _("Resultaat behaald binnen de termijn"),
                count("result.achieved_on_time", r["achieved_on_time"]),
                share(r["share_achieved_on_time"]),
            ],
            [
                _("Resultaat behaald na de termijn"),
                count("result.achieved_late", r["achieved_late"]),
                share(r["share_achieved_late"]),
            ],
            [
                _("Resultaat niet behaald"),
                count("result.not_achieved", r["not_achieved"]),
                share(r["share_not_achieved"]),
            ],
            [_("Afgesloten in totaal"), count("closed", report.closed), None],
        ],
    )
    names = {
        "a": _("a. Afgerond, terug in het netwerk"),
        "b": _("b. Overgedragen aan het voorveld"),
        "c": _("c. Doorverwezen naar vervolghulp"),
        "d": _("d. Voortijdig afgesloten"),
    }
    categories = DataTable(
        "categories",
        _("Afsluitcategorieën"),
        [_("Categorie"), _("Aantal"), _("Aandeel")],
        [
            [
                names[c],
                count(f"categories.{c}", report.categories[c]),
                share(report.category_shares[c]),
            ]
            for c in "abcd"
        ],
    )
    ext, rep = report.extensions, report.repeat
    other = DataTable(
        "extensions",
        _("Verlengingen en herhaald beroep"),
        [_("Kengetal"), _("Waarde")],
        [
            [_("Trajecten actief in de periode"), count("extensions.active", ext["active"])],
            [_("Verlengingen"), count("extensions.extensions", ext["extensions"])],
            [_("Verlengingen per 100 actieve trajecten"), ext["per_100_active"]],
            [_("Nieuwe episodes (cliënten)"), count("repeat.new_episodes", rep["new_episodes"])],
            [
                _("Waarvan herhaald beroep (binnen %(n)s jaar)", n=rep["years"]),
                count("repeat.repeat_episodes", rep["repeat_episodes"]),
            ],
            [_("Aandeel herhaald beroep"), share(rep["share"])],
        ],
    )
    years = DataTable(
        "years",
        _("Kosten en bereik per jaar"),
        [
            _("Jaar"),
            _("Cliënten gestart"),
            _("Som trajectprijzen"),
            _("Gemiddelde prijs per cliënt"),
            _("Cliënten in zorg"),
            _("Per 1.000 inwoners"),
            _("Huishoudens met beschikking"),
            _("Per 1.000 huishoudens"),
        ],
        [
            [
                year_label(y["year"], report.header),
                _cell(y, "clients_started"),
                _cell(y, "price_total", money(y["price_total"])),
                _cell(y, "mean_price_per_client", money(y["mean_price_per_client"])),
                _cell(y, "clients_in_care"),
                y["clients_per_1000_inhabitants"],
                _cell(y, "households_with_decision"),
                y["households_per_1000_households"],
            ]
            for y in report.years
        ],
    )
    return [outcome, categories, other, years]


def _amount(row: dict[str, Any], name: str) -> Cell:
    """A published sum of money: HIDDEN where the row names it as suppressed."""
    path = f"{name}.amount" if name else "amount"
    cells = row[name] if name else row
    return HIDDEN if path in row["suppressed"] else money(cells["amount"])


def claim_policy_label(policy: str) -> str:
    return {
        "pro_rata": _("naar rato van de verstreken geplande duur"),
        "niets": _("geen vergoeding"),
    }.get(policy, policy)


def finance_tables(report: PublishedFinance) -> list[DataTable]:
    months = DataTable(
        "finance",
        _("Verplichtingen en declaraties per maand"),
        [
            _("Maand"),
            _("Verplichtingen (trajecten)"),
            _("Verplichtingen (bedrag)"),
            _("Nieuwe verplichtingen"),
            _("Nieuwe verplichtingen (bedrag)"),
            _("Gedeclareerd"),
            _("Gedeclareerd (bedrag)"),
            _("Goedgekeurd"),
            _("Goedgekeurd (bedrag)"),
            _("Afgewezen"),
            _("Afgewezen (bedrag)"),
            _("Met tarief"),
            _("Afwijkend van tarief"),
            _("Aandeel afwijkend"),
        ],
        [
            [
                r["month"],
                r["committed"]["n"],
                _amount(r, "committed"),
                r["new_commitments"]["n"],
                _amount(r, "new_commitments"),
                r["claimed"]["n"],
                _amount(r, "claimed"),
                r["approved"]["n"],
                _amount(r, "approved"),
                r["refused"]["n"],
                _amount(r, "refused"),
                r["tariff"]["n"],
                r["tariff"]["deviating"],
                share(r["tariff"]["share_deviating"]),
            ]
            for r in report.months
        ],
    )
    t = report.totals
    totals = DataTable(
        "finance_totals",
        _("Totaal over de periode"),
        [_("Kengetal"), _("Trajecten"), _("Bedrag")],
        [
            [_("Nieuwe verplichtingen"), t["new_commitments"]["n"], _amount(t, "new_commitments")],
            [_("Gedeclareerd"), t["claimed"]["n"], _amount(t, "claimed")],
            [_("Goedgekeurd"), t["approved"]["n"], _amount(t, "approved")],
            [_("Afgewezen"), t["refused"]["n"], _amount(t, "refused")],
            [_("Verplichtingen met een tarief"), t["tariff"]["n"], None],
            [_("Waarvan prijs afwijkend van het tarief"), t["tariff"]["deviating"], None],
            [_("Aandeel afwijkend van het tarief"), share(t["tariff"]["share_deviating"]), None],
        ],
    )
    e = report.expected
    expected = DataTable(
        "finance_expected",
        _(
            "Verwachte declaraties per maand vanaf %(month)s (beleid bij resultaat niet "
            "behaald: %(policy)s)",
            month=e["from"],
            policy=claim_policy_label(report.claim_policy),
        ),
        [_("Maand"), _("Trajecten"), _("Verwacht bedrag")],
        [[r["month"], r["n"], _amount(r, "")] for r in e["months"]]
        + [
            [
                _("Totaal"),
                e["total"]["n"],
                HIDDEN if "total.amount" in e["suppressed"] else money(e["total"]["amount"]),
            ]
        ],
    )
    return [months, totals, expected, budget_table(report.budget)]


def _domain_name(domain: str) -> str:
    return "Wmo" if domain == "wmo" else _("Jeugd")


def budget_row_label(row: dict[str, Any]) -> str:
    if row["category"] is None:
        return _("%(domain)s, totaal", domain=_domain_name(row["domain"]))
    return f"{_domain_name(row['domain'])} · {row['category']} {row['name']}"


def _over(row: dict[str, Any]) -> str:
    if row["exceeds"] is None:
        return "—"
    if not row["exceeds"]:
        return _("nee")
    return _("ja, %(amount)s erboven", amount=fmt_money(row["over_budget"]))


def budget_table(budget: dict[str, Any]) -> DataTable:
    """Budget, committed, claimed and the year-end forecast per domain and category, with the
    forecast's assumptions in the title and per row (the inflow and mean price it used)."""
    title = _(
        "Begroting %(year)s: verplicht en gedeclareerd t/m %(through)s, en de prognose voor "
        "het jaareinde = verplicht + %(months)s resterende maanden × gemiddelde instroom per "
        "maand × gemiddelde prijs (beide over %(first)s t/m %(last)s)",
        year=str(budget["year"]),
        through=budget["through"],
        months=budget["months_remaining"],
        first=budget["basis_from"],
        last=budget["basis_to"],
    )
    columns = [
        _("Domein of productcategorie"),
        _("Begroting"),
        _("Verplicht"),
        _("Gedeclareerd"),
        _("Instroom per maand"),
        _("Gemiddelde prijs"),
        _("Prognose jaareinde"),
        _("Prognose boven begroting"),
    ]
    if not budget["applicable"]:
        return DataTable(
            "finance_budget",
            title,
            columns,
            [
                [
                    _("n.v.t.: de begroting geldt per domein en productcategorie, zonder andere "
                      "filters"),
                    *[None] * (len(columns) - 1),
                ]
            ],
        )  # fmt: skip
    return DataTable(
        "finance_budget",
        title,
        columns,
        [
            [
                budget_row_label(r),
                money(r["budget"]),
                _amount(r, "committed"),
                _amount(r, "claimed"),
                r["inflow_per_month"],
                HIDDEN if "basis.amount" in r["suppressed"] else money(r["mean_price"]),
                HIDDEN if "forecast" in r["suppressed"] else money(r["forecast"]),
                _over(r),
            ]
            for r in budget["rows"]
        ],
    )


def finance_warnings(report: PublishedFinance) -> list[str]:
    """A sentence for every domain or category whose forecast exceeds its budget."""
    return [
        _(
            "Let op: de prognose voor %(name)s (%(forecast)s) ligt %(over)s boven de begroting "
            "%(year)s (%(budget)s).",
            name=budget_row_label(r),
            forecast=fmt_money(r["forecast"]),
            over=fmt_money(r["over_budget"]),
            year=str(report.budget["year"]),
            budget=fmt_money(r["budget"]),
        )
        for r in report.budget["rows"]
        if r["exceeds"]
    ]


def tables_for(name: str, report: Any) -> list[DataTable]:
    builders = {
        "flows": flows_tables,
        "intensity": intensity_tables,
        "durations": durations_tables,
        "waiting-times": waiting_tables,
        "results": results_tables,
        "finance": finance_tables,
    }
    return builders[name](report)  # type: ignore[no-any-return, operator]


# --- charts -------------------------------------------------------------------------------


def _values(rows: Sequence[Any], name: str) -> list[Value]:
    """A chart series: each row's value of ``name``, HIDDEN where it is suppressed."""
    return [_chart_value(_cell(r, name)) for r in rows]


def _chart_value(cell: Cell) -> Value:
    return cell if isinstance(cell, Hidden | int | float) else None


def _waits(rows: Sequence[Any], name: str) -> list[Value]:
    """The median waits of one stage, HIDDEN where suppressed."""
    return [
        _chart_value(_cell(r, f"{name}.median_days", getattr(r, name)["median_days"])) for r in rows
    ]


def charts_for(name: str, report: Any) -> list[Chart]:
    """The charts of a figure, each naming the data table it draws (``Chart.source``)."""
    sources = {
        "flows": "flows",
        "intensity": "intensity",
        "durations": "cohorts",
        "waiting-times": "waiting",
        "results": "categories",
        "finance": "finance",
    }
    charts = _charts(name, report)
    for chart in charts:
        chart.source = chart.source or sources[name]
    return charts


def waiting_list_chart(waiting: dict[str, Any]) -> Chart:
    """Those waiting per band of the age of the wait, a bar per stage that applies."""
    chart = bar_chart(
        _("Wachtlijst naar wachtduur"),
        _(
            "Staafdiagram van het aantal wachtenden per wachtduur, voor aanmeldingen zonder "
            "besluit en voor besluiten zonder start van de zorg."
        ),
        [wait_band_label(b) for b in waiting["bands"]],
        [
            (wait_stage_label(name), [stage["bands"][b] for b in waiting["bands"]])
            for name, stage in waiting["stages"].items()
            if stage is not None
        ],
    )
    chart.source = "waiting_now"
    return chart


def unmet_demand_charts(unmet: dict[str, Any] | None) -> list[Chart]:
    """The refused requests and those without follow-up per month, stacked (none where the
    filters do not apply to requests)."""
    if unmet is None:
        return []
    chart = bar_chart(
        _("Onvervulde vraag per maand"),
        _(
            "Gestapeld staafdiagram van het aantal aanmeldingen per maand dat is afgewezen of "
            "zonder vervolg is afgesloten."
        ),
        [m["month"] for m in unmet["months"]],
        [
            (_("Afgewezen"), [m["refused"] for m in unmet["months"]]),
            (_("Geen vervolg"), [m["no_follow_up"] for m in unmet["months"]]),
        ],
        stacked=True,
    )
    chart.source = "unmet_demand"
    return [chart]


def _charts(name: str, report: Any) -> list[Chart]:
    if name == "flows":
        labels = [r.month for r in report.months]
        return [
            bar_chart(
                _("Instroom en uitstroom per maand"),
                _(
                    "Staafdiagram van de instroom en de uitstroom per maand; "
                    "de tabel eronder geeft de aantallen."
                ),
                labels,
                [
                    (_("Instroom"), _values(report.months, "instroom")),
                    (_("Uitstroom"), _values(report.months, "uitstroom")),
                ],
            ),
            line_chart(
                _("Eindstand per maand"),
                _("Lijndiagram van het aantal in zorg aan het eind van elke maand."),
                labels,
                [(_("Eindstand"), _values(report.months, "eindstand"))],
            ),
        ]
    if name == "intensity":
        labels = [r.month for r in report.months]
        return [
            bar_chart(
                _("Aandeel per intensiteit"),
                _("Gestapeld staafdiagram van het aandeel laag, middel en zwaar per maand."),
                labels,
                [
                    (
                        _level(level),
                        [
                            _chart_value(_cell(r, f"shares.{level}", r.shares[level]))
                            for r in report.months
                        ],
                    )
                    for level in LEVELS
                ],
                stacked=True,
                unit="share",
            )
        ]
    if name == "durations":
        return [
            bar_chart(
                _("Mediane duur per startjaar (dagen)"),
                _("Staafdiagram van de Kaplan–Meier-mediaan van de duur per startjaar."),
                [year_label(c.year, report.header) for c in report.cohorts],
                [(_("Mediane duur"), _values(report.cohorts, "km_median_days"))],
                unit="days",
            )
        ]
    if name == "waiting-times":
        return [
            waiting_list_chart(report.waiting_list),
            line_chart(
                _("Mediane wachttijd per maand (dagen)"),
                _(
                    "Lijndiagram van de mediane wachttijd van aanmelding tot besluit "
                    "en van besluit tot start."
                ),
                [r.month for r in report.months],
                [
                    (
                        _("Aanmelding → besluit"),
                        _waits(report.months, "request_to_decision"),
                    ),
                    (
                        _("Besluit → start"),
                        _waits(report.months, "decision_to_start"),
                    ),
                ],
            ),
            *unmet_demand_charts(report.unmet_demand),
        ]
    if name == "finance":
        return [
            line_chart(
                _("Verplichtingen aan het eind van elke maand (euro)"),
                _(
                    "Lijndiagram van de som van de trajectprijzen van de trajecten met een "
                    "besluit die aan het eind van de maand nog niet beëindigd zijn."
                ),
                [r["month"] for r in report.months],
                [
                    (
                        _("Verplichtingen"),
                        [_chart_value(_amount(r, "committed")) for r in report.months],
                    )
                ],
                unit="money",
            )
        ]
    return [
        bar_chart(
            _("Afsluitcategorieën"),
            _(
                "Staafdiagram van het aantal afgesloten trajecten per "
                "afsluitcategorie a tot en met d."
            ),
            ["a", "b", "c", "d"],
            [
                (
                    _("Afgesloten"),
                    [
                        HIDDEN
                        if f"categories.{c}" in report.suppressed
                        else _chart_value(report.categories[c])
                        for c in "abcd"
                    ],
                )
            ],
        )
    ]


# --- the provider scorecard -------------------------------------------------------------------


def scorecard_columns() -> list[str]:
    return [
        _("Aanbieder"),
        _("AGB-code"),
        _("Afgesloten"),
        _("Resultaat binnen termijn"),
        _("Aandeel binnen termijn"),
        _("Resultaat na termijn"),
        _("Aandeel na termijn"),
        _("Categorie b"),
        _("Categorie d"),
        _("Besluiten in de periode"),
        _("Mediane dagen besluit → start"),
        _("Voorstellen teruggestuurd"),
        _("Verzoeken op- of afschalen"),
        _("Behaalde resultaten"),
        _("Gemiddelde prijs per behaald resultaat"),
    ]


def scorecard_row(name: str, agb: str, column: dict[str, Any]) -> list[Cell]:
    waits = column["decision_to_start"]
    return [
        name,
        agb,
        column["closed"],
        column["achieved_on_time"],
        share(column["share_achieved_on_time"]),
        column["achieved_late"],
        share(column["share_achieved_late"]),
        column["category_b"],
        column["category_d"],
        waits["n"],
        _cell(column, "decision_to_start.km_median_days", waits["km_median_days"]),
        column["returned"],
        column["scaling_requests"],
        column["achieved"],
        _cell(column, "price_per_achieved_result", money(column["price_per_achieved_result"])),
    ]


def scorecard_tables(report: PublishedScorecard) -> list[DataTable]:
    """The providers side by side, a row each, and the municipality (all providers) last."""
    rows = [scorecard_row(p["name"], p["agb"], p) for p in report.providers]
    rows.append(scorecard_row(_("Gemeente (alle aanbieders)"), "", report.municipality))
    return [
        DataTable(
            "scorecard",
            _("Scorekaart per aanbieder, %(start)s – %(end)s", start=report.header["from"],
              end=report.header["to"]),
            scorecard_columns(),
            rows,
        )
    ]  # fmt: skip
