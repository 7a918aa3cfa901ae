"""Disclosure control by the cell key method (docs/statistics.md, "Disclosure control"),
applied in this one place on the way out.

Every feed row (a trajectory), every client episode, client and household carries a fixed
**record key**, uniform in [0, 1) (``models.statistics.derived_key``; stored as whole numbers of
2^-30 so sums are exact). Every count comes out of ``figures`` with the sum of the keys of the rows
it counts; the **cell key** is that sum mod 1. ``PerturbationTable.publish(n, cell_key)`` maps the
exact count and the cell key to the published count: the same rows always give the same cell key,
so the same cell always gets the same value — repeating a query, or reaching the same cell by
another route, does not average the noise away — while two cells that differ by one row get
unrelated noise, so a difference of totals does not give a small cell away.

The table (``PerturbationTable.distribution``), with ``k`` the threshold, ``D`` the maximum
deviation and ``V`` the variance (``app/config.py``):

* ``n = 0`` → 0: a cell without rows has no key and stays empty.
* ``0 < n < k`` → 0 with probability ``1 − n/k``, ``k`` with probability ``n/k`` (unbiased): a
  small count is never shown as itself, nor as any other value 1…k−1.
* ``n ≥ k`` → ``n + j`` for ``j`` in −D…D with ``P(±j) ∝ D + 1 − j`` (j ≥ 1), scaled to variance
  ``V``, the rest at ``j = 0``; where ``n − j < k`` both ``−j`` and ``+j`` fold into 0, so the
  result is never below ``k`` and stays unbiased.

Totals are cells of their own (perturbed with their own key, not summed from perturbed parts);
shares are computed from the published parts, means of counts from published counts. A mean or
median of durations over fewer than ``k`` items is still hidden (null, named in ``suppressed``).
Every sum of money — the finance figure's amounts and the results' ``price_total`` alike — goes
through one function, ``Disclosure.publish_amount``: hidden over fewer than ``k`` rows, otherwise
moved by a fixed amount that follows from the cell key; a mean price is computed from the
published sum and count.
With ``Disclosure.exact`` (the CLI's audited ``--exact``) the exact figures pass unchanged.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models import KEY_MODULUS

from ..errors import N_
from .episodes import month_label
from .figures import (
    SCORECARD_COUNTS,
    UNMET_OUTCOMES,
    CensoredWaits,
    Durations,
    Flows,
    IntensityMonth,
    Results,
    Scorecard,
    ScorecardColumn,
    UnmetDemand,
    Wait,
    WaitingNow,
    WaitingTimes,
    WaitSurvival,
)
from .finance import Amount, BudgetYear, Finance
from .kept import cents
from .selection import DEFAULT_K, WAIT_BAND_CODES, WAIT_STAGES

Count = int  # a published count: always shown (perturbed), never hidden

DEFAULT_MAX_DEVIATION = 2
DEFAULT_VARIANCE = 1.0

# The one message every output shows beside the figures (pages, downloads, PDF, API, CLI).
NOTICE = N_(
    "Om de privacy te beschermen zijn de cijfers licht verstoord: elk aantal kan enkele "
    "eenheden afwijken, aantallen van 1 tot %(k)s worden getoond als 0 of als %(k)s of meer, "
    "en onderdelen tellen daardoor niet altijd precies op tot het totaal."
)
EXACT_NOTICE = N_("Exacte cijfers, niet verstoord: niet voor publicatie.")


@dataclass(frozen=True)
class Disclosure:
    """How figures are protected: threshold ``k``, maximum deviation and variance of the noise;
    ``exact`` publishes the exact figures (operators only, audited)."""

    k: int = DEFAULT_K
    max_deviation: int = DEFAULT_MAX_DEVIATION
    variance: float = DEFAULT_VARIANCE
    exact: bool = False

    def __post_init__(self) -> None:
        if self.k < 1 or self.max_deviation < 0 or self.variance < 0:
            raise ValueError("k ≥ 1, max_deviation ≥ 0 and variance ≥ 0")
        weights = _shape(self.max_deviation)
        if self.max_deviation and self.variance / _unit_variance(weights) * sum(weights) * 2 > 1:
            raise ValueError(
                f"variance {self.variance} is too large for maximum deviation {self.max_deviation}"
            )

    @property
    def table(self) -> PerturbationTable:
        return PerturbationTable(self.k, self.max_deviation, self.variance)

    def publish(self, n: int, key_sum: int) -> int:
        return n if self.exact else self.table.publish(n, key_sum)

    def publish_amount(self, cents: int, n: int, key_sum: int) -> float | None:
        """The published sum of money (in euros) of ``n`` rows whose amounts sum to ``cents``
        and whose record keys sum to ``key_sum`` (docs/statistics.md, "Money"): hidden (None)
        over 1…k−1 rows, as every mean and cost is; otherwise moved by a fixed amount that
        follows from the cell key — between ½ and ``max_deviation`` times the cell's mean
        amount, up or down — and rounded to whole euros. The same rows always move the same
        way; two cells that differ by one row move independently, so their difference does
        not give that row's amount away."""
        if self.exact:
            return cents / 100
        if n == 0:
            return 0.0
        if is_small(n, self.k):
            return None
        noise = 0.0
        if self.max_deviation:
            digest = hashlib.sha256(f"amount:{key_sum % KEY_MODULUS}".encode()).digest()
            fraction = int.from_bytes(digest[:8], "big") / 2**64
            sign = 1 if digest[8] & 1 else -1
            noise = sign * (0.5 + (self.max_deviation - 0.5) * fraction) * cents / n
        return float((Decimal(cents + noise) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def notice(self) -> str:
        """The untranslated notice (JSON answers are Dutch); pages translate ``NOTICE``."""
        return EXACT_NOTICE if self.exact else NOTICE % {"k": self.k}

    def header(self) -> dict[str, Any]:
        return {
            "suppression_threshold": self.k,
            "disclosure": {
                "method": "exact" if self.exact else "cell key",
                "max_deviation": 0 if self.exact else self.max_deviation,
                "variance": 0.0 if self.exact else self.variance,
                "notice": self.notice(),
            },
        }


def _shape(max_deviation: int) -> list[int]:
    """Relative weights of deviations 1…D (each sign): D, D−1, …, 1."""
    return [max_deviation + 1 - j for j in range(1, max_deviation + 1)]


def _unit_variance(weights: list[int]) -> float:
    return 2 * sum(w * j * j for j, w in enumerate(weights, start=1))


@dataclass(frozen=True)
class PerturbationTable:
    k: int
    max_deviation: int
    variance: float

    def distribution(self, n: int) -> tuple[tuple[int, float], ...]:
        """(published value, probability) for an exact count ``n``, in increasing value."""
        return _distribution(n, self.k, self.max_deviation, self.variance)

    def publish(self, n: int, key_sum: int) -> int:
        """The published count for ``n`` rows whose record keys sum to ``key_sum``."""
        if n == 0:
            return 0
        cell_key = (key_sum % KEY_MODULUS) / KEY_MODULUS
        cumulative = 0.0
        outcomes = self.distribution(n)
        for value, probability in outcomes:
            cumulative += probability
            if cell_key < cumulative:
                return value
        return outcomes[-1][0]


@functools.lru_cache(maxsize=4096)
def _distribution(
    n: int, k: int, max_deviation: int, variance: float
) -> tuple[tuple[int, float], ...]:
    if n == 0:
        return ((0, 1.0),)
    if n < k:
        return ((0, 1 - n / k), (k, n / k))
    weights = _shape(max_deviation)
    scale = variance / _unit_variance(weights) if weights else 0.0
    probability = {0: 1.0}
    for j, weight in enumerate(weights, start=1):
        if n - j < k or not scale:
            continue
        probability[j] = probability[-j] = weight * scale
        probability[0] -= 2 * weight * scale
    return tuple((n + j, p) for j, p in sorted(probability.items()) if p > 0)


DEFAULT_DISCLOSURE = Disclosure()


def is_small(n: int, k: int) -> bool:
    return 0 < n < k


def _round(value: float | None, digits: int) -> float | None:
    """Rounded half up, as people round (6.25 → 6.3), not to the nearest binary float."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def _shares(parts: Mapping[str, int]) -> dict[str, float | None]:
    """Each published part over the sum of the published parts (fractions that add up to 1)."""
    total = sum(parts.values())
    return {name: _round(n / total, 4) if total else None for name, n in parts.items()}


def _ratio(part: int, base: int | None, factor: int) -> float | None:
    if base is None or base == 0:
        return None
    return round(part / base * factor, 2)


# --- flows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowRow:
    month: str
    beginstand: Count
    instroom: Count
    uitstroom: Count
    eindstand: Count
    suppressed: list[str]


@dataclass(frozen=True)
class YearRow:
    year: int
    months_counted: int
    excluded_months: list[str]
    mean_instroom: float | None
    mean_uitstroom: float | None
    suppressed: list[str]


@dataclass(frozen=True)
class PublishedFlows:
    header: dict[str, Any]
    months: list[FlowRow]
    yearly: list[YearRow]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "months": [row.__dict__ for row in self.months],
            "yearly": [row.__dict__ for row in self.yearly],
        }


FLOW_CELLS = ("beginstand", "instroom", "uitstroom", "eindstand")


def protect_flows(raw: Flows, header: dict[str, Any], disclosure: Disclosure) -> PublishedFlows:
    """Each cell perturbed with its own key. ``beginstand(M)`` has the rows, hence the key, of
    ``eindstand(M−1)``, so the two are the same published value; the flow identity holds for
    the exact figures only."""
    months = []
    published: dict[int, dict[str, int]] = {}
    for row in raw.months:
        cells = {
            cell: disclosure.publish(getattr(row, cell), row.keys.get(cell, 0))
            for cell in FLOW_CELLS
        }
        published[row.month] = cells
        months.append(FlowRow(month=month_label(row.month), suppressed=[], **cells))
    yearly = []
    for year in raw.yearly:
        means: dict[str, float | None] = {}
        for cell in ("instroom", "uitstroom"):
            if not year.months_counted:
                means[cell] = None
            else:
                total = sum(published[m][cell] for m in year.counted)
                means[cell] = _round(total / year.months_counted, 1)
        yearly.append(
            YearRow(
                year=year.year,
                months_counted=year.months_counted,
                excluded_months=[month_label(m) for m in year.excluded_months],
                mean_instroom=means["instroom"],
                mean_uitstroom=means["uitstroom"],
                suppressed=[],
            )
        )
    return PublishedFlows({**header, **disclosure.header()}, months, yearly)


# --- intensity ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IntensityRow:
    month: str
    counts: dict[str, Count]
    shares: dict[str, float | None]
    suppressed: list[str]


@dataclass(frozen=True)
class PublishedIntensity:
    header: dict[str, Any]
    basis: str
    months: list[IntensityRow]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "basis": self.basis,
            "months": [row.__dict__ for row in self.months],
        }


def protect_intensity(
    raw: list[IntensityMonth], header: dict[str, Any], basis: str, disclosure: Disclosure
) -> PublishedIntensity:
    rows = []
    for month in raw:
        counts = {
            level: disclosure.publish(n, month.keys.get(level, 0))
            for level, n in month.counts.items()
        }
        shares = _shares(counts)
        rows.append(IntensityRow(month_label(month.month), dict(counts), shares, []))
    return PublishedIntensity({**header, **disclosure.header()}, basis, rows)


# --- durations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortRow:
    year: int
    n: Count
    ended: Count
    censored: Count
    km_median_days: int | None
    suppressed: list[str]


@dataclass(frozen=True)
class PublishedDurations:
    header: dict[str, Any]
    ended: dict[str, Any]
    cohorts: list[CohortRow]
    suppressed: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "ended": self.ended,
            "cohorts": [row.__dict__ for row in self.cohorts],
            "suppressed": self.suppressed,
        }


def _few(n: int, disclosure: Disclosure) -> bool:
    """Whether a mean or median over ``n`` items is hidden."""
    return not disclosure.exact and is_small(n, disclosure.k)


def protect_durations(
    raw: Durations, header: dict[str, Any], disclosure: Disclosure
) -> PublishedDurations:
    suppressed = []
    ended: dict[str, Any] = {
        "n": disclosure.publish(raw.ended, raw.ended_key),
        "mean_days": _round(raw.mean_days, 1),
        "median_days": raw.median_days,
    }
    if _few(raw.ended, disclosure):
        for cell in ("mean_days", "median_days"):
            ended[cell] = None
            suppressed.append(f"ended.{cell}")
    cohorts = []
    for cohort in raw.cohorts:
        cells: list[str] = []
        km = cohort.km_median_days
        if _few(cohort.n, disclosure) and km is not None:
            km = None
            cells.append("km_median_days")
        cohorts.append(
            CohortRow(
                year=cohort.year,
                n=disclosure.publish(cohort.n, cohort.keys.get("n", 0)),
                ended=disclosure.publish(cohort.ended, cohort.keys.get("ended", 0)),
                censored=disclosure.publish(cohort.censored, cohort.keys.get("censored", 0)),
                km_median_days=km,
                suppressed=cells,
            )
        )
    return PublishedDurations({**header, **disclosure.header()}, ended, cohorts, suppressed)


# --- waiting times ------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitRow:
    month: str
    request_to_decision: dict[str, Any]
    decision_to_start: dict[str, Any]
    suppressed: list[str]


@dataclass(frozen=True)
class PublishedWaiting:
    header: dict[str, Any]
    waiting_list: dict[str, Any]
    months: list[WaitRow]
    suppressed: list[str]
    censored_waits: dict[str, Any] = field(default_factory=dict)
    unmet_demand: dict[str, Any] | None = None

    @property
    def waiting_now(self) -> Count:
        """The decision stage's total: the one number of the earlier answers, the same cell."""
        return int(self.waiting_list["stages"]["decision"]["total"])

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "waiting_now": self.waiting_now,
            "waiting_list": self.waiting_list,
            "months": [row.__dict__ for row in self.months],
            "censored_waits": self.censored_waits,
            "unmet_demand": self.unmet_demand,
            "suppressed": self.suppressed,
        }


def _wait(wait: Wait, name: str, disclosure: Disclosure, suppressed: list[str]) -> dict[str, Any]:
    cells: dict[str, Any] = {
        "n": disclosure.publish(wait.n, wait.key),
        "mean_days": _round(wait.mean_days, 1),
        "median_days": wait.median_days,
    }
    if _few(wait.n, disclosure):
        for cell in ("mean_days", "median_days"):
            cells[cell] = None
            suppressed.append(f"{name}.{cell}")
    return cells


def protect_waiting_now(raw: WaitingNow, disclosure: Disclosure) -> dict[str, Any]:
    """The waiting list: every band of every stage, each stage's total and the overall total
    are cells of their own, each perturbed with its own key (a total is never the sum of the
    published parts). A stage the filters do not apply to is None, named in ``not_applicable``
    with the overall total."""
    stages: dict[str, Any] = {}
    for name in WAIT_STAGES:
        stage = raw.stages[name]
        stages[name] = (
            None
            if stage is None
            else {
                "total": disclosure.publish(stage.total, stage.total_key),
                "bands": {
                    band: disclosure.publish(stage.counts[band], stage.keys.get(band, 0))
                    for band in WAIT_BAND_CODES
                },
            }
        )
    total = raw.total
    not_applicable = [f"stages.{name}" for name in WAIT_STAGES if stages[name] is None]
    if total is None:
        not_applicable.append("total")
    return {
        "reference_date": raw.reference_date.isoformat(),
        "bands": list(WAIT_BAND_CODES),
        "stages": stages,
        "total": None if total is None else disclosure.publish(total, raw.total_key),
        "not_applicable": not_applicable,
    }


SURVIVAL_CELLS = ("n", "ended", "censored")


def _survival(stage: WaitSurvival, disclosure: Disclosure) -> dict[str, Any]:
    """Waits, those ended and those censored, each a cell with its own key; the Kaplan–Meier
    median hidden over fewer than ``k`` waits (``_few``, as every median)."""
    cells: dict[str, Any] = {
        cell: disclosure.publish(getattr(stage, cell), stage.keys.get(cell, 0))
        for cell in SURVIVAL_CELLS
    }
    cells["km_median_days"] = stage.km_median_days
    cells["suppressed"] = []
    if _few(stage.n, disclosure) and stage.km_median_days is not None:
        cells["km_median_days"] = None
        cells["suppressed"].append("km_median_days")
    return cells


def protect_censored_waits(raw: CensoredWaits, disclosure: Disclosure) -> dict[str, Any]:
    """Per stage: the waits, those ended and those censored, each a cell with its own key;
    the Kaplan–Meier median hidden over fewer than ``k`` waits (``_few``, as the durations').
    A stage the filters do not apply to is None, named in ``not_applicable``."""
    stages: dict[str, Any] = {}
    for name in WAIT_STAGES:
        stage = raw.stages[name]
        stages[name] = None if stage is None else _survival(stage, disclosure)
    return {
        "reference_date": raw.reference_date.isoformat(),
        "stages": stages,
        "not_applicable": [f"stages.{name}" for name in WAIT_STAGES if stages[name] is None],
    }


UNMET_CELLS = (*UNMET_OUTCOMES, "total")


def protect_unmet_demand(raw: UnmetDemand, disclosure: Disclosure) -> dict[str, Any] | None:
    """Per month the refused requests, those without follow-up and both together, and the
    same three for the whole period: every one a cell with its own key (a total is never the
    sum of published parts). None where the filters do not apply to requests."""
    if raw.months is None:
        return None
    period = Counter[str]()
    period_keys = Counter[str]()
    months = []
    for month in raw.months:
        counts = {**month.counts, "total": sum(month.counts.values())}
        keys = {**month.keys, "total": sum(month.keys.values())}
        period.update(counts)
        period_keys.update(keys)
        months.append(
            {
                "month": month_label(month.month),
                **{cell: disclosure.publish(counts[cell], keys[cell]) for cell in UNMET_CELLS},
            }
        )
    return {
        "months": months,
        "period": {
            cell: disclosure.publish(period[cell], period_keys[cell]) for cell in UNMET_CELLS
        },
    }


def protect_waiting(
    raw: WaitingTimes,
    now: WaitingNow,
    header: dict[str, Any],
    disclosure: Disclosure,
    censored: CensoredWaits | None = None,
    unmet: UnmetDemand | None = None,
) -> PublishedWaiting:
    months = []
    for month in raw.months:
        suppressed: list[str] = []
        months.append(
            WaitRow(
                month=month_label(month.month),
                request_to_decision=_wait(
                    month.request_to_decision, "request_to_decision", disclosure, suppressed
                ),
                decision_to_start=_wait(
                    month.decision_to_start, "decision_to_start", disclosure, suppressed
                ),
                suppressed=suppressed,
            )
        )
    waiting_list = protect_waiting_now(now, disclosure)
    return PublishedWaiting(
        {**header, **disclosure.header()},
        waiting_list,
        months,
        [],
        protect_censored_waits(censored, disclosure) if censored is not None else {},
        protect_unmet_demand(unmet, disclosure) if unmet is not None else None,
    )


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedResults:
    header: dict[str, Any]
    closed: Count
    result: dict[str, Any]
    categories: dict[str, Count]
    category_shares: dict[str, float | None]
    extensions: dict[str, Any]
    repeat: dict[str, Any]
    years: list[dict[str, Any]]
    suppressed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "closed": self.closed,
            "result": self.result,
            "categories": self.categories,
            "category_shares": self.category_shares,
            "extensions": self.extensions,
            "repeat": self.repeat,
            "years": self.years,
            "suppressed": self.suppressed,
        }


