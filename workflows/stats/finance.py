"""The finance figure, exact (docs/statistics.md, "Finance"): committed spend, claims, the
share of prices that deviate from the tariff, and the claims expected in the coming months.

Every number is a set of feed rows: their count, the sum of their record keys (for the cell
key) and the sum of their amounts in cents. They come from the kept ``stats_finance_counts``
when the filters besides the domain are a kept combination (``money.FINANCE_SETS``),
else from the feed rows that pass the filters, grouped by the same rule
(``money.cells_select``). Only ``anonymity.protect_finance`` turns them into what is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from sqlalchemy import Integer, Table, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from models import FILTER_COLUMNS, ProductCategory, StatsFinanceCount, StatsTrajectory

from ..budgets import budgets_of_year
from ..claims import ClaimPolicy
from . import cache, kept, money
from .kept import cents
from .selection import StatsQuery

FINANCE = cast(Table, StatsFinanceCount.__table__)
FACTS = cast(Table, StatsTrajectory.__table__)
# The claims expected are shown for this many months, from the current month on.
EXPECTED_MONTHS = 12
# Care closed without a claim counts as expected (in the current month) when it ended in the
# current month or in this many months before it; older unclaimed care (history imported from a
# previous system, which carries no claims) is not expected any more.
UNCLAIMED_WINDOW = 12
# The flows of money per month, each a cell of its own.
FLOW_NAMES = ("new_commitments", "claimed", "approved", "refused", "tariff", "deviating")
FLOW_KINDS = {
    "new_commitments": money.COMMITTED,
    "claimed": money.CLAIMED,
    "approved": money.APPROVED,
    "refused": money.REFUSED,
    "tariff": money.TARIFF,
    "deviating": money.DEVIATING,
}


@dataclass
class Amount:
    """A set of feed rows: how many, the sum of their record keys, the sum of their amounts."""

    n: int = 0
    key: int = 0
    cents: int = 0

    def add(self, other: Amount, sign: int = 1) -> None:
        self.n += sign * other.n
        self.key += sign * other.key
        self.cents += sign * other.cents

    def copy(self) -> Amount:
        return Amount(self.n, self.key, self.cents)


@dataclass
class FinanceMonth:
    month: int
    committed: Amount  # the stock at the end of the month
    flows: dict[str, Amount]


@dataclass
class BudgetRow:
    """A domain (``category`` None: all its categories) or a product category in the budget
    year: its budget (None without one), the commitments that began in the year up to the
    period's last month, the claims submitted in it, and the basis of the forecast: the
    commitments that began in the 12 months up to that month."""

    domain: str
    category: str | None
    name: str
    budget: Decimal | None
    committed: Amount
    claimed: Amount
    basis: Amount


@dataclass
class BudgetYear:
    """The budget year (the year of the period's last month) and its rows; ``applicable`` is
    False when the query has filters besides the domain (a budget is per domain and category)."""

    year: int
    last: int  # the period's last month: the year's months up to it have passed
    basis_from: int  # the first of the 12 months the forecast's averages come from
    rows: list[BudgetRow]
    applicable: bool = True

    @property
    def months_remaining(self) -> int:
        return self.year * 12 + 12 - (self.last + 1)


@dataclass
class Finance:
    months: list[FinanceMonth]
    totals: dict[str, Amount]
    expected_from: int  # the current month: the first of the expected claims
    expected: list[tuple[int, Amount]]
    expected_total: Amount
    policy: ClaimPolicy
    budget: BudgetYear
    kept: bool = field(default=False)  # whether the kept counts answered (for the benchmark)


Cells = dict[tuple[str, int], Amount]


def _kept_cells(session: Session, query: StatsQuery, cell: tuple[str, str, str]) -> Cells:
    """The cells the figure reads, from the kept counts of one filter combination, in one
    statement of three parts: the stock's opening (all commitments and releases before the
    period, summed at the month before it), the period's months, and the expected claims (open
    care up to the current month summed into it, closed care of the window summed into it, open
    care of the months after it as they are). So a query reads a few hundred cells, however
    long the history."""
    c = FINANCE.c
    where = [c.filter_set == cell[0], c.value_1 == cell[1], c.value_2 == cell[2]]
    if query.domain is not None:
        where.append(c.domain == query.domain.value)
    sums = (func.sum(c.n), func.sum(c.key_sum), func.sum(c.cents))
    stock = [money.COMMITTED, money.RELEASED]
    current = query.cutoff + 1
    bucket = case((c.month < current, current), else_=c.month)
    statement = union_all(
        select(c.kind, literal(query.start - 1, Integer), *sums)
        .where(*where, c.kind.in_(stock), c.month < query.start)
        .group_by(c.kind),
        select(c.kind, c.month, c.n, c.key_sum, c.cents).where(
            *where,
            c.kind.in_([*stock, *FLOW_KINDS.values()]),
            c.month.between(query.start, query.last),
        ),
        select(c.kind, bucket, *sums)
        .where(
            *where,
            or_(
                and_(c.kind == money.EXPECTED_OPEN, c.month < current + EXPECTED_MONTHS),
                and_(
                    c.kind.in_([money.EXPECTED_ACHIEVED, money.EXPECTED_PARTIAL]),
                    c.month.between(current - UNCLAIMED_WINDOW, current),
                ),
            ),
        )
        .group_by(c.kind, bucket),
    )
    found: Cells = defaultdict(Amount)
    for kind, month, n, key_sum, amount in session.execute(statement):
        found[(kind, int(month))].add(Amount(int(n or 0), int(key_sum or 0), int(amount or 0)))
    return found


def _scanned_cells(session: Session, query: StatsQuery) -> Cells:
    conditions = []
    if query.domain is not None:
        conditions.append(FACTS.c.domain == query.domain.value)
    for name, column in FILTER_COLUMNS.items():
        value = query.value(name)
        if value:
            conditions.append(FACTS.c[column] == value)
    found: Cells = defaultdict(Amount)
    for _domain, kind, month, n, key_sum, amount in session.execute(
        money.cells_select([], conditions)
    ):
        found[(kind, month)].add(Amount(int(n), int(key_sum or 0), cents(amount)))
    return found


def _sum(cells: Cells, kinds: Iterable[str], months: Iterable[int]) -> Amount:
    total = Amount()
    for kind in kinds:
        for month in months:
            found = cells.get((kind, month))
            if found is not None:
                total.add(found)
    return total


def _upto(cells: Cells, kind: str, last: int) -> Amount:
    total = Amount()
    for (cell_kind, month), found in cells.items():
        if cell_kind == kind and month <= last:
            total.add(found)
    return total


def finance(
    session: Session, query: StatsQuery, policy: ClaimPolicy = ClaimPolicy.PRO_RATA
) -> Finance:
    """Per month of the period: the committed stock at its end and the month's new commitments,
    claims submitted, approved and refused, and commitments with a tariff and with a price that
    deviates from it; their totals over the period; and the claims expected per month from the
    current month on (``EXPECTED_MONTHS``), the current one with those overdue."""
    kept_cell = kept.kept_filters(query.narrowing, query.filters)
    if kept_cell is not None:
        cells = _kept_cells(session, query, kept_cell)
    else:
        cells = cache.cached(session, "finance", query, lambda: _scanned_cells(session, query))
    stock = _upto(cells, money.COMMITTED, query.start - 1)
    stock.add(_upto(cells, money.RELEASED, query.start - 1), -1)
    months = []
    for month in query.months:
        stock.add(_sum(cells, [money.COMMITTED], [month]))
        stock.add(_sum(cells, [money.RELEASED], [month]), -1)
        flows = {name: _sum(cells, [kind], [month]) for name, kind in FLOW_KINDS.items()}
        months.append(FinanceMonth(month, stock.copy(), flows))
    totals = {name: _sum(cells, [kind], query.months) for name, kind in FLOW_KINDS.items()}
    current = query.cutoff + 1
    partial = policy == ClaimPolicy.PRO_RATA
    first = _upto(cells, money.EXPECTED_OPEN, current)
    closed_months = range(current - UNCLAIMED_WINDOW, current + 1)
    first.add(_sum(cells, [money.EXPECTED_ACHIEVED], closed_months))
    unpaid = _sum(cells, [money.EXPECTED_PARTIAL], closed_months)
    first.add(Amount(unpaid.n, unpaid.key, unpaid.cents if partial else 0))
    expected = [(current, first)]
    for month in range(current + 1, current + EXPECTED_MONTHS):
        expected.append((month, _sum(cells, [money.EXPECTED_OPEN], [month])))
    total = Amount()
    for _month, amount in expected:
        total.add(amount)
    return Finance(
        months,
        totals,
        current,
        expected,
        total,
        policy,
        budget_year(session, query),
        kept=kept_cell is not None,
    )


def budget_year(session: Session, query: StatsQuery) -> BudgetYear:
    """The budget year's rows: per domain of the query, the domain as a whole and each product
    category with a budget or with commitments or claims in the year; from the kept counts
    without filters and per category."""
    last = query.last
    year = last // 12
    first = year * 12
    basis_from = last - 11
    if query.narrowing:
        return BudgetYear(year, last, basis_from, [], applicable=False)
    budgets = budgets_of_year(session, year)
    categories = session.execute(
        select(ProductCategory.code, ProductCategory.domain, ProductCategory.name).order_by(
            ProductCategory.code
        )
    ).all()
    domains = [query.domain.value] if query.domain is not None else ["wmo", "jeugd"]
    codes = [c.code for c in categories if str(getattr(c.domain, "value", c.domain)) in domains]
    conditions = [
        # Each set value named, so the primary key's order finds the cells (not a scan of
        # every category's cells).
        or_(
            and_(FINANCE.c.filter_set == "", FINANCE.c.value_1 == ""),
            and_(FINANCE.c.filter_set == "category", FINANCE.c.value_1.in_(codes)),
        ),
        FINANCE.c.value_2 == "",
        FINANCE.c.kind.in_([money.COMMITTED, money.CLAIMED]),
        FINANCE.c.month.between(min(first, basis_from), last),
    ]
    if query.domain is not None:
        conditions.append(FINANCE.c.domain == query.domain.value)
    cells: dict[tuple[str, str], Cells] = defaultdict(lambda: defaultdict(Amount))
    for domain, value, kind, month, n, key_sum, amount in session.execute(
        select(
            FINANCE.c.domain,
            FINANCE.c.value_1,
            FINANCE.c.kind,
            FINANCE.c.month,
            FINANCE.c.n,
            FINANCE.c.key_sum,
            FINANCE.c.cents,
        ).where(*conditions)
    ):
        cells[(str(getattr(domain, "value", domain)), value)][(kind, month)].add(
            Amount(int(n), int(key_sum), int(amount))
        )
    year_months = range(first, last + 1)
    basis_months = range(basis_from, last + 1)

    def row(domain: str, code: str | None, name: str, budget: Decimal | None) -> BudgetRow:
        found = cells.get((domain, code or ""), {})
        return BudgetRow(
            domain=domain,
            category=code,
            name=name,
            budget=budget,
            committed=_sum(found, [money.COMMITTED], year_months),
            claimed=_sum(found, [money.CLAIMED], year_months),
            basis=_sum(found, [money.COMMITTED], basis_months),
        )

    rows: list[BudgetRow] = []
    for domain in domains:
        mine = [c for c in categories if str(getattr(c.domain, "value", c.domain)) == domain]
        in_domain = [budgets[c.code] for c in mine if c.code in budgets]
        rows.append(row(domain, None, "", sum(in_domain, Decimal(0)) if in_domain else None))
        for code, _domain, name in mine:
            if code in budgets or (domain, code) in cells:
                rows.append(row(domain, code, name, budgets.get(code)))
    return BudgetYear(year, last, basis_from, rows)
