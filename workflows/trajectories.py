"""The trajectory workflow: the guarded operations on the transition table
(``workflows.transitions``).

Each operation checks who acts and its guards, changes the trajectory, appends a
``TrajectoryEvent`` and flushes; the caller commits once. A forbidden step raises a
``DomainError`` with a Dutch message. Decisions written down here (where the issue is silent):

* A returned (*teruggestuurd*) trajectory can also be cancelled: the gids may conclude that no
  provider will take it.
* The decision date is the day the gids sends the trajectory to the provider (the *toewijzing*
  follows the decision); sending again after a return moves it to that day.
* Care cannot start before the decision date nor after the decision end, and start and end of
  care cannot lie in the future. The planned start cannot lie before the decision date either,
  nor more than a year ahead (``workflows.eligibility`` holds these date rules).
* A Jeugd trajectory cannot run past the decision end (the day before the 18th birthday): the
  default planned end is capped there and a later planned end is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import (
    Aanmelding,
    AanmeldingOutcome,
    AgreedResult,
    ChangeReason,
    ClosureCategory,
    ContractRole,
    Domain,
    EndOfCareReport,
    EndReason,
    EvaluationState,
    Intensity,
    NeedType,
    Resident,
    Role,
    ScalingRequest,
    SubmissionState,
    SupportProfile,
    TaskKind,
    Trajectory,
    TrajectoryState,
    User,
    ZrmBaselineScore,
    utcnow,
)

from . import clock
from .berichten import answers, outgoing
from .berichten import codes as message_codes
from .caseload import answer_due
from .catalogue import HOUSEHOLD_HELP_INTENSITIES, has_contract, tariff_on
from .closure_rules import close_problems, describe_closure
from .eligibility import (
    decision_end_limit,
    decision_end_of,
    jeugd_age_problems,
    planned_end_default,
    planned_start_problems,
    start_before_decision_problems,
)
from .errors import N_, DomainError, NotFound, Problem
from .evaluations import plan_evaluations, zrm_problems
from .guards import require_responsible_gids
from .inbox import add_task, complete_tasks
from .residents import departed_problems
from .text import clean_text
from .transitions import (
    ACTION_REFUSALS,
    END_OF_CARE_TABLE,
    SCALING_TABLE,
    Action,
    AnswerAction,
    Origin,
    StateTable,
    advance,
    allowed_actions,
    begin,
    check_actor,
    check_version,
    next_state,
    record_unchanged,
    required_reason,
    transition,
)

S = TrajectoryState

CLOSURE_LABELS: dict[ClosureCategory, str] = {
    ClosureCategory.A: N_("a. Afgerond, terug in het netwerk"),
    ClosureCategory.B: N_("b. Overgedragen aan het voorveld"),
    ClosureCategory.C: N_("c. Doorverwezen naar vervolghulp (met beschikking)"),
    ClosureCategory.D: N_("d. Voortijdig afgesloten"),
}


# --- input and derivation -------------------------------------------------------------------


@dataclass
class ResultInput:
    description: str
    measure: str | None = None
    gas_minus2: str | None = None
    gas_minus1: str | None = None
    gas_zero: str | None = None
    gas_plus1: str | None = None
    gas_plus2: str | None = None


@dataclass
class TrajectoryInput:
    """What the gids fills in. Empty ``price`` / ``planned_end`` take the tariff's defaults."""

    resident_id: int
    profile_id: int
    intensity: Intensity
    provider_id: int
    need_type: NeedType
    planned_start: date
    planned_end: date | None = None
    price: Decimal | None = None
    price_reason: str | None = None
    subcontractor_id: int | None = None
    request_id: int | None = None
    results: list[ResultInput] = field(default_factory=list)


@dataclass
class Derived:
    resident: Resident
    profile: SupportProfile
    tariff_id: int
    tariff_price: Decimal
    price: Decimal
    price_reason: str | None
    planned_end: date
    decision_end: date


