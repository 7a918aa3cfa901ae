"""The pseudonymised statistics feed and what the beheerder keeps for the figures.

``StatsTrajectory`` holds one row per trajectory with only what the figures need: no name, BSN,
birth date or address. The client is a keyed hash (HMAC-SHA256) of the BSN, age is a band and
place the wijk/kern. ``StatsRequest`` holds each aanmelding the same way (for the waiting list's
first stage, a request without a decision). ``StatsEpisode`` holds each client's episodes per
domain (merged care, see docs/statistics.md) and ``StatsMonthlyCount`` the monthly inflow and
outflow per domain, unit and intensity; ``StatsFilterCount`` holds the same per value of the
filters managers use most (``KEPT_SETS``), so the most used figures need no scan of the feed.

The feed deliberately has **no foreign key** to a personal table (residents, trajectories,
requests): a retention purge may delete or anonymise those, and the statistics must stay intact.
``source_trajectory_id`` (``source_request_id``) is a plain integer that links a row to its
trajectory (request) while that exists; a row whose source is gone is *detached* (the link
empty) and kept as it is. A *frozen* row is never derived again (``feed.detach``): for a
trajectory or request whose resident is about to be anonymised, so the figures do not change
when the personal data does.

Months are stored as a month index ``year * 12 + month - 1`` (2019-01 → 24228) so every
database buckets and compares them the same way.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, str_enum, utcnow
from .enums import AanmeldingOutcome, ClaimState, ClosureCategory, Domain, Intensity, NeedType
from .user import User

# Unit keys in StatsMonthlyCount: a traject row per intensity, a client row with intensity "".
UNIT_TRAJECT = "traject"
UNIT_CLIENT = "client"

# The feed column each statistics filter narrows (docs/statistics.md, "Filters").
FILTER_COLUMNS = {
    "category": "category_code",
    "profile": "profile_code",
    "intensity": "intensity",
    "provider": "provider_agb",
    "wijk": "wijk",
    "age_band": "age_band",
}
# The filters and pairs of filters whose monthly counts are kept in StatsFilterCount.
KEPT_SETS: tuple[tuple[str, ...], ...] = (
    ("category",),
    ("profile",),
    ("provider",),
    ("wijk",),
    ("age_band",),
    ("wijk", "age_band"),
    ("profile", "provider"),
)


def set_name(names: tuple[str, ...]) -> str:
    """How a kept set is named in ``StatsFilterCount.filter_set``: its filter names joined with
    "+" ("wijk+age_band"); the empty set (no filter) is ""."""
    return "+".join(names)


def set_value(names: tuple[str, ...], values: Sequence[object]) -> tuple[str, str, str]:
    """How a cell of a kept set is named in the kept tables: (``set_name``, value 1, value 2),
    the values as text in the order of ``names``, "" where unused (the second of a single
    filter; both for no filter)."""
    padded = [str(getattr(value, "value", value)) for value in values] + ["", ""]
    return set_name(names), padded[0], padded[1]


# Record keys (docs/statistics.md, "Disclosure control"): a uniform number in [0, 1) stored as a
# whole number of 2^-30 steps, so sums of keys are exact on every database and a cell key
# (the sum of its rows' keys, mod 1) is the same however the rows are added up.
KEY_BITS = 30
KEY_MODULUS = 1 << KEY_BITS


def derived_key(*parts: object) -> int:
    """A record key that follows from ``parts`` (SHA-256, cut to ``KEY_BITS``). The parts always
    include a pseudonym (``client_key``, itself keyed with the secret), so nobody without the
    secret can compute a row's key, and the same row gets the same key on every rebuild."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - KEY_BITS)


def random_record_key() -> int:
    """For rows written without one (the benchmark's bulk generator, tests): uniform, stored."""
    return secrets.randbits(KEY_BITS)


def _client_record_key(context: Any) -> int:
    return derived_key("client", context.get_current_parameters()["client_key"])


def _household_record_key(context: Any) -> int:
    return derived_key("household", context.get_current_parameters()["household_key"])


