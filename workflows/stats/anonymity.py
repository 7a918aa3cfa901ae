"""Small-cell protection (docs/statistics.md, "Disclosure control"), applied in this one place.

Each ``protect_*`` function turns exact figures into what may be shown: a count ``n`` with
``0 < n < k`` becomes ``None`` (shown as "<k", null in JSON, named in ``suppressed``); zero is
shown; a share, mean or median over fewer than ``k`` items is suppressed.

The threat model the tests check (``tests/workflows/test_stats_anonymity.py``): a reader knows
every shown value and every relation between them (a total and its parts, the flow identity
``beginstand + instroom − uitstroom = eindstand``, ``beginstand(M) = eindstand(M−1)``, a yearly
mean × the months it is over) and that a hidden count is not negative. A hidden cell must not
follow from that. The rules:

* **Parts of a shown total** (intensity, closure categories, result, repeat use): if exactly one
  part is hidden, the next smallest non-zero part is hidden as well.
* **The flow identity.** With both stocks of a month shown, ``instroom − uitstroom`` is known,
  so one hidden flow beside a shown one would follow from it: then the other flow of that month
  is hidden too — even a zero (the one exception to "zero is shown": a zero there would give the
  hidden flow away). When any stock is small, *every* stock of the series is hidden (zeros
  included): stocks are running sums, so a single hidden stock can be recomputed from its
  neighbours; hidden as a whole, the series can shift by any amount and stays consistent.
* **Yearly means** are hidden when a month they are over has a hidden flow, or when they are
  over fewer than ``k`` trajectories or clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .episodes import month_label
from .figures import Durations, Flows, IntensityMonth, Results, Wait, WaitingTimes

Count = int | None


def is_small(n: int, k: int) -> bool:
    return 0 < n < k


def _count(n: int, k: int) -> Count:
    return None if is_small(n, k) else n


def hidden_parts(parts: Mapping[str, int], k: int) -> set[str]:
    """Which parts of a shown total to hide: the small ones, and if exactly one is small, the
    next smallest non-zero part too. A small total hides every non-zero part (the total itself
    is then hidden by the caller)."""
    if is_small(sum(parts.values()), k):
        return {name for name, n in parts.items() if n}
    hidden = {name for name, n in parts.items() if is_small(n, k)}
    if len(hidden) == 1:
        visible = sorted((n, name) for name, n in parts.items() if name not in hidden and n > 0)
        if visible:
            hidden.add(visible[0][1])
    return hidden


def _round(value: float | None, digits: int) -> float | None:
    """Rounded half up, as people round (6.25 → 6.3), not to the nearest binary float."""
    if value is None:
        return None
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def _share(part: Count, total: int, k: int) -> float | None:
    if part is None or total < k or total == 0:
        return None
    return _round(part / total, 4)


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


def protect_flows(raw: Flows, header: dict[str, Any], k: int) -> PublishedFlows:
    rows = raw.months
    hidden: list[set[str]] = [
        {cell for cell in FLOW_CELLS if is_small(getattr(row, cell), k)} for row in rows
    ]
    if any({"beginstand", "eindstand"} & cells for cells in hidden):
        for cells in hidden:
            cells.update({"beginstand", "eindstand"})
    else:
        for cells in hidden:
            if len({"instroom", "uitstroom"} & cells) == 1:
                cells.update({"instroom", "uitstroom"})
    months = [
        FlowRow(
            month=month_label(row.month),
            suppressed=[cell for cell in FLOW_CELLS if cell in cells],
            **{cell: None if cell in cells else getattr(row, cell) for cell in FLOW_CELLS},
        )
        for row, cells in zip(rows, hidden, strict=True)
    ]
    flow_hidden = {row.month: cells for row, cells in zip(rows, hidden, strict=True)}
    yearly = []
    for year in raw.yearly:
        suppressed = []
        means: dict[str, float | None] = {}
        for cell, total, mean in (
            ("instroom", year.sum_instroom, year.mean_instroom),
            ("uitstroom", year.sum_uitstroom, year.mean_uitstroom),
        ):
            if is_small(total, k) or any(cell in flow_hidden[m] for m in year.counted):
                means[cell] = None
                suppressed.append(f"mean_{cell}")
            else:
                means[cell] = _round(mean, 1)
        yearly.append(
            YearRow(
                year=year.year,
                months_counted=year.months_counted,
                excluded_months=[month_label(m) for m in year.excluded_months],
                mean_instroom=means["instroom"],
                mean_uitstroom=means["uitstroom"],
                suppressed=suppressed,
            )
        )
    return PublishedFlows(header, months, yearly)


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
    raw: list[IntensityMonth], header: dict[str, Any], basis: str, k: int
) -> PublishedIntensity:
    rows = []
    for month in raw:
        total = sum(month.counts.values())
        hide = hidden_parts(month.counts, k)
        counts = {level: None if level in hide else n for level, n in month.counts.items()}
        shares = {level: _share(counts[level], total, k) for level in month.counts}
        suppressed = [f"counts.{level}" for level in month.counts if level in hide]
        suppressed += [
            f"shares.{level}" for level in month.counts if shares[level] is None and total
        ]
        rows.append(IntensityRow(month_label(month.month), counts, shares, suppressed))
    return PublishedIntensity(header, basis, rows)


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


def protect_durations(raw: Durations, header: dict[str, Any], k: int) -> PublishedDurations:
    suppressed = []
    ended: dict[str, Any] = {
        "n": raw.ended,
        "mean_days": _round(raw.mean_days, 1),
        "median_days": raw.median_days,
    }
    if raw.ended < k:
        for cell in ("mean_days", "median_days"):
            if ended[cell] is not None:
                ended[cell] = None
                suppressed.append(f"ended.{cell}")
        if is_small(raw.ended, k):
            ended["n"] = None
            suppressed.insert(0, "ended.n")
    cohorts = []
    for cohort in raw.cohorts:
        parts = {"ended": cohort.ended, "censored": cohort.censored}
        hide = hidden_parts(parts, k)
        cells: list[str] = []
        n = _count(cohort.n, k)
        if n is None:
            cells.append("n")
        cells += [name for name in parts if name in hide]
        km = cohort.km_median_days
        if cohort.n < k and km is not None:
            km = None
            cells.append("km_median_days")
        cohorts.append(
            CohortRow(
                year=cohort.year,
                n=n,
                ended=None if "ended" in hide else cohort.ended,
                censored=None if "censored" in hide else cohort.censored,
                km_median_days=km,
                suppressed=cells,
            )
        )
    return PublishedDurations(header, ended, cohorts, suppressed)


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
    waiting_now: Count
    months: list[WaitRow]
    suppressed: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header,
            "waiting_now": self.waiting_now,
            "months": [row.__dict__ for row in self.months],
            "suppressed": self.suppressed,
        }


def _wait(wait: Wait, name: str, k: int, suppressed: list[str]) -> dict[str, Any]:
    cells: dict[str, Any] = {
        "n": wait.n,
        "mean_days": _round(wait.mean_days, 1),
        "median_days": wait.median_days,
    }
    if wait.n < k:
        for cell in ("n", "mean_days", "median_days"):
            if cell == "n" and not is_small(wait.n, k):
                continue
            if cells[cell] is not None:
                cells[cell] = None
                suppressed.append(f"{name}.{cell}")
    return cells


def protect_waiting(raw: WaitingTimes, header: dict[str, Any], k: int) -> PublishedWaiting:
    months = []
    for month in raw.months:
        suppressed: list[str] = []
        months.append(
            WaitRow(
                month=month_label(month.month),
                request_to_decision=_wait(
                    month.request_to_decision, "request_to_decision", k, suppressed
                ),
                decision_to_start=_wait(
                    month.decision_to_start, "decision_to_start", k, suppressed
                ),
                suppressed=suppressed,
            )
        )
    waiting = _count(raw.waiting, k)
    return PublishedWaiting(header, waiting, months, [] if waiting is not None else ["waiting_now"])


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


def _per(part: Count, base: int | None, k: int, factor: int) -> float | None:
    if part is None or base is None or base == 0:
        return None
    return round(part / base * factor, 2)


def protect_results(
    raw: Results, header: dict[str, Any], k: int, repeat_years: int
) -> PublishedResults:
    suppressed: list[str] = []
    closed = _count(raw.closed, k)
    if closed is None:
        suppressed.append("closed")
    outcome = {
        "achieved_on_time": raw.achieved_on_time,
        "achieved_late": raw.achieved_late,
        "not_achieved": raw.not_achieved,
    }
    hide = hidden_parts(outcome, k)
    result: dict[str, Any] = {}
    for name, n in outcome.items():
        shown = None if name in hide else n
        result[name] = shown
        result[f"share_{name}"] = _share(shown, raw.closed, k)
        if name in hide:
            suppressed.append(f"result.{name}")
    hide = hidden_parts(raw.categories, k)
    categories = {c: None if c in hide else n for c, n in raw.categories.items()}
    suppressed += [f"categories.{c}" for c in raw.categories if c in hide]
    shares = {c: _share(categories[c], raw.closed, k) for c in raw.categories}

    active = _count(raw.active, k)
    extensions = _count(raw.extensions, k)
    suppressed += [name for name, v in (("extensions.active", active),) if v is None]
    if extensions is None:
        suppressed.append("extensions.extensions")
    extension_figures = {
        "active": active,
        "extensions": extensions,
        "per_100_active": _per(extensions, active, k, 100) if active and active >= k else None,
    }

    repeat_parts = {
        "repeat": raw.repeat_episodes,
        "first": raw.new_episodes - raw.repeat_episodes,
    }
    hide = hidden_parts(repeat_parts, k)
    new_episodes = _count(raw.new_episodes, k)
    repeat_count = None if "repeat" in hide else raw.repeat_episodes
    if new_episodes is None:
        suppressed.append("repeat.new_episodes")
    if "repeat" in hide:
        suppressed.append("repeat.repeat_episodes")
    repeat = {
        "years": repeat_years,
        "new_episodes": new_episodes,
        "repeat_episodes": repeat_count,
        "share": _share(repeat_count, raw.new_episodes, k),
    }

    years = []
    for year in raw.years:
        cells: list[str] = []
        clients = _count(year.started_clients, k)
        price: Decimal | None = year.started_price if clients is not None else None
        if clients is None:
            cells += ["clients_started", "price_total", "mean_price_per_client"]
        in_care = _count(year.clients_in_care, k)
        households = _count(year.households_with_decision, k)
        if in_care is None:
            cells.append("clients_in_care")
        if households is None:
            cells.append("households_with_decision")
        years.append(
            {
                "year": year.year,
                "clients_started": clients,
                "price_total": float(price) if price is not None else None,
                "mean_price_per_client": (
                    round(float(price) / clients, 2) if price is not None and clients else None
                ),
                "clients_in_care": in_care,
                "inhabitants": year.inhabitants,
                "clients_per_1000_inhabitants": _per(in_care, year.inhabitants, k, 1000),
                "households_with_decision": households,
                "households": year.households,
                "households_per_1000_households": _per(households, year.households, k, 1000),
                "suppressed": cells,
            }
        )
    return PublishedResults(
        header=header,
        closed=closed,
        result=result,
        categories=categories,
        category_shares=shares,
        extensions=extension_figures,
        repeat=repeat,
        years=years,
        suppressed=suppressed,
    )
