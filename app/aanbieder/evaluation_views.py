"""Provider screens for running care: the inbox, the evaluation form, a request to scale up or
down, the end-of-care report and the claim (the claims list is in ``claims``).

Need to know as on the other provider screens (``app.loaders``): another
organisation's trajectory gives 404, a subcontractor reads but does not act (403 on a POST),
only the main contractor submits. Each form has its own page, so a form with problems comes back
with the messages at its fields and everything typed kept; the trajectory page links to them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import (
    Claim,
    Evaluation,
    EvaluationState,
    Intensity,
    Trajectory,
    TrajectoryState,
)
from workflows import closure_rules
from workflows.claims import (
    ClaimPolicy,
    claim_of,
    claimable_amount,
    resubmit_claim,
    submit_claim,
)
from workflows.closure import open_report, report_end_of_care
from workflows.errors import DomainError
from workflows.evaluations import (
    EvaluationInput,
    ScoreInput,
    is_overdue,
    submit_evaluation,
)
from workflows.scaling import open_request, request_scaling

from .. import clock
from ..auth.access import me
from ..extensions import db
from ..formtools import run_step
from ..gids.evaluation_views import extra_evaluation_page
from ..inbox import dismiss, render_inbox
from ..loaders import closing_choices, profile_choices, provider_trajectory, running_care
from ..locking import with_trajectory
from ..progress import send_progress_chart
from . import bp
from .evaluation_forms import (
    ClaimForm,
    EndOfCareForm,
    EvaluationForm,
    ResubmitClaimForm,
    ScalingForm,
    evaluation_form,
    zrm_given,
)

# The evaluation form's scaling fields, by the names ``request_scaling`` gives its problems.
SCALING_FIELDS = {
    "new_profile_id": "scaling_profile_id",
    "new_intensity": "scaling_intensity",
    "reason": "scaling_reason",
}


def _is_main(trajectory: Trajectory) -> bool:
    return trajectory.provider_id == me().provider_id


def _claim_policy() -> ClaimPolicy:
    """R11: what a trajectory closed without its result may claim (``CLAIM_POLICY``)."""
    value = current_app.config.get("CLAIM_POLICY") or ClaimPolicy.PRO_RATA.value
    return ClaimPolicy(value)


def provider_care(trajectory: Trajectory) -> dict[str, Any]:
    """What the provider's trajectory page shows about running care (``_care.html``)."""
    return {**running_care(trajectory), "main": _is_main(trajectory)}


@bp.context_processor
def _care_helpers() -> dict[str, Any]:
    return {"provider_care": provider_care}


# --- inbox -----------------------------------------------------------------------------------


@bp.get("/taken")
def tasks() -> str:
    """The organisation's open tasks, one page at a time (see ``app.inbox``)."""
    return render_inbox("aanbieder/tasks.html")


@bp.post("/taken/<int:task_id>/afgehandeld")
def dismiss_task(task_id: int) -> Response:
    return dismiss(task_id)


# --- evaluations -----------------------------------------------------------------------------


def _evaluation(evaluation_id: int) -> Evaluation:
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        abort(404)
    return evaluation


def _evaluation_input(form: EvaluationForm) -> EvaluationInput:
    assert form.held_on.data is not None
    present = set(form.participants.data or [])
    return EvaluationInput(
        held_on=form.held_on.data,
        with_inwoner="inwoner" in present,
        with_gids="gids" in present,
        with_aanbieder="aanbieder" in present,
        with_netwerk="netwerk" in present,
        summary=form.summary.data or "",
        need_changed=form.need_changed.data == "ja",
        scores=[
            ScoreInput(result.id, score.data, explanation.data)
            for result, score, explanation in form.score_fields()
            if score.data is not None
        ],
        zrm=zrm_given(form),
    )


def _renamed(err: DomainError, names: dict[str, str]) -> DomainError:
    """The same problems, put on this form's names for the fields."""
    return DomainError.from_problems(
        [replace(p, field=names.get(p.field or "", p.field)) for p in err.problems]
    )


