from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Trajectory, TrajectoryState
from workflows import trajectories as wf
from workflows.caseload import (
    PROVIDER_SORT_LABELS,
    ProviderSort,
    answer_due,
    markers,
    provider_gets_contact,
    provider_list,
    provider_sees,
)
from workflows.message_overview import trajectory_messages
from workflows.paging import page_number
from workflows.transitions import Action, allowed_actions

from .. import clock
from ..auth.access import me
from ..bsn_display import shown_bsn
from ..extensions import db
from ..formtools import run_step, step_not_possible, whole_number
from ..loaders import actionable_trajectory, visible_trajectory
from . import bp
from .evaluation_forms import zrm_given
from .forms import AcceptForm, ReturnForm, start_form

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
    try:
        sort = ProviderSort(values.get("sorteer", ProviderSort.STANDAARD))
    except ValueError:
        abort(400)
    query_text = (request.form.get("q") or "")[:100] if request.method == "POST" else ""
    page = provider_list(
        db.session,
        me(),
        states=TABS[tab],
        search=query_text,
        sort=sort,
        page=page_number(values.get("page")),
    )
    rows = [(trajectory, markers(trajectory, clock.today())) for trajectory in page.items]
    return render_template(
        "aanbieder/index.html",
        page=page,
        rows=rows,
        tab=tab,
        q=query_text,
        sort=sort.value,
        sorts=[(key.value, _(label)) for key, label in PROVIDER_SORT_LABELS.items()],
        # the default order stays out of the links (the pager's URLs are as before)
        search={"q": query_text, "toon": tab}
        | ({} if sort == ProviderSort.STANDAARD else {"sorteer": sort.value}),
    )


def _render(trajectory: Trajectory, **forms: Any) -> str:
    version = {"version": str(trajectory.version)}
    main = trajectory.provider_id == me().provider_id
    return render_template(
        "aanbieder/trajectory.html",
        trajectory=trajectory,
        show_bsn=shown_bsn(trajectory.resident_id) if request.method == "GET" else False,
        markers=markers(trajectory, clock.today()),
        answer_due=answer_due(trajectory.decision_date) if trajectory.decision_date else None,
        contact=provider_gets_contact(me(), trajectory),
        today=clock.today(),
        allowed=allowed_actions(trajectory.state) if main else set(),
        accept_form=forms.get("accept_form")
        or AcceptForm(formdata=None, data=version, prefix="accept"),
        return_form=forms.get("return_form")
        or ReturnForm(formdata=None, data=version, prefix="return"),
        start_form=forms.get("start_form")
        or start_form(
            trajectory,
            formdata=None,
            data={**version, "care_start": clock.today()},
            prefix="start",
        ),
        messages=trajectory_messages(db.session, trajectory.id, me().provider_id),
        general=forms.get("general", []),
    )


def _version(form: Any) -> int | None:
    return whole_number(form.version.data)


@bp.get("/trajecten/<int:trajectory_id>")
def trajectory(trajectory_id: int) -> str:
    return _render(visible_trajectory(trajectory_id))


@bp.post("/trajecten/<int:trajectory_id>/accepteren")
def accept(trajectory_id: int) -> str | Response:
    trajectory = actionable_trajectory(trajectory_id)
    form = AcceptForm(prefix="accept")
    if not form.validate_on_submit():
        abort(400)
    step = run_step(
        form,
        lambda: wf.accept(db.session, trajectory, me(), _version(form)),
        success=_("U heeft het traject geaccepteerd."),
    )
    if not step.ok:
        return _render(visible_trajectory(trajectory_id), general=step.general)
    return redirect(url_for("aanbieder.trajectory", trajectory_id=trajectory_id))


@bp.post("/trajecten/<int:trajectory_id>/terugsturen")
def return_(trajectory_id: int) -> str | Response:
    trajectory = actionable_trajectory(trajectory_id)
    form = ReturnForm(prefix="return")
    if not form.validate_on_submit():
        general = step_not_possible(trajectory, Action.RETURN)
        return _render(trajectory, return_form=form, general=general)
    step = run_step(
        form,
        lambda: wf.return_to_gids(
            db.session, trajectory, me(), form.reason.data or "", clock.today(), _version(form)
        ),
        success=_("Het traject is teruggestuurd naar de gids."),
    )
    if not step.ok:
        return _render(visible_trajectory(trajectory_id), return_form=form, general=step.general)
    return redirect(url_for("aanbieder.trajectory", trajectory_id=trajectory_id))


@bp.post("/trajecten/<int:trajectory_id>/start")
def start(trajectory_id: int) -> str | Response:
    trajectory = actionable_trajectory(trajectory_id)
    form = start_form(trajectory, prefix="start")
    if not form.validate_on_submit():
        general = step_not_possible(trajectory, Action.START)
        return _render(trajectory, start_form=form, general=general)
    care_start = form.care_start.data
    assert care_start is not None
    step = run_step(
        form,
        lambda: wf.start_care(
            db.session,
            trajectory,
            me(),
            care_start,
            clock.today(),
            _version(form),
            zrm=zrm_given(form),
        ),
        success=_("De start van de zorg is geregistreerd."),
    )
    if not step.ok:
        return _render(visible_trajectory(trajectory_id), start_form=form, general=step.general)
    return redirect(url_for("aanbieder.trajectory", trajectory_id=trajectory_id))


# --- PDF downloads (only for trajectories the organisation may see; otherwise 404) ------------


@bp.get("/trajecten/<int:trajectory_id>/trajectafspraken.pdf")
def trajectory_agreement_pdf(trajectory_id: int) -> Response:
    from ..pdf import TrajectoryAgreementPdf, send_personal_pdf

    trajectory = visible_trajectory(trajectory_id)
    return send_personal_pdf(
        TrajectoryAgreementPdf(trajectory, clock.today()), f"trajectafspraken-{trajectory.id}.pdf",
        object_type="traject", object_id=trajectory.id, resident_id=trajectory.resident_id,
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
