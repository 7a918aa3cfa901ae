"""Cyclic evaluation (R7, R8): plan, hold, score and review.

When care starts, two evaluations are planned: the first regular one, one interval after the
start of care, and the final one, two weeks before the planned end. Each submitted evaluation
plans the next regular one from the day it was held, so a late evaluation moves the cycle
instead of piling up missed ones. No regular evaluation is planned on or after the final one's
due date: near the end the final evaluation is the one that counts, and after the final
evaluation the cycle stops (care that runs past the planned end is followed by the scheduler's
*termijn verstreken* prompt and, where needed, an extra evaluation). An extra evaluation can be
opened at any time when the need changed (L1806: not every evaluation is about the end).

The provider submits (who took part, a GAS score −2…+2 per agreed result, a summary, optional
ZRM scores); the responsible gids reviews: *akkoord*, or *bespreken* with a remark. *Overdue* is
not a state: it is derived from the due date (``is_overdue``), so it never goes stale.

The scheduler makes the prompts (tasks) for due and overdue evaluations; this module only plans,
and clears those prompts once the evaluation is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models import (
    ZRM_DOMAINS,
    Domain,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    EventAction,
    NeedType,
    PromptStage,
    ResultScore,
    ReviewOutcome,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
    User,
    ZrmScore,
    utcnow,
)

from .dates import add_months
from .eligibility import evaluation_due_problems
from .errors import N_, DomainError, Problem
from .guards import (
    require_active,
    require_gids_or_main_provider,
    require_main_provider_user,
    require_responsible_gids,
)
from .inbox import add_task, complete_tasks
from .text import clean_text
from .transitions import EVALUATION_TABLE, EvaluationAction, record_unchanged
from .uniqueness import duplicate, refusing_duplicates

DEFAULT_INTERVAL_MONTHS: dict[Domain, int] = {Domain.JEUGD: 3, Domain.WMO: 6}
BLIJVEND_INTERVAL_MONTHS = 12
FINAL_EVALUATION_DAYS_BEFORE_END = 14
MIN_INTERVAL_MONTHS = 1
MAX_INTERVAL_MONTHS = 24
GAS_MIN, GAS_MAX = -2, 2
ZRM_MIN, ZRM_MAX = 1, 5

# The prompts the scheduler makes for an evaluation that is due or overdue.
PROMPT_KINDS = (TaskKind.EVALUATIE_BINNENKORT, TaskKind.EVALUATIE_TE_LAAT)

EVALUATION_STATE_LABELS: dict[EvaluationState, str] = {
    EvaluationState.GEPLAND: N_("Gepland"),
    EvaluationState.INGEDIEND: N_("Ingediend"),
    EvaluationState.BEOORDEELD: N_("Beoordeeld"),
}

EVALUATION_KIND_LABELS: dict[EvaluationKind, str] = {
    EvaluationKind.REGULIER: N_("Periodieke evaluatie"),
    EvaluationKind.EIND: N_("Eindevaluatie"),
    EvaluationKind.EXTRA: N_("Extra evaluatie"),
}

REVIEW_OUTCOME_LABELS: dict[ReviewOutcome, str] = {
    ReviewOutcome.AKKOORD: N_("Akkoord"),
    ReviewOutcome.BESPREKEN: N_("Bespreken"),
}


# --- the plan -----------------------------------------------------------------------------------


# The cycle as pure functions of dates and numbers: the workflow below applies them to a
# trajectory, the demo seed to the rows it generates, so both plan the same cycle.


def evaluation_interval(
    domain: Domain,
    need_type: NeedType,
    tariff_months: int | None,
    override: int | None = None,
) -> int:
    """The evaluation interval in months. Precedence:

    1. the gids's override on the trajectory (``evaluation_interval_months``, R8);
    2. 12 months when the need is *blijvend* — a lasting need gets a lighter cycle (R7);
    3. the interval of the trajectory's tariff (the catalogue's cadence per profile);
    4. the domain default: Jeugd 3 months, Wmo 6 months.
    """
    if override is not None:
        return override
    if need_type == NeedType.BLIJVEND:
        return BLIJVEND_INTERVAL_MONTHS
    if tariff_months is not None:
        return tariff_months
    return DEFAULT_INTERVAL_MONTHS[domain]


def final_evaluation_due(start: date, planned_end: date) -> date:
    """The final evaluation's due date: two weeks before the planned end, but not before care
    started (a short trajectory, or care that started late, evaluates at the start)."""
    return max(planned_end - timedelta(days=FINAL_EVALUATION_DAYS_BEFORE_END), start)


def next_regular_due(base: date, months: int, final_due: date) -> date | None:
    """The next regular evaluation: one interval after ``base`` (the start of care, or the day
    the last evaluation was held); None when that is on or after the final one's due date."""
    due = add_months(base, months)
    return due if due < final_due else None


