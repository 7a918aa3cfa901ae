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
* beside the feed, ``stats_requests``: one row per aanmelding (client key, age band at the
  request date, wijk, domain, request and decision date, outcome), for the waiting list's first
  stage — a request without a decision, which need not have a trajectory yet. Kept by the same
  hook, rebuilt by ``rebuild``, detached and frozen like feed rows.
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    delete,
    event,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from models import (
    FILTER_COLUMNS,
    KEPT_SETS,
    UNIT_CLIENT,
    UNIT_TRAJECT,
    Aanmelding,
    Claim,
    EventAction,
    Provider,
    Resident,
    StatsEpisode,
    StatsFeedChange,
    StatsFilterCount,
    StatsMonthlyCount,
    StatsProviderEvent,
    StatsRequest,
    StatsTrajectory,
    SupportProfile,
    Tariff,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
    Wijk,
    derived_key,
    episode_key,
    set_name,
    set_value,
)

from ..bulk import write_rows
from ..clock import local_date
from ..dates import age_on
from . import kept, money
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
filter_counts_table = cast(Table, StatsFilterCount.__table__)
requests_table = cast(Table, StatsRequest.__table__)
changes_table = cast(Table, StatsFeedChange.__table__)
provider_events_table = cast(Table, StatsProviderEvent.__table__)
# The trajectory events a provider's scorecard counts, and the kind of their rows.
PROVIDER_EVENT_ACTIONS = {
    EventAction.TERUGSTUREN: "returned",
    EventAction.OPSCHALING_GEVRAAGD: "scaling",
}
# The events whose arrival changes what the feed derives from their trajectory.
FEED_EVENT_ACTIONS = (EXTENSION_ACTION, *PROVIDER_EVENT_ACTIONS)
WIJK_TABLES = (facts, requests_table)  # the tables that name a wijk/kern

# The columns ``derive`` fills, in table order (everything but the surrogate id).
FACT_COLUMNS = [c.name for c in facts.columns if c.name not in ("id", "frozen")]
REQUEST_COLUMNS = [c.name for c in requests_table.columns if c.name != "id"]
PROVIDER_EVENT_COLUMNS = [c.name for c in provider_events_table.columns if c.name != "id"]


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
    cl = Claim.__table__
    ta = Tariff.__table__
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
            ta.c.price.label("tariff_price"),
            cl.c.state.label("claim_state"),
            cl.c.amount.label("claim_amount"),
            cl.c.submitted_at.label("claim_submitted_at"),
            cl.c.decided_at.label("claim_decided_at"),
        )
        .select_from(t)
        .join(r, r.c.id == t.c.resident_id)
        .join(p, p.c.id == t.c.profile_id)
        .join(pr, pr.c.id == t.c.provider_id)
        .outerjoin(w, w.c.id == r.c.wijk_id)
        .outerjoin(rq, rq.c.id == t.c.request_id)
        .outerjoin(ta, ta.c.id == t.c.tariff_id)
        .outerjoin(cl, cl.c.trajectory_id == t.c.id)
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
        **money.money_columns(source),
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


def _request_source_query() -> Select[Any]:
    rq = Aanmelding.__table__
    r = Resident.__table__
    w = Wijk.__table__
    return (
        select(
            rq.c.id,
            r.c.bsn,
            r.c.birth_date,
            w.c.name.label("wijk"),
            rq.c.domain,
            rq.c.request_date,
            rq.c.decided_on,
            rq.c.outcome,
        )
        .select_from(rq)
        .join(r, r.c.id == rq.c.resident_id)
        .outerjoin(w, w.c.id == r.c.wijk_id)
    )


def _request_row(source: Any, key: bytes) -> dict[str, Any]:
    client_key = pseudonym(key, "bsn", source.bsn)
    return {
        "source_request_id": source.id,
        "frozen": False,
        "client_key": client_key,
        "age_band": age_band(source.birth_date, source.request_date),
        "wijk": source.wijk,
        "domain": _plain(source.domain),
        "request_date": source.request_date,
        "decided_on": source.decided_on,
        "outcome": _plain(source.outcome),
        "record_key": request_key(client_key, source.id),
    }


def request_key(client_key: str, request_id: int) -> int:
    """The record key of a request's row in ``stats_requests`` (like ``trajectory_key``)."""
    return derived_key("aanmelding", client_key, request_id)


def derive_requests(
    connection: Connection, request_ids: Iterable[int] | None, *, key: bytes
) -> Iterator[dict[str, Any]]:
    """``stats_requests`` rows for these requests (all when None), pseudonymised with ``key``."""
    query = _request_source_query()
    rq = Aanmelding.__table__
    if request_ids is None:
        for source in connection.execute(query.order_by(rq.c.id)):
            yield _request_row(source, key)
        return
    ids = sorted(set(request_ids))
    for start in range(0, len(ids), BATCH):
        for source in connection.execute(query.where(rq.c.id.in_(ids[start : start + BATCH]))):
            yield _request_row(source, key)


