"""The audit log (AVG, R14): every read and change of a resident's personal records, recorded
by who, when, what and from where — without the code that reads or changes them having to ask.

How it works. The hooks below are attached to the app's session factory (``listen``, called by
``workflows.session_factory``), never to SQLAlchemy's ``Session`` class: a plain
``Session(engine)`` in a script has none of them. The caller (the web app per request, the CLI
per command) puts an ``AuditContext`` in ``session.info``; a session without one records nothing
(the tests of the workflows, the scheduler's set-based jobs, the benchmarks).

* **Reads**: every audited object the session *loads* from the database is noted (session
  event ``loaded_as_persistent``), once per request. The web app writes them after the response
  is made (``write_reads``, then commits), with the HTTP status: 401/403/404 are written as
  *geweigerd* (the object was looked up but not shown).
* **Changes**: objects created, changed or deleted in a flush are noted (``after_flush``; a change
  to an agreed result or a score counts as a change of its trajectory or evaluation, a new
  trajectory event names the step) and written just before the transaction commits, in it: a
  change that is rolled back leaves no entry, a committed change always has one.
* **Append-only**: the factory's sessions refuse to update or delete an ``AuditEntry``
  (``before_flush``, ``do_orm_execute``); triggers in the database refuse it for every other
  client, a plain session included.

``details`` holds field names and step names, never values: the log itself must not become a
second copy of the personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from models import (
    Aanmelding,
    AccessRequest,
    AgreedResult,
    AuditEntry,
    Claim,
    EndOfCareReport,
    Evaluation,
    Message,
    Resident,
    ResultScore,
    ScalingRequest,
    Trajectory,
    TrajectoryEvent,
    User,
    ZrmBaselineScore,
    ZrmScore,
    utcnow,
)

CONTEXT_KEY = "audit_context"
AUDIT_TABLE = cast(Table, AuditEntry.__table__)

# What is audited, by the name the log uses.
OBJECT_TYPES: dict[type[Any], str] = {
    Resident: "inwoner",
    Aanmelding: "aanmelding",
    Trajectory: "traject",
    Evaluation: "evaluatie",
    Claim: "declaratie",
    ScalingRequest: "opschaling",
    EndOfCareReport: "einde_zorg",
    AccessRequest: "inzageverzoek",
    # An iWmo/iJw message keeps the client's data in its XML (workflows.berichten).
    Message: "bericht",
}
# Parts whose change is a change of the whole: (whole, foreign key to it, what the log says).
PARTS: dict[type[Any], tuple[type[Any], str, str]] = {
    AgreedResult: (Trajectory, "trajectory_id", "resultaten"),
    ResultScore: (Evaluation, "evaluation_id", "scores"),
    ZrmScore: (Evaluation, "evaluation_id", "zrm"),
    ZrmBaselineScore: (Trajectory, "trajectory_id", "zrm_start"),
}
# Objects that reach their resident through their trajectory.
THROUGH_TRAJECTORY = (Evaluation, Claim, ScalingRequest, EndOfCareReport)

READ = "inzien"
DENIED = "geweigerd"
CREATED = "aangemaakt"
CHANGED = "gewijzigd"
DELETED = "verwijderd"
EXPORTED = "geexporteerd"  # a document or file with personal data left the system


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


@dataclass
class Noted:
    resident_id: int | None = None
    trajectory_id: int | None = None
    evaluation_id: int | None = None
    details: set[str] = field(default_factory=set)


@dataclass
class AuditContext:
    """Who acts, from where and through which page; and what the session read and changed."""

    user_id: int | None
    role: str | None
    ip: str | None = None
    endpoint: str | None = None
    reads: dict[tuple[str, int], Noted] = field(default_factory=dict)
    changes: dict[tuple[str, int, str], Noted] = field(default_factory=dict)

    # -- noting ---------------------------------------------------------------------------------

    def note_read(self, obj: Any, session: Session) -> None:
        name = OBJECT_TYPES[type(obj)]
        if (name, obj.id) in self.reads:
            return
        noted = _noted(obj)
        if noted.resident_id is None and noted.trajectory_id is not None:
            # Its trajectory is usually loaded already (the page reached it through it): take
            # the resident from there rather than asking the database when writing the entry.
            key = session.identity_key(Trajectory, noted.trajectory_id)
            trajectory = session.identity_map.get(key)
            if trajectory is not None:
                noted.resident_id = trajectory.resident_id
        self.reads[(name, obj.id)] = noted

    def note_change(self, obj: Any, action: str, details: Iterable[str] = ()) -> None:
        if type(obj) in PARTS:
            whole, key, label = PARTS[type(obj)]
            whole_id = getattr(obj, key)
            if whole_id is None:
                return
            if whole is Trajectory:
                noted = Noted(trajectory_id=whole_id)
            else:
                noted = Noted(evaluation_id=whole_id)
            self._add_change(OBJECT_TYPES[whole], whole_id, CHANGED, {label}, noted)
            return
        if isinstance(obj, TrajectoryEvent):
            if obj.trajectory_id is not None:
                noted = Noted(trajectory_id=obj.trajectory_id)
                self._add_change(
                    "traject", obj.trajectory_id, CHANGED, {f"stap {obj.action}"}, noted
                )
            return
        self._add_change(OBJECT_TYPES[type(obj)], obj.id, action, set(details), _noted(obj))

    def _add_change(
        self, name: str, object_id: int, action: str, details: set[str], noted: Noted
    ) -> None:
        existing = self.changes.setdefault((name, object_id, action), noted)
        existing.details |= details
        if existing.resident_id is None:
            existing.resident_id = noted.resident_id
        if existing.trajectory_id is None:
            existing.trajectory_id = noted.trajectory_id
        if existing.evaluation_id is None:
            existing.evaluation_id = noted.evaluation_id

    # -- writing ----------------------------------------------------------------------------------

    def entry(
        self,
        action: str,
        object_type: str,
        object_id: int | None,
        resident_id: int | None,
        *,
        details: str | None = None,
        status: int | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        return {
            "at": at or utcnow(),
            "user_id": self.user_id,
            "role": self.role,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "resident_id": resident_id,
            "ip": self.ip,
            "endpoint": self.endpoint,
            "status": status,
            "details": details,
        }


def _noted(obj: Any) -> Noted:
    if isinstance(obj, Resident):
        return Noted(resident_id=obj.id)
    if isinstance(obj, Trajectory):
        return Noted(resident_id=obj.resident_id, trajectory_id=obj.id)
    if isinstance(obj, Aanmelding | AccessRequest):
        return Noted(resident_id=obj.resident_id)
    return Noted(trajectory_id=obj.trajectory_id)


def note_listed(session: Session, trajectories: Iterable[tuple[int, int]]) -> None:
    """Note as read what a list read as plain rows (no ORM load, so no load event): each
    ``(trajectory id, resident id)`` shown, the trajectory and its resident."""
    context = context_of(session)
    if context is None:
        return
    for trajectory_id, resident_id in trajectories:
        context.reads.setdefault(
            ("traject", trajectory_id),
            Noted(resident_id=resident_id, trajectory_id=trajectory_id),
        )
        context.reads.setdefault(("inwoner", resident_id), Noted(resident_id=resident_id))


def note_listed_claims(session: Session, claims: Iterable[tuple[int, int, int]]) -> None:
    """Note as read what a claims list read as plain rows: each ``(claim id, trajectory id,
    resident id)`` shown, the claim, its trajectory and their resident."""
    context = context_of(session)
    if context is None:
        return
    claims = list(claims)
    for claim_id, trajectory_id, resident_id in claims:
        context.reads.setdefault(
            ("declaratie", claim_id), Noted(resident_id=resident_id, trajectory_id=trajectory_id)
        )
    note_listed(session, [(trajectory, resident) for _claim, trajectory, resident in claims])


def context_of(session: Session) -> AuditContext | None:
    context = session.info.get(CONTEXT_KEY)
    return context if isinstance(context, AuditContext) else None


def set_context(session: Session, context: AuditContext | None) -> None:
    if context is None:
        session.info.pop(CONTEXT_KEY, None)
    else:
        session.info[CONTEXT_KEY] = context


def _resolve(session: Session, noted: Iterable[Noted]) -> None:
    """Fill in the resident of objects known by their trajectory or evaluation (one query each,
    on the connection: no ORM loads, so nothing new is noted)."""
    items = [n for n in noted if n.resident_id is None]
    evaluation_ids = {n.evaluation_id for n in items if n.evaluation_id and not n.trajectory_id}
    connection = session.connection()
    if evaluation_ids:
        table = Evaluation.__table__
        found = dict(
            connection.execute(
                select(table.c.id, table.c.trajectory_id).where(table.c.id.in_(evaluation_ids))
            ).all()
        )
        for n in items:
            if n.evaluation_id and not n.trajectory_id:
                n.trajectory_id = found.get(n.evaluation_id)
    trajectory_ids = {n.trajectory_id for n in items if n.trajectory_id}
    if trajectory_ids:
        table = Trajectory.__table__
        residents = dict(
            connection.execute(
                select(table.c.id, table.c.resident_id).where(table.c.id.in_(trajectory_ids))
            ).all()
        )
        for n in items:
            if n.trajectory_id:
                n.resident_id = residents.get(n.trajectory_id)


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    # One statement, executed for many rows (a cached compiled form; psycopg batches the rows):
    # a list page writes about 50 entries.
    if rows:
        session.connection().execute(insert(AUDIT_TABLE), rows)


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: int | None,
    resident_id: int | None = None,
    *,
    details: str | None = None,
    context: AuditContext | None = None,
) -> None:
    """Write one entry now, in the session's transaction (logins, exports, a shown BSN, …)."""
    context = context or context_of(session) or AuditContext(user_id=None, role=None)
    _insert(session, [context.entry(action, object_type, object_id, resident_id, details=details)])


