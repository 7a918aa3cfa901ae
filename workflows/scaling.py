"""Scaling up or down (*op-/afschalen*, R9).

Either party may ask for another intensity or profile before the result is reached; the
responsible gids decides. Accepted, the current trajectory closes with reason *omgezet* (code 37)
and closure category c, and a linked follow-up trajectory (``follows_id``) starts the next day
with the new profile, intensity and tariff. The follow-up continues the same care — the same
resident, gids, provider, need and agreed results — so it is not a new inflow in the statistics.

Decisions written down here (where the issue is silent):

* One open request per trajectory at a time; a new one can be made once the gids answered.
* The provider's request puts a task in the gids's inbox; the gids's own request needs none.
* The follow-up keeps the subcontractor when it holds a contract for the new profile on the
  start day; otherwise the main provider delivers the care itself (written in the event).
* The follow-up keeps the gids's evaluation interval override and the ZRM choice; its decision
  date is the day of the decision, and its price is the tariff's price for the new profile and
  intensity on its first day (no deviation: a deviating price is agreed on a new trajectory).
* The closed trajectory's claim follows the claim policy for a closure without the result
  (``workflows.claims``): scaling is not the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AgreedResult,
    ClosureCategory,
    ContractRole,
    Domain,
    EventAction,
    Intensity,
    Provider,
    ScalingRequest,
    SubmissionState,
    SupportProfile,
    Tariff,
    TaskKind,
    Trajectory,
    User,
    utcnow,
)

from .berichten import answers, outgoing
from .berichten import codes as message_codes
from .catalogue import HOUSEHOLD_HELP_INTENSITIES, has_contract, tariff_on
from .eligibility import decision_end_of, jeugd_age_problems, planned_end_default
from .errors import N_, DomainError, Problem
from .evaluations import plan_evaluations
from .guards import (
    is_main_provider_user,
    require_active,
    require_gids_or_main_provider,
    require_responsible_gids,
)
from .inbox import add_task, complete_tasks
from .text import clean_text
from .trajectories import close
from .transitions import (
    SCALING_TABLE,
    Action,
    AnswerAction,
    Origin,
    advance,
    begin,
    record_unchanged,
)
from .uniqueness import duplicate, refusing_duplicates

OMGEZET_REASON_CODE = "37"  # WMO588 = JZ588: in verband met wijzigingsverzoek
FOLLOW_UP_REASON = "vervolg na op-/afschalen"

SCALING_STATE_LABELS: dict[SubmissionState, str] = {
    SubmissionState.INGEDIEND: N_("Wacht op besluit gids"),
    SubmissionState.TOEGEKEND: N_("Toegekend"),
    SubmissionState.AFGEWEZEN: N_("Afgewezen"),
}


def open_request(session: Session, trajectory: Trajectory) -> ScalingRequest | None:
    """The request waiting for the gids's decision, if any."""
    return session.scalars(
        select(ScalingRequest).where(
            ScalingRequest.trajectory_id == trajectory.id,
            ScalingRequest.state == SubmissionState.INGEDIEND,
        )
    ).first()


def requests_of(session: Session, trajectory: Trajectory) -> Sequence[ScalingRequest]:
    """The trajectory's scaling requests, newest first (for the trajectory pages)."""
    return session.scalars(
        select(ScalingRequest)
        .where(ScalingRequest.trajectory_id == trajectory.id)
        .order_by(ScalingRequest.requested_at.desc(), ScalingRequest.id.desc())
    ).all()


def _label(intensity: Intensity) -> str:
    return intensity.value.capitalize()


def _profile_problems(
    session: Session, trajectory: Trajectory, profile_id: int, intensity: Intensity
) -> tuple[SupportProfile | None, list[Problem]]:
    """The new profile exists, is active, is in the same domain and allows the intensity (R5),
    and the combination differs from the current one."""
    profile = session.get(SupportProfile, profile_id)
    if profile is None or not profile.active or profile.domain != trajectory.domain:
        return None, [
            Problem(N_("Kies een actief profiel uit hetzelfde domein."), "new_profile_id")
        ]
    problems: list[Problem] = []
    if intensity not in profile.allowed_intensities or (
        profile.is_household_help and intensity not in HOUSEHOLD_HELP_INTENSITIES
    ):
        problems.append(
            Problem(
                N_("Intensiteit %(intensity)s is niet toegestaan voor profiel %(profile)s."),
                "new_intensity",
                {"intensity": _label(intensity), "profile": profile.name},
            )
        )
    if profile.id == trajectory.profile_id and intensity == trajectory.intensity:
        problems.append(
            Problem(
                N_("Kies een ander profiel of een andere intensiteit dan het traject nu heeft."),
                "new_intensity",
            )
        )
    return profile, problems