def derive(session: Session, data: TrajectoryInput, today: date) -> Derived:
    """Check every guard on the input and work out price, planned end and decision end.

    ``today`` is the earliest possible decision date (the day the trajectory is sent): the
    planned start may not lie before it, nor beyond the horizon (``workflows.eligibility``).
    Collects all problems at once so the gids sees every field that needs attention.
    """
    problems: list[Problem] = planned_start_problems(data.planned_start, today)
    resident = session.get(Resident, data.resident_id)
    if resident is None:
        raise NotFound(N_("Inwoner niet gevonden."))
    problems += departed_problems(resident)
    profile = session.get(SupportProfile, data.profile_id)
    if profile is None or not profile.active:
        raise DomainError(N_("Kies een bestaand ondersteuningsprofiel."), field="profile_id")

    intensity_ok = data.intensity in profile.allowed_intensities and (
        not profile.is_household_help or data.intensity in HOUSEHOLD_HELP_INTENSITIES
    )
    if not intensity_ok:
        problems.append(
            Problem(
                N_("Intensiteit %(intensity)s is niet toegestaan voor profiel %(profile)s."),
                "intensity",
                {"intensity": data.intensity.value.capitalize(), "profile": profile.name},
            )
        )

    tariff = (
        tariff_on(session, profile.id, data.intensity, data.planned_start) if intensity_ok else None
    )
    if intensity_ok and tariff is None:
        problems.append(
            Problem(
                N_("Er is geen tarief voor dit profiel en deze intensiteit op %(day)s."),
                "planned_start",
                {"day": data.planned_start.strftime("%d-%m-%Y")},
            )
        )

    limit = decision_end_limit(profile.domain, resident.birth_date)
    if profile.domain == Domain.JEUGD:
        problems += jeugd_age_problems(resident.birth_date, data.planned_start, "planned_start")

    planned_end = data.planned_end
    if planned_end is not None and planned_end < data.planned_start:
        problems.append(
            Problem(N_("De geplande einddatum ligt vóór de geplande startdatum."), "planned_end")
        )
    if planned_end is None and tariff is not None:
        planned_end = planned_end_default(
            profile.domain, resident.birth_date, data.planned_start, tariff.standard_duration_weeks
        )
    elif (
        planned_end is not None and limit is not None and planned_end > limit >= data.planned_start
    ):
        problems.append(
            Problem(
                N_(
                    "De geplande einddatum valt na het einde van de beschikking (%(day)s, "
                    "de dag vóór de 18e verjaardag)."
                ),
                "planned_end",
                {"day": limit.strftime("%d-%m-%Y")},
            )
        )

    price = data.price if data.price is not None else (tariff.price if tariff else None)
    price_reason = clean_text(data.price_reason)
    if price is not None and price < 0:
        problems.append(Problem(N_("De prijs kan niet negatief zijn."), "price"))
    if tariff is not None and price is not None and price != tariff.price and not price_reason:
        problems.append(
            Problem(
                N_("Een prijs die afwijkt van het tarief (€ %(tariff)s) vraagt een reden."),
                "price_reason",
                {"tariff": f"{tariff.price:.2f}".replace(".", ",")},
            )
        )
    if tariff is not None and price == tariff.price:
        price_reason = None

    if not has_contract(
        session, data.provider_id, profile.id, data.planned_start, ContractRole.HOOFDAANNEMER
    ):
        problems.append(
            Problem(
                N_(
                    "Deze aanbieder heeft op de geplande startdatum geen contract voor dit profiel."
                ),
                "provider_id",
            )
        )
    if data.subcontractor_id is not None:
        if data.subcontractor_id == data.provider_id:
            problems.append(
                Problem(
                    N_("De onderaannemer moet een andere organisatie zijn dan de hoofdaannemer."),
                    "subcontractor_id",
                )
            )
        elif not any(
            has_contract(session, data.subcontractor_id, profile.id, data.planned_start, role)
            for role in ContractRole
        ):
            problems.append(
                Problem(
                    N_("De onderaannemer heeft geen contract voor dit profiel."),
                    "subcontractor_id",
                )
            )

    if not [r for r in data.results if clean_text(r.description)]:
        problems.append(Problem(N_("Leg ten minste één afgesproken resultaat vast."), "results"))

    if data.request_id is not None:
        aanmelding = session.get(Aanmelding, data.request_id)
        if aanmelding is None or aanmelding.resident_id != resident.id:
            problems.append(Problem(N_("Deze aanmelding hoort niet bij deze inwoner."), None))
        elif aanmelding.domain != profile.domain:
            problems.append(
                Problem(
                    N_("Het profiel hoort bij een ander domein dan de aanmelding."), "profile_id"
                )
            )

    if problems:
        raise DomainError.from_problems(problems)
    assert tariff is not None and planned_end is not None and price is not None
    return Derived(
        resident=resident,
        profile=profile,
        tariff_id=tariff.id,
        tariff_price=tariff.price,
        price=price,
        price_reason=price_reason,
        planned_end=planned_end,
        decision_end=decision_end_of(profile.domain, resident.birth_date, planned_end),
    )


