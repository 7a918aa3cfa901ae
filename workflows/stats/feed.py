"""The pseudonymised feed: derivation, the same-transaction hook and the rebuild.

A trajectory enters the feed once it is more than a concept (proposed, accepted, started or
closed); a cancelled one leaves it. Each row holds only what the figures need:

* ``client_key`` = HMAC-SHA256 over the resident's BSN with the secret ``STATS_PSEUDONYM_KEY``:
  stable for one person across trajectories, households and imports, and not reversible without
  the secret. ``household_key`` likewise over the household. The secret travels with the session
  (``session.info``, put there by ``workflows.session_factory``); a session without it cannot
  write the feed (``MissingPseudonymKey``) — there is no default key to fall back on.
* ``age_band``: the age on the first day of care (or the planned start while waiting), banded;
  ``wijk``: the name of the resident's wijk/kern.
* catalogue codes (category, profile, AGB code), the dates, the price, how it closed, and the
  number of decision extensions (events ``verlengd``).
* record keys for the cell key method (docs/statistics.md, "Disclosure control"): the row's own,
  derived from its client key and trajectory id, and its client's and household's, derived from
  those keys. Derived, not drawn, so a refresh or a rebuild gives a trajectory the same key
  without keeping any other state; and since the client key is keyed with the secret, nobody
  without it can compute a key. Episodes get theirs from client, domain and first day.

``listen`` registers an ``after_flush`` listener on the app's session factory (never on
SQLAlchemy's ``Session`` class, so a plain ``Session(engine)`` has no hidden behaviour): whatever a
flush changed is re-derived with Core statements on the flush's own connection, inside the same
transaction. A trajectory that is deleted leaves its row in place, *detached*
(``source_trajectory_id`` empty). ``detach`` *freezes* rows on purpose, e.g. before a retention
purge anonymises a resident: a frozen row is never derived again, so the figures never change
when personal data goes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    delete,
    event,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from models import (
    UNIT_CLIENT,
    UNIT_TRAJECT,
    Aanmelding,
    EventAction,
    Provider,
    Resident,
    StatsEpisode,
    StatsMonthlyCount,
    StatsTrajectory,
    SupportProfile,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    Wijk,
    derived_key,
    episode_key,
)

from ..bulk import write_rows
from ..dates import age_on
from . import kept
from .episodes import merge, month_index

# Where a session carries the secret of the client and household keys (``session.info``).
PSEUDONYM_KEY_INFO = "stats_pseudonym_key"
EXTENSION_ACTION = EventAction.VERLENGD
NOT_IN_FEED = (TrajectoryState.CONCEPT, TrajectoryState.GEANNULEERD)
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0-3"),
    (4, "4-11"),
    (12, "12-17"),
    (18, "18-26"),
    (27, "27-64"),
    (65, "65-74"),
    (75, "75-84"),
    (85, "85+"),
)
AGE_BAND_CODES = tuple(code for _lower, code in AGE_BANDS)
BATCH = 500  # ids per IN (...) list
INSERT_BATCH = 5_000

facts = cast(Table, StatsTrajectory.__table__)
episodes_table = cast(Table, StatsEpisode.__table__)
counts_table = cast(Table, StatsMonthlyCount.__table__)

# The columns ``derive`` fills, in table order (everything but the surrogate id).
FACT_COLUMNS = [c.name for c in facts.columns if c.name not in ("id", "frozen")]


class MissingPseudonymKey(RuntimeError):
    """A session without the pseudonym secret tried to write the statistics feed."""


def pseudonym_key(session: Session) -> bytes:
    """The secret this session pseudonymises clients with; raises when it has none (a session
    not made by ``workflows.session_factory``), so no row is ever written with a guessed key."""
    key = session.info.get(PSEUDONYM_KEY_INFO)
    if not isinstance(key, str) or not key:
        raise MissingPseudonymKey(
            "This session has no statistics pseudonym key, so it cannot write the statistics "
            "feed. Make the session with the app's session factory "
            "(workflows.session_factory.make_session_factory, given STATS_PSEUDONYM_KEY)."
        )
    return key.encode()


def pseudonym(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def age_band(birth_date: date, on: date) -> str:
    age = max(0, age_on(birth_date, on))
    band = AGE_BANDS[0][1]
    for lower, code in AGE_BANDS:
        if age >= lower:
            band = code
    return band


# --- derivation ---------------------------------------------------------------------------


def _source_query() -> Select[Any]:
    t = Trajectory.__table__
    r = Resident.__table__
    p = SupportProfile.__table__
    pr = Provider.__table__
    w = Wijk.__table__
    rq = Aanmelding.__table__
    ev = TrajectoryEvent.__table__
    extensions = (
        select(func.count())
        .select_from(ev)
        .where(ev.c.trajectory_id == t.c.id, ev.c.action == EXTENSION_ACTION)
        .scalar_subquery()
    )
    return (
        select(
            t.c.id,
            t.c.follows_id,
            r.c.bsn,
            r.c.birth_date,
            r.c.household_id,
            w.c.name.label("wijk"),
            t.c.domain,
            p.c.category_code,
            p.c.code.label("profile_code"),
            t.c.intensity,
            pr.c.agb_code,
            t.c.need_type,
            rq.c.request_date,
            t.c.decision_date,
            t.c.care_start,
            t.c.planned_start,
            t.c.planned_end,
            t.c.care_end,
            t.c.price,
            t.c.closure_category,
            t.c.end_reason_code,
            t.c.result_achieved,
            extensions.label("extensions"),
        )
        .select_from(t)
        .join(r, r.c.id == t.c.resident_id)
        .join(p, p.c.id == t.c.profile_id)
        .join(pr, pr.c.id == t.c.provider_id)
        .outerjoin(w, w.c.id == r.c.wijk_id)
        .outerjoin(rq, rq.c.id == t.c.request_id)
        .where(t.c.state.not_in([s.value for s in NOT_IN_FEED]))
    )


def _row(source: Any, key: bytes) -> dict[str, Any]:
    start: date | None = source.care_start
    end: date | None = source.care_end
    client_key = pseudonym(key, "bsn", source.bsn)
    household_key = pseudonym(key, "huishouden", str(source.household_id))
    return {
        "source_trajectory_id": source.id,
        "frozen": False,
        "follows_source_id": source.follows_id,
        "client_key": client_key,
        "household_key": household_key,
        "age_band": age_band(source.birth_date, start or source.planned_start),
        "wijk": source.wijk,
        "domain": _plain(source.domain),
        "category_code": source.category_code,
        "profile_code": source.profile_code,
        "intensity": _plain(source.intensity),
        "provider_agb": source.agb_code,
        "need_type": _plain(source.need_type),
        "request_date": source.request_date,
        "decision_date": source.decision_date,
        "care_start": start,
        "planned_end": source.planned_end,
        "care_end": end,
        "start_month": month_index(start) if start else None,
        "end_month": month_index(end) if end else None,
        "price": source.price,
        "closure_category": _plain(source.closure_category),
        "end_reason_code": source.end_reason_code,
        "result_achieved": source.result_achieved,
        "extensions": int(source.extensions or 0),
        "record_key": trajectory_key(client_key, source.id),
        "client_record_key": derived_key("client", client_key),
        "household_record_key": derived_key("household", household_key),
    }


def trajectory_key(client_key: str, trajectory_id: int) -> int:
    """The record key of a trajectory's feed row (see the module docstring)."""
    return derived_key("traject", client_key, trajectory_id)