def _episode_record_key(context: Any) -> int:
    params = context.get_current_parameters()
    return episode_key(params["client_key"], params["domain"], params["care_start"])


def episode_key(client_key: str, domain: object, care_start: date) -> int:
    """The record key of a client episode: it follows from the client, the domain and the
    episode's first day, so the same episode has the same key in every query and rebuild."""
    plain = getattr(domain, "value", domain)
    return derived_key("episode", client_key, plain, care_start.isoformat())


# The columns the covering indexes carry beyond their keys: every filter column, and for those
# on (domain, start month) and (domain, end month) the durations' dates and key.
FILTER_COLUMN_NAMES = tuple(FILTER_COLUMNS.values())
COVERED = ("care_start", "care_end", "record_key", *FILTER_COLUMN_NAMES)
# What the waits of the requests read beyond (domain, request date).
REQUEST_COVERED = ("decided_on", "record_key", "wijk", "age_band")
# What the per-year figures read of a client's rows.
PER_CLIENT = ("start_month", "care_start", "care_end", "price")


class StatsTrajectory(Base):
    """One trajectory as the statistics see it (the pseudonymised feed)."""

    __tablename__ = "stats_trajectories"
    __table_args__ = (
        CheckConstraint("care_end IS NULL OR care_start IS NOT NULL", name="end_needs_start"),
        CheckConstraint("care_end IS NULL OR care_end >= care_start", name="care_dates_in_order"),
        # Covering: a figure with filters that no kept aggregate answers (durations) reads the
        # rows of its period from these indexes alone, not from the table.
        Index("ix_stats_trajectories_domain_start", "domain", "start_month", *COVERED),
        Index("ix_stats_trajectories_domain_end", "domain", "end_month", *COVERED),
        Index("ix_stats_trajectories_client", "client_key", "domain"),
        # Covering: the waits from decision to start of the trajectories decided in a period.
        Index(
            "ix_stats_trajectories_domain_decision",
            "domain",
            "decision_date",
            "care_start",
            "record_key",
            *FILTER_COLUMN_NAMES,
        ),
        # The waiting list's decisions without a start: a few of the rows, so a small index.
        Index(
            "ix_stats_trajectories_waiting",
            "domain",
            "decision_date",
            sqlite_where=text("care_start IS NULL"),
            postgresql_where=text("care_start IS NULL"),
        ),
        # Covering, in client (household) order: the results' per-year figures group the
        # period's rows per client and per household without reading the table or sorting.
        Index(
            "ix_stats_trajectories_domain_client",
            "domain",
            "client_key",
            "client_record_key",
            *PER_CLIENT,
            *FILTER_COLUMN_NAMES,
        ),
        Index(
            "ix_stats_trajectories_domain_household",
            "domain",
            "household_key",
            "household_record_key",
            "decision_date",
            "care_end",
            *FILTER_COLUMN_NAMES,
        ),
        # Partial, so the many detached rows (empty source) do not make the planner think the
        # index is unselective; a lookup "IN (...)" implies NOT NULL and uses it.
        Index(
            "uq_stats_trajectories_source",
            "source_trajectory_id",
            unique=True,
            sqlite_where=text("source_trajectory_id IS NOT NULL"),
            postgresql_where=text("source_trajectory_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The trajectory this row was derived from, while it exists (no foreign key: see above).
    source_trajectory_id: Mapped[int | None] = mapped_column(Integer)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    # The previous trajectory's source id when this one follows it after scaling up/down (R9).
    follows_source_id: Mapped[int | None] = mapped_column(Integer)
    client_key: Mapped[str] = mapped_column(String(64))
    household_key: Mapped[str] = mapped_column(String(64))
    age_band: Mapped[str] = mapped_column(String(10))
    wijk: Mapped[str | None] = mapped_column(String(80))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    category_code: Mapped[str] = mapped_column(String(2))
    profile_code: Mapped[str] = mapped_column(String(20))
    intensity: Mapped[Intensity] = mapped_column(str_enum(Intensity, 10))
    provider_agb: Mapped[str] = mapped_column(String(8))
    need_type: Mapped[NeedType] = mapped_column(str_enum(NeedType, 10))
    request_date: Mapped[date | None] = mapped_column(Date)
    decision_date: Mapped[date | None] = mapped_column(Date)
    care_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)
    care_end: Mapped[date | None] = mapped_column(Date)
    start_month: Mapped[int | None] = mapped_column(Integer)
    end_month: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    closure_category: Mapped[ClosureCategory | None] = mapped_column(str_enum(ClosureCategory, 1))
    end_reason_code: Mapped[str | None] = mapped_column(String(2))
    result_achieved: Mapped[bool | None] = mapped_column(Boolean)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    # Money (docs/statistics.md, "Finance"): the month the commitment began (decision, else
    # start of care), the tariff's price when the trajectory is linked to one (for the deviation
    # flag), its claim's state, amount and months (submitted; decided), the month its claim is
    # expected while there is none (planned end while care goes on, end of care once closed),
    # and for care closed without the result the pro-rata amount the claim policy would allow.
    commit_month: Mapped[int | None] = mapped_column(Integer)
    tariff_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    claim_state: Mapped[ClaimState | None] = mapped_column(str_enum(ClaimState, 12))
    claim_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    claim_submitted_month: Mapped[int | None] = mapped_column(Integer)
    claim_decided_month: Mapped[int | None] = mapped_column(Integer)
    expected_month: Mapped[int | None] = mapped_column(Integer)
    pro_rata_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # Record keys for the cell key method (docs/statistics.md, "Disclosure control"): the
    # trajectory's own, and those of its client and household (for counts of distinct ones).
    record_key: Mapped[int] = mapped_column(Integer, default=random_record_key)
    client_record_key: Mapped[int] = mapped_column(Integer, default=_client_record_key)
    household_record_key: Mapped[int] = mapped_column(Integer, default=_household_record_key)


class StatsRequest(Base):
    """One aanmelding (request for support) as the statistics see it: for the waiting list's
    first stage, a request without a decision yet, which need not have a trajectory in
    ``stats_trajectories``. Pseudonymised like the feed (client key, age band at the request
    date, wijk); linked to its request while that exists, detached or frozen like a feed row."""

    __tablename__ = "stats_requests"
    __table_args__ = (
        # The waiting list's requests without a decision by a date: undecided or decided later.
        Index("ix_stats_requests_domain_decided", "domain", "decided_on"),
        # Covering: the waits of the requests made in a period (censored where undecided), and
        # the unmet demand (refused, no follow-up) per day of that decision, read from these.
        Index(
            "ix_stats_requests_domain_requested",
            "domain",
            "request_date",
            *REQUEST_COVERED,
        ),
        Index(
            "ix_stats_requests_domain_outcome",
            "domain",
            "outcome",
            "decided_on",
            "record_key",
            "wijk",
            "age_band",
        ),
        Index(
            "uq_stats_requests_source",
            "source_request_id",
            unique=True,
            sqlite_where=text("source_request_id IS NOT NULL"),
            postgresql_where=text("source_request_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The request this row was derived from, while it exists (no foreign key: see above).
    source_request_id: Mapped[int | None] = mapped_column(Integer)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    client_key: Mapped[str] = mapped_column(String(64))
    age_band: Mapped[str] = mapped_column(String(10))
    wijk: Mapped[str | None] = mapped_column(String(80))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    request_date: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)  # empty while undecided
    outcome: Mapped[AanmeldingOutcome] = mapped_column(str_enum(AanmeldingOutcome))
    record_key: Mapped[int] = mapped_column(Integer, default=random_record_key)


# What a provider did or asked that its scorecard counts (``StatsProviderEvent.kind``).
PROVIDER_EVENT_KINDS = ("returned", "scaling")


class StatsProviderEvent(Base):
    """One step of a provider that its scorecard counts, as the statistics see it: a proposal
    it returned (``returned``, the provider whose user returned it) or a request to scale a
    trajectory up or down (``scaling``, the trajectory's provider). Derived from the trajectory
    events by the feed's hook, with no personal data (no client key, only the record key);
    linked to its trajectory while that exists, detached or frozen like a feed row."""

    __tablename__ = "stats_provider_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in PROVIDER_EVENT_KINDS) + ")",
            name="provider_event_kind",
        ),
        # Covering: the scorecard counts a kind per provider over the months of a period.
        Index(
            "ix_stats_provider_events_kind_month",
            "kind",
            "month",
            "domain",
            "provider_agb",
            "record_key",
        ),
        Index("ix_stats_provider_events_source", "source_trajectory_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event and trajectory this row was derived from, while they exist (no foreign key).
    source_event_id: Mapped[int | None] = mapped_column(Integer)
    source_trajectory_id: Mapped[int | None] = mapped_column(Integer)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(10))
    provider_agb: Mapped[str] = mapped_column(String(8))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    day: Mapped[date] = mapped_column(Date)
    month: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[int] = mapped_column(Integer, default=random_record_key)


class StatsEpisode(Base):
    """A client's uninterrupted care in one domain: trajectories merged when one starts on or
    before the day after the episode's end so far (docs/statistics.md, unit client). Materialised
    for the figures without filters; recomputed for a client whenever its rows change."""

    __tablename__ = "stats_episodes"
    __table_args__ = (
        Index("ix_stats_episodes_client", "client_key", "domain"),
        Index("ix_stats_episodes_domain_start", "domain", "start_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    care_start: Mapped[date] = mapped_column(Date)
    care_end: Mapped[date | None] = mapped_column(Date)
    start_month: Mapped[int] = mapped_column(Integer)
    end_month: Mapped[int | None] = mapped_column(Integer)
    record_key: Mapped[int] = mapped_column(Integer, default=_episode_record_key)


class StatsMonthlyCount(Base):
    """Inflow (starts) and outflow (ends) per month, domain, unit and intensity: the traject unit
    has a row per intensity, the client unit (episodes) one with intensity ``""``. Stocks are
    running sums of these (eindstand = all starts − all ends up to the month)."""

    __tablename__ = "stats_monthly_counts"

    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    unit: Mapped[str] = mapped_column(String(10), primary_key=True)
    intensity: Mapped[str] = mapped_column(String(10), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts: Mapped[int] = mapped_column(Integer, default=0)
    ends: Mapped[int] = mapped_column(Integer, default=0)
    # The sums of the record keys of those starts and ends (not reduced mod 1, so signed
    # deltas add up exactly): the cell keys of the monthly flows and, as running sums, stocks.
    starts_key: Mapped[int] = mapped_column(BigInteger, default=0)
    ends_key: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsFilterCount(Base):
    """``StatsMonthlyCount`` per value of a kept filter set (``KEPT_SETS``): the starts and ends
    of the trajectories (per intensity) and of the client episodes formed after that filter
    (intensity ``""``) whose value of the set is ``value_1`` (and ``value_2`` for a pair, in
    the order of ``KEPT_SETS``; ``""`` for a single filter). A row without a wijk counts in no
    wijk set: no wijk filter selects it."""

    __tablename__ = "stats_filter_counts"

    filter_set: Mapped[str] = mapped_column(String(30), primary_key=True)
    value_1: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_2: Mapped[str] = mapped_column(String(80), primary_key=True)
    unit: Mapped[str] = mapped_column(String(10), primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    intensity: Mapped[str] = mapped_column(String(10), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts: Mapped[int] = mapped_column(Integer, default=0)
    ends: Mapped[int] = mapped_column(Integer, default=0)
    # Key sums as in StatsMonthlyCount (not reduced mod 1).
    starts_key: Mapped[int] = mapped_column(BigInteger, default=0)
    ends_key: Mapped[int] = mapped_column(BigInteger, default=0)


def change_token() -> int:
    """A random number for a feed change (``StatsFeedChange.token``)."""
    return secrets.randbits(62)


class StatsFeedChange(Base):
    """The feed's change log: one row per flush that changed the feed (or its aggregates), one
    per rebuild, and one per compaction. Append-only between compactions; nothing reads the
    rows except to name the feed's version (``workflows.stats.cache``): a figure computed from
    the feed stays valid while the log's row count, newest id and that row's random token are
    the same. Each writer inserts its own row, so writers never wait for each other; a row that
    commits late still changes the count."""

    __tablename__ = "stats_feed_changes"
    # Ids are never reused on SQLite either (AUTOINCREMENT), as a PostgreSQL sequence never is.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # refresh, rebuild, compaction, start
    token: Mapped[int] = mapped_column(BigInteger, default=change_token)
    changed_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class StatsDurationCount(Base):
    """The care durations of the traject unit per kept filter set, domain and month, kept so
    the durations figure reads grouped cells instead of the feed's rows. ``filter_set`` names the
    filters (``""`` for none, ``"intensity"``, ``"provider"``, ``"wijk+age_band"``; the sets of
    ``stats_result_counts``) and ``value_1``/``value_2`` their values (``""`` when unused).
    ``kind`` says what a row counts:

    * ``ended``: trajectories whose care ended in ``month``, ``days`` long (end − start + 1);
    * ``closed``: trajectories with an end that started in ``month``, ``days`` long;
    * ``open``: trajectories without an end that started in ``month``, on day ``days`` of it
      (a cohort censors them at the cut-off date, so their start date is what counts);
    * ``ended_s``, ``closed_s``: as ``ended`` and ``closed``, in spans of durations
      (``days`` is the span's first: a multiple of ``workflows.stats.kept.SPAN``), so a figure
      reads a span's single durations only where a median lies;
    * ``w_start``, ``w_decide``: ended waits, ``days`` long, by ``month`` of their first day
      (decision → start of care of the feed's rows; request → decision of ``stats_requests``);
    * ``s_start``, ``s_decide``: the feed's started rows by ``month`` of start of care, ``days``
      the wait from decision to start, and from request to decision (rows with both dates).

    ``n``, ``key_sum`` (the sum of their record keys) and ``days_sum`` (the sum of their
    durations or waits; 0 for open care) change by signed deltas."""

    __tablename__ = "stats_duration_counts"
    __table_args__ = (
        # Covering: a period's cells are read from the index alone (the key does not carry the
        # sums).
        Index(
            "ix_stats_duration_counts_covering",
            "filter_set",
            "value_1",
            "value_2",
            "domain",
            "kind",
            "month",
            "days",
            "n",
            "key_sum",
            "days_sum",
        ),
    )

    filter_set: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_1: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_2: Mapped[str] = mapped_column(String(80), primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    days_sum: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsResultCount(Base):
    """What the results figure adds up over months, per kept filter set, domain and month.
    ``filter_set`` names the filters (``""`` for none, ``"provider"``, ``"wijk+age_band"``) and
    ``value_1``/``value_2`` their values (``""`` when unused). ``kind``:

    * ``started`` / ``ended``: trajectories whose care started / ended in ``month``, with their
      decision extensions (``extensions``) and the extensions' key sum (each extension carries
      its trajectory's record key);
    * ``achieved_on_time``, ``achieved_late``, ``not_achieved``: trajectories closed in
      ``month`` with that outcome, per closure ``category`` (``""`` when empty), with the sum of
      their prices in whole cents (``cents``; 0 for the other kinds).
    """

    __tablename__ = "stats_result_counts"

    filter_set: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_1: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_2: Mapped[str] = mapped_column(String(80), primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(1), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    extensions_key: Mapped[int] = mapped_column(BigInteger, default=0)
    cents: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsRepeatCount(Base):
    """Client episodes per domain and month of start, by how far back the client's previous
    episode in the domain ended: ``gap_years`` is the smallest whole number of years N for which
    that end lies within N years before the start (0 for a first episode), so an episode is
    repeat use under a window of N years when 1 ≤ gap_years ≤ N. Without filters
    (``filter_set``, ``value_1``, ``value_2`` all ``""``) and, like ``StatsFilterCount``, for the
    episodes formed after each kept filter set (``KEPT_SETS``)."""

    __tablename__ = "stats_repeat_counts"

    filter_set: Mapped[str] = mapped_column(String(30), primary_key=True)
    value_1: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_2: Mapped[str] = mapped_column(String(80), primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    gap_years: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsYearCount(Base):
    """The per-year figures of the results (distinct clients and households per calendar year),
    without filters (``filter_set`` ``""``) and per kept filter set of the results
    (``workflows.stats.kept.FILTER_SETS``), per domain (``""``: all domains, where a client in
    both counts once). ``figure`` is ``started`` (clients with a trajectory that started),
    ``in_care`` (clients in care) or ``households`` (households with a decision running), each
    a count of distinct clients (households) with the sum of their record keys; ``price`` holds
    the prices (in cents) of the trajectories started in ``year`` and ``month``.

    A distinct count does not add up over months, so a client counts once per year, in two
    cells: ``edge`` ``first`` at the first month of the year it counts in, ``last`` at the last
    one. A whole year sums the ``first`` cells, a year's first months up to some month the
    ``first`` cells up to it, its last months from some month the ``last`` cells from it.
    ``edge`` ``open`` (``month`` 0) counts the clients (households) with open care from
    ``year`` on, in every month of every later year: past the last year in which any of its
    rows starts or ends, each of them counts in every year without a cell of its own."""

    __tablename__ = "stats_year_counts"

    filter_set: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_1: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_2: Mapped[str] = mapped_column(String(80), primary_key=True)
    domain: Mapped[str] = mapped_column(String(10), primary_key=True)
    figure: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    edge: Mapped[str] = mapped_column(String(5), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    cents: Mapped[int] = mapped_column(BigInteger, default=0)


class StatsFinanceCount(Base):
    """Money per kept filter set (``""`` for none, and the sets of ``stats_result_counts``:
    ``intensity``, ``category``, ``profile``, ``provider``, ``wijk``, ``age_band``,
    ``wijk+age_band``, ``profile+provider``), value(s), domain, kind and month: ``n``
    trajectories, the sum of their record keys and ``cents``, the sum of their amounts in
    cents. ``kind`` (docs/statistics.md, "Finance"): ``committed`` (commitment began in
    ``month``, the price),
    ``released`` (care of a committed trajectory ended in ``month``, the price), ``claimed``
    (claim submitted in ``month``, its amount), ``approved`` / ``refused`` (claim in that state,
    decided in ``month``, its amount), ``tariff`` / ``deviating`` (commitment began in
    ``month``, linked to a tariff / with a price other than the tariff's), ``expected_open``
    (no claim, care goes on, planned end in ``month``, the price), ``expected_achieved`` /
    ``expected_partial`` (no claim, closed in ``month`` with / without the result: the price /
    the pro-rata amount). Changed by signed deltas in the flush hook, derived again by
    ``stats rebuild``."""

    __tablename__ = "stats_finance_counts"

    filter_set: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_1: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_2: Mapped[str] = mapped_column(String(80), primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)
    cents: Mapped[int] = mapped_column(BigInteger, default=0)


class OutlierMonth(Base):
    """A month the beheerder excludes from the yearly means of a domain (e.g. a January with
    administrative conversions), with the reason."""

    __tablename__ = "stats_outlier_months"
    __table_args__ = (UniqueConstraint("domain", "month", name="one_per_domain_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()


class PopulationFigure(Base):
    """Inhabitants and households of the municipality in a year (e.g. CBS on 1 January), for
    rates per 1,000."""

    __tablename__ = "population_figures"
    __table_args__ = (
        CheckConstraint("inhabitants > 0", name="inhabitants_positive"),
        CheckConstraint("households > 0", name="households_positive"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    inhabitants: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(Integer)


class ApiToken(Base):
    """A bearer token a beheerder issued to a manager for the statistics API. Only the SHA-256
    of the token is stored; ``prefix`` (its first characters) lets people tell tokens apart."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        # One valid token per manager and name: a double submit would otherwise leave a second
        # token that was never shown to anyone (workflows.stats.admin.issue_token).
        Index(
            "uq_api_tokens_open_name",
            "user_id",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