def interval_months(trajectory: Trajectory) -> int:
    """The trajectory's evaluation interval in months (``evaluation_interval``)."""
    if trajectory.evaluation_interval_months is not None:
        return trajectory.evaluation_interval_months
    tariff = trajectory.tariff if trajectory.need_type != NeedType.BLIJVEND else None
    return evaluation_interval(
        trajectory.domain,
        trajectory.need_type,
        tariff.evaluation_interval_months if tariff is not None else None,
    )


def final_due_on(trajectory: Trajectory) -> date:
    """The trajectory's final evaluation due date (``final_evaluation_due``)."""
    start = trajectory.care_start or trajectory.planned_start
    return final_evaluation_due(start, trajectory.planned_end)


def is_overdue(evaluation: Evaluation, today: date) -> bool:
    return evaluation.state == EvaluationState.GEPLAND and evaluation.due_on < today


def planned(trajectory: Trajectory, kind: EvaluationKind | None = None) -> list[Evaluation]:
    """The trajectory's evaluations not yet held, optionally of one kind, by due date."""
    return sorted(
        (
            e
            for e in trajectory.evaluations
            if e.state == EvaluationState.GEPLAND and (kind is None or e.kind == kind)
        ),
        key=lambda e: e.due_on,
    )


def _cycle_base(trajectory: Trajectory) -> date:
    """The day the current cycle counts from: the last evaluation held, else the start of care."""
    assert trajectory.care_start is not None
    held = [e.held_on for e in trajectory.evaluations if e.held_on is not None]
    return max([trajectory.care_start, *held])


def _final_held(trajectory: Trajectory) -> bool:
    return any(
        e.kind == EvaluationKind.EIND and e.state != EvaluationState.GEPLAND
        for e in trajectory.evaluations
    )


def _next_regular_due(trajectory: Trajectory, base: date) -> date | None:
    """One interval after ``base``; None when that is on or after the final evaluation's due
    date, or when the final evaluation has been held (the cycle is over)."""
    if _final_held(trajectory):
        return None
    return next_regular_due(base, interval_months(trajectory), final_due_on(trajectory))


def _plan_next_regular(trajectory: Trajectory, base: date) -> Evaluation | None:
    if planned(trajectory, EvaluationKind.REGULIER):
        return None
    due = _next_regular_due(trajectory, base)
    if due is None:
        return None
    evaluation = Evaluation(kind=EvaluationKind.REGULIER, due_on=due, state=EvaluationState.GEPLAND)
    trajectory.evaluations.append(evaluation)
    return evaluation


def describe(evaluations: list[Evaluation]) -> str:
    """The plan in a line for an event: ``regulier 2027-02-02; eind 2027-04-25``."""
    return "; ".join(f"{e.kind.value} {e.due_on.isoformat()}" for e in evaluations)


def plan_evaluations(
    session: Session, trajectory: Trajectory, actor: User | None = None, *, record: bool = True
) -> list[Evaluation]:
    """Plan the first regular evaluation (start of care + interval) and the final one (planned
    end − 14 days, not before the start of care). Called when care starts, for follow-up
    trajectories too. Safe to call again: what is already planned is not planned twice.

    Returns the evaluations it planned, by due date. With ``record`` they are written in an
    event; a start of care passes ``record=False``: the plan follows from the start event.
    """
    if trajectory.care_start is None:
        raise DomainError(N_("Evaluaties worden gepland zodra de zorg is gestart."))
    new: list[Evaluation] = []
    if not any(e.kind == EvaluationKind.EIND for e in trajectory.evaluations):
        final = Evaluation(
            kind=EvaluationKind.EIND,
            due_on=final_due_on(trajectory),
            state=EvaluationState.GEPLAND,
        )
        trajectory.evaluations.append(final)
        new.append(final)
    regular = _plan_next_regular(trajectory, _cycle_base(trajectory))
    if regular is not None:
        new.append(regular)
    new.sort(key=lambda e: e.due_on)
    if new and record:
        record_unchanged(
            session,
            trajectory,
            EventAction.EVALUATIES_GEPLAND,
            actor,
            details=describe(new),
        )
    session.flush()
    return new