OUTCOMES = ("achieved_on_time", "achieved_late", "not_achieved")


def protect_results(
    raw: Results, header: dict[str, Any], disclosure: Disclosure, repeat_years: int
) -> PublishedResults:
    keys = raw.keys

    def publish(n: int, name: str) -> int:
        return disclosure.publish(n, keys.get(name, 0))

    outcome = {name: publish(getattr(raw, name), name) for name in OUTCOMES}
    outcome_shares = _shares(outcome)
    result: dict[str, Any] = {}
    for name in OUTCOMES:
        result[name] = outcome[name]
        result[f"share_{name}"] = outcome_shares[name]
    categories = {c: publish(n, f"category.{c}") for c, n in raw.categories.items()}

    active = publish(raw.active, "active")
    extensions = publish(raw.extensions, "extensions")
    repeat_count = publish(raw.repeat_episodes, "repeat_episodes")
    first_count = publish(raw.new_episodes - raw.repeat_episodes, "first_episodes")

    years = []
    for year in raw.years:
        cells: list[str] = []
        started_key = year.keys.get("clients_started", 0)
        clients = disclosure.publish(year.started_clients, started_key)
        # A sum of money, published by the one rule for money (``publish_amount``): hidden over
        # 1…k−1 clients, otherwise moved by the cell key; the mean from the published values.
        price = disclosure.publish_amount(
            cents(year.started_price), year.started_clients, started_key
        )
        if price is None:
            cells += ["price_total", "mean_price_per_client"]
        in_care = disclosure.publish(year.clients_in_care, year.keys.get("clients_in_care", 0))
        households = disclosure.publish(
            year.households_with_decision, year.keys.get("households_with_decision", 0)
        )
        years.append(
            {
                "year": year.year,
                "clients_started": clients,
                "price_total": price,
                "mean_price_per_client": (
                    _round(price / clients, 2) if price is not None and clients else None
                ),
                "clients_in_care": in_care,
                "inhabitants": year.inhabitants,
                "clients_per_1000_inhabitants": _ratio(in_care, year.inhabitants, 1000),
                "households_with_decision": households,
                "households": year.households,
                "households_per_1000_households": _ratio(households, year.households, 1000),
                "suppressed": cells,
            }
        )
    return PublishedResults(
        header={**header, **disclosure.header()},
        closed=publish(raw.closed, "closed"),
        result=result,
        categories=categories,
        category_shares=_shares(categories),
        extensions={
            "active": active,
            "extensions": extensions,
            "per_100_active": _ratio(extensions, active, 100),
        },
        repeat={
            "years": repeat_years,
            "new_episodes": publish(raw.new_episodes, "new_episodes"),
            "repeat_episodes": repeat_count,
            "share": _shares({"repeat": repeat_count, "first": first_count})["repeat"],
        },
        years=years,
        suppressed=[],
    )


