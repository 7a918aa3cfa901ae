"""Money in the feed, and the kept finance counts beside it (docs/statistics.md, "Finance").

A feed row carries what the finance figure needs of its trajectory (``money_columns``): the
month its commitment began (the decision, else the start of care), the tariff's price when the
trajectory is linked to a tariff, its claim (state, amount, the months it was submitted and
decided), the month a claim is expected while there is none, and the pro-rata amount the claim
policy would allow for care closed without the result. No date finer than a month leaves here.

``stats_finance_counts`` (``models.StatsFinanceCount``) keeps, per kept set of the finance
figure (``FINANCE_SETS``: none, the category, the profile, the provider), value, domain, kind
and month, the number of trajectories, the sum of their record keys and the sum of their amounts
in cents. One rule says which cells a row counts in, twice written: ``cells`` for a row in
Python (the flush hook's signed deltas, ``FinanceDeltas``) and ``cells_select`` in SQL (the
rebuild per kept set, and the figure with filters no kept set holds, over the filtered feed).
Tests hold the kept table equal to a rebuild after every kind of change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import FILTER_COLUMNS, ClaimState, StatsFinanceCount, StatsTrajectory, set_value

from ..claims import pro_rata
from ..clock import local_date
from . import kept
from .episodes import month_index
from .kept import cents

finance_table = cast(Table, StatsFinanceCount.__table__)
facts = cast(Table, StatsTrajectory.__table__)

# The filter combinations whose cells are kept: those of the results (``kept.FILTER_SETS``:
# none, the intensity, each kept set of the flows). Any other combination reads the feed
# (``cells_select`` over the filtered rows).
FINANCE_SETS = kept.FILTER_SETS

COMMITTED, RELEASED = "committed", "released"
CLAIMED, APPROVED, REFUSED = "claimed", "approved", "refused"
TARIFF, DEVIATING = "tariff", "deviating"
EXPECTED_OPEN, EXPECTED_ACHIEVED, EXPECTED_PARTIAL = (
    "expected_open",
    "expected_achieved",
    "expected_partial",
)
KINDS = (
    COMMITTED,
    RELEASED,
    CLAIMED,
    APPROVED,
    REFUSED,
    TARIFF,
    DEVIATING,
    EXPECTED_OPEN,
    EXPECTED_ACHIEVED,
    EXPECTED_PARTIAL,
)
# kind → (the feed column of its month, the feed column of its amount)
KIND_COLUMNS: dict[str, tuple[str, str]] = {
    COMMITTED: ("commit_month", "price"),
    RELEASED: ("end_month", "price"),
    CLAIMED: ("claim_submitted_month", "claim_amount"),
    APPROVED: ("claim_decided_month", "claim_amount"),
    REFUSED: ("claim_decided_month", "claim_amount"),
    TARIFF: ("commit_month", "price"),
    DEVIATING: ("commit_month", "price"),
    EXPECTED_OPEN: ("expected_month", "price"),
    EXPECTED_ACHIEVED: ("expected_month", "price"),
    EXPECTED_PARTIAL: ("expected_month", "pro_rata_amount"),
}
BATCH = 500

# A kept cell: (set name, value 1, value 2, domain, kind, month).
FinanceCell = tuple[str, str, str, str, str, int]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _get(row: Any, name: str) -> Any:
    return _plain(row[name] if isinstance(row, Mapping) else getattr(row, name))


def _month(moment: datetime | None) -> int | None:
    return None if moment is None else month_index(local_date(moment))


def money_columns(source: Any) -> dict[str, Any]:
    """The feed's money columns of a trajectory: ``source`` has its ``decision_date``,
    ``care_start``, ``planned_start``, ``planned_end``, ``care_end``, ``price``,
    ``result_achieved``, its tariff's price (``tariff_price``, empty without a tariff link) and
    its claim's ``claim_state``, ``claim_amount``, ``claim_submitted_at`` and
    ``claim_decided_at`` (empty without a claim). Claim instants become months of the
    municipality's calendar."""
    start: date | None = source.care_start
    end: date | None = source.care_end
    committed_from = source.decision_date or start
    claimed = source.claim_state is not None
    expected: int | None = None
    partial: Decimal | None = None
    if not claimed:
        expected = month_index(end) if end is not None else month_index(source.planned_end)
    if end is not None and start is not None and not source.result_achieved:
        partial, _counted, _planned = pro_rata(
            source.price, source.planned_start, source.planned_end, start, end
        )
    return {
        "commit_month": month_index(committed_from) if committed_from else None,
        "tariff_price": source.tariff_price,
        "claim_state": _plain(source.claim_state),
        "claim_amount": source.claim_amount,
        "claim_submitted_month": _month(source.claim_submitted_at) if claimed else None,
        "claim_decided_month": _month(source.claim_decided_at) if claimed else None,
        "expected_month": expected,
        "pro_rata_amount": partial,
    }


