"""PDF documents (ReportLab): *Trajectafspraken*, *Evaluatieverslag* and the managers' *Monitor
resultaatgericht werken*.

Each document is a class that takes the model object and today's date and returns the PDF as
bytes; views only check access and send the bytes (docs/architecture.md). The layout is plain
platypus (A4, Helvetica): the built-in fonts keep the text extractable and cover the WinAnsi
characters Dutch text needs (€, ë, é, –, …). Labels go through gettext, so an English session
gets an English document; amounts and dates use the same filters as the web pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from flask import abort, current_app, send_file
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.tables import TableStyle
from sqlalchemy import select
from werkzeug.wrappers import Response

from models import (
    AgreedResult,
    Domain,
    Evaluation,
    EvaluationState,
    NeedType,
    Trajectory,
    TrajectoryState,
)
from workflows import audit
from workflows.evaluations import (
    EVALUATION_KIND_LABELS,
    EVALUATION_STATE_LABELS,
    REVIEW_OUTCOME_LABELS,
    interval_months,
)
from workflows.trajectories import CLOSURE_LABELS
from workflows.transitions import STATE_LABELS

from .care_labels import GAS_LEVELS, ZRM_DOMAIN_LABELS, gas_label, gas_level_text, zrm_label
from .config import DEFAULT_MUNICIPALITY_NAME
from .extensions import db
from .filters import fmt_date, fmt_money, referrer_text
from .timeline import reason_label

if TYPE_CHECKING:
    from .council import CouncilReport
    from .manager.presentation import DataTable

APP_NAME = "Trajectwijzer"
MARGIN = 2 * cm
LABEL_WIDTH = 5 * cm
CONTENT_WIDTH = A4[0] - 2 * MARGIN

SUBMITTED_STATES = (EvaluationState.INGEDIEND, EvaluationState.BEOORDEELD)


def duration_weeks(trajectory: Trajectory) -> int:
    """Planned duration in whole weeks; the planned end is the last day of the last week."""
    days = (trajectory.planned_end - trajectory.planned_start).days + 1
    return max(1, round(days / 7))


def as_markup(value: Any) -> str:
    """Free text as paragraph markup: escaped, line breaks kept, a dash when empty."""
    if value is None or value == "":
        return "—"
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def _domain(domain: Domain) -> str:
    return "Wmo" if domain == Domain.WMO else _("Jeugd")


def _intensity(trajectory: Trajectory) -> str:
    return {"laag": _("Laag"), "middel": _("Middel"), "zwaar": _("Zwaar")}[
        trajectory.intensity.value
    ]


def _need_type(trajectory: Trajectory) -> str:
    return _("Blijvend") if trajectory.need_type == NeedType.BLIJVEND else _("Eindig")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Ja") if value else _("Nee")


def _period(trajectory: Trajectory) -> str:
    return ngettext(
        "%(start)s t/m %(end)s (%(num)s week)",
        "%(start)s t/m %(end)s (%(num)s weken)",
        duration_weeks(trajectory),
        start=fmt_date(trajectory.planned_start),
        end=fmt_date(trajectory.planned_end),
    )


def _provider(trajectory: Trajectory) -> str:
    text = f"{trajectory.provider.name} (AGB {trajectory.provider.agb_code})"
    if trajectory.subcontractor is not None:
        text += "; " + _("onderaannemer") + f": {trajectory.subcontractor.name}"
    return text


def _gas_levels(result: AgreedResult) -> list[tuple[int, str]]:
    """(score, what the gids wrote for it) for each level the gids spelled out."""
    levels = [(score, gas_level_text(result, score)) for score, _sign, _meaning in GAS_LEVELS]
    return [(score, text) for score, text in levels if text]


def municipality_name() -> str:
    """The municipality that runs the installation (``MUNICIPALITY_NAME``), named on every
    PDF."""
    return str(current_app.config.get("MUNICIPALITY_NAME") or DEFAULT_MUNICIPALITY_NAME)


class PdfDocument:
    """Shared page layout: the municipality and the application name, a title, a footer with
    the municipality's name and page numbers. Every PDF of the application is one of these, so
    every PDF names the municipality."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.municipality = municipality_name()
        sheet = getSampleStyleSheet()
        self.styles = {
            "brand": ParagraphStyle(
                "brand", parent=sheet["Normal"], fontName="Helvetica-Bold", textColor=colors.grey
            ),
            "title": ParagraphStyle("title", parent=sheet["Title"], alignment=0, spaceAfter=4),
            "subtitle": ParagraphStyle("subtitle", parent=sheet["Normal"], spaceAfter=10),
            "h2": ParagraphStyle("h2", parent=sheet["Heading2"], spaceBefore=12, spaceAfter=6),
            "h3": ParagraphStyle("h3", parent=sheet["Heading4"], spaceBefore=8, spaceAfter=2),
            "body": ParagraphStyle("body", parent=sheet["Normal"], leading=13),
            "label": ParagraphStyle("label", parent=sheet["Normal"], fontName="Helvetica-Bold"),
        }

    # -- to be provided by each document --------------------------------------------------------

    def title(self) -> str:
        raise NotImplementedError

    def subtitle(self) -> str:
        raise NotImplementedError

    def story(self) -> list[Flowable]:
        raise NotImplementedError

    # -- building blocks ------------------------------------------------------------------------

    def para(self, markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, self.styles[style])

    def heading(self, text: str) -> Paragraph:
        return self.para(escape(text), "h2")

    def facts(self, rows: Iterable[tuple[str, str]]) -> Table:
        """Label/value rows; values are already paragraph markup (see ``as_markup``)."""
        data = [[self.para(escape(label), "label"), self.para(value)] for label, value in rows]
        table = Table(data, colWidths=[LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def grid(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> Table:
        data = [[self.para(escape(h), "label") for h in header]]
        data += [[self.para(cell) for cell in row] for row in rows]
        table = Table(data, colWidths=list(widths), hAlign="LEFT", repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ]
            )
        )
        return table

    def _footer(self, canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        text = _(
            "%(municipality)s · %(app)s · %(title)s · aangemaakt op %(date)s · pagina %(page)s",
            municipality=self.municipality,
            app=APP_NAME,
            title=self.title(),
            date=fmt_date(self.today),
            page=doc.page,
        )
        canvas.drawString(MARGIN, 1.2 * cm, text)
        canvas.restoreState()

    def render(self) -> bytes:
        buffer = BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=self.title(),
            subject=self.subtitle(),
            author=self.municipality,
            creator=APP_NAME,
            lang=str(get_locale() or "nl"),
        )
        story: list[Flowable] = [
            self.para(escape(f"{self.municipality} · {APP_NAME}"), "brand"),
            self.para(escape(self.title()), "title"),
            self.para(escape(self.subtitle()), "subtitle"),
            *self.story(),
        ]
        doc.build(story, onFirstPage=self._footer, onLaterPages=self._footer)
        return buffer.getvalue()


class TrajectoryAgreementPdf(PdfDocument):
    """*Trajectafspraken*: what the gids, the resident and the provider agreed — resident,
    results, price, duration, provider and the evaluation plan."""

    def __init__(self, trajectory: Trajectory, today: date) -> None:
        super().__init__(today)
        self.trajectory = trajectory

    def title(self) -> str:
        return _("Trajectafspraken")

    def subtitle(self) -> str:
        trajectory = self.trajectory
        return _(
            "Traject %(id)s · %(profile)s · status: %(state)s",
            id=trajectory.id,
            profile=trajectory.profile.name,
            state=_(STATE_LABELS[trajectory.state]),
        )

    def story(self) -> list[Flowable]:
        trajectory = self.trajectory
        resident = trajectory.resident
        story: list[Flowable] = [
            self.heading(_("Inwoner")),
            self.facts(
                [
                    (_("Naam"), as_markup(resident.full_name)),
                    (_("Geboortedatum"), fmt_date(resident.birth_date)),
                    (_("BSN"), as_markup(resident.bsn)),
                ]
            ),
            self.heading(_("Traject")),
            self.facts(self._trajectory_rows()),
            self.heading(_("Afgesproken resultaten")),
        ]
        if not trajectory.results:
            story.append(self.para(escape(_("Er zijn geen resultaten vastgelegd."))))
        for number, result in enumerate(trajectory.results, start=1):
            story.append(KeepTogether(self._result(number, result)))
        story += self._evaluation_plan()
        story += self._closure()
        return story

    def _closure(self) -> list[Flowable]:
        """How a closed trajectory ended: the date, the category, the reason as "code –
        meaning" and whether the result was achieved; for a trajectory closed because it was
        scaled up or down (R9), the follow-up trajectory that took over."""
        trajectory = self.trajectory
        if trajectory.state != TrajectoryState.AFGESLOTEN:
            return []
        rows = [
            (_("Einde zorg"), fmt_date(trajectory.care_end)),
            (
                _("Categorie"),
                escape(_(CLOSURE_LABELS[trajectory.closure_category]))
                if trajectory.closure_category is not None
                else "—",
            ),
            (_("Reden"), as_markup(reason_label(trajectory.end_reason_code, trajectory.domain))),
            (_("Resultaat behaald"), _yes_no(trajectory.result_achieved)),
        ]
        follow_up = db.session.scalars(
            select(Trajectory).where(Trajectory.follows_id == trajectory.id).order_by(Trajectory.id)
        ).first()
        if follow_up is not None:
            rows.append(
                (
                    _("Vervolgtraject"),
                    as_markup(
                        _(
                            "Traject %(id)s · %(profile)s · %(intensity)s · vanaf %(start)s",
                            id=follow_up.id,
                            profile=follow_up.profile.name,
                            intensity=_intensity(follow_up),
                            start=fmt_date(follow_up.planned_start),
                        )
                    ),
                )
            )
        return [self.heading(_("Afsluiting")), self.facts(rows)]

    def _trajectory_rows(self) -> list[tuple[str, str]]:
        trajectory = self.trajectory
        price = fmt_money(trajectory.price)
        if trajectory.price_reason:
            price += (
                " — " + _("afwijkend van het tarief") + ": " + as_markup(trajectory.price_reason)
            )
        rows = [
            (
                _("Gids (aanspreekpunt)"),
                as_markup(f"{trajectory.gids.name} ({trajectory.gids.email})"),
            ),
            (_("Domein"), _domain(trajectory.domain)),
            (_("Profiel"), as_markup(f"{trajectory.profile.name} ({trajectory.profile.code})")),
            (_("Intensiteit"), _intensity(trajectory)),
            (_("Aanbieder"), as_markup(_provider(trajectory))),
            (_("Behoefte"), _need_type(trajectory)),
        ]
        if trajectory.domain == Domain.JEUGD:
            rows.append(
                (
                    _("Verwijzer"),
                    as_markup(referrer_text(trajectory.referrer_type, trajectory.referrer_name)),
                )
            )
        rows += [
            (_("Trajectprijs"), price),
            (_("Geplande periode"), _period(trajectory)),
            (_("Besluitdatum"), fmt_date(trajectory.decision_date)),
            (_("Einde beschikking"), fmt_date(trajectory.decision_end)),
        ]
        if trajectory.care_start is not None:
            rows.append((_("Start zorg"), fmt_date(trajectory.care_start)))
        if trajectory.care_end is not None:
            rows.append((_("Einde zorg"), fmt_date(trajectory.care_end)))
        return rows

    def _result(self, number: int, result: AgreedResult) -> list[Flowable]:
        parts: list[Flowable] = [self.para(f"{number}. {as_markup(result.description)}", "h3")]
        if result.measure:
            parts.append(self.para(f"<b>{escape(_('Meten'))}:</b> {as_markup(result.measure)}"))
        levels = _gas_levels(result)
        if levels:
            parts.append(Spacer(1, 4))
            parts.append(
                self.grid(
                    [_("GAS-niveau"), _("Goal Attainment Scaling")],
                    [[escape(gas_label(level)), as_markup(text)] for level, text in levels],
                    [4.5 * cm, CONTENT_WIDTH - 4.5 * cm],
                )
            )
        return parts

    def _evaluation_plan(self) -> list[Flowable]:
        trajectory = self.trajectory
        months = interval_months(trajectory)
        text = ngettext("Evalueren elke maand.", "Evalueren elke %(num)s maanden.", months)
        if trajectory.evaluation_interval_months:
            text += " " + _("Door de gids vastgesteld voor dit traject.")
        story: list[Flowable] = [self.heading(_("Evaluatieplan")), self.para(escape(text))]
        if not trajectory.evaluations:
            if trajectory.care_start is None:
                none_yet = _("De evaluaties worden gepland zodra de zorg is gestart.")
            else:
                none_yet = _("Er zijn nog geen evaluaties gepland.")
            story.append(self.para(escape(none_yet)))
            return story
        rows = [
            [
                escape(_(EVALUATION_KIND_LABELS[e.kind])),
                fmt_date(e.due_on),
                escape(self._state(e)),
                fmt_date(e.held_on),
            ]
            for e in trajectory.evaluations
        ]
        story.append(Spacer(1, 4))
        story.append(
            self.grid(
                [_("Soort"), _("Uiterlijk op"), _("Status"), _("Gehouden op")],
                rows,
                [5 * cm, 3.5 * cm, 4 * cm, CONTENT_WIDTH - 12.5 * cm],
            )
        )
        return story

    def _state(self, evaluation: Evaluation) -> str:
        label = _(EVALUATION_STATE_LABELS[evaluation.state])
        if evaluation.state == EvaluationState.GEPLAND and evaluation.due_on < self.today:
            label += " (" + _("te laat") + ")"
        return label


class EvaluationReportPdf(PdfDocument):
    """*Evaluatieverslag*: one submitted evaluation — who took part, the GAS score per agreed
    result, the ZRM scores, the summary and the gids's review."""

    def __init__(self, evaluation: Evaluation, today: date) -> None:
        super().__init__(today)
        self.evaluation = evaluation

    def title(self) -> str:
        return _("Evaluatieverslag")

    def subtitle(self) -> str:
        e = self.evaluation
        return _(
            "Traject %(id)s · %(kind)s · gehouden op %(date)s",
            id=e.trajectory_id,
            kind=_(EVALUATION_KIND_LABELS[e.kind]),
            date=fmt_date(e.held_on),
        )

    def story(self) -> list[Flowable]:
        e = self.evaluation
        trajectory = e.trajectory
        story: list[Flowable] = [
            self.heading(_("Traject")),
            self.facts(
                [
                    (
                        _("Inwoner"),
                        as_markup(f"{trajectory.resident.full_name}")
                        + ", "
                        + escape(_("geboren"))
                        + " "
                        + fmt_date(trajectory.resident.birth_date),
                    ),
                    (
                        _("Profiel"),
                        as_markup(f"{trajectory.profile.name} ({trajectory.profile.code})"),
                    ),
                    (_("Intensiteit"), _intensity(trajectory)),
                    (_("Aanbieder"), as_markup(_provider(trajectory))),
                    (_("Gids (aanspreekpunt)"), as_markup(trajectory.gids.name)),
                    (_("Geplande periode"), _period(trajectory)),
                    (_("Start zorg"), fmt_date(trajectory.care_start)),
                ]
            ),
            self.heading(_("Evaluatie")),
            self.facts(self._evaluation_rows()),
            self.heading(_("Scores per resultaat (GAS)")),
        ]
        story += self._scores()
        if e.zrm_scores:
            story.append(self.heading(_("Zelfredzaamheid-Matrix")))
            story.append(
                self.grid(
                    [_("Domein"), _("Score (1–5)")],
                    [
                        [
                            f"{z.domain}. {escape(str(ZRM_DOMAIN_LABELS[z.domain - 1]))}",
                            escape(zrm_label(z.score)),
                        ]
                        for z in e.zrm_scores
                    ],
                    [CONTENT_WIDTH - 6 * cm, 6 * cm],
                )
            )
        story += self._progress()
        story.append(self.heading(_("Samenvatting")))
        story.append(self.para(as_markup(e.summary)))
        story.append(Spacer(1, 6))
        story.append(self.facts([(_("Ondersteuningsbehoefte veranderd"), _yes_no(e.need_changed))]))
        if e.state == EvaluationState.BEOORDEELD and e.review_outcome is not None:
            story.append(self.heading(_("Beoordeling door de gids")))
            rows = [(_("Uitkomst"), escape(_(REVIEW_OUTCOME_LABELS[e.review_outcome])))]
            if e.review_remark:
                rows.append((_("Opmerking"), as_markup(e.review_remark)))
            if e.reviewed_by is not None:
                rows.append((_("Beoordeeld door"), as_markup(e.reviewed_by.name)))
            rows.append((_("Beoordeeld op"), fmt_date(e.reviewed_at)))
            story.append(self.facts(rows))
        return story

    def _progress(self) -> list[Flowable]:
        """The progress up to this evaluation: the charts of the trajectory pages (the same
        geometry, ``app.progress``) with their tables."""
        from .charts import to_drawing
        from .progress import progress_figures

        figures = progress_figures(self.evaluation.trajectory, until=self.evaluation)
        if not figures:
            return []
        story: list[Flowable] = [self.heading(_("Voortgang"))]
        for figure in figures:
            others = max(1, len(figure.columns) - 1)
            first = 5.5 * cm if others > 1 else CONTENT_WIDTH / 2
            widths = [first] + [(CONTENT_WIDTH - first) / others] * others
            story.append(
                KeepTogether(
                    [
                        self.para(escape(figure.chart.title), "h3"),
                        to_drawing(figure.chart, scale=CONTENT_WIDTH / figure.chart.width),
                    ]
                )
            )
            story.append(
                self.grid(
                    figure.columns,
                    [[escape(cell) for cell in row] for row in figure.rows],
                    widths,
                )
            )
        return story

    def _evaluation_rows(self) -> list[tuple[str, str]]:
        e = self.evaluation
        present = [
            label
            for taken_part, label in (
                (e.with_inwoner, _("inwoner")),
                (e.with_gids, _("gids")),
                (e.with_aanbieder, _("aanbieder")),
                (e.with_netwerk, _("netwerk")),
            )
            if taken_part
        ]
        kind = escape(_(EVALUATION_KIND_LABELS[e.kind]))
        if e.reason:
            kind += " — " + as_markup(e.reason)
        rows = [
            (_("Soort"), kind),
            (_("Uiterlijk op"), fmt_date(e.due_on)),
            (_("Gehouden op"), fmt_date(e.held_on)),
            (_("Deelnemers"), escape(", ".join(present)) if present else "—"),
            (_("Status"), escape(_(EVALUATION_STATE_LABELS[e.state]))),
        ]
        if e.submitted_by is not None:
            rows.append((_("Ingediend door"), as_markup(e.submitted_by.name)))
        if e.submitted_at is not None:
            rows.append((_("Ingediend op"), fmt_date(e.submitted_at)))
        return rows

    def _scores(self) -> list[Flowable]:
        e = self.evaluation
        by_result = {s.result_id: s for s in e.scores}
        rows = []
        for number, result in enumerate(e.trajectory.results, start=1):
            score = by_result.get(result.id)
            if score is None:
                rows.append(
                    [
                        f"{number}. {as_markup(result.description)}",
                        "—",
                        escape(_("Geen score")),
                    ]
                )
                continue
            level_text = dict(_gas_levels(result)).get(score.score)
            explanation = as_markup(score.explanation)
            if level_text:
                explanation += (
                    "<br/><i>" + escape(_("Niveau")) + ": " + as_markup(level_text) + "</i>"
                )
            rows.append(
                [
                    f"{number}. {as_markup(result.description)}",
                    escape(gas_label(score.score)),
                    explanation,
                ]
            )
        if not rows:
            return [self.para(escape(_("Er zijn geen resultaten vastgelegd.")))]
        return [
            self.grid(
                [_("Resultaat"), _("Score"), _("Toelichting")],
                rows,
                [6 * cm, 3.5 * cm, CONTENT_WIDTH - 9.5 * cm],
            )
        ]


# -- helpers for the download views -------------------------------------------------------------


def submitted_evaluation(evaluation_id: int) -> Evaluation:
    """The evaluation if it has been submitted; a planned one has no report yet (404)."""
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None or evaluation.state not in SUBMITTED_STATES:
        abort(404)
    return evaluation


def send_pdf(document: PdfDocument, download_name: str) -> Response:
    """The rendered document as a download; personal data, so never cached."""
    # Not cached: app/security.py sends Cache-Control: no-store with every response.
    return send_file(
        BytesIO(document.render()),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name,
    )


def send_personal_pdf(
    document: PdfDocument,
    download_name: str,
    *,
    object_type: str,
    object_id: int,
    resident_id: int,
) -> Response:
    """A document about a resident as a download, audited (``audited_download``)."""
    return audited_download(
        send_pdf(document, download_name),
        download_name,
        object_type=object_type,
        object_id=object_id,
        resident_id=resident_id,
    )


def audited_download(
    response: Response,
    download_name: str,
    *,
    object_type: str,
    object_id: int,
    resident_id: int,
) -> Response:
    """A file about a resident (a document, a chart), written in the audit log as what it is:
    one entry *geëxporteerd* naming who took which file away (besides the read entries of what
    the request loaded), committed before the file leaves."""
    audit.record_export(
        db.session, object_type, download_name, object_id=object_id, resident_id=resident_id
    )
    db.session.commit()
    return response


class MonitorReportPdf(PdfDocument):
    """*Monitor resultaatgericht werken*: the published (anonymised) figures of one period, each
    with the same charts as the dashboard (drawn from the same geometry) and its data tables."""

    def __init__(self, sections: Sequence[tuple[str, str, Any]], today: date) -> None:
        super().__init__(today)
        self.sections = sections
        self.header: dict[str, Any] = sections[0][2].header

    def title(self) -> str:
        return _("Monitor resultaatgericht werken")

    def subtitle(self) -> str:
        return _(
            "Periode %(start)s – %(end)s · geanonimiseerde cijfers",
            start=self.header["from"],
            end=self.header["to"],
        )

    def story(self) -> list[Flowable]:
        from .charts import to_drawing
        from .manager.downloads import describe
        from .manager.presentation import charts_for, tables_for

        story: list[Flowable] = [
            self.facts((label, escape(value)) for label, value in describe(self.header))
        ]
        for name, heading, report in self.sections:
            charts = charts_for(name, report)
            for number, table in enumerate(tables_for(name, report)):
                # A chart stays on the page where its table starts (and a section's heading
                # with its first table): too tall together for the rest of a page, they move
                # to the next one together.
                block: list[Flowable] = [] if number else [self.heading(heading)]
                for chart in (c for c in charts if c.source == table.key):
                    block += [self.para(escape(chart.title), "h3"), to_drawing(chart)]
                block += [self.para(escape(table.title), "h3"), self.data_table(table)]
                story.append(KeepTogether(block))
        return story

    def data_table(self, table: DataTable) -> Table:
        """A data table whose columns are wide enough for their longest word (a word is never
        broken: ``splitLongWords`` off), figures right-aligned and kept on one line ("€ 1.250,00"
        never wraps after the €); the font shrinks a step when the words do not fit otherwise."""
        from .manager.downloads import format_cell

        k = int(self.header["suppression_threshold"])
        texts = [[format_cell(cell, k) for cell in row] for row in table.rows]
        figure = [[not isinstance(cell, str) for cell in row] for row in table.rows]
        for size in (8.0, 7.0, 6.0):
            least, most = _column_widths(table.columns, texts, figure, size)
            if sum(least) <= CONTENT_WIDTH:
                break
        widths = _spread(least, most, CONTENT_WIDTH)
        styles = {
            (bold, right): ParagraphStyle(
                f"cell-{bold}-{right}",
                fontName="Helvetica-Bold" if bold else "Helvetica",
                fontSize=size,
                leading=size * 1.25,
                alignment=TA_RIGHT if right else TA_LEFT,
                splitLongWords=0,
            )
            for bold in (False, True)
            for right in (False, True)
        }

        def cell(text: str, bold: bool, right: bool, keep: bool) -> Paragraph:
            markup = escape(text).replace(" ", "&nbsp;") if keep else escape(text)
            return Paragraph(markup, styles[(bold, right)])

        data = [[cell(h, True, i > 0, False) for i, h in enumerate(table.columns)]]
        data += [
            [
                cell(text, i == 0, i > 0, keep)
                for i, (text, keep) in enumerate(zip(row, kept, strict=True))
            ]
            for row, kept in zip(texts, figure, strict=True)
        ]
        result = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ]
            )
        )
        return result