def withdraw_prompts(session: Session, trajectory: Trajectory, evaluation: Evaluation) -> None:
    """Delete the scheduler's prompts for an evaluation whose date moved or that was dropped.

    Deleted, not completed: the dedupe index counts done tasks too, so a done prompt would keep
    the scheduler from prompting for the new date (and SQLite may give a dropped evaluation's
    id to the next one). The evaluation's prompt stage starts over for the same reason."""
    evaluation.prompt_stage = PromptStage.NONE
    session.execute(
        delete(Task).where(
            Task.trajectory_id == trajectory.id,
            Task.kind.in_(PROMPT_KINDS),
            Task.ref == evaluation.id,
        ),
        execution_options={"synchronize_session": False},
    )


def _replan_regular(session: Session, trajectory: Trajectory) -> str:
    """Move the regular evaluation not yet held to one interval after the last one held (or the
    start of care); drop it when it would fall on or after the final one, or plan one when none
    was planned. Returns the new due date (ISO) or "vervalt" for the event."""
    new_due = _next_regular_due(trajectory, _cycle_base(trajectory))
    current = planned(trajectory, EvaluationKind.REGULIER)
    if not current:
        replanned = _plan_next_regular(trajectory, _cycle_base(trajectory))
        return replanned.due_on.isoformat() if replanned is not None else "vervalt"
    for evaluation in current:
        if evaluation is current[0] and new_due is not None:
            if evaluation.due_on != new_due:
                withdraw_prompts(session, trajectory, evaluation)
                evaluation.due_on = new_due
        else:
            withdraw_prompts(session, trajectory, evaluation)
            trajectory.evaluations.remove(evaluation)  # delete-orphan deletes the row
    return new_due.isoformat() if new_due is not None else "vervalt"


def set_interval(session: Session, trajectory: Trajectory, actor: User, months: int | None) -> None:
    """The responsible gids overrides the evaluation interval (1–24 months), or clears the
    override (``None``) so the default applies again. On a running trajectory the regular
    evaluation not yet held is planned again: one new interval after the last evaluation held
    (or the start of care); the scheduler's prompts for the old date are withdrawn."""
    require_responsible_gids(trajectory, actor)
    if not trajectory.is_open:
        raise DomainError(N_("Het evaluatie-interval van een afgesloten traject ligt vast."))
    if months is not None and not MIN_INTERVAL_MONTHS <= months <= MAX_INTERVAL_MONTHS:
        raise DomainError(
            N_("Kies een interval van %(low)d tot en met %(high)d maanden."),
            field="months",
            low=MIN_INTERVAL_MONTHS,
            high=MAX_INTERVAL_MONTHS,
        )
    if months == trajectory.evaluation_interval_months:
        return
    before = interval_months(trajectory)
    trajectory.evaluation_interval_months = months
    after = interval_months(trajectory)
    details = f"evaluatie-interval {before} → {after} maanden" + (
        "" if months is not None else " (standaard)"
    )
    if trajectory.state == TrajectoryState.ACTIEF:
        details += "; volgende evaluatie " + _replan_regular(session, trajectory)
    record_unchanged(
        session,
        trajectory,
        EventAction.EVALUATIE_INTERVAL,
        actor,
        details=details,
    )
    session.flush()


def open_extra_evaluation(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    reason: str,
    due_on: date,
    today: date,
) -> Evaluation:
    """R8: the gids or the main provider opens an extra evaluation because the need changed,
    due between today and the planned end (past the planned end: within 30 days,
    ``eligibility.evaluation_due_problems``).

    One extra evaluation is open per trajectory at a time: until it is held, a further change
    of the need is discussed at that same meeting, so a second one (a double click, the gids
    and the provider both, ten tabs) is refused with a message — by this check, and by the
    unique index ``uq_evaluations_open_extra`` when two requests pass it at the same moment.
    Once it is held (submitted), a new extra evaluation can be planned."""
    require_gids_or_main_provider(trajectory, actor)
    require_active(
        trajectory, N_("Alleen bij een lopend traject kan een extra evaluatie worden gepland.")
    )
    if planned(trajectory, EvaluationKind.EXTRA):
        raise DomainError.from_problems([duplicate("uq_evaluations_open_extra")])
    problems: list[Problem] = []
    reason_text = clean_text(reason)
    if not reason_text:
        problems.append(Problem(N_("Geef aan waarom een extra evaluatie nodig is."), "reason"))
    problems += evaluation_due_problems(due_on, today=today, planned_end=trajectory.planned_end)
    if problems:
        raise DomainError.from_problems(problems)
    evaluation = Evaluation(
        kind=EvaluationKind.EXTRA, due_on=due_on, reason=reason_text, state=EvaluationState.GEPLAND
    )
    with refusing_duplicates(session):
        trajectory.evaluations.append(evaluation)
    record_unchanged(
        session,
        trajectory,
        EventAction.EVALUATIE_EXTRA,
        actor,
        reason=reason_text,
        details=f"extra evaluatie uiterlijk {due_on.isoformat()}",
    )
    session.flush()
    return evaluation