def cells(row: Any) -> list[tuple[str, int, int]]:
    """(kind, month, cents) of every cell a feed row counts in (``cells_select`` in SQL)."""
    found: list[tuple[str, int, int]] = []
    commit_month = _get(row, "commit_month")
    price = cents(_get(row, "price"))
    if commit_month is not None:
        found.append((COMMITTED, commit_month, price))
        end_month = _get(row, "end_month")
        if end_month is not None:
            found.append((RELEASED, end_month, price))
        tariff = _get(row, "tariff_price")
        if tariff is not None:
            found.append((TARIFF, commit_month, price))
            if cents(tariff) != price:
                found.append((DEVIATING, commit_month, price))
    state = _get(row, "claim_state")
    if state is not None:
        amount = cents(_get(row, "claim_amount"))
        found.append((CLAIMED, _get(row, "claim_submitted_month"), amount))
        decided = {ClaimState.GOEDGEKEURD.value: APPROVED, ClaimState.AFGEWEZEN.value: REFUSED}
        if state in decided:
            found.append((decided[state], _get(row, "claim_decided_month"), amount))
    expected = _get(row, "expected_month")
    if expected is not None:
        if _get(row, "care_end") is None:
            found.append((EXPECTED_OPEN, expected, price))
        elif _get(row, "result_achieved"):
            found.append((EXPECTED_ACHIEVED, expected, price))
        else:
            found.append((EXPECTED_PARTIAL, expected, cents(_get(row, "pro_rata_amount"))))
    return found


def _conditions(kind: str) -> list[ColumnElement[bool]]:
    """Which feed rows count in ``kind`` (as ``cells`` decides), in SQL."""
    c = facts.c
    conditions: dict[str, list[ColumnElement[bool]]] = {
        COMMITTED: [c.commit_month.is_not(None)],
        RELEASED: [c.commit_month.is_not(None), c.end_month.is_not(None)],
        CLAIMED: [c.claim_state.is_not(None)],
        APPROVED: [c.claim_state == ClaimState.GOEDGEKEURD.value],
        REFUSED: [c.claim_state == ClaimState.AFGEWEZEN.value],
        TARIFF: [c.commit_month.is_not(None), c.tariff_price.is_not(None)],
        DEVIATING: [
            c.commit_month.is_not(None),
            c.tariff_price.is_not(None),
            c.tariff_price != c.price,
        ],
        EXPECTED_OPEN: [c.expected_month.is_not(None), c.care_end.is_(None)],
        EXPECTED_ACHIEVED: [
            c.expected_month.is_not(None),
            c.care_end.is_not(None),
            c.result_achieved.is_(True),
        ],
        EXPECTED_PARTIAL: [
            c.expected_month.is_not(None),
            c.care_end.is_not(None),
            (c.result_achieved.is_(False)) | c.result_achieved.is_(None),
        ],
    }
    return conditions[kind]


