"""Properties of the figures and of their protection, for arbitrary data (hypothesis):

* ``beginstand + instroom − uitstroom = eindstand`` and ``beginstand(M) = eindstand(M−1)`` in
  both units for the *exact* figures, and the stock equals its definition counted directly (the
  published figures are perturbed, so the identity is checked here, before protection);
* episodes equal the runs of days with care, found the slow way;
* the perturbation table: a count 1…k−1 is never published as any of 1…k−1, a zero stays zero,
  larger counts move by at most the maximum deviation and never below k, the noise is unbiased
  with the configured variance, and the same (count, cell key) always gives the same value;
* each figure: every count a cell of its own, one cell one value (beginstand = the previous
  eindstand), shares and means from the published counts, exact only when asked.

The differencing attack itself is in ``test_stats_differencing.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from models import KEY_MODULUS
from workflows.stats import anonymity, figures
from workflows.stats.anonymity import Disclosure, PerturbationTable
from workflows.stats.episodes import last_day, merge
from workflows.stats.figures import Durations, Flows, IntensityMonth, MonthFlow, Results, YearMean

from .stats_helpers import fact, load, query

K = 5
BASE = date(2020, 11, 20)
DB_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- the flow identity on arbitrary feed rows -------------------------------------------------

trajectory = st.tuples(
    st.integers(0, 6),  # client
    st.integers(0, 200),  # start, days after BASE
    st.one_of(st.none(), st.integers(0, 120)),  # length − 1, or open
    st.sampled_from(["laag", "middel", "zwaar"]),
)


@DB_SETTINGS
@given(rows=st.lists(trajectory, max_size=25), unit=st.sampled_from(["traject", "client"]))
def test_the_flow_identity_holds_for_any_data(
    session: Session, rows: list[tuple[int, int, int | None, str]], unit: str
) -> None:
    facts = []
    for client, offset, length, intensity in rows:
        start = BASE + timedelta(days=offset)
        end = None if length is None else start + timedelta(days=length)
        facts.append(fact(f"c{client}", start, end, intensity=intensity))
    load(session, *facts)
    result = figures.flows(session, query("2020-12", "2021-05", unit=unit))
    previous = None
    for m in result.months:
        assert m.beginstand + m.instroom - m.uitstroom == m.eindstand
        if previous is not None:
            assert m.beginstand == previous.eindstand
        previous = m
    intervals = [(f.care_start, f.care_end) for f in facts]
    if unit == "client":
        intervals = [
            episode
            for client in {f.client_key for f in facts}
            for episode in merge(
                (f.care_start, f.care_end) for f in facts if f.client_key == client
            )
        ]
    for m in result.months:
        day = last_day(m.month)
        stock = sum(1 for s, e in intervals if s <= day and (e is None or e > day))
        assert m.eindstand == stock


@given(
    st.lists(st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 20))), max_size=12)
)
def test_episodes_are_the_runs_of_days_with_care(raw: list[tuple[int, int | None]]) -> None:
    horizon = 100
    intervals = [
        (BASE + timedelta(days=s), None if n is None else BASE + timedelta(days=s + n))
        for s, n in raw
    ]
    covered = set()
    for s, e in intervals:
        last = (e - BASE).days if e is not None else horizon
        covered.update(range((s - BASE).days, last + 1))
    runs: list[tuple[int, int]] = []
    for day in sorted(covered):
        if runs and day == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    expected = [
        (BASE + timedelta(days=a), None if b >= horizon else BASE + timedelta(days=b))
        for a, b in runs
    ]
    assert merge(intervals) == expected


# --- the perturbation table -------------------------------------------------------------------

TABLES = [PerturbationTable(K, 2, 1.0), PerturbationTable(K, 2, 2.0), PerturbationTable(3, 3, 1.5)]
cell_key = st.integers(0, KEY_MODULUS - 1)


@settings(max_examples=500, deadline=None)
@given(n=st.integers(0, 400), key=st.integers(0, 2**40), table=st.sampled_from(TABLES))
def test_a_small_count_is_never_published_as_a_small_count(
    n: int, key: int, table: PerturbationTable
) -> None:
    published = table.publish(n, key)
    assert published == table.publish(n, key)  # the same cell, the same value
    assert published >= 0 and not 0 < published < table.k
    if n == 0:
        assert published == 0
    elif n < table.k:
        assert published in (0, table.k)
    else:
        assert abs(published - n) <= table.max_deviation and published >= table.k


@pytest.mark.parametrize("table", TABLES)
def test_the_table_is_unbiased_with_the_configured_variance(table: PerturbationTable) -> None:
    for n in range(0, 60):
        outcomes = table.distribution(n)
        assert abs(sum(p for _v, p in outcomes) - 1) < 1e-12
        mean = sum(v * p for v, p in outcomes)
        variance = sum((v - n) ** 2 * p for v, p in outcomes)
        assert abs(mean - n) < 1e-12, n
        if n >= table.k + table.max_deviation:
            assert abs(variance - table.variance) < 1e-12, n
        elif n >= table.k:
            assert variance <= table.variance  # folded near k, never below k


def test_the_cell_key_picks_the_outcome_in_proportion() -> None:
    """Uniform cell keys give each outcome with its probability (the keys are uniform)."""
    table = PerturbationTable(K, 2, 1.0)
    keys = range(0, KEY_MODULUS, KEY_MODULUS // 20_000)
    for n in (3, 7, 40):
        seen = Counter(table.publish(n, key) for key in keys)
        for value, probability in table.distribution(n):
            assert abs(seen[value] / len(keys) - probability) < 0.01


def test_a_cell_key_is_the_sum_of_the_record_keys_mod_1() -> None:
    table = PerturbationTable(K, 2, 1.0)
    assert table.publish(30, 5) == table.publish(30, 5 + 7 * KEY_MODULUS)


def test_the_configuration_refuses_a_variance_the_deviation_cannot_carry() -> None:
    with pytest.raises(ValueError, match="too large"):
        Disclosure(max_deviation=1, variance=1.5)
    Disclosure(max_deviation=2, variance=2.0)


# --- protecting each figure ---------------------------------------------------------------------


def keyed_flows(moves: list[tuple[int, int]], start_stock: int, seed: int) -> Flows:
    """Flows with key sums as the rows would give them: each trajectory a uniform key."""
    rng = random.Random(seed)
    rows, stock, stock_keys = [], start_stock, [rng.getrandbits(30) for _ in range(start_stock)]
    for index, (inflow, outflow) in enumerate(moves):
        outflow = min(outflow, stock + inflow)
        arrivals = [rng.getrandbits(30) for _ in range(inflow)]
        begin_key = sum(stock_keys)
        stock_keys += arrivals
        leaving, stock_keys = stock_keys[:outflow], stock_keys[outflow:]
        keys = {
            "beginstand": begin_key,
            "instroom": sum(arrivals),
            "uitstroom": sum(leaving),
            "eindstand": sum(stock_keys),
        }
        rows.append(
            MonthFlow(24252 + index, stock, inflow, outflow, stock + inflow - outflow, keys)
        )
        stock = stock + inflow - outflow
    return Flows(rows, [])


@settings(max_examples=200, deadline=None)
@given(
    start_stock=st.integers(0, 12),
    moves=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=6),
    seed=st.integers(0, 1000),
)
def test_flows_are_perturbed_cell_by_cell(
    start_stock: int, moves: list[tuple[int, int]], seed: int
) -> None:
    raw = keyed_flows(moves, start_stock, seed)
    published = anonymity.protect_flows(raw, {}, Disclosure(k=K))
    assert published == anonymity.protect_flows(raw, {}, Disclosure(k=K))
    previous = None
    for row, out in zip(raw.months, published.months, strict=True):
        for cell in ("beginstand", "instroom", "uitstroom", "eindstand"):
            exact, shown = getattr(row, cell), getattr(out, cell)
            assert shown is not None and not 0 < shown < K
            assert exact != 0 or shown == 0
            if 0 < exact < K:
                assert shown in (0, K)
            elif exact >= K:
                assert abs(shown - exact) <= 2
        if previous is not None:
            assert out.beginstand == previous.eindstand  # one cell, one value
        previous = out
    exact = anonymity.protect_flows(raw, {}, Disclosure(k=K, exact=True))
    assert [(m.instroom, m.eindstand) for m in exact.months] == [
        (m.instroom, m.eindstand) for m in raw.months
    ]
    assert published.to_json()["disclosure"]["method"] == "cell key"


def test_yearly_means_are_the_means_of_the_published_months() -> None:
    raw = keyed_flows([(7, 2), (12, 9), (3, 1)], 20, seed=5)
    year = YearMean(2021, 2, (24253,), 10, 3, (24252, 24254))
    published = anonymity.protect_flows(Flows(raw.months, [year]), {}, Disclosure(k=K))
    shown = {row.month: row.instroom for row in published.months}
    (mean,) = published.yearly
    assert mean.mean_instroom == round((shown["2021-01"] + shown["2021-03"]) / 2 + 1e-9, 1)


@settings(max_examples=200, deadline=None)
@given(counts=st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)), seed=cell_key)
def test_intensity_shares_come_from_the_published_counts(
    counts: tuple[int, int, int], seed: int
) -> None:
    levels = ("laag", "middel", "zwaar")
    month = IntensityMonth(
        24252,
        dict(zip(levels, counts, strict=True)),
        {lv: seed * (i + 1) for i, lv in enumerate(levels)},
    )
    (row,) = anonymity.protect_intensity([month], {}, "eindstand", Disclosure(k=K)).months
    total = sum(row.counts.values())
    for level, n in month.counts.items():
        assert not 0 < row.counts[level] < K and (n != 0 or row.counts[level] == 0)
        share = row.shares[level]
        if not total:
            assert share is None
        else:
            assert share is not None and abs(share - row.counts[level] / total) <= 0.00005 + 1e-12


@settings(max_examples=200, deadline=None)
@given(
    outcome=st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)),
    repeats=st.integers(0, 12),
    first=st.integers(0, 12),
    keys=st.lists(cell_key, min_size=12, max_size=12),
)
def test_results_publish_every_count_as_its_own_cell(
    outcome: tuple[int, int, int], repeats: int, first: int, keys: list[int]
) -> None:
    closed = sum(outcome)
    names = ["closed", "achieved_on_time", "achieved_late", "not_achieved", "active",
             "extensions", "new_episodes", "repeat_episodes", "first_episodes",
             "category.a", "category.b", "category.c"]  # fmt: skip
    raw = Results(
        closed, *outcome, categories={"a": outcome[0], "b": outcome[1], "c": outcome[2], "d": 0},
        active=closed, extensions=repeats, new_episodes=repeats + first, repeat_episodes=repeats,
        years=[], keys=dict(zip(names, keys, strict=True)),
    )  # fmt: skip
    published = anonymity.protect_results(raw, {}, Disclosure(k=K), 5)
    shown = [
        published.closed, *(published.result[n] for n in anonymity.OUTCOMES),
        *published.categories.values(), published.extensions["active"],
        published.extensions["extensions"], published.repeat["new_episodes"],
        published.repeat["repeat_episodes"],
    ]  # fmt: skip
    exact = [closed, *outcome, outcome[0], outcome[1], outcome[2], 0, closed, repeats,
             repeats + first, repeats]  # fmt: skip
    for value, n in zip(shown, exact, strict=True):
        assert not 0 < value < K and (n != 0 or value == 0)
        assert value != n or not 0 < n < K
    shares = [
        published.result[f"share_{n}"]
        for n in ("achieved_on_time", "achieved_late", "not_achieved")
    ]
    if any(s is not None for s in shares):
        assert abs(sum(s or 0 for s in shares) - 1) < 0.001


def test_a_mean_over_fewer_than_k_is_still_hidden() -> None:
    raw = Durations(ended=3, mean_days=40.0, median_days=38.0, cohorts=[], ended_key=123)
    published = anonymity.protect_durations(raw, {}, Disclosure(k=K))
    assert published.ended["mean_days"] is None and published.ended["n"] in (0, K)
    assert published.suppressed == ["ended.mean_days", "ended.median_days"]
    exact = anonymity.protect_durations(raw, {}, Disclosure(k=K, exact=True))
    assert exact.ended == {"n": 3, "mean_days": 40.0, "median_days": 38.0}