def _provider_event_source_query() -> Select[Any]:
    ev = TrajectoryEvent.__table__
    t = Trajectory.__table__
    r = Resident.__table__
    pr = Provider.__table__
    u = User.__table__
    acting = Provider.__table__.alias("acting")
    return (
        select(
            ev.c.id,
            ev.c.trajectory_id,
            ev.c.action,
            ev.c.at,
            t.c.domain,
            r.c.bsn,
            pr.c.agb_code,
            acting.c.agb_code.label("acting_agb"),
        )
        .select_from(ev)
        .join(t, t.c.id == ev.c.trajectory_id)
        .join(r, r.c.id == t.c.resident_id)
        .join(pr, pr.c.id == t.c.provider_id)
        .outerjoin(u, u.c.id == ev.c.user_id)
        .outerjoin(acting, acting.c.id == u.c.provider_id)
        .where(ev.c.action.in_([action.value for action in PROVIDER_EVENT_ACTIONS]))
    )


def _provider_event_row(source: Any, key: bytes) -> dict[str, Any]:
    """A returned proposal counts for the provider whose user returned it (a returned
    trajectory may go to another provider), a scaling request for the trajectory's provider."""
    kind = PROVIDER_EVENT_ACTIONS[EventAction(_plain(source.action))]
    provider = source.acting_agb if kind == "returned" and source.acting_agb else source.agb_code
    day = local_date(source.at)
    return {
        "source_event_id": source.id,
        "source_trajectory_id": source.trajectory_id,
        "frozen": False,
        "kind": kind,
        "provider_agb": provider,
        "domain": _plain(source.domain),
        "day": day,
        "month": month_index(day),
        "record_key": derived_key("provider_event", pseudonym(key, "bsn", source.bsn), source.id),
    }


