"""The differencing attack on the published statistics (docs/statistics.md, "Disclosure
control"). Suppression alone lost to it: a month's flows for one provider and age band gave
17 / 17, the same with each wijk added 6 / 6, 9 / 7 and "hidden" — so the hidden wijk held 2 and
4. With the cell key method every published count, total or part, is a cell of its own with its
own noise, so such sums and differences no longer give a small count away.

For seeded random filter sets over a random feed, the test asks for a total and all its parts
(every wijk, every age band, every provider) and for period differences (month M against months
M…M+1), and checks, for every cell whose exact count n is small (0 < n < k):

* its published value is never n, nor any value 1…k−1;
* a reader who knows the published perturbation table cannot pin n down: the exact values that
  agree with every published number involved (the total minus the other parts, or the longer
  period minus the shorter) are always more than one;
* the naive derivation (total − other parts, or period difference) does not hit n
  systematically: over all small cells it is right well under half of the time — where without
  noise it is right every time (``test_without_noise_the_attack_recovers_every_small_cell``);
* the same query twice gives the same answer.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from workflows.stats import report
from workflows.stats.anonymity import Disclosure, PerturbationTable
from workflows.stats.selection import WAIT_BAND_CODES as WAIT_BANDS

from .stats_helpers import fact, load, query, request

K = 5
PUBLISHED = Disclosure(k=K)
EXACT = Disclosure(k=K, exact=True)
WIJKEN = ("Dronten", "Biddinghuizen", "Swifterbant")
AGE_BANDS = ("0-3", "4-11", "12-17", "18-26")
PROVIDERS = ("98140017", "12345678", "87654321")
MONTHS = ("2021-01", "2021-02", "2021-03", "2021-04", "2021-05")
FLOW_CELLS = ("instroom", "uitstroom", "eindstand")
REFERENCE = date(2021, 12, 31)  # the waiting list's reference date: the cut-off 2021-12


def world(session: Session, seed: int, size: int = 700) -> None:
    """A feed of ``size`` random trajectories of 2020-2021, with uniform random record keys."""
    rng = random.Random(seed)
    rows = []
    for index in range(size):
        start = date(2020, 10, 1) + timedelta(days=rng.randrange(0, 240))
        end = None if rng.random() < 0.3 else start + timedelta(days=rng.randrange(0, 150))
        rows.append(
            fact(
                f"client{rng.randrange(size * 2 // 3)}",
                start,
                end,
                intensity=rng.choice(["laag", "middel", "zwaar"]),
                wijk=rng.choices(WIJKEN, weights=(6, 2, 1))[0],
                age_band=rng.choices(AGE_BANDS, weights=(1, 4, 4, 1))[0],
                provider_agb=rng.choices(PROVIDERS, weights=(6, 3, 1))[0],
                record_key=rng.getrandbits(30),
                result_achieved=rng.random() < 0.6,
                closure_category=rng.choice("abcd") if end is not None else None,
                price=f"{index % 5}000.00",
            )
        )
    load(session, *rows)


def preimage(table: PerturbationTable, published: int) -> set[int]:
    """Every exact count the table can publish as ``published``: what a reader who knows the
    (public) table learns from one published count."""
    return {
        n
        for n in range(0, published + table.k + table.max_deviation + 1)
        if any(value == published for value, _p in table.distribution(n))
    }


def sums(sets: Iterable[set[int]]) -> set[int]:
    total = {0}
    for values in sets:
        total = {a + b for a in total for b in values}
    return total


@dataclass
class Tally:
    small_cells: int = 0
    naive_hits: int = 0

    def check(
        self,
        table: PerturbationTable,
        exact: int,
        published: int,
        derived_from: tuple[int, list[int]],
        minus: list[int],
    ) -> None:
        """One small cell: ``published`` its value; ``derived_from`` = (a published total, the
        published other parts to subtract) is the attack; ``minus`` says nothing more, it is
        the list of the other parts' published values (for the preimage reasoning)."""
        assert published != exact and not 0 < published < table.k, (exact, published)
        total, others = derived_from
        self.small_cells += 1
        if total - sum(others) == exact:
            self.naive_hits += 1
        possible = {
            t - s for t in preimage(table, total) for s in sums(preimage(table, p) for p in minus)
        } & preimage(table, published)
        assert exact in possible
        assert len(possible) > 1, f"the exact count {exact} follows from the published values"


