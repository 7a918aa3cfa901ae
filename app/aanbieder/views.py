from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Trajectory, TrajectoryState
from workflows import trajectories as wf
from workflows.caseload import markers, provider_list, provider_sees
from workflows.errors import DomainError
from workflows.paging import page_number
from workflows.transitions import Action, allowed_actions

from .. import clock
from ..auth.access import me
from ..bsn_display import shown_bsn
from ..extensions import db
from ..formtools import apply_problems, step_not_possible, whole_number
from . import bp
from .forms import AcceptForm, ReturnForm, StartForm

S = TrajectoryState

TABS: dict[str, tuple[TrajectoryState, ...]] = {
    "actueel": (S.VOORGESTELD, S.GEACCEPTEERD, S.ACTIEF),
    "voorstellen": (S.VOORGESTELD,),
    "lopend": (S.GEACCEPTEERD, S.ACTIEF),
    "afgerond": (S.AFGESLOTEN, S.GEANNULEERD, S.TERUGGESTUURD),
}


@bp.route("/", methods=["GET", "POST"])
def index() -> str:
    """The organisation's list. A search by name or BSN is sent in a POST body, never in the
    URL; a ``q`` in a query string is ignored."""
    values = request.form if request.method == "POST" else request.args
    tab = values.get("toon", "actueel")
    if tab not in TABS:
        abort(400)
    query_text = (request.form.get("q") or "")[:100] if request.method == "POST" else ""
    page = provider_list(
        db.session, me(), states=TABS[tab], search=query_text, page=page_number(values.get("page"))
    )
    rows = [(t, markers(t, clock.today())) for t in page.items]
    return render_template(
        "aanbieder/index.html",
        page=page,
        rows=rows,
        tab=tab,
        q=query_text,
        search={"q": query_text, "toon": tab},
    )


def _visible(trajectory_id: int, for_update: bool = False) -> Trajectory:
    trajectory = wf.get_trajectory(db.session, trajectory_id, for_update=for_update)
    if not provider_sees(me(), trajectory):
        abort(404)
    return trajectory


def _actionable(trajectory_id: int) -> Trajectory:
    """Load for a change (row locked). Only the main contractor acts; a subcontractor reads."""
    trajectory = _visible(trajectory_id, for_update=True)
    if trajectory.provider_id != me().provider_id:
        abort(403)
    return trajectory


def _render(item: Trajectory, **forms: Any) -> str:
    version = {"version": str(item.version)}
    return render_template(
        "aanbieder/trajectory.html",
        t=item,
        show_bsn=shown_bsn(item.resident_id) if request.method == "GET" else False,
        markers=markers(item, clock.today()),
        allowed=allowed_actions(item.state) if item.provider_id == me().provider_id else set(),
        accept_form=forms.get("accept_form")
        or AcceptForm(formdata=None, data=version, prefix="accept"),
        return_form=forms.get("return_form")
        or ReturnForm(formdata=None, data=version, prefix="return"),
        start_form=forms.get("start_form")
        or StartForm(formdata=None, data={**version, "care_start": clock.today()}, prefix="start"),
        general=forms.get("general", []),
    )


def _version(form: Any) -> int | None:
    return whole_number(form.version.data)


@bp.get("/trajecten/<int:trajectory_id>")
def trajectory(trajectory_id: int) -> str:
    return _render(_visible(trajectory_id))


@bp.post("/trajecten/<int:trajectory_id>/accepteren")
def accept(trajectory_id: int) -> str | Response:
    item = _actionable(trajectory_id)
    form = AcceptForm(prefix="accept")
    if not form.validate_on_submit():
        abort(400)
    try:
        wf.accept(db.session, item, me(), _version(form))
    except DomainError as err:
        db.session.rollback()
        return _render(_visible(trajectory_id), general=apply_problems(form, err))
    db.session.commit()
    flash(_("U heeft het traject geaccepteerd."), "success")
    return redirect(url_for("aanbieder.trajectory", trajectory_id=item.id))


@bp.post("/trajecten/<int:trajectory_id>/terugsturen")
def return_(trajectory_id: int) -> str | Response:
    item = _actionable(trajectory_id)
    form = ReturnForm(prefix="return")
    if form.validate_on_submit():
        try:
            wf.return_to_gids(
                db.session, item, me(), form.reason.data or "", clock.today(), _version(form)
            )
        except DomainError as err:
            db.session.rollback()
            general = apply_problems(form, err)
            return _render(_visible(trajectory_id), return_form=form, general=general)
        db.session.commit()
        flash(_("Het traject is teruggestuurd naar de gids."), "success")
        return redirect(url_for("aanbieder.trajectory", trajectory_id=item.id))
    return _render(item, return_form=form, general=step_not_possible(item, Action.RETURN))


@bp.post("/trajecten/<int:trajectory_id>/start")
def start(trajectory_id: int) -> str | Response:
    item = _actionable(trajectory_id)
    form = StartForm(prefix="start")
    if form.validate_on_submit():
        assert form.care_start.data is not None
        try:
            wf.start_care(
                db.session, item, me(), form.care_start.data, clock.today(), _version(form)
            )
        except DomainError as err:
            db.session.rollback()
            general = apply_problems(form, err)
            return _render(_visible(trajectory_id), start_form=form, general=general)
        db.session.commit()
        flash(_("De start van de zorg is geregistreerd."), "success")
        return redirect(url_for("aanbieder.trajectory", trajectory_id=item.id))
    return _render(item, start_form=form, general=step_not_possible(item, Action.START))


# --- PDF downloads (only for trajectories the organisation may see; otherwise 404) ------------


@bp.get("/trajecten/<int:trajectory_id>/trajectafspraken.pdf")
def trajectory_agreement_pdf(trajectory_id: int) -> Response:
    from ..pdf import TrajectoryAgreementPdf, send_personal_pdf

    item = _visible(trajectory_id)
    return send_personal_pdf(
        TrajectoryAgreementPdf(item, clock.today()), f"trajectafspraken-{item.id}.pdf",
        object_type="traject", object_id=item.id, resident_id=item.resident_id,
    )  # fmt: skip


@bp.get("/evaluaties/<int:evaluation_id>/verslag.pdf")
def evaluation_report_pdf(evaluation_id: int) -> Response:
    from ..pdf import EvaluationReportPdf, send_personal_pdf, submitted_evaluation

    evaluation = submitted_evaluation(evaluation_id)
    if not provider_sees(me(), evaluation.trajectory):
        abort(404)
    document = EvaluationReportPdf(evaluation, clock.today())
    return send_personal_pdf(
        document, f"evaluatieverslag-{evaluation.id}.pdf", object_type="evaluatie",
        object_id=evaluation.id, resident_id=evaluation.trajectory.resident_id,
    )  # fmt: skip
