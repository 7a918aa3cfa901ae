"""Progress across evaluations: the GAS score per agreed result and the ZRM (mean over the
domains, from the start of care on) as small charts with their data tables.

One data function (``workflows.evaluations.score_history``) feeds every place that shows them:
the trajectory pages of the provider and the gids render the chart as inline SVG
(``app.charts.to_svg``: a title and a description, the table beneath as the text alternative),
the *Evaluatieverslag* PDF draws the same geometry with ReportLab (``app.charts.to_drawing``)
followed by the same table. Each chart is also a download (SVG, PNG: ``send_progress_chart``),
personal data, so audited like the PDFs."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Evaluation, EvaluationKind, Trajectory
from workflows.evaluations import EVALUATION_KIND_LABELS, ScoreHistory, score_history

from .care_labels import GAS_LEVELS, ZRM_DOMAIN_LABELS
from .charts import Chart, scale_chart, send_chart, to_svg
from .filters import fmt_date
from .pdf import audited_download

GAS_SCALE = [(float(value), sign) for value, sign, _meaning in GAS_LEVELS]
ZRM_SCALE = [(float(value), str(value)) for value in range(1, 6)]


@dataclass(frozen=True)
class ProgressFigure:
    """A chart and its data table (``columns``, then ``rows`` of plain text)."""

    key: str
    chart: Chart
    caption: str
    columns: list[str]
    rows: list[list[str]]

    def svg(self) -> str:
        return to_svg(self.chart, f"voortgang-{self.key}")


def _sign(score: int | None) -> str:
    if score is None:
        return "—"
    return dict((value, sign) for value, sign, _meaning in GAS_LEVELS)[score]


def _moment(day: object, kind: EvaluationKind | None) -> str:
    label = _("Start zorg") if kind is None else _(EVALUATION_KIND_LABELS[kind])
    return f"{fmt_date(day)} ({label.lower()})"


def progress_figures(
    trajectory: Trajectory, until: Evaluation | None = None
) -> list[ProgressFigure]:
    """The progress charts of the trajectory (none before the first submitted evaluation or
    ZRM at the start); ``until`` limits them to the evaluations up to that one."""
    return figures_of(score_history(trajectory, until))


def send_progress_chart(trajectory: Trajectory, key: str, fmt: str) -> Response:
    """The trajectory page's progress chart ``key`` ("gas", "zrm"; one it does not show: 404) as
    an SVG file or a PNG image. The caller has loaded the trajectory with the page's own
    need-to-know check."""
    figure = next((f for f in progress_figures(trajectory) if f.key == key), None)
    if figure is None:
        abort(404)
    stem = f"trajectwijzer-voortgang-{trajectory.id}-{key}"
    return audited_download(
        send_chart(figure.chart, fmt, stem),
        f"{stem}.{fmt}",
        object_type="traject",
        object_id=trajectory.id,
        resident_id=trajectory.resident_id,
    )


def figures_of(history: ScoreHistory) -> list[ProgressFigure]:
    figures: list[ProgressFigure] = []
    if history.gas_moments and history.gas:
        labels = [fmt_date(day) for day, _kind in history.gas_moments]
        series = [
            (_("Resultaat %(n)s", n=number), [None if s is None else float(s) for s in scores])
            for number, _text, scores in history.gas
        ]
        description = ngettext(
            "Goal Attainment Scaling (−2 tot en met +2) per afgesproken resultaat over %(num)s "
            "evaluatie; de tabel hieronder geeft de scores.",
            "Goal Attainment Scaling (−2 tot en met +2) per afgesproken resultaat over %(num)s "
            "evaluaties; de tabel hieronder geeft de scores.",
            len(labels),
        )
        figures.append(
            ProgressFigure(
                key="gas",
                chart=scale_chart(
                    _("GAS-score per resultaat"), description, labels, series, GAS_SCALE
                ),
                caption=_("GAS-score per resultaat en evaluatie"),
                columns=[_("Resultaat")]
                + [_moment(day, kind) for day, kind in history.gas_moments],
                rows=[
                    [f"{number}. {text}"] + [_sign(s) for s in scores]
                    for number, text, scores in history.gas
                ],
            )
        )
    if history.zrm_moments:
        means = history.zrm_means()
        labels = [fmt_date(day) for day, _kind in history.zrm_moments]
        figures.append(
            ProgressFigure(
                key="zrm",
                chart=scale_chart(
                    _("Zelfredzaamheid-Matrix: gemiddelde score"),
                    _(
                        "Het gemiddelde van de ZRM-domeinen (1 acute problematiek tot en met 5 "
                        "volledig zelfredzaam) bij de start van de zorg en bij de evaluaties; de "
                        "tabel hieronder geeft de score per domein."
                    ),
                    labels,
                    [(_("Gemiddelde ZRM"), means)],
                    ZRM_SCALE,
                ),
                caption=_("ZRM-score per domein en meting"),
                columns=[_("Domein")] + [_moment(day, kind) for day, kind in history.zrm_moments],
                rows=[
                    [f"{domain}. {ZRM_DOMAIN_LABELS[domain - 1]}"]
                    + ["—" if s is None else str(s) for s in scores]
                    for domain, scores in history.zrm
                ]
                + [
                    [_("Gemiddeld")]
                    + ["—" if m is None else str(format_decimal(m, "0.0")) for m in means]
                ],
            )
        )
    return figures