def derive_provider_events(
    connection: Connection, trajectory_ids: Iterable[int] | None, *, key: bytes
) -> Iterator[dict[str, Any]]:
    """``stats_provider_events`` rows for the events of these trajectories (all when None),
    whatever the trajectory's state: a proposal returned before the trajectory was cancelled was
    still returned."""
    query = _provider_event_source_query()
    ev = TrajectoryEvent.__table__
    if trajectory_ids is None:
        for source in connection.execute(query.order_by(ev.c.id)):
            yield _provider_event_row(source, key)
        return
    ids = sorted(set(trajectory_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for source in connection.execute(query.where(ev.c.trajectory_id.in_(chunk))):
            yield _provider_event_row(source, key)


def refresh_provider_events(
    connection: Connection, trajectory_ids: Sequence[int], key: bytes
) -> None:
    """The ``stats_provider_events`` rows of these trajectories derived again; those of a
    trajectory whose rows are frozen stay as they are."""
    ids = sorted(set(trajectory_ids))
    frozen: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        frozen.update(
            connection.scalars(
                select(provider_events_table.c.source_trajectory_id).where(
                    provider_events_table.c.source_trajectory_id.in_(chunk),
                    provider_events_table.c.frozen.is_(True),
                )
            )
        )
        connection.execute(
            delete(provider_events_table).where(
                provider_events_table.c.source_trajectory_id.in_(chunk),
                provider_events_table.c.frozen.is_(False),
            )
        )
    write_rows(
        connection,
        provider_events_table,
        [
            row
            for row in derive_provider_events(connection, ids, key=key)
            if row["source_trajectory_id"] not in frozen
        ],
    )


def _detach_provider_events(connection: Connection, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), BATCH):
        connection.execute(
            update(provider_events_table)
            .where(provider_events_table.c.source_trajectory_id.in_(ids[start : start + BATCH]))
            .values(source_trajectory_id=None, source_event_id=None)
        )


# --- keeping the aggregates current -------------------------------------------------------


# An episode is counted in the unfiltered cells and in those of several set values, one client
# after the other: its key is computed once.
_episode_key = lru_cache(maxsize=256)(episode_key)

# A cell of the kept counts: (set name, value_1, value_2, domain, unit, intensity, month). The
# set name "" (with values "") is a cell of ``stats_monthly_counts``, any other one of
# ``stats_filter_counts`` (``models.StatsFilterCount``).
Cell = tuple[str, str, str, str, str, str, int]
CELL_NAMES = ("filter_set", "value_1", "value_2", "domain", "unit", "intensity", "month")
# A kept filter set with the values a row has for it: (set name, value_1, value_2).
SetValue = tuple[str, str, str]
UNFILTERED: SetValue = ("", "", "")
# The feed columns the kept sets narrow.
SET_COLUMNS = sorted({FILTER_COLUMNS[name] for names in KEPT_SETS for name in names})
# What the client unit needs of a started feed row: the episode and the values of the kept sets.
CLIENT_COLUMNS = ["client_key", "domain", "care_start", "care_end", *SET_COLUMNS]


def filter_values(row: dict[str, Any] | Any) -> list[SetValue]:
    """The kept sets a feed row counts in, each with the row's values. A row without a value for
    a set (no wijk) is in none of its cells: no filter value selects it."""
    found: list[SetValue] = []
    for names in KEPT_SETS:
        values = [_get(row, FILTER_COLUMNS[name]) for name in names]
        if None not in values:
            found.append(set_value(names, values))
    return found


@dataclass
class _Deltas:
    """Signed changes to the kept counts, per ``Cell``: ``stats_monthly_counts`` and
    ``stats_filter_counts``; the ``*_key`` counters change the sums of the record keys the same
    way."""

    starts: Counter[Cell]
    ends: Counter[Cell]
    starts_key: Counter[Cell]
    ends_key: Counter[Cell]

    @classmethod
    def empty(cls) -> _Deltas:
        return cls(Counter(), Counter(), Counter(), Counter())

    def add(self, cell: Cell, start: bool, n: int, key_sum: int) -> None:
        """``n`` rows with key sum ``key_sum`` start (else end) in this cell."""
        if start:
            self.starts[cell] += n
            self.starts_key[cell] += key_sum
        else:
            self.ends[cell] += n
            self.ends_key[cell] += key_sum

    def add_traject(self, row: dict[str, Any] | Any, sign: int) -> None:
        """A feed row (unit traject) in the unfiltered cells and in those of its set values."""
        domain, intensity = str(_get(row, "domain")), str(_get(row, "intensity"))
        record_key = int(_get(row, "record_key"))
        for set_cell in (UNFILTERED, *filter_values(row)):
            for start, month in ((True, _get(row, "start_month")), (False, _get(row, "end_month"))):
                if month is not None:
                    cell = (*set_cell, domain, UNIT_TRAJECT, intensity, month)
                    self.add(cell, start, sign, sign * record_key)

    def add_episode(
        self,
        client_key: str,
        domain: str,
        start: date,
        end: date | None,
        sign: int,
        kept: SetValue = UNFILTERED,
    ) -> None:
        """A client episode (formed after the filters of ``kept``, if any)."""
        record_key = _episode_key(client_key, domain, start)
        cell = (*kept, domain, UNIT_CLIENT, "", month_index(start))
        self.add(cell, True, sign, sign * record_key)
        if end is not None:
            cell = (*kept, domain, UNIT_CLIENT, "", month_index(end))
            self.add(cell, False, sign, sign * record_key)

    def add_filtered_episodes(
        self,
        client_key: str,
        domain: str,
        episodes: Mapping[SetValue, list[tuple[date, date | None]]],
        sign: int,
    ) -> None:
        """The client's episodes in the domain after each kept filter (``filtered_episodes``)."""
        for set_cell, merged in episodes.items():
            for ep_start, ep_end in merged:
                self.add_episode(client_key, domain, ep_start, ep_end, sign, set_cell)


def filtered_episodes(rows: Iterable[Any]) -> dict[SetValue, list[tuple[date, date | None]]]:
    """A client's episodes in a domain after each kept filter: its started feed rows
    (``CLIENT_COLUMNS``) of each set value merged on their own, as the figures merge the
    filtered rows (docs/statistics.md: filters first)."""
    groups: dict[SetValue, list[tuple[date, date | None]]] = defaultdict(list)
    for row in rows:
        for set_cell in filter_values(row):
            groups[set_cell].append((row.care_start, row.care_end))
    return {set_cell: merge(intervals) for set_cell, intervals in groups.items()}


def _add_filtered_client(
    deltas: _Deltas,
    kept_deltas: kept.KeptDeltas,
    client_key: str,
    domain: str,
    rows: Iterable[Any],
    sign: int,
) -> None:
    """A client's episodes after each kept filter into the filter counts and the kept repeat
    counts (``sign`` +1 when they come, −1 when they go)."""
    episodes = filtered_episodes(rows)
    deltas.add_filtered_episodes(client_key, domain, episodes, sign)
    for set_cell, merged in episodes.items():
        kept_deltas.add_episodes(client_key, domain, merged, sign, set_cell)


def _get(row: Any, name: str) -> Any:
    return _plain(row[name] if isinstance(row, dict) else getattr(row, name))


def _upsert(connection: Connection, table: Table) -> Any:
    keys = [column.name for column in table.primary_key.columns]
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={
            name: table.c[name] + statement.excluded[name]
            for name in ("starts", "ends", "starts_key", "ends_key")
        },
    )


