"""Properties of the figures and of their protection, for arbitrary data (hypothesis):

* ``beginstand + instroom − uitstroom = eindstand`` and ``beginstand(M) = eindstand(M−1)`` in
  both units, and the stock equals its definition counted directly;
* episodes equal the runs of days with care, found the slow way;
* no hidden cell can be recovered from what is shown. The reader knows every shown value, every
  relation between the cells (the flow identity, the stock chain, a total and its parts, a yearly
  mean × its months) and that counts are whole numbers ≥ 0. A hidden cell is recoverable when
  all whole-number solutions of those relations agree on it; ``other_solution`` searches for one
  that does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from workflows.stats import anonymity, figures
from workflows.stats.episodes import last_day, merge
from workflows.stats.figures import Flows, IntensityMonth, MonthFlow, Results, YearMean

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


# --- recovering hidden cells ------------------------------------------------------------------

Equation = tuple[dict[str, int], int]  # Σ coefficient · variable = constant


def other_solution(
    truth: dict[str, int], equations: Sequence[Equation], target: str, bound: int
) -> bool:
    """Whether whole numbers 0…bound satisfy every equation with ``target`` ≠ its true value."""
    names = [target] + sorted(n for n in truth if n != target)
    related = {n: [eq for eq in equations if n in eq[0]] for n in names}
    budget = [200_000]

    def consistent(values: dict[str, int], changed: str) -> bool:
        queue = [changed]
        while queue:
            name = queue.pop()
            for coefficients, constant in related[name]:
                missing = [v for v in coefficients if v not in values]
                total = sum(c * values[v] for v, c in coefficients.items() if v in values)
                if not missing:
                    if total != constant:
                        return False
                elif len(missing) == 1:
                    last = missing[0]
                    rest, coefficient = constant - total, coefficients[last]
                    if rest % coefficient or not 0 <= rest // coefficient <= bound:
                        return False
                    values[last] = rest // coefficient
                    queue.append(last)
        return True

    def search(values: dict[str, int], index: int) -> bool:
        budget[0] -= 1
        assert budget[0] > 0, "search too large for a test instance"
        while index < len(names) and names[index] in values:
            index += 1
        if index == len(names):
            return True
        name = names[index]
        order = sorted(range(bound + 1), key=lambda v: abs(v - truth[name]))
        for value in order:
            if name == target and value == truth[target]:
                continue
            trial = dict(values)
            trial[name] = value
            if consistent(trial, name) and search(trial, index + 1):
                return True
        return False

    return search({}, 0)


def assert_nothing_recoverable(
    cells: dict[str, int], shown: dict[str, int | None], equations: Sequence[Equation]
) -> None:
    """``cells``: true values; ``shown``: the published value or None when hidden."""
    hidden = {name: cells[name] for name, value in shown.items() if value is None}
    if not hidden:
        return
    reduced: list[Equation] = []
    for coefficients, constant in equations:
        rest = constant - sum(c * cells[n] for n, c in coefficients.items() if n not in hidden)
        kept = {n: c for n, c in coefficients.items() if n in hidden}
        if kept:
            reduced.append((kept, rest))
    bound = 3 * max(cells.values(), default=0) + 10
    for name in hidden:
        assert other_solution(hidden, reduced, name, bound), f"{name} can be recovered"


monthly = st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(start_stock=st.integers(0, 12), moves=monthly, outliers=st.sets(st.integers(0, 4)))
def test_no_hidden_flow_or_stock_can_be_recovered(
    start_stock: int, moves: list[tuple[int, int]], outliers: set[int]
) -> None:
    rows, stock = [], start_stock
    for index, (inflow, outflow) in enumerate(moves):
        outflow = min(outflow, stock + inflow)
        rows.append(MonthFlow(24252 + index, stock, inflow, outflow, stock + inflow - outflow))
        stock = stock + inflow - outflow
    counted = [r for i, r in enumerate(rows) if i not in outliers]
    year = YearMean(
        2021, len(counted), tuple(r.month for i, r in enumerate(rows) if i in outliers),
        sum(r.instroom for r in counted), sum(r.uitstroom for r in counted),
        tuple(r.month for r in counted),
    )  # fmt: skip
    published = anonymity.protect_flows(Flows(rows, [year]), {}, K)
    cells: dict[str, int] = {"e-1": rows[0].beginstand}
    shown: dict[str, int | None] = {"e-1": published.months[0].beginstand}
    equations: list[Equation] = []
    for i, (row, out) in enumerate(zip(rows, published.months, strict=True)):
        assert out.beginstand == (shown[f"e{i - 1}"])  # one cell, shown once
        for name, value, visible in (
            (f"i{i}", row.instroom, out.instroom),
            (f"u{i}", row.uitstroom, out.uitstroom),
            (f"e{i}", row.eindstand, out.eindstand),
        ):
            cells[name], shown[name] = value, visible
            assert visible in (None, value)
        equations.append(({f"e{i - 1}": 1, f"i{i}": 1, f"u{i}": -1, f"e{i}": -1}, 0))
    (mean,) = published.yearly
    for cell, attribute in (("i", "sum_instroom"), ("u", "sum_uitstroom")):
        if getattr(mean, f"mean_{'instroom' if cell == 'i' else 'uitstroom'}") is not None:
            months = [i for i in range(len(rows)) if i not in outliers]
            equations.append(({f"{cell}{i}": 1 for i in months}, getattr(year, attribute)))
    for name, value in shown.items():
        if value is not None and 0 < value < K:
            raise AssertionError(f"{name} = {value} is shown")
    assert_nothing_recoverable(cells, shown, equations)


@settings(max_examples=300, deadline=None)
@given(st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)))
def test_no_hidden_intensity_can_be_recovered(counts: tuple[int, int, int]) -> None:
    month = IntensityMonth(24252, dict(zip(("laag", "middel", "zwaar"), counts, strict=True)))
    (row,) = anonymity.protect_intensity([month], {}, "eindstand", K).months
    total = sum(counts)
    total_shown = total if not 0 < total < K else None
    equations: list[Equation] = []
    if total_shown is not None:  # the total is known (the stock, or count ÷ share)
        equations.append(({"laag": 1, "middel": 1, "zwaar": 1}, total))
    for level, n in month.counts.items():
        assert row.counts[level] in (None, n)
        assert row.counts[level] is None or not 0 < n < K
        assert (row.shares[level] is None) == (row.counts[level] is None or total < K)
    assert_nothing_recoverable(month.counts, row.counts, equations)


@settings(max_examples=300, deadline=None)
@given(
    outcome=st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)),
    split=st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)),
    repeats=st.integers(0, 12),
    first=st.integers(0, 12),
)
def test_no_hidden_result_or_category_can_be_recovered(
    outcome: tuple[int, int, int], split: tuple[int, int, int], repeats: int, first: int
) -> None:
    closed = sum(outcome)
    a, b, c = (min(x, closed) for x in split)
    categories = {"a": a, "b": min(b, closed - a), "c": min(c, closed - a - min(b, closed - a))}
    categories["d"] = closed - sum(categories.values())
    raw = Results(
        closed, *outcome, categories=categories, active=closed, extensions=0,
        new_episodes=repeats + first, repeat_episodes=repeats, years=[],
    )  # fmt: skip
    published = anonymity.protect_results(raw, {}, K, 5)
    r = published.result
    cells = {
        "on_time": outcome[0], "late": outcome[1], "not": outcome[2], "closed": closed,
        **{f"cat_{k}": v for k, v in categories.items()},
        "repeat": repeats, "new": repeats + first,
    }  # fmt: skip
    shown = {
        "on_time": r["achieved_on_time"], "late": r["achieved_late"], "not": r["not_achieved"],
        "closed": published.closed,
        **{f"cat_{k}": v for k, v in published.categories.items()},
        "repeat": published.repeat["repeat_episodes"], "new": published.repeat["new_episodes"],
    }  # fmt: skip
    for name, value in shown.items():
        assert value in (None, cells[name]) and (value is None or not 0 < value < K), name
    equations: list[Equation] = [
        ({"on_time": 1, "late": 1, "not": 1, "closed": -1}, 0),
        ({"cat_a": 1, "cat_b": 1, "cat_c": 1, "cat_d": 1, "closed": -1}, 0),
    ]
    if published.repeat["share"] is not None or shown["new"] is not None:
        equations.append(({"repeat": 1}, repeats) if shown["repeat"] is not None else ({}, 0))
    assert_nothing_recoverable(cells, shown, [e for e in equations if e[0]])


def test_the_checker_finds_a_recoverable_cell() -> None:
    """The search is not vacuous: one hidden part beside shown parts and a shown total."""
    cells = {"x": 2, "y": 7}
    equations: list[Equation] = [({"x": 1, "y": 1}, 9)]
    hidden = {"x": 2}
    reduced = [({"x": 1}, 2)]
    assert not other_solution(hidden, reduced, "x", 40)
    try:
        assert_nothing_recoverable(cells, {"x": None, "y": 7}, equations)
    except AssertionError:
        return
    raise AssertionError("the checker missed a recoverable cell")


def test_a_hidden_inflow_beside_a_shown_zero_outflow_would_be_recoverable() -> None:
    """Why the rule hides the zero: with both stocks shown, inflow − outflow is known."""
    cells = {"i": 3, "u": 0}
    equation: list[Equation] = [({"i": 1, "u": -1}, 3)]  # eindstand − beginstand
    try:
        assert_nothing_recoverable(cells, {"i": None, "u": 0}, equation)
    except AssertionError:
        pass
    else:
        raise AssertionError("expected the inflow to be recoverable")
    assert_nothing_recoverable(cells, {"i": None, "u": None}, equation)
    rows = [MonthFlow(24252, 40, 3, 0, 43)]
    out = anonymity.protect_flows(Flows(rows, []), {}, K).months[0]
    assert (out.instroom, out.uitstroom, out.suppressed) == (None, None, ["instroom", "uitstroom"])