def _follow_up_problems(
    session: Session,
    trajectory: Trajectory,
    profile: SupportProfile,
    intensity: Intensity,
    start: date,
) -> tuple[Tariff | None, list[Problem]]:
    """What the follow-up starting on ``start`` needs: a tariff on that day, a main contract
    for the provider, and (Jeugd) a resident still under 18."""
    problems: list[Problem] = []
    tariff = tariff_on(session, profile.id, intensity, start)
    if tariff is None:
        problems.append(
            Problem(
                N_("Er is geen tarief voor dit profiel en deze intensiteit op %(day)s."),
                "new_intensity",
                {"day": start.strftime("%d-%m-%Y")},
            )
        )
    if not has_contract(
        session, trajectory.provider_id, profile.id, start, ContractRole.HOOFDAANNEMER
    ):
        problems.append(
            Problem(
                N_("De aanbieder heeft op %(day)s geen contract voor dit profiel."),
                "new_profile_id",
                {"day": start.strftime("%d-%m-%Y")},
            )
        )
    if trajectory.domain == Domain.JEUGD:
        problems += jeugd_age_problems(trajectory.resident.birth_date, start, None)
    return tariff, problems


def request_scaling(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    new_profile_id: int,
    new_intensity: Intensity,
    reason: str,
    today: date,
) -> ScalingRequest:
    """The responsible gids or the main provider asks to change profile or intensity."""
    require_gids_or_main_provider(trajectory, actor)
    require_active(trajectory, N_("Op- of afschalen kan alleen bij een lopend traject."))
    if open_request(session, trajectory) is not None:
        raise DomainError.from_problems([duplicate("uq_scaling_requests_open")])
    profile, problems = _profile_problems(session, trajectory, new_profile_id, new_intensity)
    if profile is not None and not problems:
        problems += _follow_up_problems(
            session, trajectory, profile, new_intensity, today + timedelta(days=1)
        )[1]
    reason_text = clean_text(reason)
    if not reason_text:
        problems.append(Problem(N_("Geef een reden voor het op- of afschalen."), "reason"))
    if problems:
        raise DomainError.from_problems(problems)
    assert profile is not None and reason_text is not None
    scaling = ScalingRequest(
        trajectory_id=trajectory.id,
        requested_by=actor,
        new_profile_id=profile.id,
        new_intensity=new_intensity,
        reason=reason_text,
        state=SubmissionState.INGEDIEND,
    )
    with refusing_duplicates(session):  # one open request, also at the same moment
        session.add(scaling)
    if is_main_provider_user(trajectory, actor):
        add_task(
            session,
            TaskKind.OPSCHALING_BESLISSEN,
            trajectory,
            user_id=trajectory.gids_id,
            ref=scaling.id,
            due_on=today,
        )
    record_unchanged(
        session,
        trajectory,
        EventAction.OPSCHALING_GEVRAAGD,
        actor,
        reason=reason_text,
        details=f"naar {profile.code} {new_intensity.value}",
    )
    session.flush()
    return scaling