# --- holding and reviewing ----------------------------------------------------------------------


@dataclass
class ScoreInput:
    result_id: int
    score: int
    explanation: str | None = None


@dataclass
class EvaluationInput:
    """What the provider fills in. ``zrm`` maps ZRM domain (1…13) to a score (1…5)."""

    held_on: date
    with_inwoner: bool
    with_gids: bool
    with_aanbieder: bool
    with_netwerk: bool
    summary: str
    need_changed: bool
    scores: list[ScoreInput]
    zrm: dict[int, int] | None = None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _score_problems(trajectory: Trajectory, scores: list[ScoreInput]) -> list[Problem]:
    """Exactly one GAS score −2…+2 for each agreed result; messages name the result."""
    problems: list[Problem] = []
    results = {r.id: r for r in trajectory.results}
    seen: set[int] = set()
    for item in scores:
        result = results.get(item.result_id)
        if result is None:
            problems.append(
                Problem(N_("Een score hoort niet bij een afgesproken resultaat."), "scores")
            )
            continue
        name = _short(result.description)
        if item.result_id in seen:
            problems.append(
                Problem(
                    N_("Resultaat '%(result)s' heeft meer dan één score."),
                    "scores",
                    {"result": name},
                )
            )
            continue
        seen.add(item.result_id)
        if not GAS_MIN <= item.score <= GAS_MAX:
            problems.append(
                Problem(
                    N_("De score voor resultaat '%(result)s' moet tussen −2 en +2 liggen."),
                    "scores",
                    {"result": name},
                )
            )
    for result in trajectory.results:
        if result.id not in seen:
            problems.append(
                Problem(
                    N_("Geef een score voor resultaat '%(result)s'."),
                    "scores",
                    {"result": _short(result.description)},
                )
            )
    return problems


def zrm_problems(trajectory: Trajectory, zrm: dict[int, int] | None) -> list[Problem]:
    """ZRM scores only when the trajectory uses the ZRM; then all 13 domains, each 1…5."""
    if not zrm:
        return []
    if not trajectory.uses_zrm:
        return [Problem(N_("Dit traject gebruikt de Zelfredzaamheid-Matrix niet."), "zrm")]
    problems: list[Problem] = []
    if set(zrm) != set(range(1, ZRM_DOMAINS + 1)):
        problems.append(
            Problem(
                N_(
                    "Vul de Zelfredzaamheid-Matrix voor alle %(count)d domeinen in, of laat hem "
                    "helemaal leeg."
                ),
                "zrm",
                {"count": ZRM_DOMAINS},
            )
        )
    for domain in sorted(zrm):
        if not ZRM_MIN <= zrm[domain] <= ZRM_MAX:
            problems.append(
                Problem(
                    N_("ZRM-domein %(domain)d: de score moet van 1 tot en met 5 lopen."),
                    "zrm",
                    {"domain": domain},
                )
            )
    return problems


def _input_problems(trajectory: Trajectory, data: EvaluationInput, today: date) -> list[Problem]:
    problems: list[Problem] = []
    assert trajectory.care_start is not None
    if data.held_on > today:
        problems.append(Problem(N_("De evaluatiedatum kan niet in de toekomst liggen."), "held_on"))
    if data.held_on < trajectory.care_start:
        problems.append(
            Problem(
                N_("De evaluatiedatum ligt vóór de start van de zorg (%(day)s)."),
                "held_on",
                {"day": trajectory.care_start.strftime("%d-%m-%Y")},
            )
        )
    if not (data.with_inwoner or data.with_gids or data.with_aanbieder or data.with_netwerk):
        problems.append(Problem(N_("Geef aan wie aan de evaluatie deelnamen."), "participants"))
    if not clean_text(data.summary):
        problems.append(Problem(N_("Vat de evaluatie kort samen."), "summary"))
    problems += _score_problems(trajectory, data.scores)
    problems += zrm_problems(trajectory, data.zrm)
    return problems