def _apply(connection: Connection, deltas: _Deltas) -> None:
    """Add the deltas to both tables; a cell that lost rows and has none left goes."""
    cells = {
        cell
        for counter in (deltas.starts, deltas.ends, deltas.starts_key, deltas.ends_key)
        for cell, value in counter.items()
        if value
    }
    for table in (counts_table, filter_counts_table):
        names = [column.name for column in table.primary_key.columns]
        filtered = table is filter_counts_table
        mine = sorted(cell for cell in cells if bool(cell[0]) == filtered)
        if not mine:
            continue
        keys = [dict(zip(CELL_NAMES, cell, strict=True)) for cell in mine]
        connection.execute(
            _upsert(connection, table),
            [
                {
                    **{name: key[name] for name in names},
                    "starts": deltas.starts[cell],
                    "ends": deltas.ends[cell],
                    "starts_key": deltas.starts_key[cell],
                    "ends_key": deltas.ends_key[cell],
                }
                for cell, key in zip(mine, keys, strict=True)
            ],
        )
        emptied = [
            {f"cell_{name}": key[name] for name in names}
            for cell, key in zip(mine, keys, strict=True)
            if deltas.starts[cell] < 0 or deltas.ends[cell] < 0
        ]
        if emptied:
            connection.execute(
                delete(table).where(
                    table.c.starts == 0,
                    table.c.ends == 0,
                    *(table.c[name] == bindparam(f"cell_{name}") for name in names),
                ),
                emptied,
            )


def _started_rows(
    connection: Connection, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], list[Any]]:
    """The started feed rows (``CLIENT_COLUMNS``) of these (client_key, domain) pairs."""
    found: dict[tuple[str, str], list[Any]] = defaultdict(list)
    # By client key alone, the leading column of the index (a row-value IN list is not used
    # with an index by SQLite); the domain is checked here.
    keys = sorted({client_key for client_key, _domain in pairs})
    for start in range(0, len(keys), BATCH):
        for row in connection.execute(
            select(*[facts.c[name] for name in CLIENT_COLUMNS]).where(
                facts.c.client_key.in_(keys[start : start + BATCH]),
                facts.c.care_start.is_not(None),
            )
        ):
            pair = (row.client_key, str(_plain(row.domain)))
            if pair in pairs:
                found[pair].append(row)
    return found


def _refresh_episodes(
    connection: Connection,
    pairs: set[tuple[str, str]],
    rows: dict[tuple[str, str], list[Any]],
    deltas: _Deltas,
    kept_deltas: kept.KeptDeltas,
) -> None:
    """Recompute the kept episodes of these (client_key, domain) pairs from their started feed
    rows ``rows`` (``_started_rows``)."""
    keys = sorted({client_key for client_key, _domain in pairs})
    old: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    old_ids: dict[tuple[str, str], list[int]] = defaultdict(list)
    for start in range(0, len(keys), BATCH):
        for row in connection.execute(
            select(
                episodes_table.c.id,
                episodes_table.c.client_key,
                episodes_table.c.domain,
                episodes_table.c.care_start,
                episodes_table.c.care_end,
            ).where(episodes_table.c.client_key.in_(keys[start : start + BATCH]))
        ):
            pair = (row.client_key, str(_plain(row.domain)))
            if pair in pairs:
                old[pair].append((row.care_start, row.care_end))
                old_ids[pair].append(row.id)
    stale: list[int] = []
    fresh: list[dict[str, Any]] = []
    for pair in sorted(pairs):
        new = merge((row.care_start, row.care_end) for row in rows.get(pair, []))
        if sorted(old.get(pair, []), key=_interval_order) == new:
            continue
        stale.extend(old_ids.get(pair, []))
        for ep_start, ep_end in old.get(pair, []):
            deltas.add_episode(pair[0], pair[1], ep_start, ep_end, -1)
        for ep_start, ep_end in new:
            deltas.add_episode(pair[0], pair[1], ep_start, ep_end, +1)
            fresh.append(_episode_row(pair[0], pair[1], ep_start, ep_end))
        kept_deltas.add_episodes(pair[0], pair[1], old.get(pair, []), -1)
        kept_deltas.add_episodes(pair[0], pair[1], new, +1)
    for start in range(0, len(stale), BATCH):
        connection.execute(
            delete(episodes_table).where(episodes_table.c.id.in_(stale[start : start + BATCH]))
        )
    write_rows(connection, episodes_table, fresh)