def flows(session: Session, disclosure: Disclosure, start: str, end: str, **filters: str):  # type: ignore[no-untyped-def]
    unit = filters.pop("unit", "traject")
    return report.flows(session, query(start, end, unit=unit, **filters), disclosure).to_json()


def attack_parts(session: Session, disclosure: Disclosure, seed: int) -> Tally:
    """Totals against all their parts, for random base filter sets, both units."""
    table = disclosure.table
    tally = Tally()
    rng = random.Random(seed)
    dimensions = {"wijk": WIJKEN, "age_band": AGE_BANDS, "provider": PROVIDERS}
    bases: list[dict[str, str]] = [{}]
    for _ in range(6):
        chosen = rng.sample(sorted(dimensions), rng.randint(1, 2))
        bases.append({name: rng.choice(dimensions[name]) for name in chosen})
    for base, unit in itertools.product(bases, ("traject", "client")):
        for dimension, values in dimensions.items():
            if dimension in base:
                continue
            params = {**base, "unit": unit}
            total = flows(session, disclosure, MONTHS[0], MONTHS[-1], **params)
            again = flows(session, disclosure, MONTHS[0], MONTHS[-1], **params)
            assert again == total  # the same query twice: the same answer
            parts = {
                value: flows(
                    session, disclosure, MONTHS[0], MONTHS[-1], **params, **{dimension: value}
                )
                for value in values
            }
            exact = {
                value: flows(session, EXACT, MONTHS[0], MONTHS[-1], **params, **{dimension: value})
                for value in values
            }
            exact_total = flows(session, EXACT, MONTHS[0], MONTHS[-1], **params)
            for index, cell in itertools.product(range(len(MONTHS)), FLOW_CELLS):
                for value in values:
                    n = exact[value]["months"][index][cell]
                    if not 0 < n < K:
                        continue
                    published = parts[value]["months"][index][cell]
                    assert published != n and not 0 < published < K
                    if exact_total["months"][index][cell] != sum(
                        exact[v]["months"][index][cell] for v in values
                    ):
                        # Client episodes: one that spans two wijken counts in both, so the
                        # parts do not add up to the total even exactly; no relation to attack.
                        continue
                    others = [parts[v]["months"][index][cell] for v in values if v != value]
                    tally.check(
                        table,
                        n,
                        parts[value]["months"][index][cell],
                        (total["months"][index][cell], others),
                        others,
                    )
    return tally


def attack_periods(session: Session, disclosure: Disclosure, seed: int) -> Tally:
    """Month M+1 from months M…M+1 minus month M: trajectories closed (results) and ended
    (durations) in a period are one cell per period, so the difference is the attack."""
    table = disclosure.table
    tally = Tally()
    rng = random.Random(seed)
    filter_sets: list[dict[str, str]] = [{}]
    for _ in range(6):
        filter_sets.append(
            {"wijk": rng.choice(WIJKEN), "age_band": rng.choice(AGE_BANDS)}
            if rng.random() < 0.5
            else {"provider": rng.choice(PROVIDERS)}
        )
    for filters, (first, second) in itertools.product(filter_sets, itertools.pairwise(MONTHS)):

        def closed(d: Disclosure, start: str, end: str, f: dict[str, str] = filters) -> int:
            return report.results(session, query(start, end, **f), d).closed

        def ended(d: Disclosure, start: str, end: str, f: dict[str, str] = filters) -> int:
            return report.durations(session, query(start, end, **f), d).ended["n"]

        for measure in (closed, ended):
            assert measure(disclosure, first, second) == measure(disclosure, first, second)
            n = measure(EXACT, second, second)
            if not 0 < n < K:
                continue
            shorter = measure(disclosure, first, first)
            tally.check(
                table,
                n,
                measure(disclosure, second, second),
                (measure(disclosure, first, second), [shorter]),
                [shorter],
            )
    return tally