def record_export(
    session: Session,
    object_type: str,
    name: str,
    *,
    rows: int | None = None,
    filters: Mapping[str, object] | None = None,
    object_id: int | None = None,
    resident_id: int | None = None,
    context: AuditContext | None = None,
) -> None:
    """One entry for one download or export, however many rows it holds: who (the session's
    context, or ``context``), when, what (``object_type`` and the file ``name``), with which
    filter and how many rows — e.g. ``declaraties.csv; aanbieder=12345678; jaar=2026; 41000
    rijen``. An export reads its rows as plain columns, not objects, so it writes no read entry
    per row (a claims CSV once wrote 41,000). ``filters`` must hold no personal value (never a
    name or BSN): the log is no second copy of the data. A download about one resident names
    them in ``resident_id``, so it shows in their own access request."""
    parts = [name]
    parts += [f"{key}={value}" for key, value in (filters or {}).items() if value not in (None, "")]
    if rows is not None:
        parts.append(f"{rows} rijen")
    record(
        session,
        EXPORTED,
        object_type,
        object_id,
        resident_id,
        details="; ".join(parts),
        context=context,
    )


def write_reads(session: Session, status: int | None) -> int:
    """Write what the session read (once per object), in its transaction. Returns the entries
    made; when there are any, the caller commits."""
    context = context_of(session)
    if context is None or not context.reads:
        return 0
    _resolve(session, context.reads.values())
    action = DENIED if status in (401, 403, 404) else READ
    now = utcnow()
    reads = list(context.reads.items())
    context.reads.clear()
    if session.get_bind().dialect.name == "postgresql":
        insert_reads_postgresql(session, context, action, status, now, reads)
    else:
        _insert(
            session,
            [
                context.entry(action, name, object_id, noted.resident_id, status=status, at=now)
                for (name, object_id), noted in reads
            ],
        )
    return len(reads)