CELL_PADDING = 4.0


def _column_widths(
    columns: Sequence[str],
    texts: Sequence[Sequence[str]],
    figure: Sequence[Sequence[bool]],
    size: float,
) -> tuple[list[float], list[float]]:
    """Per column the least width (its longest word, or its widest figure, which is never
    wrapped) and the width that needs no wrapping at all, padding included."""
    least, most = [], []
    for i, header in enumerate(columns):
        words = [stringWidth(w, "Helvetica-Bold", size) for w in header.split()]
        lines = [stringWidth(header, "Helvetica-Bold", size)]
        for row, kept in zip(texts, figure, strict=True):
            font = "Helvetica-Bold" if i == 0 else "Helvetica"
            width = stringWidth(row[i], font, size)
            lines.append(width)
            words += [width] if kept[i] else [stringWidth(w, font, size) for w in row[i].split()]
        least.append(max(words, default=0) + 2 * CELL_PADDING + 1)
        most.append(max(lines) + 2 * CELL_PADDING + 1)
    return least, most


def _spread(least: Sequence[float], most: Sequence[float], total: float) -> list[float]:
    """Give each column its least width, then share out what is left of ``total`` in proportion
    to what each still wants; a table that needs less than ``total`` is not stretched."""
    spare = total - sum(least)
    wanted = [m - lo for lo, m in zip(least, most, strict=True)]
    if spare <= 0 or sum(wanted) == 0:
        return list(least)
    share = min(1.0, spare / sum(wanted))
    return [lo + w * share for lo, w in zip(least, wanted, strict=True)]