def test_no_small_cell_can_be_derived_from_a_total_and_its_parts(session: Session) -> None:
    for seed in (1, 2):
        world(session, seed)
        tally = attack_parts(session, PUBLISHED, seed)
        assert tally.small_cells >= 20  # the attack had small cells to find
        assert tally.naive_hits < tally.small_cells / 2, tally


def test_no_small_cell_can_be_derived_from_a_period_difference(session: Session) -> None:
    world(session, 3)
    tally = attack_periods(session, PUBLISHED, 3)
    assert tally.small_cells >= 5
    assert tally.naive_hits < tally.small_cells / 2, tally


def test_the_attack_from_the_issue_no_longer_recovers_the_hidden_wijken(
    session: Session,
) -> None:
    """One month, one provider, one age band; then each wijk added."""
    world(session, 4)
    table = PUBLISHED.table
    base = {"provider": PROVIDERS[0], "age_band": "4-11"}
    found = 0
    for month in MONTHS:
        total = flows(session, PUBLISHED, month, month, **base)["months"][0]
        for cell in ("instroom", "uitstroom"):
            shown = {w: flows(session, PUBLISHED, month, month, **base, wijk=w) for w in WIJKEN}
            exact = {w: flows(session, EXACT, month, month, **base, wijk=w) for w in WIJKEN}
            for wijk in WIJKEN:
                n = exact[wijk]["months"][0][cell]
                if not 0 < n < K:
                    continue
                found += 1
                others = [shown[w]["months"][0][cell] for w in WIJKEN if w != wijk]
                published = shown[wijk]["months"][0][cell]
                assert published in (0, K) or published >= K
                Tally().check(table, n, published, (total[cell], others), others)
    assert found


def waiting_world(session: Session, seed: int, size: int = 400) -> None:
    """Random requests without a decision and decisions without a start around the reference
    date (some decided or started after it), with uniform random record keys."""
    rng = random.Random(seed)
    rows: list[object] = []
    for index in range(size):
        wijk = rng.choices(WIJKEN, weights=(6, 2, 1))[0]
        age = rng.choices(AGE_BANDS, weights=(1, 4, 4, 1))[0]
        began = REFERENCE - timedelta(days=rng.randrange(0, 130))
        later = REFERENCE + timedelta(days=rng.randrange(1, 20))
        if index % 2:
            rows.append(
                request(f"r{index}", began, later if rng.random() < 0.2 else None, wijk=wijk,
                        age_band=age, record_key=rng.getrandbits(30))
            )  # fmt: skip
        else:
            rows.append(
                fact(f"d{index}", later if rng.random() < 0.2 else None, decision_date=began,
                     wijk=wijk, age_band=age, provider_agb=rng.choices(PROVIDERS, (6, 3, 1))[0],
                     record_key=rng.getrandbits(30))
            )  # fmt: skip
    load(session, *rows)  # type: ignore[arg-type]


def waiting_list(session: Session, disclosure: Disclosure, **filters: str) -> dict[str, object]:
    published = report.waiting_times(session, query("2021-01", "2021-12", **filters), disclosure)
    return published.to_json()["waiting_list"]  # type: ignore[no-any-return]


def cells(waiting: dict[str, Any]) -> dict[tuple[str, str], int]:
    """Every count of a waiting list by (stage, band or "total"), and ("all", "total")."""
    found = {("all", "total"): waiting["total"]} if waiting["total"] is not None else {}
    for stage, values in waiting["stages"].items():
        if values is not None:
            found[(stage, "total")] = values["total"]
            found.update({(stage, band): n for band, n in values["bands"].items()})
    return found