# --- finance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedFinance:
    header: dict[str, Any]
    claim_policy: str
    months: list[dict[str, Any]]
    totals: dict[str, Any]
    expected: dict[str, Any]
    budget: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "claim_policy": self.claim_policy,
            "months": self.months,
            "totals": self.totals,
            "expected": self.expected,
            "budget": self.budget,
        }


MONEY_FLOWS = ("new_commitments", "claimed", "approved", "refused")


def _money(
    amount: Amount, name: str, disclosure: Disclosure, suppressed: list[str]
) -> dict[str, Any]:
    """A count of trajectories with their sum of money, both from the same rows: the count
    perturbed as every count, the sum by ``Disclosure.publish_amount``."""
    value = disclosure.publish_amount(amount.cents, amount.n, amount.key)
    if value is None:
        suppressed.append(f"{name}.amount" if name else "amount")
    return {"n": disclosure.publish(amount.n, amount.key), "amount": value}


def _tariff(tariff: Amount, deviating: Amount, disclosure: Disclosure) -> dict[str, Any]:
    """Commitments linked to a tariff, those whose price deviates from it, and the deviating
    share over the published parts (deviating and not deviating, each a cell of its own)."""
    same = tariff.copy()
    same.add(deviating, -1)
    parts = {
        "deviating": disclosure.publish(deviating.n, deviating.key),
        "same": disclosure.publish(same.n, same.key),
    }
    return {
        "n": disclosure.publish(tariff.n, tariff.key),
        "deviating": parts["deviating"],
        "share_deviating": _shares(parts)["deviating"],
    }


