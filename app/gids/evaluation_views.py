"""The gids's screens for running care: the inbox, reviewing an evaluation, deciding on a
request to scale up or down, confirming or returning an end-of-care report, deciding on a claim,
the evaluation interval and the ZRM, and an extra evaluation.

As on the other gids screens, any gids of the team may look (need to know within the access
team); only the trajectory's responsible gids decides or changes anything (403 for others).
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import (
    Claim,
    EndOfCareReport,
    Evaluation,
    Intensity,
    ReviewOutcome,
    ScalingRequest,
    SubmissionState,
    Trajectory,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.berichten.answers import REFUSAL_REASONS
from workflows.berichten.verzoeken import VERZOEK_STATE_LABELS, verzoek_of_scaling
from workflows.claims import decide_claim
from workflows.closure import confirm_end_of_care, return_end_of_care
from workflows.evaluations import (
    interval_months,
    is_overdue,
    open_extra_evaluation,
    review_evaluation,
    set_interval,
    set_uses_zrm,
)
from workflows.scaling import decide_scaling, follow_up_preview, request_scaling

from .. import clock
from ..auth.access import me
from ..extensions import db
from ..filters import translate_problem
from ..formtools import run_step
from ..inbox import dismiss, render_inbox
from ..loaders import own_trajectory, profile_choices, refusal_choices, running_care
from ..locking import with_trajectory
from ..progress import send_progress_chart
from . import bp
from .evaluation_forms import (
    ClaimDecisionForm,
    EndOfCareDecisionForm,
    EvaluationSettingsForm,
    ExtraEvaluationForm,
    ReviewForm,
    ScalingDecisionForm,
)


def _load(trajectory_id: int) -> Trajectory:
    """Anyone of the team may look; for a POST locked, and only for the responsible gids."""
    if request.method == "POST":
        return own_trajectory(trajectory_id)
    return wf.get_trajectory(db.session, trajectory_id)


def _settings_form(trajectory: Trajectory, **kwargs: Any) -> EvaluationSettingsForm:
    return EvaluationSettingsForm(
        formdata=None,
        data={
            "months": trajectory.evaluation_interval_months,
            "uses_zrm": trajectory.uses_zrm,
        },
        prefix="settings",
        **kwargs,
    )


def gids_care(trajectory: Trajectory) -> dict[str, Any]:
    """What the gids's trajectory page shows about running care (``gids/_care.html``)."""
    return {
        **running_care(trajectory),
        "mine": trajectory.gids_id == me().id,
        "settings_form": _settings_form(trajectory),
    }


@bp.context_processor
def _care_helpers() -> dict[str, Any]:
    return {"gids_care": gids_care}


# --- inbox -----------------------------------------------------------------------------------


@bp.get("/taken")
def tasks() -> str:
    """The gids's open tasks, one page at a time (see ``app.inbox``)."""
    return render_inbox("gids/tasks.html")


@bp.post("/taken/<int:task_id>/afgehandeld")
def dismiss_task(task_id: int) -> Response:
    return dismiss(task_id)


# --- evaluations -----------------------------------------------------------------------------


@bp.route("/evaluaties/<int:evaluation_id>", methods=["GET", "POST"])
def evaluation(evaluation_id: int) -> str | Response:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    trajectory = with_trajectory(evaluation, _load)
    form = ReviewForm()
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: review_evaluation(
                db.session,
                evaluation,
                me(),
                ReviewOutcome(form.outcome.data),
                form.remark.data,
                clock.today(),
            ),
            success=_("De beoordeling is opgeslagen."),
        )
        if step.ok:
            return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
        general = step.general
    return render_template(
        "gids/evaluation.html",
        e=evaluation,
        trajectory=trajectory,
        form=form,
        general=general,
        mine=trajectory.gids_id == me().id,
        overdue=is_overdue(evaluation, clock.today()),
    )


@bp.get("/trajecten/<int:trajectory_id>/voortgang-<key>.<fmt>")
def progress_chart(trajectory_id: int, key: str, fmt: str) -> Response:
    """A progress chart of the trajectory page as a file; whoever may see the page may take it."""
    return send_progress_chart(_load(trajectory_id), key, fmt)