# A list page reads about 50 objects. On PostgreSQL their entries go in as one statement over
# three arrays (what differs per entry); the rest is the same for all of them. Sending 50 rows
# one by one, even pipelined, cost more than rendering the page (bench/load.py).
#
# The same statement makes this transaction commit without waiting for the disk
# (``set_config(..., true)`` is SET LOCAL; the one-row ``no_wait`` is joined so it runs once):
# the flush to disk per page view cost more than the page itself. A crash of the database
# server can lose the last fraction of a second of read entries; entries of changes are written
# in the change's own transaction and waited for as usual.
_INSERT_READS_POSTGRESQL = text(
    "WITH no_wait AS (SELECT set_config('synchronous_commit', 'off', true))"
    " INSERT INTO audit_log"
    " (at, user_id, role, action, object_type, object_id, resident_id, ip, endpoint, status)"
    " SELECT CAST(:at AS timestamptz), CAST(:user_id AS integer), CAST(:role AS varchar),"
    " CAST(:action AS varchar), r.object_type, r.object_id, r.resident_id,"
    " CAST(:ip AS varchar), CAST(:endpoint AS varchar), CAST(:status AS smallint)"
    " FROM unnest(CAST(:object_types AS varchar[]), CAST(:object_ids AS integer[]),"
    " CAST(:resident_ids AS integer[])) AS r(object_type, object_id, resident_id), no_wait"
)