def _flows(flows: Mapping[str, Amount], disclosure: Disclosure) -> dict[str, Any]:
    suppressed: list[str] = []
    cells: dict[str, Any] = {
        name: _money(flows[name], name, disclosure, suppressed) for name in MONEY_FLOWS
    }
    cells["tariff"] = _tariff(flows["tariff"], flows["deviating"], disclosure)
    cells["suppressed"] = suppressed
    return cells


def protect_finance(
    raw: Finance, header: dict[str, Any], disclosure: Disclosure
) -> PublishedFinance:
    """Every count perturbed with its own cell key, every sum of money by
    ``Disclosure.publish_amount`` from the same rows (hidden over fewer than ``k``)."""
    months = []
    for row in raw.months:
        flows = _flows(row.flows, disclosure)
        suppressed = flows.pop("suppressed")
        committed = _money(row.committed, "committed", disclosure, suppressed)
        months.append(
            {
                "month": month_label(row.month),
                "committed": committed,
                **flows,
                "suppressed": suppressed,
            }
        )
    expected_months = []
    for month, amount in raw.expected:
        cells: list[str] = []
        expected_months.append(
            {
                "month": month_label(month),
                **_money(amount, "", disclosure, cells),
                "suppressed": cells,
            }
        )
    total_cells: list[str] = []
    expected = {
        "from": month_label(raw.expected_from),
        "months": expected_months,
        "total": _money(raw.expected_total, "", disclosure, total_cells),
        "suppressed": [f"total.{name}" for name in total_cells],
    }
    return PublishedFinance(
        {**header, **disclosure.header()},
        raw.policy.value,
        months,
        _flows(raw.totals, disclosure),
        expected,
        protect_budget(raw.budget, disclosure),
    )