def submit_evaluation(
    session: Session,
    evaluation: Evaluation,
    actor: User,
    data: EvaluationInput,
    today: date,
) -> Evaluation:
    """The main provider records a held evaluation. All problems are reported at once and
    nothing changes until the input is right. Afterwards the scheduler's prompts for this
    evaluation are done, the gids gets it to review, and the next regular one is planned."""
    trajectory = evaluation.trajectory
    require_main_provider_user(trajectory, actor)
    require_active(
        trajectory, N_("Alleen bij een lopend traject kan een evaluatie worden ingediend.")
    )
    submitted = EVALUATION_TABLE.next_state(evaluation.state, EvaluationAction.SUBMIT)
    problems = _input_problems(trajectory, data, today)
    if problems:
        raise DomainError.from_problems(problems)

    with session.no_autoflush:
        evaluation.state = submitted
        evaluation.held_on = data.held_on
        evaluation.with_inwoner = data.with_inwoner
        evaluation.with_gids = data.with_gids
        evaluation.with_aanbieder = data.with_aanbieder
        evaluation.with_netwerk = data.with_netwerk
        evaluation.summary = clean_text(data.summary)
        evaluation.need_changed = data.need_changed
        evaluation.submitted_by = actor
        evaluation.submitted_at = utcnow()
        evaluation.scores = [
            ResultScore(result_id=s.result_id, score=s.score, explanation=clean_text(s.explanation))
            for s in data.scores
        ]
        evaluation.zrm_scores = [
            ZrmScore(domain=domain, score=score)
            for domain, score in sorted((data.zrm or {}).items())
        ]
    with refusing_duplicates(session):  # the scores of a second submit at the same moment
        session.flush()

    complete_tasks(session, trajectory.id, PROMPT_KINDS, ref=evaluation.id)
    add_task(
        session,
        TaskKind.EVALUATIE_BEOORDELEN,
        trajectory,
        user_id=trajectory.gids_id,
        ref=evaluation.id,
        due_on=today,
    )
    details = (
        f"{evaluation.kind.value} evaluatie (gepland {evaluation.due_on.isoformat()}) "
        f"gehouden op {data.held_on.isoformat()}"
    )
    if evaluation.kind != EvaluationKind.EIND:
        following = _plan_next_regular(trajectory, data.held_on)
        if following is not None:
            details += f"; volgende evaluatie {following.due_on.isoformat()}"
    if data.need_changed:
        details += "; ondersteuningsbehoefte veranderd"
    record_unchanged(
        session,
        trajectory,
        EventAction.EVALUATIE_INGEDIEND,
        actor,
        details=details,
    )
    session.flush()
    return evaluation


def review_evaluation(
    session: Session,
    evaluation: Evaluation,
    actor: User,
    outcome: ReviewOutcome,
    remark: str | None,
    today: date,
) -> None:
    """The responsible gids reviews a submitted evaluation: *akkoord*, or *bespreken* with a
    remark that says what needs discussing (the provider reads it on the evaluation, and finds
    a notice in its inbox)."""
    trajectory = evaluation.trajectory
    require_responsible_gids(trajectory, actor)
    reviewed = EVALUATION_TABLE.next_state(evaluation.state, EvaluationAction.REVIEW)
    remark_text = clean_text(remark)
    if outcome == ReviewOutcome.BESPREKEN and not remark_text:
        raise DomainError(N_("Geef aan wat u wilt bespreken."), field="remark")
    with session.no_autoflush:
        evaluation.state = reviewed
        evaluation.review_outcome = outcome
        evaluation.review_remark = remark_text
        evaluation.reviewed_by = actor
        evaluation.reviewed_at = utcnow()
    session.flush()
    complete_tasks(session, trajectory.id, [TaskKind.EVALUATIE_BEOORDELEN], ref=evaluation.id)
    if outcome == ReviewOutcome.BESPREKEN:
        add_task(
            session,
            TaskKind.EVALUATIE_BESPREKEN,
            trajectory,
            provider_id=trajectory.provider_id,
            ref=evaluation.id,
            due_on=today,
        )
    record_unchanged(
        session,
        trajectory,
        EventAction.EVALUATIE_BEOORDEELD,
        actor,
        reason=remark_text,
        details=f"evaluatie van {evaluation.held_on.isoformat() if evaluation.held_on else '?'}: "
        f"{outcome.value}",
    )
    session.flush()