class CouncilReportPdf(MonitorReportPdf):
    """*Raadsrapportage*: per domain year Y beside Y − 1 (the published figures of
    ``app/council.py``), each figure's commentary beneath its domain's table, then the
    definitions; its tables as the monitor's."""

    def __init__(self, report: CouncilReport, today: date) -> None:
        PdfDocument.__init__(self, today)
        self.report = report
        self.header = {"suppression_threshold": report.header["suppression_threshold"]}

    def title(self) -> str:
        return _("Raadsrapportage %(year)s", year=self.report.label("this_year"))

    def subtitle(self) -> str:
        return _(
            "%(this)s vergeleken met %(last)s · geanonimiseerde cijfers",
            this=self.report.label("this_year"),
            last=self.report.label("last_year"),
        )

    def story(self) -> list[Flowable]:
        from .council import (
            about_lines,
            council_tables,
            definitions,
            domain_label,
            figure_label,
            flow_months_note,
        )

        story: list[Flowable] = [
            self.facts((label, escape(value)) for label, value in about_lines(self.report))
        ]
        for domain, table in zip(self.report.domains, council_tables(self.report), strict=True):
            story.append(
                KeepTogether(
                    [
                        self.heading(domain_label(domain.domain)),
                        self.data_table(table),
                        self.para(escape(flow_months_note(self.report, domain))),
                    ]
                )
            )
            commented = [row for row in domain.rows if row.commentary]
            if commented:
                story.append(self.para(escape(_("Toelichting")), "h3"))
            for row in commented:
                text = escape(row.commentary or "").replace("\n", "<br/>")
                story.append(self.para(f"<b>{escape(figure_label(row.figure))}</b>: {text}"))
        story.append(self.heading(_("Definities")))
        for item in definitions():
            story.append(self.para(f"<b>{escape(item['label'])}</b>: {escape(item['definition'])}"))
        return story
