"""What the history modules hand each other: the checked rows and their problems, the result, the
key a trajectory of ours carries in the format, and the few helpers reading and writing share.

Nothing here reads a file or decides a rule; ``columns`` knows the columns, ``check`` the rows,
``ownership`` who may change a trajectory, ``apply`` the writing and ``export`` the export."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from models import ClosureCategory, Domain, EventAction, Intensity, User

from ... import audit
from ...errors import DomainError

# The event an import leaves, and the action of the audit entry for the whole import.
IMPORT_ACTION = EventAction.GEIMPORTEERD
OWN_KEY = re.compile(r"^trajectwijzer-(\d{1,10})$")
MAX_ROWS = 500_000
BATCH = 500


def key_of(import_id: str | None, trajectory_id: int) -> str:
    """The key a trajectory has in the format: its import's, or ``trajectwijzer-<id>`` for one
    made here (which ``OWN_KEY`` recognises when it comes back)."""
    return import_id or f"trajectwijzer-{trajectory_id}"


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line in the file (the header is line 1); 0 = the file as a whole
    column: str | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass
class ImportRow:
    line: int
    import_id: str
    bsn: str
    birth_date: date
    postcode: str | None
    domain: Domain
    category: str
    profile: str
    intensity: Intensity
    provider: str
    request_date: date | None
    decision_date: date | None
    care_start: date | None
    planned_end: date
    care_end: date | None
    price: Decimal
    result_achieved: bool | None
    closure_category: ClosureCategory | None
    end_reason: str | None


@dataclass(frozen=True)
class LiveTrajectory:
    """A trajectory that a row's key names, as the export writes it (``values`` by column)."""

    id: int
    version: int
    request_id: int | None
    owned: bool  # by the workflow: made in the app, or changed there since its import
    values: dict[str, str]


@dataclass
class ImportCheck:
    rows: list[ImportRow]  # to create or update
    problems: list[RowProblem]
    new_profiles: dict[str, tuple[Domain, str, set[Intensity]]]
    new_providers: set[str]
    unchanged: int = 0  # rows that read exactly as the trajectory they name
    existing: dict[str, LiveTrajectory] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    new_residents: int
    new_profiles: int
    new_providers: int


class ImportConflict(DomainError):
    """A trajectory of the file changed in the app between the check and the writing."""


def table_of(model: Any) -> Table:
    return cast(Table, model.__table__)


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    """``items`` in slices small enough for one ``IN (…)``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def acting(session: Session, by: User) -> audit.AuditContext:
    """The audit context naming ``by`` — who imports or exports, also from the command line —
    from the page or command the session's own context names, if any."""
    context = audit.context_of(session)
    return audit.AuditContext(
        user_id=by.id,
        role=by.role.value,
        ip=context.ip if context else None,
        endpoint=context.endpoint if context else None,
    )