def _results(data: TrajectoryInput) -> list[AgreedResult]:
    return [
        AgreedResult(
            position=i,
            description=(clean_text(r.description) or ""),
            measure=clean_text(r.measure),
            gas_minus2=clean_text(r.gas_minus2),
            gas_minus1=clean_text(r.gas_minus1),
            gas_zero=clean_text(r.gas_zero),
            gas_plus1=clean_text(r.gas_plus1),
            gas_plus2=clean_text(r.gas_plus2),
        )
        for i, r in enumerate(r for r in data.results if clean_text(r.description))
    ]


def _apply(trajectory: Trajectory, data: TrajectoryInput, derived: Derived) -> list[str]:
    """Copy input onto the trajectory; return a description of the fields that changed."""
    values = {
        "resident_id": data.resident_id,
        "request_id": data.request_id,
        "domain": derived.profile.domain,
        "profile_id": derived.profile.id,
        "intensity": data.intensity,
        "tariff_id": derived.tariff_id,
        "provider_id": data.provider_id,
        "subcontractor_id": data.subcontractor_id,
        "need_type": data.need_type,
        "price": derived.price,
        "price_reason": derived.price_reason,
        "planned_start": data.planned_start,
        "planned_end": derived.planned_end,
        "decision_end": derived.decision_end,
    }
    changes = []
    for name, value in values.items():
        old = getattr(trajectory, name, None)
        if old != value:
            changes.append(f"{name}: {old} → {value}")
            setattr(trajectory, name, value)
    return changes


def create_trajectory(
    session: Session, data: TrajectoryInput, actor: User, *, today: date
) -> Trajectory:
    """Record a new trajectory as a concept for the acting gids."""
    if actor.role != Role.GIDS:
        raise DomainError(N_("Alleen een gids kan een traject aanmaken."))
    derived = derive(session, data, today)
    trajectory = Trajectory(gids_id=actor.id)
    _apply(trajectory, data, derived)
    trajectory.results = _results(data)
    session.add(trajectory)
    begin(session, trajectory, Origin.NEW, actor)
    session.flush()
    return trajectory