def attack_waiting(session: Session, seed: int) -> Tally:
    """The waiting list against its parts: every band and stage total of a filter set from the
    same without one more filter (each wijk, age band, provider), a band from its stage's total
    and the other bands, and a stage from the overall total and the other stage."""
    table = PUBLISHED.table
    tally = Tally()
    rng = random.Random(seed)
    dimensions = {"wijk": WIJKEN, "age_band": AGE_BANDS, "provider": PROVIDERS}
    bases: list[dict[str, str]] = [{}]
    for _ in range(5):
        chosen = rng.sample(sorted(dimensions), rng.randint(1, 2))
        bases.append({name: rng.choice(dimensions[name]) for name in chosen})
    for base in bases:
        total = cells(waiting_list(session, PUBLISHED, **base))
        assert cells(waiting_list(session, PUBLISHED, **base)) == total
        exact_total = cells(waiting_list(session, EXACT, **base))
        for (stage, band), n in exact_total.items():  # within one answer
            if not 0 < n < K or band == "total":
                continue
            others = [total[(stage, b)] for b in WAIT_BANDS if b != band]
            tally.check(table, n, total[(stage, band)], (total[(stage, "total")], others), others)
        for stage, other in (("request", "decision"), ("decision", "request")):
            n = exact_total.get((stage, "total"), 0)
            if 0 < n < K and ("all", "total") in total:
                rest = [total[(other, "total")]]
                tally.check(
                    table, n, total[(stage, "total")], (total[("all", "total")], rest), rest
                )
        for dimension, values in dimensions.items():
            if dimension in base:
                continue
            parts = {
                v: cells(waiting_list(session, PUBLISHED, **base, **{dimension: v})) for v in values
            }
            exact = {
                v: cells(waiting_list(session, EXACT, **base, **{dimension: v})) for v in values
            }
            for cell, value in itertools.product(exact[values[0]], values):
                n = exact[value][cell]
                if not 0 < n < K or cell not in total:
                    continue
                assert exact_total[cell] == sum(exact[v][cell] for v in values)
                others = [parts[v][cell] for v in values if v != value]
                tally.check(table, n, parts[value][cell], (total[cell], others), others)
    return tally


def test_no_small_waiting_count_can_be_derived_from_totals_and_filters(session: Session) -> None:
    waiting_world(session, 5)
    tally = attack_waiting(session, 5)
    assert tally.small_cells >= 20
    assert tally.naive_hits < tally.small_cells / 2, tally


def test_a_trajectory_filter_does_not_narrow_the_request_stage(session: Session) -> None:
    """A provider filter gives no request stage (and no total) at all, rather than the
    unfiltered requests beside the narrowed decisions: nothing to subtract from."""
    waiting_world(session, 6)
    narrowed = waiting_list(session, PUBLISHED, provider=PROVIDERS[2])
    assert narrowed["stages"]["request"] is None and narrowed["total"] is None  # type: ignore[index]
    assert narrowed["not_applicable"] == ["stages.request", "total"]


def test_without_noise_the_attack_recovers_every_small_cell(session: Session) -> None:
    """The checks are not vacuous: with the exact figures the naive derivation is right for
    every small cell (and the checker refuses them)."""
    world(session, 1)
    naive = Tally()
    exact = Disclosure(k=K, exact=True)
    base = {"provider": PROVIDERS[0]}
    total = flows(session, exact, MONTHS[0], MONTHS[-1], **base)
    parts = {w: flows(session, exact, MONTHS[0], MONTHS[-1], **base, wijk=w) for w in WIJKEN}
    for index, cell in itertools.product(range(len(MONTHS)), FLOW_CELLS):
        for wijk in WIJKEN:
            n = parts[wijk]["months"][index][cell]
            if 0 < n < K:
                naive.small_cells += 1
                others = sum(parts[w]["months"][index][cell] for w in WIJKEN if w != wijk)
                naive.naive_hits += total["months"][index][cell] - others == n
    assert naive.small_cells and naive.naive_hits == naive.small_cells
    try:
        Tally().check(PUBLISHED.table, 2, 2, (9, [7]), [7])
    except AssertionError:
        return
    raise AssertionError("the checker let an exactly shown small count through")
