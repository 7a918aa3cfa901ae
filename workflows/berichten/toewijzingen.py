"""The provider's answer to our toewijzing: the 302.

A 302 repeats our 301 with RetourCodes on its parts. Without error codes it is the provider's
acceptance: the 301 becomes ``bevestigd`` and, when it was the toewijzing of a proposal still
waiting (``voorgesteld``, and this 301 is the trajectory's latest), the trajectory is accepted
through ``workflows.trajectories.accept`` by the provider's system account. With error codes
the 301 becomes ``afgekeurd`` with those codes, and such a proposal goes back to the gids
(``return_to_gids``) with the codes and their meanings as the reason. A 302 about a change (04,
05, 13) only confirms or rejects that 301. Receiving the same 302 again changes nothing
(``incoming.receive``); a 302 for a trajectory that moved on (accepted, returned, sent again)
only marks its 301.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models import Message, MessageState, Provider, TrajectoryState

from ..trajectories import accept, return_to_gids
from . import codes
from .actor import system_actor
from .schemas import Schemas
from .store import PartError, last_toewijzing, outgoing_by_identification, set_errors
from .xml import Element, Incoming, local_name, parse, part_of, text_of

NO_EARLIER_MESSAGE = "9063"  # the 302 names no 301 we sent this provider


def retour_codes(root: Element) -> list[PartError]:
    """Every RetourCode in a retour, with the part that carries it."""
    found: list[PartError] = []
    for element in root.iter():
        if isinstance(element.tag, str) and local_name(element) == "RetourCode":
            holder = element.getparent()
            part = holder.getparent() if holder is not None else None
            code = (element.text or "").strip()
            if code and part is not None:
                found.append(PartError(code, part_of(part)))
    return found


def refusal_reason(errors: list[PartError]) -> str:
    """The reason a gids reads: every code with its meaning, once."""
    unique = list(dict.fromkeys(e.code for e in errors))
    listed = "; ".join(f"{code} {codes.meaning(code)}" for code in unique)
    return f"Het systeem van de aanbieder keurde de toewijzing af: {listed}"


def is_new_toewijzing(toewijzing: Message, trajectory_id: int) -> bool:
    """Whether our 301 assigned the trajectory anew (its own product has no RedenWijziging);
    the other products a 301 carries are the client's other current toewijzingen."""
    for product in parse(toewijzing.body).iterfind(
        "{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct"
    ):
        if text_of(product, "ToewijzingNummer") == str(trajectory_id):
            return text_of(product, "RedenWijziging") is None
    return False


def handle_302(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    original = (
        outgoing_by_identification(session, provider.id, "301", parsed.answers_identification)
        if parsed.answers_identification
        else None
    )
    if original is None:
        return [PartError(NO_EARLIER_MESSAGE, "Header")]
    message.answers = original
    message.trajectory = original.trajectory
    errors = [e for e in retour_codes(parsed.root) if e.code not in codes.NO_ERROR_CODES]
    original.state = MessageState.AFGEKEURD if errors else MessageState.BEVESTIGD
    set_errors(original, errors)
    original.handled_at = message.created_at
    trajectory = original.trajectory
    is_proposal = (
        trajectory is not None
        and trajectory.state == TrajectoryState.VOORGESTELD
        and is_new_toewijzing(original, trajectory.id)
        and last_toewijzing(session, trajectory.id) is original
    )
    if trajectory is not None and is_proposal:
        actor = system_actor(session, provider)
        if errors:
            return_to_gids(session, trajectory, actor, refusal_reason(errors), today)
        else:
            accept(session, trajectory, actor)
    session.flush()
    return []