def update_trajectory(
    session: Session,
    trajectory: Trajectory,
    data: TrajectoryInput,
    actor: User,
    expected_version: int | None = None,
    *,
    today: date,
    end_follows_start: bool = False,
) -> Trajectory:
    """Edit a concept or a returned trajectory; every changed field is written in the event.

    When the planned start moves and the planned end is left as it was, ``end_follows_start``
    says what the gids chose: the end moves by the same number of days (True), or stays (False).
    An end the gids changed too is taken as typed."""
    check_actor(trajectory, Action.EDIT, actor)
    check_version(trajectory, expected_version)
    next_state(trajectory, Action.EDIT)
    if data.resident_id != trajectory.resident_id:
        raise DomainError(N_("Een traject kan niet naar een andere inwoner worden verplaatst."))
    if end_follows_start and start_moved_end_kept(trajectory, data):
        shift = data.planned_start - trajectory.planned_start
        data = replace(data, planned_end=trajectory.planned_end + shift)
    derived = derive(session, data, today)
    if data.provider_id != trajectory.provider_id:
        # A returned trajectory moved to another provider: the old proposal (and its decision
        # date) no longer applies, so the new provider sees it only once it is sent there.
        trajectory.decision_date = None
    changes = _apply(trajectory, data, derived)
    new_results = _results(data)
    old_texts = [(r.description, r.measure) for r in trajectory.results]
    if old_texts != [(r.description, r.measure) for r in new_results] or any(
        (a.gas_minus2, a.gas_minus1, a.gas_zero, a.gas_plus1, a.gas_plus2)
        != (b.gas_minus2, b.gas_minus1, b.gas_zero, b.gas_plus1, b.gas_plus2)
        for a, b in zip(trajectory.results, new_results, strict=False)
    ):
        changes.append("resultaten gewijzigd")
        trajectory.results = new_results
    # Every edit raises the version, also one that changed only the agreed results (rows of
    # their own): a concurrent edit from an older page must conflict, not overwrite them.
    trajectory.updated_at = utcnow()
    record_unchanged(session, trajectory, Action.EDIT, actor, details="; ".join(changes) or None)
    session.flush()
    return trajectory


def start_moved_end_kept(trajectory: Trajectory, data: TrajectoryInput) -> bool:
    """Whether an edit moves the planned start and leaves the planned end as it was: then the
    gids is asked whether the end moves along (``update_trajectory``'s ``end_follows_start``)."""
    return (
        data.planned_start != trajectory.planned_start
        and data.planned_end == trajectory.planned_end
    )


def input_of(trajectory: Trajectory) -> TrajectoryInput:
    """The form input that would make the trajectory as it stands: re-deriving from it checks
    that a stored trajectory still meets every rule ``derive`` applies."""
    return TrajectoryInput(
        resident_id=trajectory.resident_id,
        profile_id=trajectory.profile_id,
        intensity=trajectory.intensity,
        provider_id=trajectory.provider_id,
        need_type=trajectory.need_type,
        planned_start=trajectory.planned_start,
        planned_end=trajectory.planned_end,
        price=trajectory.price,
        price_reason=trajectory.price_reason,
        subcontractor_id=trajectory.subcontractor_id,
        request_id=trajectory.request_id,
        results=[ResultInput(r.description) for r in trajectory.results],
    )


def propose(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    today: date,
    expected_version: int | None = None,
) -> None:
    """Send the trajectory to the provider; today is its decision date. All guards are checked
    again: the catalogue or the contract may have changed since the concept was saved, and the
    planned start may have passed (care cannot start before the decision)."""
    check_actor(trajectory, Action.PROPOSE, actor)
    next_state(trajectory, Action.PROPOSE)
    check_version(trajectory, expected_version)
    derive(session, input_of(trajectory), today)
    aanmelding = trajectory.aanmelding
    if aanmelding is not None and aanmelding.request_date > today:
        raise DomainError(N_("De aanmelddatum ligt na vandaag."))
    event = transition(
        session,
        trajectory,
        Action.PROPOSE,
        actor,
        expected_version=expected_version,
        changes={"decision_date": today},
    )
    if aanmelding is not None and aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING:
        aanmelding.outcome = AanmeldingOutcome.TOEGEKEND
        aanmelding.decided_on = today
    session.flush()
    # The provider's inbox: answer within the usual response time. ``ref`` is the event, so a
    # proposal sent again after a return is a new task.
    complete_tasks(session, trajectory.id, [TaskKind.TERUGGESTUURD])
    add_task(
        session,
        TaskKind.VOORSTEL_NIEUW,
        trajectory,
        provider_id=trajectory.provider_id,
        ref=event.id,
        due_on=answer_due(today),
    )
    # A trajectory for a provider's 315 answers that request (before the 301, which carries
    # the request's reference when it grants it).
    answers.on_trajectory_proposed(session, trajectory, today=today)
    # On the berichtenverkeer channel the decision also goes to the provider's system (301).
    outgoing.toewijzing(session, trajectory, today)