def _interval_order(interval: tuple[date, date | None]) -> tuple[date, date]:
    return interval[0], interval[1] or date.max


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _episode_row(client_key: str, domain: str, start: date, end: date | None) -> dict[str, Any]:
    return {
        "client_key": client_key,
        "domain": domain,
        "care_start": start,
        "care_end": end,
        "start_month": month_index(start),
        "end_month": month_index(end) if end else None,
        "record_key": _episode_key(client_key, domain, start),
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
    _detach_provider_events(connection, gone)
    _detach_provider_events(connection, reused)
    ids = sorted(set(trajectory_ids) - set(gone))
    if not ids:
        return
    refresh_provider_events(connection, ids, key)
    deltas = _Deltas.empty()
    kept_deltas = kept.KeptDeltas()
    money_deltas = money.FinanceDeltas()
    pairs: set[tuple[str, str]] = set()
    stale: list[int] = []
    old_rows: dict[int, Any] = {}
    for start in range(0, len(ids), BATCH):
        for row in connection.execute(
            select(facts).where(facts.c.source_trajectory_id.in_(ids[start : start + BATCH]))
        ):
            old_rows[row.source_trajectory_id] = row
    new_rows = {row["source_trajectory_id"]: row for row in derive(connection, ids, key=key)}
    inserts: list[dict[str, Any]] = []
    changed = False
    units: dict[str, set[str]] = {"client": set(), "household": set()}
    for trajectory_id in ids:
        old, new = old_rows.get(trajectory_id), new_rows.get(trajectory_id)
        if old is not None and old.frozen:
            continue
        if old is not None and new is not None and _same(old, new):
            continue
        changed = changed or old is not None or new is not None
        if old is not None:
            deltas.add_traject(old, -1)
            kept_deltas.add_traject(old._mapping, -1)
            money_deltas.add_row(old._mapping, -1)
            pairs.add((old.client_key, str(_plain(old.domain))))
            units["client"].add(old.client_key)
            units["household"].add(old.household_key)
            stale.append(old.id)
        if new is not None:
            deltas.add_traject(new, +1)
            kept_deltas.add_traject(new, +1)
            money_deltas.add_row(new, +1)
            pairs.add((new["client_key"], str(_plain(new["domain"]))))
            units["client"].add(new["client_key"])
            units["household"].add(new["household_key"])
            inserts.append(new)
    # The client unit: each touched client's episodes in the domain, after each kept filter,
    # from all its started rows before and after the change (frozen and detached ones too).
    before = _started_rows(connection, pairs)
    # The year counts: each touched client's and household's rows before the change, and
    # after it (those rows less the ones replaced, plus the new ones).
    replaced = set(stale)
    for unit, keys in units.items():
        rows_before = kept.unit_rows(connection, unit, keys)
        kept_deltas.add_years(unit, rows_before, -1)
        key_column = kept.UNIT_COLUMNS[unit][0]
        rows_after = [row for row in rows_before if row["id"] not in replaced]
        rows_after += [row for row in inserts if row[key_column] in keys]
        kept_deltas.add_years(unit, rows_after, +1)
    for start in range(0, len(stale), BATCH):
        connection.execute(delete(facts).where(facts.c.id.in_(stale[start : start + BATCH])))
    write_rows(connection, facts, inserts)
    if pairs:
        after = _started_rows(connection, pairs)
        _refresh_episodes(connection, pairs, after, deltas, kept_deltas)
        for client_key, domain in sorted(pairs):
            for rows, sign in ((before, -1), (after, +1)):
                _add_filtered_client(
                    deltas,
                    kept_deltas,
                    client_key,
                    domain,
                    rows.get((client_key, domain), []),
                    sign,
                )
    _apply(connection, deltas)
    kept.apply(connection, kept_deltas)
    money.apply(connection, money_deltas)
    if changed:
        record_change(connection, "refresh")


def _same(old: Any, new: dict[str, Any]) -> bool:
    return all(_plain(getattr(old, name)) == _plain(new[name]) for name in FACT_COLUMNS)


def refresh_requests(
    session: Session,
    request_ids: Iterable[int],
    *,
    new_ids: Iterable[int] = (),
    deleted_ids: Iterable[int] = (),
) -> None:
    """Bring the ``stats_requests`` rows of these requests up to date, as ``refresh`` does for
    trajectories: a deleted request's row is detached and kept, a row still attached to a new
    request's (reused) id is detached first, a frozen row is left as it is."""
    key = pseudonym_key(session)
    connection = session.connection()
    gone = sorted(set(deleted_ids))
    _detach_requests(connection, gone)
    _detach_requests(connection, sorted(set(new_ids)))
    ids = sorted(set(request_ids) - set(gone))
    if not ids:
        return
    frozen: set[int] = set()
    # The kept waits for a decision: the rows replaced go out, the new ones come in.
    kept_deltas = kept.KeptDeltas()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for old in connection.execute(
            select(requests_table).where(requests_table.c.source_request_id.in_(chunk))
        ):
            if old.frozen:
                frozen.add(old.source_request_id)
            else:
                kept_deltas.add_request(old._mapping, -1)
        connection.execute(
            delete(requests_table).where(
                requests_table.c.source_request_id.in_(chunk), requests_table.c.frozen.is_(False)
            )
        )
    fresh = [
        row
        for row in derive_requests(connection, ids, key=key)
        if row["source_request_id"] not in frozen
    ]
    write_rows(connection, requests_table, fresh)
    for row in fresh:
        kept_deltas.add_request(row, +1)
    kept.apply(connection, kept_deltas)


def _detach_requests(connection: Connection, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), BATCH):
        connection.execute(
            update(requests_table)
            .where(requests_table.c.source_request_id.in_(ids[start : start + BATCH]))
            .values(source_request_id=None)
        )