def decide_scaling(
    session: Session,
    request: ScalingRequest,
    actor: User,
    *,
    accept: bool,
    reason: str | None,
    today: date,
    refusal_code: str | None = None,
) -> Trajectory | None:
    """The responsible gids decides. Refused: with a reason the requester reads; returns None.
    Accepted: the current trajectory closes today (category c, reason 37, result not achieved)
    through ``trajectories.close``, and the follow-up trajectory is returned.

    The follow-up goes through the transition table (``workflows.transitions``): it begins
    agreed (``Origin.FOLLOW_UP``) and takes the step *zorg_starten* at once, on the gids's
    decision rather than through ``start_care``: its care starts tomorrow (care continues
    without interruption, R9), and ``start_care`` refuses a start in the future. Its history
    shows *aangemaakt* and *zorg_starten* with the reason "vervolg na op-/afschalen"; its
    evaluations are planned as for any start of care.

    A request that came as a provider's 317 is answered: accepted, by the follow-up's 301
    (carrying the request's reference); refused, by a 319 *afgewezen* with ``refusal_code``
    (RedenAfwijzingVerzoek; default 7).
    """
    trajectory = request.trajectory
    require_responsible_gids(trajectory, actor)
    decided = SCALING_TABLE.next_state(
        request.state, AnswerAction.ACCEPT if accept else AnswerAction.REFUSE
    )
    require_active(trajectory, N_("Op- of afschalen kan alleen bij een lopend traject."))
    reason_text = clean_text(reason)
    if not accept:
        _refuse(session, request, actor, reason_text, today)
        answers.on_scaling_decided(session, request, None, refusal_code=refusal_code, today=today)
        return None

    assert trajectory.care_start is not None
    if trajectory.care_start > today:
        raise DomainError(
            N_("Op- of afschalen kan pas vanaf de eerste zorgdag (%(day)s)."),
            day=trajectory.care_start.strftime("%d-%m-%Y"),
        )
    start, profile, tariff, problems = _follow_up_terms(session, request, today)
    if problems:
        raise DomainError.from_problems(problems)
    assert profile is not None and tariff is not None

    follow_up, notes = _build_follow_up(session, trajectory, profile, tariff, start, today)
    session.add(follow_up)
    begin(
        session,
        follow_up,
        Origin.FOLLOW_UP,
        actor,
        reason=FOLLOW_UP_REASON,
        details=f"vervolg op traject {trajectory.id}" + "".join(f"; {n}" for n in notes),
    )
    advance(
        session,
        follow_up,
        Action.START,
        actor,
        reason=FOLLOW_UP_REASON,
        details=f"start zorg {start.isoformat()}",
        changes={"care_start": start},
    )
    session.flush()
    plan_evaluations(session, follow_up, actor, record=False)

    # Decided before closing, so closing does not answer the request as "closed" in passing.
    request.state = decided
    request.follow_up = follow_up
    request.decision_reason = reason_text
    request.decided_by = actor
    request.decided_at = utcnow()
    record_unchanged(
        session,
        trajectory,
        EventAction.OPSCHALING_TOEGEKEND,
        actor,
        reason=reason_text,
        details=f"vervolgtraject {follow_up.id}: {profile.code} {request.new_intensity.value} "
        f"vanaf {start.isoformat()}",
    )
    close(
        session,
        trajectory,
        actor,
        care_end=today,
        closure_category=ClosureCategory.C,
        end_reason_code=OMGEZET_REASON_CODE,
        result_achieved=False,
        today=today,
        reason=f"omgezet naar vervolgtraject {follow_up.id}",
    )
    answers.on_scaling_decided(session, request, follow_up, refusal_code=None, today=today)
    # The provider's system: the old toewijzing ends today (RedenWijziging 05, verkorting after
    # a reassessment) when it had it, and the follow-up gets its own on its channel.
    outgoing.toewijzing(session, trajectory, today, change=message_codes.SHORTENED, end=today)
    outgoing.toewijzing(session, follow_up, today)
    session.flush()
    return follow_up


def _refuse(
    session: Session, request: ScalingRequest, actor: User, reason_text: str | None, today: date
) -> None:
    """Refuse with a reason; a request of the provider leaves a notice in its inbox."""
    if not reason_text:
        raise DomainError(
            N_("Geef een reden waarom u het verzoek afwijst; de aanvrager leest deze."),
            field="reason",
        )
    trajectory = request.trajectory
    request.state = SCALING_TABLE.next_state(request.state, AnswerAction.REFUSE)
    request.decision_reason = reason_text
    request.decided_by = actor
    request.decided_at = utcnow()
    complete_tasks(session, trajectory.id, [TaskKind.OPSCHALING_BESLISSEN], ref=request.id)
    if request.requested_by.provider_id == trajectory.provider_id:
        add_task(
            session,
            TaskKind.OPSCHALING_AFGEWEZEN,
            trajectory,
            provider_id=trajectory.provider_id,
            ref=request.id,
            due_on=today,
        )
    record_unchanged(
        session,
        trajectory,
        EventAction.OPSCHALING_AFGEWEZEN,
        actor,
        reason=reason_text,
        details=f"gevraagd: {request.new_profile.code} {request.new_intensity.value}",
    )
    session.flush()


