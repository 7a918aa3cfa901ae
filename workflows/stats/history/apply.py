"""Writing a checked history import, in the caller's one transaction (the caller commits once).

* **Residents** are matched by BSN. A new one gets no name (the format has none: "(naam
  onbekend)"), the birth date and postcode from the file, the wijk most common among known
  residents of the same four-digit postcode, and a household of its own whose single contact
  (*aanspreekpunt*) is the gids named for the import. An existing resident keeps everything.
* **Trajectories**: ``import_id`` is kept on the trajectory, so importing the same key again
  updates it — as long as the import still owns it (``ownership``; the rows are locked and
  compared with what the check saw). The state follows from the dates: an end → *afgesloten*;
  a start → *actief*; otherwise *geaccepteerd* (decided, waiting for care). The responsible gids
  is the one named for the import; need type *eindig*; no tariff link (the price is the
  historical one); planned start = the start of care, else the decision date, else the request
  date (never after the planned end). An ``aanmelddatum`` becomes a granted request.
* **Profiles and providers** the check found missing (``create_missing``) are added inactive and
  marked as imported, for the beheerder's review.
* Each write leaves an event *geïmporteerd* naming who imported (``by``), and an audit entry per
  resident, request and trajectory it made or changed, plus one for the import as a whole (the
  writes go around the ORM, so its audit hooks would not see them).
* The rows are written in bulk (``workflows.bulk``: ids drawn up front, then COPY or the
  driver's executemany), not one ORM object per row: an import of 100,000 rows must finish
  within a minute. The statistics feed is refreshed for the trajectories written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    Domain,
    Household,
    ProfileIntensity,
    Provider,
    Resident,
    SupportProfile,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
)

from ... import audit
from ...bulk import allocate_ids, write_rows
from ...dates import jeugd_decision_end
from .. import feed
from .common import (
    IMPORT_ACTION,
    ImportCheck,
    ImportResult,
    ImportRow,
    LiveTrajectory,
    acting,
    chunks,
    table_of,
)
from .ownership import lock_as_checked

UNKNOWN_NAME = "(naam onbekend)"
DETAILS = "historie-import"


def apply_import(
    session: Session, check: ImportCheck, gids: User, today: date, *, by: User
) -> ImportResult:
    """Write a checked import in the caller's transaction (the caller commits once). ``gids``
    becomes responsible for what it creates; ``by`` is who imports: named in the events and in
    the audit log. Raises ``ImportConflict`` when a trajectory to update changed in the app
    since the check."""
    assert check.ok
    session.flush()
    writer = ImportWriter(session, check, gids, by)
    # Still the import's, as checked: locked, so a step in the app waits for this transaction.
    lock_as_checked(writer.connection, {k.id: k.version for k in writer.existing.values()})
    writer.add_catalogue_entries()
    writer.add_residents()
    writer.write_requests()
    writer.write_trajectories()
    feed.refresh(session, writer.created_ids + writer.updated_ids)
    feed.refresh_requests(session, writer.request_ids, new_ids=writer.request_of.values())
    result = ImportResult(
        created=len(writer.created_ids),
        updated=len(writer.updated_ids),
        unchanged=check.unchanged,
        new_residents=len(writer.new_resident_ids),
        new_profiles=len(check.new_profiles),
        new_providers=len(check.new_providers),
    )
    write_rows(writer.connection, audit.AUDIT_TABLE, writer.audit_entries(result))
    session.expire_all()
    return result


class ImportWriter:
    """The writing of one import, step by step; each step keeps the ids the next ones need."""

    def __init__(self, session: Session, check: ImportCheck, gids: User, by: User) -> None:
        self.session = session
        self.check = check
        self.rows = check.rows
        self.gids = gids
        self.by = by
        self.connection = session.connection()
        self.now = datetime.now(UTC)
        self.existing: dict[str, LiveTrajectory] = {
            r.import_id: known
            for r in check.rows
            if (known := check.existing.get(r.import_id)) is not None
        }
        self.created_rows = [r for r in self.rows if r.import_id not in self.existing]
        self.updated_rows = [r for r in self.rows if r.import_id in self.existing]
        self.profile_ids: dict[str, int] = {}
        self.provider_ids: dict[str, int] = {}
        self.residents: dict[str, tuple[int, date]] = {}  # by BSN: id and birth date
        self.new_resident_ids: list[int] = []
        self.new_requests: list[ImportRow] = []
        self.request_of: dict[str, int] = {}  # the new request, by import_id
        self.request_ids: list[int] = []  # every request written, new or updated
        self.created_ids: list[int] = []
        self.updated_ids: list[int] = []

    def existing_request(self, row: ImportRow) -> int | None:
        """The request of the trajectory the row updates, if it has one."""
        known = self.existing.get(row.import_id)
        return known.request_id if known else None

    def add_catalogue_entries(self) -> None:
        """Profiles and providers the import adds, marked for the beheerder's review."""
        connection = self.connection
        profile_table = table_of(SupportProfile)
        for code, (domain, category, intensities) in sorted(self.check.new_profiles.items()):
            profile_id = connection.execute(
                insert(profile_table).returning(profile_table.c.id),
                {"code": code, "name": code, "domain": domain.value, "category_code": category,
                 "active": False, "imported": True},
            ).scalar_one()  # fmt: skip
            connection.execute(
                insert(table_of(ProfileIntensity)),
                [{"profile_id": profile_id, "intensity": i.value} for i in sorted(intensities)],
            )
        if self.check.new_providers:
            connection.execute(
                insert(table_of(Provider)),
                [
                    {"name": f"Aanbieder {agb}", "agb_code": agb, "active": False, "imported": True}
                    for agb in sorted(self.check.new_providers)
                ],
            )
        self.profile_ids = dict(
            connection.execute(select(SupportProfile.code, SupportProfile.id)).all()
        )
        self.provider_ids = dict(connection.execute(select(Provider.agb_code, Provider.id)).all())

    def add_residents(self) -> None:
        """Residents by BSN; new ones in a household of their own."""
        bsns = sorted({r.bsn for r in self.rows})
        for chunk in chunks(bsns):
            for rid, bsn, birth in self.connection.execute(
                select(Resident.id, Resident.bsn, Resident.birth_date).where(
                    Resident.bsn.in_(chunk)
                )
            ):
                self.residents[bsn] = (rid, birth)
        first_of: dict[str, ImportRow] = {}
        for r in self.rows:
            if r.bsn not in self.residents:
                first_of.setdefault(r.bsn, r)
        if first_of:
            self.write_residents(list(first_of.values()))

    def write_residents(self, new: list[ImportRow]) -> None:
        connection, now = self.connection, self.now
        wijk_of = wijk_by_area(self.session)
        household_ids = allocate_ids(connection, table_of(Household), len(new))
        self.new_resident_ids = allocate_ids(connection, table_of(Resident), len(new))
        write_rows(
            connection,
            table_of(Household),
            [{"id": hid, "gids_id": self.gids.id, "created_at": now} for hid in household_ids],
        )
        write_rows(
            connection,
            table_of(Resident),
            [
                {
                    "id": rid,
                    "bsn": r.bsn,
                    "given_name": "",
                    "family_name": UNKNOWN_NAME,
                    "birth_date": r.birth_date,
                    "postcode": r.postcode,
                    "wijk_id": wijk_of.get((r.postcode or "")[:4]),
                    "household_id": hid,
                    "created_at": now,
                }
                for r, hid, rid in zip(new, household_ids, self.new_resident_ids, strict=True)
            ],
        )
        for r, rid in zip(new, self.new_resident_ids, strict=True):
            self.residents[r.bsn] = (rid, r.birth_date)

    def write_requests(self) -> None:
        """A granted request for each row with a request date: new where its trajectory has
        none, else the trajectory's request gets the row's dates."""
        dated = [r for r in self.rows if r.request_date is not None]
        self.new_requests = [r for r in dated if self.existing_request(r) is None]
        request_table = table_of(Aanmelding)
        if self.new_requests:
            ids = allocate_ids(self.connection, request_table, len(self.new_requests))
            write_rows(
                self.connection,
                request_table,
                [
                    {
                        "id": rid,
                        "resident_id": self.residents[r.bsn][0],
                        "gids_id": self.gids.id,
                        "request_date": r.request_date,
                        "domain": r.domain.value,
                        "question": "Historie-import",
                        "outcome": "toegekend",
                        "outcome_reason": None,
                        "decided_on": r.decision_date or r.request_date,
                        "created_at": self.now,
                    }
                    for r, rid in zip(self.new_requests, ids, strict=True)
                ],
            )
            self.request_of = {
                r.import_id: rid for r, rid in zip(self.new_requests, ids, strict=True)
            }
        existing = [(r, rid) for r in dated if (rid := self.existing_request(r)) is not None]
        updates = [
            {"rid": rid, "day": r.request_date, "decided": r.decision_date or r.request_date}
            for r, rid in existing
        ]
        self.request_ids = [*self.request_of.values(), *(rid for _r, rid in existing)]
        if updates:
            self.connection.execute(
                update(request_table)
                .where(request_table.c.id == bindparam("rid"))
                .values(request_date=bindparam("day"), decided_on=bindparam("decided")),
                updates,
            )

    def trajectory_values(self, r: ImportRow) -> dict[str, Any]:
        """The columns a row sets on its trajectory, new or updated."""
        planned_start = r.care_start or r.decision_date or r.request_date or r.planned_end
        planned_start = min(planned_start, r.planned_end)
        rid, birth = self.residents[r.bsn]
        decision_end = r.planned_end
        if r.domain == Domain.JEUGD:
            decision_end = max(jeugd_decision_end(birth), r.planned_end)
        if r.care_end is not None:
            state = TrajectoryState.AFGESLOTEN
        elif r.care_start is not None:
            state = TrajectoryState.ACTIEF
        else:
            state = TrajectoryState.GEACCEPTEERD
        return {
            "resident_id": rid,
            "domain": r.domain.value,
            "profile_id": self.profile_ids[r.profile],
            "intensity": r.intensity.value,
            "provider_id": self.provider_ids[r.provider],
            "price": r.price,
            "planned_start": planned_start,
            "planned_end": r.planned_end,
            "decision_date": r.decision_date,
            "decision_end": decision_end,
            "care_start": r.care_start,
            "care_end": r.care_end,
            "state": state.value,
            "closure_category": r.closure_category.value if r.closure_category else None,
            "end_reason_code": r.end_reason,
            "result_achieved": r.result_achieved if r.care_end is not None else None,
            "import_id": r.import_id,
            "updated_at": self.now,
        }

    def write_trajectories(self) -> None:
        trajectory_table = table_of(Trajectory)
        if self.created_rows:
            self.created_ids = allocate_ids(
                self.connection, trajectory_table, len(self.created_rows)
            )
            write_rows(
                self.connection,
                trajectory_table,
                [
                    {
                        **self.trajectory_values(r),
                        "id": tid,
                        "request_id": self.request_of.get(r.import_id),
                        "gids_id": self.gids.id,
                        "need_type": "eindig",
                        "uses_zrm": False,
                        "version": 1,
                        "created_at": self.now,
                    }
                    for r, tid in zip(self.created_rows, self.created_ids, strict=True)
                ],
            )
            self.write_events(self.created_ids, "nieuw")
        if self.updated_rows:
            self.update_trajectories()

    def update_trajectories(self) -> None:
        """The rows for imported trajectories: one more version each."""
        trajectory_table = table_of(Trajectory)
        params = [
            {
                **self.trajectory_values(r),
                "tid": self.existing[r.import_id].id,
                "new_request_id": self.existing_request(r) or self.request_of.get(r.import_id),
            }
            for r in self.updated_rows
        ]
        columns = [c for c in params[0] if c not in ("tid", "new_request_id")]
        self.connection.execute(
            update(trajectory_table)
            .where(trajectory_table.c.id == bindparam("tid"))
            .values(
                {
                    **{c: bindparam(c) for c in columns},
                    "request_id": bindparam("new_request_id"),
                    "version": trajectory_table.c.version + 1,
                }
            ),
            params,
        )
        self.updated_ids = [self.existing[r.import_id].id for r in self.updated_rows]
        self.write_events(self.updated_ids, "bijgewerkt")

    def write_events(self, ids: Sequence[int], what: str) -> None:
        """The event *geïmporteerd* on each trajectory, naming who imported and who is
        responsible."""
        table = table_of(TrajectoryEvent)
        event_ids = allocate_ids(self.connection, table, len(ids))
        details = f"historie-import ({what}); verantwoordelijk: {self.gids.email}"
        write_rows(
            self.connection,
            table,
            [
                {
                    "id": event_id,
                    "trajectory_id": tid,
                    "user_id": self.by.id,
                    "at": self.now,
                    "action": IMPORT_ACTION,
                    "details": details,
                }
                for event_id, tid in zip(event_ids, ids, strict=True)
            ],
        )

    def audit_entries(self, result: ImportResult) -> list[dict[str, Any]]:
        """Every resident, request and trajectory made or changed, and the import as a whole."""
        actor, now = acting(self.session, self.by), self.now
        resident_of = {r.import_id: self.residents[r.bsn][0] for r in self.rows}
        made, changed = audit.CREATED, audit.CHANGED
        entries = [
            actor.entry(made, "inwoner", rid, rid, details=DETAILS, at=now)
            for rid in self.new_resident_ids
        ]
        entries += [
            actor.entry(made, "aanmelding", self.request_of[r.import_id],
                        resident_of[r.import_id], details=DETAILS, at=now)
            for r in self.new_requests
        ]  # fmt: skip
        entries += [
            actor.entry(changed, "aanmelding", rid, resident_of[r.import_id],
                        details=DETAILS, at=now)
            for r in self.rows
            if r.request_date is not None and (rid := self.existing_request(r)) is not None
        ]  # fmt: skip
        written = [
            (made, r, tid) for r, tid in zip(self.created_rows, self.created_ids, strict=True)
        ]
        written += [
            (changed, r, tid) for r, tid in zip(self.updated_rows, self.updated_ids, strict=True)
        ]
        entries += [
            actor.entry(action, "traject", tid, resident_of[r.import_id], details=DETAILS, at=now)
            for action, r, tid in written
        ]
        summary = (
            f"historie-import: {result.created} nieuw, {result.updated} bijgewerkt, "
            f"{result.unchanged} ongewijzigd, {result.new_residents} nieuwe inwoners"
        )
        entries.append(actor.entry(IMPORT_ACTION, "traject", None, None, details=summary, at=now))
        return entries


def wijk_by_area(session: Session) -> dict[str, int]:
    """The wijk most residents of each four-digit postcode area live in."""
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    area_of = func.substr(Resident.postcode, 1, 4).label("area")
    for area, wijk_id, n in session.execute(
        select(area_of, Resident.wijk_id, func.count())
        .where(Resident.postcode.is_not(None), Resident.wijk_id.is_not(None))
        .group_by(area_of, Resident.wijk_id)
    ):
        counts[area][wijk_id] += n
    return {area: c.most_common(1)[0][0] for area, c in counts.items()}