def protect_budget(raw: BudgetYear, disclosure: Disclosure) -> dict[str, Any]:
    """The budget year: per row the budget (configuration, shown as it is), the committed and
    claimed amounts and the forecast's basis published as every sum of money; the forecast is
    computed from published values only — committed + remaining months × the published
    monthly inflow × the published mean price (which is the basis amount ÷ 12) — so it gives
    nothing away that the published cells do not. Hidden when a value it needs is hidden."""
    remaining = raw.months_remaining
    rows = []
    for row in raw.rows:
        suppressed: list[str] = []
        committed = _money(row.committed, "committed", disclosure, suppressed)
        claimed = _money(row.claimed, "claimed", disclosure, suppressed)
        basis = _money(row.basis, "basis", disclosure, suppressed)
        inflow = _round(basis["n"] / 12, 1)
        mean_price = (
            _round(basis["amount"] / basis["n"], 2)
            if basis["amount"] is not None and basis["n"]
            else None
        )
        forecast: float | None = None
        if committed["amount"] is not None and basis["amount"] is not None:
            forecast = float(round(committed["amount"] + remaining * basis["amount"] / 12))
        else:
            suppressed.append("forecast")
        budget = None if row.budget is None else float(row.budget)
        exceeds = None if forecast is None or budget is None else forecast > budget
        rows.append(
            {
                "domain": row.domain,
                "category": row.category,
                "name": row.name,
                "budget": budget,
                "committed": committed,
                "claimed": claimed,
                "basis": basis,
                "inflow_per_month": inflow,
                "mean_price": mean_price,
                "forecast": forecast,
                "exceeds": exceeds,
                "over_budget": (
                    float(round(forecast - budget))
                    if exceeds and forecast is not None and budget is not None
                    else None
                ),
                "suppressed": suppressed,
            }
        )
    return {
        "year": raw.year,
        "through": month_label(raw.last),
        "months_remaining": remaining,
        "basis_from": month_label(raw.basis_from),
        "basis_to": month_label(raw.last),
        "applicable": raw.applicable,
        "rows": rows,
    }