def detach(
    session: Session, trajectory_ids: Sequence[int], request_ids: Sequence[int] = ()
) -> None:
    """Freeze the feed rows of these trajectories (and the ``stats_requests`` rows of these
    requests): they stay as they are, whatever happens to the trajectory, the request or the
    resident afterwards (call it before a retention purge deletes or anonymises them). A frozen
    row keeps its link until its source is deleted."""
    session.flush()
    connection = session.connection()
    for table, column, given in (
        (facts, facts.c.source_trajectory_id, trajectory_ids),
        (provider_events_table, provider_events_table.c.source_trajectory_id, trajectory_ids),
        (requests_table, requests_table.c.source_request_id, request_ids),
    ):
        ids = sorted(set(given))
        for start in range(0, len(ids), BATCH):
            connection.execute(
                update(table).where(column.in_(ids[start : start + BATCH])).values(frozen=True)
            )


def recode(session: Session, column: str, old: str, values: Mapping[str, Any]) -> int:
    """Rows kept without a live source (detached or frozen) that hold ``old`` in ``column`` (a
    profile code, an AGB code) take ``values`` — after the beheerder merged an imported profile
    or provider into another, whose live rows ``refresh`` derived again. Those rows are never
    derived, so the aggregates are computed again from the feed when any changed, and the
    figures equal a rebuild. Returns the rows changed."""
    session.flush()
    connection = session.connection()
    changed = connection.execute(
        update(facts)
        .where(
            facts.c[column] == old,
            facts.c.source_trajectory_id.is_(None) | facts.c.frozen.is_(True),
        )
        .values(**values)
    ).rowcount
    if changed:
        rebuild_aggregates(connection)
    return int(changed or 0)


# --- the session hook ---------------------------------------------------------------------


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    touched: set[int] = set()
    new_ids: set[int] = set()
    deleted: set[int] = set()
    residents: set[int] = set()
    requests: set[int] = set()
    new_requests: set[int] = set()
    deleted_requests: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Trajectory):
            touched.add(obj.id)
            new_ids.add(obj.id)
        elif isinstance(obj, TrajectoryEvent) and obj.action in FEED_EVENT_ACTIONS:
            touched.add(obj.trajectory_id)
        elif isinstance(obj, Aanmelding):
            new_requests.add(obj.id)
        elif isinstance(obj, Claim):
            touched.add(obj.trajectory_id)
    for obj in session.dirty:
        if isinstance(obj, Trajectory | Claim):
            touched.add(obj.id if isinstance(obj, Trajectory) else obj.trajectory_id)
        elif isinstance(obj, Resident):
            residents.add(obj.id)
        elif isinstance(obj, Aanmelding):
            requests.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Trajectory):
            deleted.add(obj.id)
        elif isinstance(obj, Claim):
            touched.add(obj.trajectory_id)
        elif isinstance(obj, Aanmelding):
            deleted_requests.add(obj.id)
    if not (touched or deleted or residents or requests or new_requests or deleted_requests):
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
    resident_requests: set[int] = set()
    if residents:
        rq = Aanmelding.__table__
        resident_requests.update(
            connection.scalars(select(rq.c.id).where(rq.c.resident_id.in_(sorted(residents))))
        )
    refresh_requests(
        session,
        requests | new_requests | resident_requests,
        new_ids=new_requests,
        deleted_ids=deleted_requests,
    )


def listen(factory: sessionmaker[Session]) -> None:
    """Keep the feed current on every flush of the sessions this factory makes."""
    event.listen(factory, "after_flush", _after_flush)


# --- rebuild ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildReport:
    rows: int
    detached: int
    episodes: int
    requests: int = 0


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
    # The requests first: the kept counts hold their waits.
    requests = _rebuild_requests(connection, key)
    episodes = rebuild_aggregates(connection)
    _rebuild_provider_events(connection, key)
    return RebuildReport(
        rows=rows, detached=int(detached or 0), episodes=episodes, requests=requests
    )