def _follow_up_terms(
    session: Session, request: ScalingRequest, today: date
) -> tuple[date, SupportProfile | None, Tariff | None, list[Problem]]:
    """When the follow-up would start if granted today (tomorrow), its profile and tariff, and
    what stands in the way: the one reading of a request for the decision and its preview."""
    trajectory = request.trajectory
    start = today + timedelta(days=1)
    profile, problems = _profile_problems(
        session, trajectory, request.new_profile_id, request.new_intensity
    )
    tariff: Tariff | None = None
    if profile is not None and not problems:
        tariff, problems = _follow_up_problems(
            session, trajectory, profile, request.new_intensity, start
        )
    return start, profile, tariff, problems


@dataclass(frozen=True)
class FollowUpPreview:
    """What granting a request today would make: the follow-up's price (the tariff of the new
    profile × intensity on its start), its planned period and its provider."""

    profile: SupportProfile
    price: Decimal
    planned_start: date
    planned_end: date
    provider: Provider
    subcontractor: Provider | None


def follow_up_preview(
    session: Session, request: ScalingRequest, today: date
) -> FollowUpPreview | list[Problem]:
    """The follow-up the gids would grant today, or why it cannot be granted (shown before
    deciding; ``decide_scaling`` builds exactly this, through the same terms)."""
    start, profile, tariff, problems = _follow_up_terms(session, request, today)
    if problems:
        return problems
    assert profile is not None and tariff is not None
    current = request.trajectory
    subcontractor_id = _kept_subcontractor(session, current, profile, start)
    return FollowUpPreview(
        profile=profile,
        price=tariff.price,
        planned_start=start,
        planned_end=_follow_up_end(current, tariff, start),
        provider=current.provider,
        subcontractor=session.get(Provider, subcontractor_id) if subcontractor_id else None,
    )


def _follow_up_end(current: Trajectory, tariff: Tariff, start: date) -> date:
    return planned_end_default(
        current.domain, current.resident.birth_date, start, tariff.standard_duration_weeks
    )


def _kept_subcontractor(
    session: Session, current: Trajectory, profile: SupportProfile, start: date
) -> int | None:
    """The subcontractor stays when it holds a contract for the new profile on the start."""
    subcontractor_id = current.subcontractor_id
    if subcontractor_id is not None and not any(
        has_contract(session, subcontractor_id, profile.id, start, role) for role in ContractRole
    ):
        return None
    return subcontractor_id


def _build_follow_up(
    session: Session,
    current: Trajectory,
    profile: SupportProfile,
    tariff: Tariff,
    start: date,
    today: date,
) -> tuple[Trajectory, list[str]]:
    """The follow-up trajectory as agreed, before its first state (``decide_scaling`` gives it
    that through the table), and notes for its first event."""
    notes: list[str] = []
    birth_date = current.resident.birth_date
    planned_end = _follow_up_end(current, tariff, start)
    subcontractor_id = _kept_subcontractor(session, current, profile, start)
    if current.subcontractor_id is not None and subcontractor_id is None:
        notes.append("onderaannemer vervalt: geen contract voor het nieuwe profiel")
    # Read before the follow-up exists: it joins the session through the resident, and a lazy
    # load afterwards would autoflush it half-built.
    results = list(current.results)
    follow_up = Trajectory(
        resident=current.resident,
        request_id=current.request_id,
        gids_id=current.gids_id,
        domain=profile.domain,
        profile=profile,
        intensity=tariff.intensity,
        tariff=tariff,
        provider_id=current.provider_id,
        subcontractor_id=subcontractor_id,
        need_type=current.need_type,
        price=tariff.price,
        price_reason=None,
        planned_start=start,
        planned_end=planned_end,
        decision_date=today,
        decision_end=decision_end_of(current.domain, birth_date, planned_end),
        follows_id=current.id,
        evaluation_interval_months=current.evaluation_interval_months,
        uses_zrm=current.uses_zrm,
    )
    follow_up.results = [
        AgreedResult(
            position=r.position,
            description=r.description,
            measure=r.measure,
            gas_minus2=r.gas_minus2,
            gas_minus1=r.gas_minus1,
            gas_zero=r.gas_zero,
            gas_plus1=r.gas_plus1,
            gas_plus2=r.gas_plus2,
        )
        for r in results
    ]
    return follow_up, notes