def derive(
    connection: Connection, trajectory_ids: Iterable[int] | None, *, key: bytes
) -> Iterator[dict[str, Any]]:
    """Feed rows for these trajectories (all when None), pseudonymised with ``key``; those not
    in the feed give none."""
    query = _source_query()
    if trajectory_ids is None:
        for source in connection.execute(query.order_by(Trajectory.__table__.c.id)):
            yield _row(source, key)
        return
    ids = sorted(set(trajectory_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for source in connection.execute(query.where(Trajectory.__table__.c.id.in_(chunk))):
            yield _row(source, key)


# --- keeping the aggregates current -------------------------------------------------------


@dataclass
class _Deltas:
    """Signed changes to ``stats_monthly_counts``: key (domain, unit, intensity, month); the
    ``*_key`` counters change the sums of the record keys the same way."""

    starts: Counter[tuple[str, str, str, int]]
    ends: Counter[tuple[str, str, str, int]]
    starts_key: Counter[tuple[str, str, str, int]]
    ends_key: Counter[tuple[str, str, str, int]]

    @classmethod
    def empty(cls) -> _Deltas:
        return cls(Counter(), Counter(), Counter(), Counter())

    def add_traject(self, row: dict[str, Any] | Any, sign: int) -> None:
        domain, intensity = str(_get(row, "domain")), str(_get(row, "intensity"))
        record_key = int(_get(row, "record_key"))
        if _get(row, "start_month") is not None:
            cell = (domain, UNIT_TRAJECT, intensity, _get(row, "start_month"))
            self.starts[cell] += sign
            self.starts_key[cell] += sign * record_key
        if _get(row, "end_month") is not None:
            cell = (domain, UNIT_TRAJECT, intensity, _get(row, "end_month"))
            self.ends[cell] += sign
            self.ends_key[cell] += sign * record_key

    def add_episode(
        self, client_key: str, domain: str, start: date, end: date | None, sign: int
    ) -> None:
        record_key = episode_key(client_key, domain, start)
        cell = (domain, UNIT_CLIENT, "", month_index(start))
        self.starts[cell] += sign
        self.starts_key[cell] += sign * record_key
        if end is not None:
            cell = (domain, UNIT_CLIENT, "", month_index(end))
            self.ends[cell] += sign
            self.ends_key[cell] += sign * record_key


def _get(row: Any, name: str) -> Any:
    return _plain(row[name] if isinstance(row, dict) else getattr(row, name))


def _upsert(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        pg = pg_insert(counts_table)
        return pg.on_conflict_do_update(
            index_elements=["domain", "unit", "intensity", "month"],
            set_={
                name: counts_table.c[name] + pg.excluded[name]
                for name in ("starts", "ends", "starts_key", "ends_key")
            },
        )
    lite = sqlite_insert(counts_table)
    return lite.on_conflict_do_update(
        index_elements=["domain", "unit", "intensity", "month"],
        set_={
            name: counts_table.c[name] + lite.excluded[name]
            for name in ("starts", "ends", "starts_key", "ends_key")
        },
    )


def _apply(connection: Connection, deltas: _Deltas) -> None:
    keys = {
        k
        for counter in (deltas.starts, deltas.ends, deltas.starts_key, deltas.ends_key)
        for k, v in counter.items()
        if v
    }
    if not keys:
        return
    params = [
        {
            "domain": domain,
            "unit": unit,
            "intensity": intensity,
            "month": month,
            "starts": deltas.starts[(domain, unit, intensity, month)],
            "ends": deltas.ends[(domain, unit, intensity, month)],
            "starts_key": deltas.starts_key[(domain, unit, intensity, month)],
            "ends_key": deltas.ends_key[(domain, unit, intensity, month)],
        }
        for domain, unit, intensity, month in sorted(keys)
    ]
    connection.execute(_upsert(connection), params)
    connection.execute(
        delete(counts_table).where(counts_table.c.starts == 0, counts_table.c.ends == 0)
    )


def _refresh_episodes(
    connection: Connection,
    pairs: set[tuple[str, str]],
    deltas: _Deltas,
    kept_deltas: kept.KeptDeltas,
) -> None:
    """Recompute the episodes of these (client_key, domain) pairs from the feed."""
    ordered = sorted(pairs)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        wanted = set(chunk)
        # By client key alone, the leading column of both indexes (a row-value IN list is not
        # used with an index by SQLite); the domain is checked here.
        keys = sorted({client_key for client_key, _domain in chunk})
        old: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
        old_ids: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row in connection.execute(
            select(
                episodes_table.c.id,
                episodes_table.c.client_key,
                episodes_table.c.domain,
                episodes_table.c.care_start,
                episodes_table.c.care_end,
            ).where(episodes_table.c.client_key.in_(keys))
        ):
            key = (row.client_key, str(_plain(row.domain)))
            if key not in wanted:
                continue
            old[key].append((row.care_start, row.care_end))
            old_ids[key].append(row.id)
        intervals: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
        for client_key, domain, care_start, care_end in connection.execute(
            select(facts.c.client_key, facts.c.domain, facts.c.care_start, facts.c.care_end).where(
                facts.c.client_key.in_(keys), facts.c.care_start.is_not(None)
            )
        ):
            key = (client_key, str(_plain(domain)))
            if key in wanted:
                intervals[key].append((care_start, care_end))
        stale: list[int] = []
        fresh: list[dict[str, Any]] = []
        for key in chunk:
            new = merge(intervals.get(key, []))
            if sorted(old.get(key, []), key=_interval_order) == new:
                continue
            stale.extend(old_ids.get(key, []))
            for ep_start, ep_end in old.get(key, []):
                deltas.add_episode(key[0], key[1], ep_start, ep_end, -1)
            for ep_start, ep_end in new:
                deltas.add_episode(key[0], key[1], ep_start, ep_end, +1)
                fresh.append(_episode_row(key[0], key[1], ep_start, ep_end))
            kept_deltas.add_episodes(key[0], key[1], old.get(key, []), -1)
            kept_deltas.add_episodes(key[0], key[1], new, +1)
        if stale:
            connection.execute(delete(episodes_table).where(episodes_table.c.id.in_(stale)))
        write_rows(connection, episodes_table, fresh)


def _interval_order(interval: tuple[date, date | None]) -> tuple[date, date]:
    return interval[0], interval[1] or date.max


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _episode_row(client_key: str, domain: str, start: date, end: date | None) -> dict[str, Any]:
    return {
        "client_key": client_key,
        "domain": domain,
        "care_start": start,
        "care_end": end,
        "start_month": month_index(start),
        "end_month": month_index(end) if end else None,
        "record_key": episode_key(client_key, domain, start),
    }


def refresh(
    session: Session,
    trajectory_ids: Iterable[int],
    *,
    new_ids: Iterable[int] = (),
    deleted_ids: Iterable[int] = (),
) -> None:
    """Bring the feed rows of these trajectories, and everything derived from them, up to date.

    ``new_ids`` are trajectories inserted in this flush: a row still attached to such an id is
    left over from a deleted trajectory whose id the database reused (SQLite can), so it is
    detached first. ``deleted_ids`` are detached and kept. Writes on the session's connection,
    in its transaction, with the session's pseudonym key (``MissingPseudonymKey`` before any
    write when it has none)."""
    key = pseudonym_key(session)
    connection = session.connection()
    gone = sorted(set(deleted_ids))
    for start in range(0, len(gone), BATCH):
        connection.execute(
            update(facts)
            .where(facts.c.source_trajectory_id.in_(gone[start : start + BATCH]))
            .values(source_trajectory_id=None)
        )
    reused = sorted(set(new_ids))
    for start in range(0, len(reused), BATCH):
        connection.execute(
            update(facts)
            .where(facts.c.source_trajectory_id.in_(reused[start : start + BATCH]))
            .values(source_trajectory_id=None)
        )
    ids = sorted(set(trajectory_ids) - set(gone))
    if not ids:
        return
    deltas = _Deltas.empty()
    kept_deltas = kept.KeptDeltas()
    pairs: set[tuple[str, str]] = set()
    old_rows: dict[int, Any] = {}
    for start in range(0, len(ids), BATCH):
        for row in connection.execute(
            select(facts).where(facts.c.source_trajectory_id.in_(ids[start : start + BATCH]))
        ):
            old_rows[row.source_trajectory_id] = row
    new_rows = {row["source_trajectory_id"]: row for row in derive(connection, ids, key=key)}
    inserts: list[dict[str, Any]] = []
    for trajectory_id in ids:
        old, new = old_rows.get(trajectory_id), new_rows.get(trajectory_id)
        if old is not None and old.frozen:
            continue
        if old is not None and new is not None and _same(old, new):
            continue
        if old is not None:
            deltas.add_traject(old, -1)
            kept_deltas.add_traject(old._mapping, -1)
            pairs.add((old.client_key, str(_plain(old.domain))))
            connection.execute(delete(facts).where(facts.c.id == old.id))
        if new is not None:
            deltas.add_traject(new, +1)
            kept_deltas.add_traject(new, +1)
            pairs.add((new["client_key"], str(_plain(new["domain"]))))
            inserts.append(new)
    write_rows(connection, facts, inserts)
    if pairs:
        _refresh_episodes(connection, pairs, deltas, kept_deltas)
    _apply(connection, deltas)
    kept.apply(connection, kept_deltas)


def _same(old: Any, new: dict[str, Any]) -> bool:
    return all(_plain(getattr(old, name)) == _plain(new[name]) for name in FACT_COLUMNS)


def detach(session: Session, trajectory_ids: Sequence[int]) -> None:
    """Freeze the feed rows of these trajectories: they stay as they are, whatever happens to
    the trajectory or its resident afterwards (call it before a retention purge deletes or
    anonymises them). A frozen row keeps its link until the trajectory is deleted."""
    session.flush()
    connection = session.connection()
    ids = sorted(set(trajectory_ids))
    for start in range(0, len(ids), BATCH):
        connection.execute(
            update(facts)
            .where(facts.c.source_trajectory_id.in_(ids[start : start + BATCH]))
            .values(frozen=True)
        )


# --- the session hook ---------------------------------------------------------------------


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    touched: set[int] = set()
    new_ids: set[int] = set()
    deleted: set[int] = set()
    residents: set[int] = set()
    requests: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Trajectory):
            touched.add(obj.id)
            new_ids.add(obj.id)
        elif isinstance(obj, TrajectoryEvent) and obj.action == EXTENSION_ACTION:
            touched.add(obj.trajectory_id)
    for obj in session.dirty:
        if isinstance(obj, Trajectory):
            touched.add(obj.id)
        elif isinstance(obj, Resident):
            residents.add(obj.id)
        elif isinstance(obj, Aanmelding):
            requests.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Trajectory):
            deleted.add(obj.id)
    if not (touched or deleted or residents or requests):
        return
    pseudonym_key(session)  # no key: raise before anything is read or written
    connection = session.connection()
    t = Trajectory.__table__
    if residents:
        touched.update(
            connection.scalars(select(t.c.id).where(t.c.resident_id.in_(sorted(residents))))
        )
    if requests:
        touched.update(
            connection.scalars(select(t.c.id).where(t.c.request_id.in_(sorted(requests))))
        )
    refresh(session, touched, new_ids=new_ids, deleted_ids=deleted)


def listen(factory: sessionmaker[Session]) -> None:
    """Keep the feed current on every flush of the sessions this factory makes."""
    event.listen(factory, "after_flush", _after_flush)


# --- rebuild ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildReport:
    rows: int
    detached: int
    episodes: int


def rebuild(session: Session) -> RebuildReport:
    """Derive the whole feed again from the trajectories, keeping the detached and frozen rows
    (whose personal data is gone or going), then recompute the episodes and monthly counts.
    The caller commits; a session without the pseudonym key raises before anything changes."""
    key = pseudonym_key(session)
    session.flush()
    connection = session.connection()
    t = Trajectory.__table__
    connection.execute(
        update(facts)
        .where(
            facts.c.source_trajectory_id.is_not(None),
            ~exists(select(t.c.id).where(t.c.id == facts.c.source_trajectory_id)),
        )
        .values(source_trajectory_id=None)
    )
    connection.execute(
        delete(facts).where(facts.c.source_trajectory_id.is_not(None), facts.c.frozen.is_(False))
    )
    frozen = set(
        connection.scalars(
            select(facts.c.source_trajectory_id).where(facts.c.source_trajectory_id.is_not(None))
        )
    )
    rows = 0
    batch: list[dict[str, Any]] = []
    for row in derive(connection, None, key=key):
        if row["source_trajectory_id"] in frozen:
            continue
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            write_rows(connection, facts, batch)
            rows += len(batch)
            batch = []
    write_rows(connection, facts, batch)
    rows += len(batch)
    detached = connection.scalar(
        select(func.count())
        .select_from(facts)
        .where((facts.c.source_trajectory_id.is_(None)) | facts.c.frozen.is_(True))
    )
    episodes = rebuild_aggregates(connection)
    return RebuildReport(rows=rows, detached=int(detached or 0), episodes=episodes)


def rebuild_aggregates(connection: Connection) -> int:
    """Episodes and monthly counts from the feed as it stands; returns the number of episodes.
    Also used by the benchmark's bulk generator, which writes feed rows directly."""
    connection.execute(delete(episodes_table))
    connection.execute(delete(counts_table))
    kept.clear(connection)
    kept.rebuild(connection)
    kept_deltas = kept.KeptDeltas()
    deltas = _Deltas.empty()
    for column, counts, key_sums in (
        (facts.c.start_month, deltas.starts, deltas.starts_key),
        (facts.c.end_month, deltas.ends, deltas.ends_key),
    ):
        for domain, intensity, month, n, key_sum in connection.execute(
            select(
                facts.c.domain,
                facts.c.intensity,
                column,
                func.count(),
                func.sum(facts.c.record_key),
            )
            .where(column.is_not(None))
            .group_by(facts.c.domain, facts.c.intensity, column)
        ):
            cell = (str(_plain(domain)), UNIT_TRAJECT, str(_plain(intensity)), month)
            counts[cell] += n
            key_sums[cell] += int(key_sum or 0)
    count = 0
    batch: list[dict[str, Any]] = []
    current: tuple[str, str] | None = None
    intervals: list[tuple[date, date | None]] = []

    def flush_client() -> None:
        nonlocal count
        if current is None:
            return
        merged = merge(intervals)
        kept_deltas.add_episodes(current[0], current[1], merged, +1)
        for ep_start, ep_end in merged:
            deltas.add_episode(current[0], current[1], ep_start, ep_end, +1)
            batch.append(_episode_row(current[0], current[1], ep_start, ep_end))
            count += 1

    rows = connection.execute(
        select(facts.c.client_key, facts.c.domain, facts.c.care_start, facts.c.care_end)
        .where(facts.c.care_start.is_not(None))
        .order_by(facts.c.client_key, facts.c.domain)
        .execution_options(yield_per=INSERT_BATCH)
    )
    for client_key, domain, start, end in rows:
        key = (client_key, str(_plain(domain)))
        if key != current:
            flush_client()
            current, intervals = key, []
            if len(batch) >= INSERT_BATCH:
                write_rows(connection, episodes_table, batch)
                batch = []
        intervals.append((start, end))
    flush_client()
    write_rows(connection, episodes_table, batch)
    _apply(connection, deltas)
    kept.apply(connection, kept_deltas)
    return count


def feed_snapshot(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the figures read, without surrogate ids, in a stable order (for tests that
    compare the incrementally kept feed with a rebuild)."""
    fact_rows = sorted(
        (
            tuple(_plain(v) for v in row)
            for row in connection.execute(select(*[facts.c[c] for c in FACT_COLUMNS]))
        ),
        key=repr,
    )
    episode_rows = sorted(
        (
            tuple(_plain(v) for v in row)
            for row in connection.execute(
                select(*[c for c in episodes_table.columns if c.name != "id"])
            )
        ),
        key=repr,
    )
    count_rows = sorted(
        (tuple(_plain(v) for v in row) for row in connection.execute(select(counts_table))),
        key=repr,
    )
    kept_rows = {
        table.name: sorted(
            (tuple(_plain(v) for v in row) for row in connection.execute(select(table))),
            key=repr,
        )
        for table in (kept.durations_table, kept.results_table, kept.repeats_table)
    }
    return {"facts": fact_rows, "episodes": episode_rows, "counts": count_rows, **kept_rows}