# --- the provider scorecard -------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedScorecard:
    header: dict[str, Any]
    providers: list[dict[str, Any]]
    municipality: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {**self.header, "providers": self.providers, "municipality": self.municipality}

    def only(self, agb: str) -> PublishedScorecard:
        """The same scorecard with only the provider ``agb`` beside the municipality (what a
        provider sees of it)."""
        return PublishedScorecard(
            self.header, [p for p in self.providers if p["agb"] == agb], self.municipality
        )


# The shares of a scorecard column: each count over the closed trajectories.
SCORECARD_SHARES = ("achieved_on_time", "achieved_late", "category_b", "category_d")


def protect_scorecard_column(column: ScorecardColumn, disclosure: Disclosure) -> dict[str, Any]:
    """A provider's (or the municipality's) column: every count a cell with its own key (the
    municipality's are cells of their own, never the sum of the published providers'); the
    shares of the closed trajectories from published counts; the waits as every wait (the
    median hidden over fewer than ``k``); the price per achieved result over the published
    number of achieved results, its total published by the one rule for money
    (``Disclosure.publish_amount``), as the results' price per client."""
    cells: dict[str, Any] = {
        name: disclosure.publish(column.counts[name], column.keys.get(name, 0))
        for name in SCORECARD_COUNTS
    }
    closed = cells["closed"]
    shares = {
        f"share_{name}": _round(cells[name] / closed, 4) if closed else None
        for name in SCORECARD_SHARES
    }
    achieved_key = column.keys.get("achieved", 0)
    achieved = disclosure.publish(column.achieved, achieved_key)
    suppressed: list[str] = []
    price: float | None = None
    # The one rule for money (``publish_amount``): the sum hidden over 1…k−1 achieved results,
    # otherwise moved by the cell key; the mean from the published sum and count.
    total = disclosure.publish_amount(cents(column.achieved_price), column.achieved, achieved_key)
    if total is None:
        suppressed.append("price_per_achieved_result")
    elif achieved:
        price = round(total / achieved, 2)
    waits = _survival(column.decision_to_start, disclosure)
    suppressed += [f"decision_to_start.{name}" for name in waits.pop("suppressed")]
    return {
        **cells,
        **shares,
        "achieved": achieved,
        "price_per_achieved_result": price,
        "decision_to_start": waits,
        "suppressed": suppressed,
    }


def protect_scorecard(
    raw: Scorecard, names: Mapping[str, str], header: dict[str, Any], disclosure: Disclosure
) -> PublishedScorecard:
    providers = [
        {"agb": column.agb, "name": names.get(column.agb, column.agb),
         **protect_scorecard_column(column, disclosure)}
        for column in raw.providers
    ]  # fmt: skip
    return PublishedScorecard(
        {**header, **disclosure.header()},
        providers,
        protect_scorecard_column(raw.municipality, disclosure),
    )