def accept(
    session: Session, trajectory: Trajectory, actor: User, expected_version: int | None = None
) -> None:
    transition(session, trajectory, Action.ACCEPT, actor, expected_version=expected_version)
    session.flush()
    complete_tasks(session, trajectory.id, [TaskKind.VOORSTEL_NIEUW])


def return_to_gids(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    reason: str,
    today: date,
    expected_version: int | None = None,
) -> None:
    """The provider returns a proposal with a reason; the gids edits it and sends it again (a
    task in the gids's inbox, due the day it is returned)."""
    reason_text = required_reason(reason, N_("Geef een reden waarom u het traject terugstuurt."))
    event = transition(
        session,
        trajectory,
        Action.RETURN,
        actor,
        expected_version=expected_version,
        reason=reason_text,
    )
    session.flush()
    complete_tasks(session, trajectory.id, [TaskKind.VOORSTEL_NIEUW])
    add_task(
        session,
        TaskKind.TERUGGESTUURD,
        trajectory,
        user_id=trajectory.gids_id,
        ref=event.id,
        due_on=today,
    )


def start_care(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    care_start: date,
    today: date,
    expected_version: int | None = None,
    zrm: dict[int, int] | None = None,
) -> None:
    """The provider registers the first day of delivered care and, for a trajectory that uses
    the Zelfredzaamheid-Matrix, may record the ZRM at the start (``zrm``: domain 1…13 to a score
    1…5, all domains or none): the baseline the evaluations' ZRM scores are compared with."""
    check_actor(trajectory, Action.START, actor)
    next_state(trajectory, Action.START)
    zrm_wrong = zrm_problems(trajectory, zrm)
    if zrm_wrong:
        raise DomainError.from_problems(zrm_wrong)
    if care_start > today:
        raise DomainError(
            N_("De startdatum van de zorg kan niet in de toekomst liggen."), field="care_start"
        )
    early = start_before_decision_problems(care_start, trajectory.decision_date)
    if early:
        raise DomainError.from_problems(early)
    if trajectory.decision_end is not None and care_start > trajectory.decision_end:
        raise DomainError(
            N_("De zorg kan niet starten na het einde van de beschikking (%(day)s)."),
            field="care_start",
            day=trajectory.decision_end.strftime("%d-%m-%Y"),
        )
    details = f"start zorg {care_start.isoformat()}"
    if zrm:
        details += "; ZRM bij de start vastgelegd"
    transition(
        session,
        trajectory,
        Action.START,
        actor,
        expected_version=expected_version,
        details=details,
        changes={"care_start": care_start},
    )
    if zrm:
        trajectory.zrm_baseline = [
            ZrmBaselineScore(domain=domain, score=score) for domain, score in sorted(zrm.items())
        ]
    # R8: every start of care plans the evaluations. The plan follows from the start event's
    # data, so it gets no event of its own (one action, one event).
    plan_evaluations(session, trajectory, actor, record=False)
    session.flush()


def end_reasons(session: Session, domain: Domain) -> Sequence[EndReason]:
    return session.scalars(
        select(EndReason).where(EndReason.domain == domain).order_by(EndReason.code)
    ).all()


def reason_meanings(session: Session) -> dict[tuple[Domain | None, str], str]:
    """Every national reason code with its meaning: the end reasons (RedenBeeindiging) under
    their domain, the change reasons (RedenWijziging, the same for both domains) under None."""
    meanings: dict[tuple[Domain | None, str], str] = {
        (r.domain, r.code): r.meaning for r in session.scalars(select(EndReason))
    }
    for r in session.scalars(select(ChangeReason)):
        meanings[(None, r.code)] = r.meaning
    return meanings


