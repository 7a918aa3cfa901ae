"""The state tables and the one way a step on a trajectory is recorded.

Every workflow that changes a trajectory, or something that hangs off it (an evaluation, a
claim, a scaling request, an end-of-care report), builds on this module, and this module builds
on none of them: imports run one way (``trajectories``, ``evaluations``, ``closure``,
``scaling`` and ``claims`` all import from here).

* **The tables.** Each state machine is data, ``{(state, action): new_state}``, wrapped in a
  ``StateTable`` that answers which actions a state allows and refuses any other pair with a
  ``DomainError`` a gids can read. The tests walk each table completely, legal and illegal pairs
  alike (``tests/workflows/test_transitions.py``).
* **The trajectory's steps.** ``transition`` checks who acts (``check_actor``), that the page was
  not stale (``check_version``) and the table, then changes the fields and the state together
  and records the event (``record``). A trajectory comes into being through ``begin``: a new one
  as a concept, the follow-up after scaling (``workflows.scaling``) agreed already.
* **Typed text and reasons.** Free text is cleaned the one way (``workflows.text.clean_text``);
  a step that needs a reason refuses an empty one (``required_reason``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from models import (
    ClaimState,
    EvaluationState,
    EventAction,
    Role,
    SubmissionState,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
)

from .errors import N_, DomainError, NotFound, VersionConflict
from .text import clean_text

StateT = TypeVar("StateT", bound=enum.Enum)
ActionT = TypeVar("ActionT", bound=enum.Enum)


class StateTable(Generic[StateT, ActionT]):
    """A state machine as data: ``moves`` maps each allowed (state, action) to the next state;
    every other pair is refused with the error ``refusal`` makes for it."""

    def __init__(
        self,
        moves: Mapping[tuple[StateT, ActionT], StateT],
        refusal: Callable[[StateT, ActionT], DomainError],
    ) -> None:
        self.moves = dict(moves)
        self.refusal = refusal

    def allowed_actions(self, state: StateT) -> set[ActionT]:
        return {action for (s, action) in self.moves if s == state}

    def next_state(self, state: StateT, action: ActionT) -> StateT:
        try:
            return self.moves[(state, action)]
        except KeyError:
            raise self.refusal(state, action) from None


def refused_with(messages: Mapping[ActionT, str]) -> Callable[[Any, ActionT], DomainError]:
    """A refusal that says, per action, why it cannot be taken (whatever the state)."""

    def refusal(_state: Any, action: ActionT) -> DomainError:
        return DomainError(messages[action])

    return refusal


# --- the trajectory -----------------------------------------------------------------------------

S = TrajectoryState
E = EventAction


class Action(enum.StrEnum):
    """What a user does to a trajectory; each value is the event it records."""

    EDIT = E.WIJZIGEN.value
    PROPOSE = E.VOORSTELLEN.value
    ACCEPT = E.ACCEPTEREN.value
    RETURN = E.TERUGSTUREN.value
    START = E.ZORG_STARTEN.value
    CLOSE = E.AFSLUITEN.value
    CANCEL = E.ANNULEREN.value
    EXTEND = E.VERLENGD.value


TRANSITIONS: dict[tuple[TrajectoryState, Action], TrajectoryState] = {
    (S.CONCEPT, Action.EDIT): S.CONCEPT,
    (S.TERUGGESTUURD, Action.EDIT): S.TERUGGESTUURD,
    (S.CONCEPT, Action.PROPOSE): S.VOORGESTELD,
    (S.TERUGGESTUURD, Action.PROPOSE): S.VOORGESTELD,
    (S.VOORGESTELD, Action.ACCEPT): S.GEACCEPTEERD,
    (S.VOORGESTELD, Action.RETURN): S.TERUGGESTUURD,
    (S.GEACCEPTEERD, Action.START): S.ACTIEF,
    (S.ACTIEF, Action.CLOSE): S.AFGESLOTEN,
    (S.CONCEPT, Action.CANCEL): S.GEANNULEERD,
    (S.VOORGESTELD, Action.CANCEL): S.GEANNULEERD,
    (S.TERUGGESTUURD, Action.CANCEL): S.GEANNULEERD,
    (S.GEACCEPTEERD, Action.CANCEL): S.GEANNULEERD,
    # R6: the decision of an agreed or running trajectory is extended (*verlenging*).
    (S.GEACCEPTEERD, Action.EXTEND): S.GEACCEPTEERD,
    (S.ACTIEF, Action.EXTEND): S.ACTIEF,
}

# Who may take each action. Provider actions also require the provider to be the main contractor.
ACTION_ROLES: dict[Action, Role] = {
    Action.EDIT: Role.GIDS,
    Action.PROPOSE: Role.GIDS,
    Action.ACCEPT: Role.AANBIEDER,
    Action.RETURN: Role.AANBIEDER,
    Action.START: Role.AANBIEDER,
    Action.CLOSE: Role.GIDS,
    Action.CANCEL: Role.GIDS,
    Action.EXTEND: Role.GIDS,
}


class Origin(enum.Enum):
    """How a trajectory comes into being."""

    NEW = "new"  # the gids records it
    FOLLOW_UP = "follow_up"  # the gids accepted scaling up or down (R9)


# A new trajectory is a concept; the follow-up after scaling is agreed already (the gids decided
# and the same provider asked for it or agreed to it), so care goes on the next day.
ORIGINS: dict[Origin, TrajectoryState] = {
    Origin.NEW: S.CONCEPT,
    Origin.FOLLOW_UP: S.GEACCEPTEERD,
}

STATE_LABELS: dict[TrajectoryState, str] = {
    S.CONCEPT: N_("Concept"),
    S.VOORGESTELD: N_("Voorgesteld aan aanbieder"),
    S.TERUGGESTUURD: N_("Teruggestuurd door aanbieder"),
    S.GEACCEPTEERD: N_("Geaccepteerd"),
    S.ACTIEF: N_("Zorg gestart"),
    S.AFGESLOTEN: N_("Afgesloten"),
    S.GEANNULEERD: N_("Geannuleerd"),
}

ACTION_LABELS: dict[EventAction, str] = {
    E.AANGEMAAKT: N_("Aangemaakt"),
    E.WIJZIGEN: N_("Gewijzigd"),
    E.VOORSTELLEN: N_("Verstuurd naar aanbieder"),
    E.ACCEPTEREN: N_("Geaccepteerd door aanbieder"),
    E.TERUGSTUREN: N_("Teruggestuurd door aanbieder"),
    E.ZORG_STARTEN: N_("Start zorg geregistreerd"),
    E.AFSLUITEN: N_("Afgesloten"),
    E.ANNULEREN: N_("Geannuleerd"),
    E.VERLENGD: N_("Beschikking verlengd"),
    # evaluations (workflows.evaluations)
    E.EVALUATIES_GEPLAND: N_("Evaluaties gepland"),
    E.EVALUATIE_INTERVAL: N_("Evaluatie-interval gewijzigd"),
    E.EVALUATIE_EXTRA: N_("Extra evaluatie gepland"),
    E.EVALUATIE_INGEDIEND: N_("Evaluatie ingediend"),
    E.EVALUATIE_BEOORDEELD: N_("Evaluatie beoordeeld"),
    E.ZRM_GEWIJZIGD: N_("Gebruik van de ZRM gewijzigd"),
    # scaling up or down (workflows.scaling)
    E.OPSCHALING_GEVRAAGD: N_("Op- of afschalen gevraagd"),
    E.OPSCHALING_TOEGEKEND: N_("Op- of afschalen toegekend"),
    E.OPSCHALING_AFGEWEZEN: N_("Op- of afschalen afgewezen"),
    # end of care (workflows.closure)
    E.EINDE_ZORG_GEMELD: N_("Einde zorg gemeld door aanbieder"),
    E.EINDE_ZORG_TERUGGESTUURD: N_("Melding einde zorg teruggestuurd"),
    # claims (workflows.claims)
    E.GEDECLAREERD: N_("Gedeclareerd"),
    E.DECLARATIE_GOEDGEKEURD: N_("Declaratie goedgekeurd"),
    E.DECLARATIE_AFGEWEZEN: N_("Declaratie afgewezen"),
    # statistics (workflows.stats.history)
    E.GEIMPORTEERD: N_("Geïmporteerd uit de historie"),
}

# Where an action has its own words for "not in this state"; the others name the state.
ACTION_REFUSALS: dict[Action, str] = {
    Action.EXTEND: N_(
        "Alleen de beschikking van een geaccepteerd of lopend traject kan worden verlengd."
    ),
}


def _trajectory_refusal(state: TrajectoryState, action: Action) -> DomainError:
    if action in ACTION_REFUSALS:
        return DomainError(ACTION_REFUSALS[action])
    return DomainError(
        N_("Dit kan niet bij een traject met status '%(state)s'."), state=STATE_LABELS[state]
    )


TRAJECTORY_TABLE: StateTable[TrajectoryState, Action] = StateTable(TRANSITIONS, _trajectory_refusal)


def allowed_actions(state: TrajectoryState) -> set[Action]:
    return TRAJECTORY_TABLE.allowed_actions(state)


def next_state(trajectory: Trajectory, action: Action) -> TrajectoryState:
    """The state ``action`` leads to; refused when the table has no such step."""
    return TRAJECTORY_TABLE.next_state(trajectory.state, action)


def check_actor(trajectory: Trajectory, action: Action, actor: User) -> None:
    """The actor has the action's role; a provider user must be of the main provider (anyone
    else is told the trajectory does not exist)."""
    role = ACTION_ROLES[action]
    if actor.role != role:
        raise DomainError(N_("U heeft geen recht om dit te doen."))
    if role == Role.AANBIEDER and actor.provider_id != trajectory.provider_id:
        raise NotFound(N_("Traject niet gevonden."))


def check_version(trajectory: Trajectory, expected_version: int | None) -> None:
    """The version the user's page showed is still the trajectory's (optimistic locking)."""
    if expected_version is not None and expected_version != trajectory.version:
        raise VersionConflict(
            N_(
                "Dit traject is intussen door iemand anders gewijzigd. Uw wijziging is niet "
                "opgeslagen; bekijk de nieuwe stand en probeer het opnieuw."
            )
        )


def record(
    session: Session,
    trajectory: Trajectory,
    action: EventAction | Action,
    actor: User | None,
    old: TrajectoryState | None,
    new: TrajectoryState | None,
    reason: str | None = None,
    details: str | None = None,
) -> TrajectoryEvent:
    """Append the event (R14: who did what, from which state to which, and why)."""
    event = TrajectoryEvent(
        user=actor,
        action=EventAction(action),
        old_state=old,
        new_state=new,
        reason=reason,
        details=details,
    )
    trajectory.events.append(event)
    return event


def record_unchanged(
    session: Session,
    trajectory: Trajectory,
    action: EventAction | Action,
    actor: User | None,
    *,
    reason: str | None = None,
    details: str | None = None,
) -> TrajectoryEvent:
    """Record a step on the trajectory that leaves its state as it is (an evaluation, a claim,
    a request: their own tables say what changed)."""
    return record(
        session, trajectory, action, actor, trajectory.state, trajectory.state, reason, details
    )


def begin(
    session: Session,
    trajectory: Trajectory,
    origin: Origin,
    actor: User,
    *,
    reason: str | None = None,
    details: str | None = None,
) -> TrajectoryEvent:
    """Give a trajectory that is being built its first state and record that it was made."""
    trajectory.state = ORIGINS[origin]
    return record(session, trajectory, E.AANGEMAAKT, actor, None, trajectory.state, reason, details)


def advance(
    session: Session,
    trajectory: Trajectory,
    action: Action,
    actor: User,
    *,
    reason: str | None = None,
    details: str | None = None,
    changes: dict[str, Any] | None = None,
) -> TrajectoryEvent:
    """Take the table's step without asking who acts: for a step the workflow takes on the
    actor's behalf (the follow-up's start of care, after the gids decided on scaling). Applies
    ``changes`` and the new state together (no autoflush in between, so the check constraints
    tying state to fields never see a half-done step), then records."""
    new_state = next_state(trajectory, action)
    old_state = trajectory.state
    with session.no_autoflush:
        for name, value in (changes or {}).items():
            setattr(trajectory, name, value)
        trajectory.state = new_state
        return record(session, trajectory, action, actor, old_state, new_state, reason, details)


def transition(
    session: Session,
    trajectory: Trajectory,
    action: Action,
    actor: User,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
    details: str | None = None,
    changes: dict[str, Any] | None = None,
) -> TrajectoryEvent:
    """Check who acts, the version and the table, then take the step (``advance``)."""
    check_actor(trajectory, action, actor)
    check_version(trajectory, expected_version)
    return advance(
        session, trajectory, action, actor, reason=reason, details=details, changes=changes
    )


# --- typed text ---------------------------------------------------------------------------------


def required_reason(reason: str | None, message: str, field: str = "reason") -> str:
    """The cleaned reason; a step that needs one refuses empty text with ``message``."""
    text = clean_text(reason)
    if not text:
        raise DomainError(message, field=field)
    return text


# --- what hangs off a trajectory ------------------------------------------------------------------


class EvaluationAction(enum.StrEnum):
    SUBMIT = "indienen"  # the main provider records the evaluation it held
    REVIEW = "beoordelen"  # the responsible gids reviews it


EVALUATION_TABLE: StateTable[EvaluationState, EvaluationAction] = StateTable(
    {
        (EvaluationState.GEPLAND, EvaluationAction.SUBMIT): EvaluationState.INGEDIEND,
        (EvaluationState.INGEDIEND, EvaluationAction.REVIEW): EvaluationState.BEOORDEELD,
    },
    refused_with(
        {
            EvaluationAction.SUBMIT: N_("Deze evaluatie is al ingediend."),
            EvaluationAction.REVIEW: N_("Deze evaluatie wacht niet op beoordeling."),
        }
    ),
)


class ClaimAction(enum.StrEnum):
    APPROVE = "goedkeuren"
    REFUSE = "afwijzen"
    RESUBMIT = "opnieuw_indienen"  # a refused claim, corrected (once: workflows.claims)


CLAIM_TABLE: StateTable[ClaimState, ClaimAction] = StateTable(
    {
        (ClaimState.INGEDIEND, ClaimAction.APPROVE): ClaimState.GOEDGEKEURD,
        (ClaimState.INGEDIEND, ClaimAction.REFUSE): ClaimState.AFGEWEZEN,
        (ClaimState.AFGEWEZEN, ClaimAction.RESUBMIT): ClaimState.INGEDIEND,
    },
    refused_with(
        {
            ClaimAction.APPROVE: N_("Over deze declaratie is al besloten."),
            ClaimAction.REFUSE: N_("Over deze declaratie is al besloten."),
            ClaimAction.RESUBMIT: N_(
                "Alleen een afgewezen declaratie kan worden gecorrigeerd en opnieuw ingediend."
            ),
        }
    ),
)


class AnswerAction(enum.StrEnum):
    """How the gids answers a provider's scaling request or end-of-care report; closing the
    trajectory answers what is still open as refused."""

    ACCEPT = "toekennen"  # scaling: granted; end of care: confirmed
    REFUSE = "afwijzen"  # scaling: refused; end of care: returned
    SETTLE = "afhandelen"  # the trajectory closed while it was open


_ANSWER_MOVES: dict[tuple[SubmissionState, AnswerAction], SubmissionState] = {
    (SubmissionState.INGEDIEND, AnswerAction.ACCEPT): SubmissionState.TOEGEKEND,
    (SubmissionState.INGEDIEND, AnswerAction.REFUSE): SubmissionState.AFGEWEZEN,
    (SubmissionState.INGEDIEND, AnswerAction.SETTLE): SubmissionState.AFGEWEZEN,
}

SCALING_TABLE: StateTable[SubmissionState, AnswerAction] = StateTable(
    _ANSWER_MOVES,
    refused_with({action: N_("Over dit verzoek is al besloten.") for action in AnswerAction}),
)

END_OF_CARE_TABLE: StateTable[SubmissionState, AnswerAction] = StateTable(
    _ANSWER_MOVES,
    refused_with(
        {action: N_("Op deze melding einde zorg is al gereageerd.") for action in AnswerAction}
    ),
)