def _ask_scaling(
    trajectory: Trajectory, profile_id: int | None, intensity: str | None, reason: str | None
) -> None:
    """The provider's request to scale up or down, from the scaling page or the evaluation."""
    request_scaling(
        db.session,
        trajectory,
        me(),
        new_profile_id=int(profile_id or 0),
        new_intensity=Intensity(intensity),
        reason=reason or "",
        today=clock.today(),
    )


def _submit_evaluation(
    evaluation: Evaluation, trajectory: Trajectory, form: EvaluationForm
) -> None:
    """The evaluation, and the request to scale up or down when the form asks for one: both or
    neither. A problem with the request is shown at the evaluation form's own scaling fields."""
    submit_evaluation(db.session, evaluation, me(), _evaluation_input(form), clock.today())
    if not form.request_scaling.data:
        return
    try:
        _ask_scaling(
            trajectory,
            form.scaling_profile_id.data,
            form.scaling_intensity.data,
            form.scaling_reason.data,
        )
    except DomainError as err:
        raise _renamed(err, SCALING_FIELDS) from err


@bp.route("/evaluaties/<int:evaluation_id>", methods=["GET", "POST"])
def evaluation(evaluation_id: int) -> str | Response:
    evaluation = _evaluation(evaluation_id)
    trajectory = with_trajectory(evaluation, provider_trajectory)
    if request.method == "GET":
        data = {
            "held_on": clock.today(),
            "participants": ["aanbieder"],
            "scaling_profile_id": trajectory.profile_id,
            "scaling_intensity": trajectory.intensity.value,
        }
        form = evaluation_form(trajectory, data=data)
    else:
        form = evaluation_form(trajectory)
    form.scaling_profile_id.choices = profile_choices(trajectory)
    general: list[str] = []
    if request.method == "POST":
        if evaluation.state != EvaluationState.GEPLAND:
            general = [_("Deze evaluatie is al ingediend.")]
        elif form.validate_on_submit():
            step = run_step(form, lambda: _submit_evaluation(evaluation, trajectory, form))
            if step.ok:
                if form.request_scaling.data:
                    flash(
                        _("De evaluatie en het verzoek om op- of afschalen zijn ingediend."),
                        "success",
                    )
                else:
                    flash(_("De evaluatie is ingediend."), "success")
                return redirect(url_for("aanbieder.trajectory", trajectory_id=trajectory.id))
            general = step.general
    return render_template(
        "aanbieder/evaluation.html",
        e=evaluation,
        trajectory=trajectory,
        form=form,
        general=general,
        main=_is_main(trajectory),
        overdue=is_overdue(evaluation, clock.today()),
    )


@bp.get("/trajecten/<int:trajectory_id>/voortgang-<key>.<fmt>")
def progress_chart(trajectory_id: int, key: str, fmt: str) -> Response:
    """A progress chart of the trajectory page as a file, for the organisations named on it."""
    return send_progress_chart(provider_trajectory(trajectory_id), key, fmt)


@bp.route("/trajecten/<int:trajectory_id>/extra-evaluatie", methods=["GET", "POST"])
def extra_evaluation(trajectory_id: int) -> str | Response:
    trajectory = provider_trajectory(trajectory_id)
    return extra_evaluation_page(trajectory, "aanbieder.trajectory", _is_main(trajectory))


# --- scaling up or down ----------------------------------------------------------------------


@bp.route("/trajecten/<int:trajectory_id>/opschalen", methods=["GET", "POST"])
def scaling(trajectory_id: int) -> str | Response:
    trajectory = provider_trajectory(trajectory_id)
    if request.method == "GET":
        form = ScalingForm(
            data={"new_profile_id": trajectory.profile_id, "new_intensity": trajectory.intensity}
        )
    else:
        form = ScalingForm()
    form.new_profile_id.choices = profile_choices(trajectory)
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: _ask_scaling(
                trajectory, form.new_profile_id.data, form.new_intensity.data, form.reason.data
            ),
            success=_("Het verzoek om op- of afschalen is naar de gids gestuurd."),
        )
        if step.ok:
            return redirect(url_for("aanbieder.trajectory", trajectory_id=trajectory.id))
        general = step.general
    return render_template(
        "aanbieder/scaling.html",
        trajectory=trajectory,
        form=form,
        general=general,
        pending=open_request(db.session, trajectory),
        can_act=_is_main(trajectory) and trajectory.state == TrajectoryState.ACTIEF,
    )