def cells_select(
    group: Sequence[ColumnElement[Any]], where: Sequence[ColumnElement[bool]] = ()
) -> Select[Any]:
    """One statement over the feed rows that pass ``where``: per ``group`` columns, domain,
    kind and month, the rows, their key sum and the sum of their amounts (in the feed's
    currency; ``cents`` turns it into cents)."""
    parts = []
    for kind in KINDS:
        month_name, amount_name = KIND_COLUMNS[kind]
        month, amount = facts.c[month_name], facts.c[amount_name]
        columns = [*group, facts.c.domain, literal(kind).label("kind"), month.label("month")]
        parts.append(
            select(
                *columns,
                func.count().label("n"),
                func.sum(facts.c.record_key).label("key_sum"),
                func.sum(amount).label("amount"),
            )
            .where(and_(*_conditions(kind), *where))
            .group_by(*group, facts.c.domain, month)
        )
    return cast(Select[Any], union_all(*parts))


class FinanceDeltas:
    """Signed changes to ``stats_finance_counts``: per cell, [n, key sum, cents]."""

    def __init__(self) -> None:
        self.sums: dict[FinanceCell, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add_row(self, row: Any, sign: int) -> None:
        """A feed row comes (+1) or goes (−1) in every cell it counts in."""
        found = cells(row)
        if not found:
            return
        domain = str(_get(row, "domain"))
        key = int(_get(row, "record_key"))
        for named in kept.set_values(row):
            for kind, month, amount in found:
                sums = self.sums[(*named, domain, kind, month)]
                sums[0] += sign
                sums[1] += sign * key
                sums[2] += sign * amount


def _upsert(connection: Connection) -> Any:
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(finance_table)
    return statement.on_conflict_do_update(
        index_elements=list(KEYS),
        set_={name: finance_table.c[name] + statement.excluded[name] for name in SUMS},
    )


KEYS = ("filter_set", "value_1", "value_2", "domain", "kind", "month")
SUMS = ("n", "key_sum", "cents")


def apply(connection: Connection, deltas: FinanceDeltas) -> None:
    """Add the deltas (an upsert, so concurrent transactions add up) and drop the cells that
    count nothing any more."""
    changed = sorted((cell, sums) for cell, sums in deltas.sums.items() if any(sums))
    if not changed:
        return
    connection.execute(
        _upsert(connection),
        [
            {**dict(zip(KEYS, cell, strict=True)), **dict(zip(SUMS, sums, strict=True))}
            for cell, sums in changed
        ],
    )
    emptied = [cell for cell, sums in changed if sums[0] < 0]
    if emptied:
        connection.execute(
            delete(finance_table).where(
                *(finance_table.c[name] == bindparam(f"k_{name}") for name in KEYS),
                finance_table.c.n == 0,
            ),
            [
                {f"k_{name}": value for name, value in zip(KEYS, cell, strict=True)}
                for cell in emptied
            ],
        )


def rebuild(connection: Connection) -> None:
    """``stats_finance_counts`` derived again from the feed, one statement per kept set."""
    connection.execute(delete(finance_table))
    for names in FINANCE_SETS:
        group = [facts.c[FILTER_COLUMNS[name]] for name in names]
        rows = []
        for row in connection.execute(
            cells_select(group, [column.is_not(None) for column in group])
        ):
            values = list(row)
            filter_set, value_1, value_2 = set_value(names, values[: len(group)])
            domain, kind, month, n, key_sum, amount = values[len(group) :]
            rows.append(
                {
                    "filter_set": filter_set,
                    "value_1": value_1,
                    "value_2": value_2,
                    "domain": str(_plain(domain)),
                    "kind": kind,
                    "month": month,
                    "n": n,
                    "key_sum": int(key_sum or 0),
                    "cents": cents(amount),
                }
            )
        for start in range(0, len(rows), 5_000):
            connection.execute(finance_table.insert(), rows[start : start + 5_000])