def close(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    *,
    care_end: date,
    closure_category: ClosureCategory,
    end_reason_code: str,
    result_achieved: bool,
    today: date,
    expected_version: int | None = None,
    reason: str | None = None,
) -> None:
    """R10: close with an end date, a closure category a–d, a reason code from the domain's list
    and whether the result was achieved, in a combination the domain's table allows
    (``workflows.closure_rules``). ``reason`` is written in the event (e.g. when the
    closure follows a confirmed end-of-care report or an accepted scaling request).

    What was still open on the trajectory is settled too (``settle_open_work``): evaluations
    never held are removed, open tasks are done, open requests are answered."""
    check_actor(trajectory, Action.CLOSE, actor)
    next_state(trajectory, Action.CLOSE)
    problems = close_problems(
        trajectory,
        care_end=care_end,
        closure_category=closure_category,
        end_reason_code=end_reason_code,
        result_achieved=result_achieved,
        today=today,
    )
    if problems:
        raise DomainError.from_problems(problems)
    transition(
        session,
        trajectory,
        Action.CLOSE,
        actor,
        expected_version=expected_version,
        reason=clean_text(reason),
        details=describe_closure(care_end, closure_category, end_reason_code, result_achieved),
        changes={
            "care_end": care_end,
            "closure_category": closure_category,
            "end_reason_code": end_reason_code,
            "result_achieved": result_achieved,
        },
    )
    settle_open_work(session, trajectory, actor)
    session.flush()


# The answer written on requests still open when the trajectory closes.
CLOSED_ANSWER = "Het traject is afgesloten."


def settle_open_work(session: Session, trajectory: Trajectory, actor: User | None) -> None:
    """Leave nothing open on a trajectory that closed: evaluations never held are removed (an
    evaluation that did not happen is not part of the record), every open task is done, and open
    scaling requests and end-of-care reports are answered. Used by every way a trajectory
    closes (``close``, hence also confirmed reports and accepted scaling)."""
    for evaluation in [e for e in trajectory.evaluations if e.state == EvaluationState.GEPLAND]:
        trajectory.evaluations.remove(evaluation)  # delete-orphan deletes the row
    complete_tasks(session, trajectory.id, list(TaskKind))
    now = utcnow()
    open_requests = session.scalars(
        select(ScalingRequest).where(
            ScalingRequest.trajectory_id == trajectory.id,
            ScalingRequest.state == SubmissionState.INGEDIEND,
        )
    ).all()
    open_reports = session.scalars(
        select(EndOfCareReport).where(
            EndOfCareReport.trajectory_id == trajectory.id,
            EndOfCareReport.state == SubmissionState.INGEDIEND,
        )
    ).all()
    answered: list[
        tuple[ScalingRequest | EndOfCareReport, StateTable[SubmissionState, AnswerAction]]
    ]
    answered = [
        *((request, SCALING_TABLE) for request in open_requests),
        *((report, END_OF_CARE_TABLE) for report in open_reports),
    ]
    for item, table in answered:
        item.state = table.next_state(item.state, AnswerAction.SETTLE)
        item.decision_reason = CLOSED_ANSWER
        item.decided_by = actor
        item.decided_at = now
    session.flush()
    for request in open_requests:  # a provider's 317 hears that it lapsed (319 afgewezen)
        answers.on_scaling_settled(session, request, today=clock.today())


def cancel(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    *,
    today: date | None = None,
) -> None:
    """Cancel an open trajectory with a reason. When its toewijzing went to the provider's
    system, a 301 with RedenWijziging 13 (verwijderd) follows, dated ``today`` (default: the
    clock's today)."""
    reason_text = required_reason(reason, N_("Geef een reden voor het annuleren."))
    transition(
        session,
        trajectory,
        Action.CANCEL,
        actor,
        expected_version=expected_version,
        reason=reason_text,
    )
    session.flush()
    complete_tasks(session, trajectory.id, list(TaskKind))
    outgoing.toewijzing(session, trajectory, today or clock.today(), change=message_codes.DELETED)


