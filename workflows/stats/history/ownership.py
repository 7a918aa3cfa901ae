"""Who owns a trajectory: an import creates and updates only what imports made.

A trajectory made in the app, or changed in it since its import (an event of any step other than
the import), belongs to the workflow. A row for such a trajectory that reads exactly as the export
writes it changes nothing; a row that differs is refused, naming each differing column — a history
file is no way around the workflow's guards. A row that matches an imported trajectory changes
nothing either. The check reads the trajectories the rows name (``live_trajectories``); the
writing locks them and makes sure they are still as the check saw them (``lock_as_checked``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from models import Trajectory, TrajectoryEvent

from ...errors import N_
from .columns import COLUMN, COLUMNS, KEY_MAX
from .common import IMPORT_ACTION, OWN_KEY, ImportConflict, LiveTrajectory, chunks, key_of
from .export import export_query, export_values

OWNED = N_(
    "Dit traject wordt in Trajectwijzer zelf bijgehouden; een import mag het niet wijzigen. Deze "
    "waarde wijkt af van de huidige stand: laat de regel weg of neem de waarde over uit een "
    "nieuwe export."
)


def owned_by_workflow() -> ColumnElement[bool]:
    """Made in the app, or changed there since its import (a step other than the import)."""
    other_step = exists().where(
        TrajectoryEvent.trajectory_id == Trajectory.id, TrajectoryEvent.action != IMPORT_ACTION
    )
    return or_(Trajectory.import_id.is_(None), other_step)


def live_trajectories(session: Session, keys: Sequence[str]) -> dict[str, LiveTrajectory]:
    """The trajectories the rows' keys name — an import's key, or ``trajectwijzer-<id>`` for
    one made here — with what the export writes for them, in any state."""
    keys = sorted({k for k in keys if 0 < len(k) <= KEY_MAX})
    own_ids = sorted({int(m.group(1)) for k in keys if (m := OWN_KEY.match(k))})
    query = export_query(
        Trajectory.version, Trajectory.request_id, owned_by_workflow().label("owned")
    )
    found: dict[str, LiveTrajectory] = {}
    lookups = [query.where(Trajectory.import_id.in_(chunk)) for chunk in chunks(keys)] + [
        query.where(Trajectory.id.in_(chunk), Trajectory.import_id.is_(None))
        for chunk in chunks(own_ids)
    ]
    for lookup in lookups:
        for row in session.execute(lookup):
            values = dict(zip(COLUMNS, export_values(row), strict=True))
            found[key_of(row.import_id, row.id)] = LiveTrajectory(
                row.id, row.version, row.request_id, bool(row.owned), values
            )
    return found


def differences(raw: dict[str, str], known: LiveTrajectory) -> list[str]:
    """The columns in which a row differs from what the export writes for its trajectory (an
    amount or a postcode written another way is the same value)."""
    return [
        name
        for name in COLUMNS[1:]
        if COLUMN[name].comparable(raw[name]) != COLUMN[name].comparable(known.values[name])
    ]


def lock_as_checked(connection: Any, versions: dict[int, int]) -> None:
    """Lock the trajectories an import is about to update and make sure each is as the check
    saw it: same version, and still no step of the app (a gids who closed one in between
    wins; the import is refused as a whole)."""
    ids = sorted(versions)
    for chunk in chunks(ids):
        locked = connection.execute(
            select(Trajectory.id, Trajectory.version)
            .where(Trajectory.id.in_(chunk))
            .with_for_update()
        ).all()
        owned = connection.scalars(
            select(Trajectory.id).where(Trajectory.id.in_(chunk), owned_by_workflow())
        ).all()
        if owned or len(locked) != len(chunk) or any(versions[i] != v for i, v in locked):
            raise ImportConflict(
                N_(
                    "Een traject uit dit bestand is tijdens de import in Trajectwijzer "
                    "gewijzigd. Er is niets geïmporteerd; probeer het opnieuw."
                )
            )