@bp.route("/trajecten/<int:trajectory_id>/evaluatie-instellingen", methods=["GET", "POST"])
def evaluation_settings(trajectory_id: int) -> str | Response:
    trajectory = _load(trajectory_id)
    if request.method == "GET":
        form = _settings_form(trajectory)
    else:
        form = EvaluationSettingsForm(prefix="settings")
    general: list[str] = []
    if form.validate_on_submit():
        months, uses_zrm = form.months.data, bool(form.uses_zrm.data)

        def save_settings() -> None:
            set_interval(db.session, trajectory, me(), months)
            set_uses_zrm(db.session, trajectory, me(), uses_zrm)

        step = run_step(
            form, save_settings, success=_("De evaluatie-instellingen zijn opgeslagen.")
        )
        if step.ok:
            return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
        general = step.general
    return render_template(
        "gids/evaluation_settings.html",
        trajectory=trajectory,
        form=form,
        general=general,
        interval=interval_months(trajectory),
        mine=trajectory.gids_id == me().id,
    )


@bp.route("/trajecten/<int:trajectory_id>/extra-evaluatie", methods=["GET", "POST"])
def extra_evaluation(trajectory_id: int) -> str | Response:
    trajectory = _load(trajectory_id)
    return extra_evaluation_page(trajectory, "gids.trajectory", trajectory.gids_id == me().id)


def extra_evaluation_page(trajectory: Trajectory, back: str, may_act: bool) -> str | Response:
    """R8: the gids and the main contractor may each plan an extra evaluation of a running
    trajectory (``may_act``); ``back`` is the endpoint of their trajectory page."""
    form = ExtraEvaluationForm()
    general: list[str] = []
    if form.validate_on_submit():
        due_on = form.due_on.data
        assert due_on is not None
        step = run_step(
            form,
            lambda: open_extra_evaluation(
                db.session, trajectory, me(), form.reason.data or "", due_on, clock.today()
            ),
            success=_("De extra evaluatie is gepland."),
        )
        if step.ok:
            return redirect(url_for(back, trajectory_id=trajectory.id))
        general = step.general
    return render_template(
        "extra_evaluation.html",
        trajectory=trajectory,
        form=form,
        general=general,
        can_act=may_act and trajectory.state == TrajectoryState.ACTIEF,
        back=url_for(back, trajectory_id=trajectory.id),
    )


# --- scaling up or down ----------------------------------------------------------------------


R = TypeVar("R", ScalingRequest, EndOfCareReport, Claim)


def _to_decide(model: type[R], record_id: int) -> tuple[R, Trajectory]:
    """A request, report or claim that waits for the gids, with its trajectory (``_load``)."""
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    return record, with_trajectory(record, _load)


def _decision_page(
    template: str,
    record: Any,
    trajectory: Trajectory,
    form: Any,
    general: list[str],
    **extra: Any,
) -> str:
    return render_template(
        template,
        item=record,
        trajectory=trajectory,
        form=form,
        general=general,
        mine=trajectory.gids_id == me().id,
        **extra,
    )


@bp.route("/opschalingen/<int:scaling_request_id>", methods=["GET", "POST"])
def scaling_request(scaling_request_id: int) -> str | Response:
    item, trajectory = _to_decide(ScalingRequest, scaling_request_id)
    verzoek = verzoek_of_scaling(db.session, item)
    form = ScalingDecisionForm()
    form.refusal_code.choices = refusal_choices()
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: decide_scaling(
                db.session,
                item,
                me(),
                accept=form.accepted,
                reason=form.reason.data,
                today=clock.today(),
                refusal_code=form.refusal_code.data or None,
            ),
        )
        if step.ok:
            follow_up = step.value
            if follow_up is not None:
                flash(_("Het verzoek is toegekend; dit is het vervolgtraject."), "success")
                return redirect(url_for("gids.trajectory", trajectory_id=follow_up.id))
            flash(_("Het verzoek is afgewezen."), "success")
            return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
        general = step.general
    preview, blocked = None, []
    if item.state == SubmissionState.INGEDIEND:
        found = follow_up_preview(db.session, item, clock.today())
        if isinstance(found, list):
            blocked = [translate_problem(problem) for problem in found]
        else:
            preview = found
    return _decision_page(
        "gids/scaling_request.html",
        item,
        trajectory,
        form,
        general,
        preview=preview,
        blocked=blocked,
        verzoek=verzoek,
        verzoek_label=VERZOEK_STATE_LABELS,
        refusal_meanings=REFUSAL_REASONS,
    )