def _rebuild_requests(connection: Connection, key: bytes) -> int:
    """``stats_requests`` derived again, keeping detached and frozen rows (as ``rebuild`` does
    for the feed); returns the number of rows derived."""
    rq = Aanmelding.__table__
    connection.execute(
        update(requests_table)
        .where(
            requests_table.c.source_request_id.is_not(None),
            ~exists(select(rq.c.id).where(rq.c.id == requests_table.c.source_request_id)),
        )
        .values(source_request_id=None)
    )
    connection.execute(
        delete(requests_table).where(
            requests_table.c.source_request_id.is_not(None), requests_table.c.frozen.is_(False)
        )
    )
    frozen = set(
        connection.scalars(
            select(requests_table.c.source_request_id).where(
                requests_table.c.source_request_id.is_not(None)
            )
        )
    )
    rows = 0
    batch: list[dict[str, Any]] = []
    for row in derive_requests(connection, None, key=key):
        if row["source_request_id"] in frozen:
            continue
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            write_rows(connection, requests_table, batch)
            rows += len(batch)
            batch = []
    write_rows(connection, requests_table, batch)
    return rows + len(batch)


def _rebuild_provider_events(connection: Connection, key: bytes) -> int:
    """``stats_provider_events`` derived again, keeping detached and frozen rows; returns the
    number of rows derived."""
    t = Trajectory.__table__
    e = provider_events_table
    connection.execute(
        update(e)
        .where(
            e.c.source_trajectory_id.is_not(None),
            ~exists(select(t.c.id).where(t.c.id == e.c.source_trajectory_id)),
        )
        .values(source_trajectory_id=None, source_event_id=None)
    )
    connection.execute(
        delete(e).where(e.c.source_trajectory_id.is_not(None), e.c.frozen.is_(False))
    )
    frozen = set(
        connection.scalars(
            select(e.c.source_trajectory_id).where(e.c.source_trajectory_id.is_not(None))
        )
    )
    rows = 0
    batch: list[dict[str, Any]] = []
    for row in derive_provider_events(connection, None, key=key):
        if row["source_trajectory_id"] in frozen:
            continue
        batch.append(row)
        if len(batch) >= INSERT_BATCH:
            write_rows(connection, e, batch)
            rows += len(batch)
            batch = []
    write_rows(connection, e, batch)
    return rows + len(batch)


def rebuild_aggregates(connection: Connection) -> int:
    """Episodes and the kept counts (unfiltered and per kept filter set) from the feed as it
    stands; returns the number of episodes. Also used by the benchmark's bulk generator, which
    writes feed rows directly."""
    connection.execute(delete(episodes_table))
    connection.execute(delete(counts_table))
    connection.execute(delete(filter_counts_table))
    kept.clear(connection)
    kept.rebuild(connection)
    money.rebuild(connection)
    kept_deltas = kept.KeptDeltas()
    deltas = _Deltas.empty()
    # The traject unit: the feed rows grouped per set value, intensity and month.
    for names in ((), *KEPT_SETS):
        set_columns = [facts.c[FILTER_COLUMNS[name]] for name in names]
        for column, start in ((facts.c.start_month, True), (facts.c.end_month, False)):
            grouped = [*set_columns, facts.c.domain, facts.c.intensity, column]
            for *values, domain, intensity, month, n, key_sum in connection.execute(
                select(*grouped, func.count(), func.sum(facts.c.record_key))
                .where(*(c.is_not(None) for c in (*set_columns, column)))
                .group_by(*grouped)
            ):
                set_cell = set_value(names, values)
                cell = (*set_cell, str(_plain(domain)), UNIT_TRAJECT, str(_plain(intensity)), month)
                deltas.add(cell, start, n, int(key_sum or 0))
    # The client unit: one ordered pass over the started rows, a client and domain at a time.
    count = 0
    batch: list[dict[str, Any]] = []
    current: tuple[str, str] | None = None
    client_rows: list[Any] = []

    def flush_client() -> None:
        nonlocal count
        if current is None:
            return
        merged = merge((row.care_start, row.care_end) for row in client_rows)
        kept_deltas.add_episodes(current[0], current[1], merged, +1)
        for ep_start, ep_end in merged:
            deltas.add_episode(current[0], current[1], ep_start, ep_end, +1)
            batch.append(_episode_row(current[0], current[1], ep_start, ep_end))
            count += 1
        _add_filtered_client(deltas, kept_deltas, current[0], current[1], client_rows, +1)

    rows = connection.execute(
        select(*[facts.c[name] for name in CLIENT_COLUMNS])
        .where(facts.c.care_start.is_not(None))
        .order_by(facts.c.client_key, facts.c.domain)
        .execution_options(yield_per=INSERT_BATCH)
    )
    for row in rows:
        key = (row.client_key, str(_plain(row.domain)))
        if key != current:
            flush_client()
            current, client_rows = key, []
            if len(batch) >= INSERT_BATCH:
                write_rows(connection, episodes_table, batch)
                batch = []
        client_rows.append(row)
    flush_client()
    write_rows(connection, episodes_table, batch)
    _apply(connection, deltas)
    kept.apply(connection, kept_deltas)
    record_change(connection, "rebuild")
    return count