def insert_reads_postgresql(
    session: Session,
    context: AuditContext,
    action: str,
    status: int | None,
    now: datetime,
    reads: list[tuple[tuple[str, int], Noted]],
) -> None:
    session.connection().execute(
        _INSERT_READS_POSTGRESQL,
        {
            "at": now,
            "user_id": context.user_id,
            "role": context.role,
            "action": action,
            "ip": context.ip,
            "endpoint": context.endpoint,
            "status": status,
            "object_types": [name for (name, _id), _noted in reads],
            "object_ids": [object_id for (_name, object_id), _noted in reads],
            "resident_ids": [noted.resident_id for _key, noted in reads],
        },
    )


def _write_changes(session: Session, context: AuditContext) -> None:
    created = {
        (name, object_id) for name, object_id, action in context.changes if action == CREATED
    }
    for key in [k for k in context.changes if k[2] == CHANGED and k[:2] in created]:
        del context.changes[key]  # made in this transaction: "aangemaakt" says it all
    if not context.changes:
        return
    _resolve(session, context.changes.values())
    now = utcnow()
    rows = [
        context.entry(
            action,
            name,
            object_id,
            noted.resident_id,
            details=", ".join(sorted(noted.details)) or None,
            at=now,
        )
        for (name, object_id, action), noted in context.changes.items()
    ]
    context.changes.clear()
    _insert(session, rows)


# --- ORM hooks --------------------------------------------------------------------------------


def _on_load(session: Session, instance: Any) -> None:
    if type(instance) not in OBJECT_TYPES:
        return
    context = context_of(session)
    if context is not None:
        context.note_read(instance, session)


def _changed_fields(obj: Any) -> list[str]:
    state = inspect(obj)
    return [
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in ("version", "updated_at") and state.attrs[attr.key].history.has_changes()
    ]


def _tracked(obj: Any) -> bool:
    return type(obj) in OBJECT_TYPES or type(obj) in PARTS or isinstance(obj, TrajectoryEvent)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    context = context_of(session)
    if context is None:
        return
    for obj in session.new:
        if _tracked(obj):
            context.note_change(obj, CREATED)
    for obj in session.dirty:
        if _tracked(obj) and session.is_modified(obj, include_collections=False):
            context.note_change(obj, CHANGED, _changed_fields(obj))
    for obj in session.deleted:
        if _tracked(obj):
            context.note_change(obj, DELETED)


def _before_commit(session: Session) -> None:
    context = context_of(session)
    if context is None:
        return
    session.flush()
    _write_changes(session, context)


def _after_rollback(session: Session) -> None:
    context = context_of(session)
    if context is not None:
        context.changes.clear()


def _refuse_changes_to_the_log(session: Session, _flush: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("audit_log is append-only")


def _refuse_bulk_changes_to_the_log(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is AuditEntry:
        raise AuditLogIsAppendOnly("audit_log is append-only")


def listen(factory: sessionmaker[Session]) -> None:
    """Attach the hooks to the sessions this factory makes (``workflows.session_factory``)."""
    event.listen(factory, "loaded_as_persistent", _on_load)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _after_rollback)
    event.listen(factory, "before_flush", _refuse_changes_to_the_log)
    event.listen(factory, "do_orm_execute", _refuse_bulk_changes_to_the_log)


# --- reading the log --------------------------------------------------------------------------


def entries_for_resident(
    session: Session, resident_id: int, *, limit: int = 200, offset: int = 0
) -> list[tuple[AuditEntry, str | None]]:
    """The log about one resident with the name of who acted, newest first (the beheerder's
    answer to an inzageverzoek)."""
    rows = session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.resident_id == resident_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(entry, name) for entry, name in rows]