EXTENSION_REASON_CODE = message_codes.EXTENSION  # RedenWijziging: herbeoordeling: verlenging
# The states whose decision can be extended, as the transition table says.
DECISION_OPEN_STATES = tuple(s for s in S if Action.EXTEND in allowed_actions(s))


def extend_decision(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    *,
    new_end: date,
    reason: str,
    today: date,
    expected_version: int | None = None,
) -> None:
    """R6: the responsible gids extends the decision (*verlenging*, RedenWijziging 04) of an
    agreed or running trajectory to a later end date, with a reason.

    The agreement itself stays as it was: price and planned end are what the provider agreed to
    (R4: a later result is not paid extra). The event ``verlengd`` is what the statistics count;
    a prompt that the old decision was expiring is settled, and the scheduler prompts again as
    the new end nears. A Jeugd decision cannot run past the day before the 18th birthday.
    """
    require_responsible_gids(trajectory, actor)
    next_state(trajectory, Action.EXTEND)
    if trajectory.decision_end is None:
        raise DomainError(ACTION_REFUSALS[Action.EXTEND])
    check_version(trajectory, expected_version)
    reason_text = required_reason(reason, N_("Geef een reden voor de verlenging."))
    old_end = trajectory.decision_end
    problems: list[Problem] = []
    if new_end <= old_end:
        problems.append(
            Problem(
                N_("Kies een einddatum na het huidige einde van de beschikking (%(day)s)."),
                "new_end",
                {"day": old_end.strftime("%d-%m-%Y")},
            )
        )
    elif new_end < today:
        problems.append(Problem(N_("De nieuwe einddatum ligt in het verleden."), "new_end"))
    limit = decision_end_limit(trajectory.domain, trajectory.resident.birth_date)
    if limit is not None and new_end > limit:
        problems.append(
            Problem(
                N_(
                    "Een Jeugdwet-beschikking loopt tot de dag vóór de 18e verjaardag "
                    "(%(day)s); bereid de overgang naar de Wmo voor."
                ),
                "new_end",
                {"day": limit.strftime("%d-%m-%Y")},
            )
        )
    if problems:
        raise DomainError.from_problems(problems)
    advance(
        session,
        trajectory,
        Action.EXTEND,
        actor,
        reason=reason_text,
        details=f"beschikking tot {old_end.isoformat()} verlengd tot {new_end.isoformat()}, "
        f"reden {EXTENSION_REASON_CODE}",
        changes={"decision_end": new_end},
    )
    session.flush()
    complete_tasks(session, trajectory.id, [TaskKind.BESCHIKKING_VERLOOPT])
    # The provider's system learns the new end (RedenWijziging 04) when it had the toewijzing.
    outgoing.toewijzing(session, trajectory, today, change=message_codes.EXTENSION, end=new_end)


# What every page of a trajectory shows of its many-to-one parts, read in the trajectory's own
# query rather than one query each as the template reaches them (bench/load.py). A row about
# to change is locked alone: FOR UPDATE refuses the outer join to the tariff.
_SHOWN_WITH_IT = (
    joinedload(Trajectory.resident),
    joinedload(Trajectory.profile),
    joinedload(Trajectory.provider),
    joinedload(Trajectory.tariff),
)


def get_trajectory(session: Session, trajectory_id: int, *, for_update: bool = False) -> Trajectory:
    """Load a trajectory, locking its row when it is about to change. Locked, it is read
    again even when the session holds it already: what another request committed while this
    one waited for the lock is what the workflow must check."""
    trajectory = session.get(
        Trajectory,
        trajectory_id,
        with_for_update=for_update or None,
        populate_existing=for_update,
        options=() if for_update else _SHOWN_WITH_IT,
    )
    if trajectory is None:
        raise NotFound(N_("Traject niet gevonden."))
    return trajectory