# --- end of care -----------------------------------------------------------------------------


@bp.route("/trajecten/<int:trajectory_id>/einde-zorg", methods=["GET", "POST"])
def end_of_care(trajectory_id: int) -> str | Response:
    trajectory = provider_trajectory(trajectory_id)
    form = EndOfCareForm(data={"care_end": clock.today()} if request.method == "GET" else None)
    closing_choices(form, trajectory.domain)
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: report_end_of_care(
                db.session, trajectory, me(), **form.closing(), today=clock.today()
            ),
            success=_("Het einde van de zorg is gemeld; de gids bevestigt het."),
        )
        if step.ok:
            return redirect(url_for("aanbieder.trajectory", trajectory_id=trajectory.id))
        general = step.general
    return render_template(
        "aanbieder/end_of_care.html",
        trajectory=trajectory,
        form=form,
        general=general,
        closure_rules=closure_rules.rows(trajectory.domain),
        pending=open_report(db.session, trajectory),
        can_act=_is_main(trajectory) and trajectory.state == TrajectoryState.ACTIEF,
    )


# --- claims ----------------------------------------------------------------------------------


@bp.route("/trajecten/<int:trajectory_id>/declareren", methods=["GET", "POST"])
def claim(trajectory_id: int) -> str | Response:
    trajectory = provider_trajectory(trajectory_id)
    form = ClaimForm()
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: submit_claim(db.session, trajectory, me(), clock.today(), _claim_policy()),
            success=_("De declaratie is ingediend."),
        )
        if step.ok:
            return redirect(url_for("aanbieder.claims"))
        general = step.general
    existing = claim_of(db.session, trajectory)
    amount = basis = None
    if trajectory.state == TrajectoryState.AFGESLOTEN and existing is None:
        amount, basis = claimable_amount(trajectory, _claim_policy())
    return render_template(
        "aanbieder/claim.html",
        trajectory=trajectory,
        form=form,
        general=general,
        existing=existing,
        amount=amount,
        basis=basis,
        can_act=_is_main(trajectory) and amount is not None,
        can_correct=_is_main(trajectory),
    )


@bp.route("/declaraties/<int:claim_id>/corrigeren", methods=["GET", "POST"])
def resubmit(claim_id: int) -> str | Response:
    """A refused claim, corrected and submitted once more (``resubmit_claim``). Another
    organisation's claim is 404 (its trajectory is); for a POST the claim is read again under
    the trajectory's lock, so a double submit finds it submitted already."""
    existing = db.session.get(Claim, claim_id)
    if existing is None:
        abort(404)
    trajectory = with_trajectory(existing, provider_trajectory)
    form = ResubmitClaimForm()
    general: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: resubmit_claim(
                db.session,
                existing,
                me(),
                amount=form.amount.amount,
                correction=form.correction.data,
                today=clock.today(),
                policy=_claim_policy(),
            ),
            success=_("De gecorrigeerde declaratie is opnieuw ingediend."),
        )
        if step.ok:
            return redirect(url_for("aanbieder.claims"))
        general = step.general
    elif request.method == "GET" and form.amount.data is None:
        form.amount.data = f"{existing.amount:.2f}".replace(".", ",")
    maximum, _basis = claimable_amount(trajectory, _claim_policy())
    return render_template(
        "aanbieder/resubmit.html",
        trajectory=trajectory,
        claim=existing,
        form=form,
        general=general,
        maximum=maximum,
        can_act=_is_main(trajectory)
        and existing.state.value == "afgewezen"
        and not existing.resubmitted,
    )
