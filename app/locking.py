"""Records that belong to a trajectory (an evaluation, a scaling request, an end-of-care report,
a claim), loaded for a change.

Every change on a trajectory takes the trajectory's row lock first (``get_trajectory(...,
for_update=True)``), so changes of one trajectory take turns. A view finds the trajectory
through the record, so it reads the record before it has the lock; a parallel request (a
double submit, a second tab) may decide or submit it in the meantime. The record is therefore
read again once the lock is held, and the workflow's check ("already submitted", "already
decided") sees what the other request did: one result, and a message for the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import request

from models import Trajectory

from .extensions import db


class _OfTrajectory(Protocol):
    trajectory_id: int


Record = TypeVar("Record", bound=_OfTrajectory)


def with_trajectory(item: Record, load: Callable[[int], Trajectory]) -> Trajectory:
    """The record's trajectory through the blueprint's ``load`` (which checks who may see or
    act, and locks the row for a POST); for a POST ``item`` is read again under the lock."""
    trajectory = load(item.trajectory_id)
    if request.method == "POST":
        db.session.refresh(item)
    return trajectory