# --- the change log: the feed's version -------------------------------------------------


FeedVersion = tuple[int, int | None, int | None]


def wijk_in_figures(connection: Connection, name: str) -> bool:
    """Whether the feed names this wijk/kern (in any row, frozen and detached ones too)."""
    return any(
        connection.scalar(select(exists().where(table.c.wijk == name))) for table in WIJK_TABLES
    )


def rename_wijk(connection: Connection, old: str, new: str) -> None:
    """A wijk/kern got a new name: the feed and every kept count that names it follow, frozen
    rows included (a name is no personal data), so a filter on the new name finds its whole
    history. Record keys do not depend on the name: every cell keeps its key sum, and so the
    figures keep exactly their values. The caller makes sure ``new`` is in no row yet."""
    if old == new:
        return
    for table in WIJK_TABLES:
        connection.execute(update(table).where(table.c.wijk == old).values(wijk=new))
    for names in KEPT_SETS:
        if "wijk" not in names:
            continue
        column = f"value_{names.index('wijk') + 1}"
        for table in (filter_counts_table, *kept.SET_TABLES):
            connection.execute(
                update(table)
                .where(table.c.filter_set == set_name(names), table.c[column] == old)
                .values({column: new})
            )
    record_change(connection, "wijk")


def record_change(connection: Connection, kind: str) -> None:
    """Log that this transaction changed the feed (``StatsFeedChange``): a row of its own, so
    concurrent writers never wait for each other, as a single counter row would make them."""
    connection.execute(insert(changes_table).values(kind=kind))


def feed_version(connection: Connection) -> FeedVersion:
    """The feed's version as this connection sees it: the change log's row count, newest id and
    that row's random token. It changes with every committed change to the feed, including one
    that commits after a later one (T1 writes, T2 writes and commits, T1 commits: the newest id
    is T2's both times, but the count grows). Between compactions the log only grows, so a
    different set of committed changes has a different count; a compaction deletes the rows
    and adds one with a higher id than every row before it, so no later version equals an
    earlier one. The token keeps apart two logs whose ids happen to match: the same id used
    again after a rollback (SQLite), or another database."""
    newest = (
        select(changes_table.c.token).order_by(changes_table.c.id.desc()).limit(1).scalar_subquery()
    )
    count, top, token = connection.execute(
        select(func.count(), func.max(changes_table.c.id), newest).select_from(changes_table)
    ).one()
    return int(count), top, token


def compact_changes(connection: Connection) -> int:
    """Replace the change log by one ``compaction`` row (daily, after the scheduler run);
    returns the rows deleted. Run it in a transaction of its own, holding no other locks.

    On PostgreSQL the log is locked against writers first (EXCLUSIVE: reads go on). The lock
    waits for the transactions that logged a change and have not committed, and holds new ones
    back until this one commits, so the compaction row's id is higher than every id the log
    ever had. It waits at most ``lock_timeout`` (then it fails, and the next run compacts).
    SQLite has one writer at a time anyway."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(text("LOCK TABLE stats_feed_changes IN EXCLUSIVE MODE"))
    rows = int(connection.scalar(select(func.count()).select_from(changes_table)) or 0)
    if rows <= 1:
        return 0
    connection.execute(delete(changes_table))
    record_change(connection, "compaction")
    return rows


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
    count_rows, filter_count_rows = (
        sorted(
            (tuple(_plain(v) for v in row) for row in connection.execute(select(table))), key=repr
        )
        for table in (counts_table, filter_counts_table)
    )
    request_rows = sorted(
        (
            tuple(_plain(v) for v in row)
            for row in connection.execute(select(*[requests_table.c[c] for c in REQUEST_COLUMNS]))
        ),
        key=repr,
    )
    kept_rows = {
        table.name: sorted(
            (tuple(_plain(v) for v in row) for row in connection.execute(select(table))),
            key=repr,
        )
        for table in (
            kept.durations_table,
            kept.results_table,
            kept.repeats_table,
            kept.years_table,
            money.finance_table,
        )
    }
    provider_event_rows = sorted(
        (
            tuple(_plain(v) for v in row)
            for row in connection.execute(
                select(*[provider_events_table.c[c] for c in PROVIDER_EVENT_COLUMNS])
            )
        ),
        key=repr,
    )
    return {
        "facts": fact_rows,
        "provider_events": provider_event_rows,
        "episodes": episode_rows,
        "counts": count_rows,
        "filter_counts": filter_count_rows,
        "requests": request_rows,
        **kept_rows,
    }
