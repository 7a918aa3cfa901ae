"""The end of a merge of an imported entry (profile or provider) into an existing one, shared by
``catalogue.merge_profile`` and ``providers.merge_provider``: once the trajectories point at the
target, the statistics feed follows, each moved trajectory is audited, the change log says what
was merged into what, and the imported entry goes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from models import User

from . import audit, config_log
from .stats import feed


def finish_merge(
    session: Session,
    actor: User | None,
    object_type: str,
    moved: Sequence[tuple[int, int]],
    imported: Any,
    imported_label: str,
    target: Any,
    target_label: str,
    recode: tuple[str, str, Mapping[str, Any]],
) -> int:
    """``moved`` are the (trajectory, resident) pairs moved around the ORM (there may be
    thousands): their feed rows are derived again, and the rows the feed keeps detached or
    frozen take the target's codes (``recode``: column, old value, new values). Returns the
    number of trajectories moved."""
    session.flush()
    session.expire_all()
    feed.refresh(session, [trajectory_id for trajectory_id, _resident in moved])
    feed.recode(session, *recode)
    for trajectory_id, resident_id in moved:
        audit.record(session, config_log.MERGED, "traject", trajectory_id, resident_id)
    config_log.record(
        session,
        actor,
        object_type,
        target.id,
        target_label,
        config_log.MERGED,
        {"samengevoegd_uit": (None, imported_label), "trajecten": (None, len(moved))},
    )
    config_log.record(session, actor, object_type, imported.id, imported_label, config_log.DELETED)
    session.delete(imported)
    session.flush()
    return len(moved)