def set_uses_zrm(session: Session, trajectory: Trajectory, actor: User, uses: bool) -> None:
    """The responsible gids decides whether the trajectory's evaluations also score the
    Zelfredzaamheid-Matrix (optional per trajectory). Evaluations already held keep their
    scores; from now on the evaluation form asks for the 13 domains, or no longer does."""
    require_responsible_gids(trajectory, actor)
    if uses == trajectory.uses_zrm:
        return
    if not trajectory.is_open:
        raise DomainError(N_("Of een afgesloten traject de ZRM gebruikt, ligt vast."))
    trajectory.uses_zrm = uses
    record_unchanged(
        session,
        trajectory,
        EventAction.ZRM_GEWIJZIGD,
        actor,
        details="gebruikt de ZRM" if uses else "gebruikt de ZRM niet meer",
    )
    session.flush()


# --- progress across evaluations -----------------------------------------------------------------


@dataclass(frozen=True)
class ScoreHistory:
    """The scores of a trajectory's submitted evaluations, oldest first, for the progress
    charts and their tables (the trajectory pages and the *Evaluatieverslag* use the same).

    ``gas_moments`` are the held evaluations (date, kind); ``gas`` has per agreed result (its
    number, its description, a score or None per moment). ``zrm_moments`` are the ZRM
    measurements — the start of care (kind None) when a baseline was recorded, then each
    evaluation with ZRM scores — and ``zrm`` the score per domain (1…13) per moment."""

    gas_moments: list[tuple[date, EvaluationKind]]
    gas: list[tuple[int, str, list[int | None]]]
    zrm_moments: list[tuple[date, EvaluationKind | None]]
    zrm: list[tuple[int, list[int | None]]]

    @property
    def empty(self) -> bool:
        return not self.gas_moments and not self.zrm_moments

    def zrm_means(self) -> list[float | None]:
        """The mean ZRM score over the domains scored, per measurement."""
        means: list[float | None] = []
        for i in range(len(self.zrm_moments)):
            scored = [scores[i] for _domain, scores in self.zrm if scores[i] is not None]
            means.append(sum(s for s in scored if s is not None) / len(scored) if scored else None)
        return means


def score_history(trajectory: Trajectory, until: Evaluation | None = None) -> ScoreHistory:
    """The trajectory's GAS and ZRM scores over its submitted evaluations, oldest first; with
    ``until``, only up to and including that evaluation (its report shows no later ones)."""
    held = sorted(
        (
            e
            for e in trajectory.evaluations
            if e.state != EvaluationState.GEPLAND and e.held_on is not None
        ),
        key=lambda e: (e.held_on or date.min, e.id),
    )
    if until is not None and until in held:
        held = held[: held.index(until) + 1]
    gas = []
    for number, result in enumerate(trajectory.results, start=1):
        row: list[int | None] = []
        for evaluation in held:
            found = [s.score for s in evaluation.scores if s.result_id == result.id]
            row.append(found[0] if found else None)
        gas.append((number, result.description, row))
    measured: list[tuple[date, EvaluationKind | None, dict[int, int]]] = []
    if trajectory.zrm_baseline and trajectory.care_start is not None:
        baseline = {z.domain: z.score for z in trajectory.zrm_baseline}
        measured.append((trajectory.care_start, None, baseline))
    for evaluation in held:
        if evaluation.zrm_scores and evaluation.held_on is not None:
            scores = {z.domain: z.score for z in evaluation.zrm_scores}
            measured.append((evaluation.held_on, evaluation.kind, scores))
    zrm = (
        [
            (domain, [scores.get(domain) for _day, _kind, scores in measured])
            for domain in range(1, ZRM_DOMAINS + 1)
        ]
        if measured
        else []
    )
    return ScoreHistory(
        gas_moments=[(e.held_on, e.kind) for e in held if e.held_on is not None],
        gas=gas if held else [],
        zrm_moments=[(day, kind) for day, kind, _scores in measured],
        zrm=zrm,
    )