# --- end of care -----------------------------------------------------------------------------


@bp.route("/einde-zorg/<int:report_id>", methods=["GET", "POST"])
def end_of_care_report(report_id: int) -> str | Response:
    report, trajectory = _to_decide(EndOfCareReport, report_id)
    form = EndOfCareDecisionForm()
    general: list[str] = []
    if form.validate_on_submit():
        if form.accepted:
            step = run_step(
                form,
                lambda: confirm_end_of_care(db.session, report, me(), clock.today()),
                success=_("Het einde van de zorg is bevestigd; het traject is afgesloten."),
            )
        else:
            step = run_step(
                form,
                lambda: return_end_of_care(
                    db.session, report, me(), form.reason.data or "", clock.today()
                ),
                success=_("De melding is teruggestuurd naar de aanbieder."),
            )
        if step.ok:
            return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
        general = step.general
    return _decision_page("gids/end_of_care_report.html", report, trajectory, form, general)


# --- claims ----------------------------------------------------------------------------------


@bp.route("/declaraties/<int:claim_id>", methods=["GET", "POST"])
def claim(claim_id: int) -> str | Response:
    claim, trajectory = _to_decide(Claim, claim_id)
    form = ClaimDecisionForm()
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: decide_claim(
                db.session,
                claim,
                me(),
                approve=form.accepted,
                reason=form.reason.data,
                today=clock.today(),
            ),
            success=_("De declaratie is goedgekeurd.")
            if form.accepted
            else _("De declaratie is afgewezen."),
        )
        if step.ok:
            return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
        general = step.general
    return _decision_page("gids/claim.html", claim, trajectory, form, general)


# --- the gids scales up or down (R9: either party may ask; the gids decides at once) ---------


@bp.route("/trajecten/<int:trajectory_id>/omzetten", methods=["GET", "POST"])
def convert(trajectory_id: int) -> str | Response:
    """The gids changes profile or intensity of a running trajectory: the request is recorded
    and granted in one step (the gids is the one who decides), so the trajectory closes with
    reason 37 today and the follow-up starts tomorrow."""
    from ..aanbieder.evaluation_forms import ScalingForm

    trajectory = own_trajectory(trajectory_id)
    if request.method == "GET":
        form = ScalingForm(
            data={"new_profile_id": trajectory.profile_id, "new_intensity": trajectory.intensity}
        )
    else:
        form = ScalingForm()
    form.new_profile_id.choices = profile_choices(trajectory)
    form.submit.label.text = _("Omzetten")
    general: list[str] = []
    if form.validate_on_submit():

        def convert_now() -> Trajectory:
            asked = request_scaling(
                db.session,
                trajectory,
                me(),
                new_profile_id=int(form.new_profile_id.data or 0),
                new_intensity=Intensity(form.new_intensity.data),
                reason=form.reason.data or "",
                today=clock.today(),
            )
            follow_up = decide_scaling(
                db.session, asked, me(), accept=True, reason=None, today=clock.today()
            )
            assert follow_up is not None
            return follow_up

        step = run_step(
            form,
            convert_now,
            success=_("Het traject is omgezet; het vervolgtraject start morgen."),
        )
        if step.ok:
            return redirect(url_for("gids.trajectory", trajectory_id=step.value.id))
        general = step.general
    return render_template(
        "gids/convert.html",
        trajectory=trajectory,
        form=form,
        general=general,
        can_act=trajectory.state == TrajectoryState.ACTIEF,
    )
