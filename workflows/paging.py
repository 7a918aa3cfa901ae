"""Paging for every list: one page of rows at a time, and a count that stops at a cap.

Why a cap: a list never needs to know more than "over a thousand", and counting a caseload of
50,000 on every page view cost more than rendering the page (bench/README.md). Why the cap must
not stop the pager: the rows go on after the thousandth, so the pager must too. Each page
therefore reads one row more than it shows; while that row exists there is a next page,
whether or not the count got that far ("Pagina 41", "Volgende" — never a dead end at page 40).

When the count is complete the page number is clamped to the last page (a stale bookmark to
page 99 of a list that shrank shows its last page); beyond the cap it cannot be, and a page past
the end is simply empty with a link back.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

COUNT_CAP = 1000
# Page numbers beyond this name nothing (and keep OFFSET bounded); a longer one means page 1.
MAX_PAGE_DIGITS = 6


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. ``total`` is the number of rows, counted up to ``COUNT_CAP``; ``more``
    says the count stopped there. ``pages`` is None when the number of pages is not known."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int
    more: bool = False
    has_next: bool = False

    @property
    def pages(self) -> int | None:
        if self.more:
            return None
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    def map(self, convert: Callable[[T], Any]) -> Page[Any]:
        """The same page with each item converted (e.g. a row to what the template shows)."""
        return Page(
            items=[convert(item) for item in self.items],
            total=self.total,
            page=self.page,
            per_page=self.per_page,
            more=self.more,
            has_next=self.has_next,
        )


def page_number(raw: object) -> int:
    """The page asked for in a query string or form: a whole number ≥ 1, else 1."""
    text = "" if raw is None else str(raw)
    if not text.isdecimal() or len(text) > MAX_PAGE_DIGITS:
        return 1
    return max(1, int(text))


def count_capped(session: Session, ids: Select[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """The number of rows ``ids`` selects, counted up to ``cap``, and whether there are more."""
    capped = ids.limit(cap + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped)) or 0
    return min(total, cap), total > cap


def paginate(
    session: Session,
    ids: Select[Any],
    rows: Select[*tuple[Any, ...]],
    *,
    page: int,
    per_page: int,
    convert: Callable[[Any], T],
    cap: int = COUNT_CAP,
) -> Page[T]:
    """Count what ``ids`` selects (up to ``cap``) and read page ``page`` of ``rows`` (ordered
    already) as plain rows — one row more than shown, to know whether a next page exists.
    ``convert`` turns a result row into the item shown."""
    total, more = count_capped(session, ids, cap)
    page = _within(page, per_page, total, more)
    result = session.execute(rows.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return _page([convert(row) for row in result[:per_page]], total, page, per_page, more, result)


def paginate_objects(
    session: Session,
    rows: Select[T],
    *,
    page: int,
    per_page: int,
    ids: Select[Any] | None = None,
    cap: int = COUNT_CAP,
) -> Page[T]:
    """The same for a statement that selects one entity (ORM objects, loaded — and so audited
    — as usual). ``ids`` is the statement to count, by default ``rows`` without its order."""
    total, more = count_capped(session, rows.order_by(None) if ids is None else ids, cap)
    page = _within(page, per_page, total, more)
    result = session.scalars(rows.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return _page(list(result[:per_page]), total, page, per_page, more, result)


def _within(page: int, per_page: int, total: int, more: bool) -> int:
    """The page to show: at least 1; at most the last one when the count is complete."""
    page = max(1, page)
    return page if more else min(page, max(1, math.ceil(total / per_page)))


def _page(
    items: list[T], total: int, page: int, per_page: int, more: bool, read: Sequence[Any]
) -> Page[T]:
    return Page(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        more=more,
        has_next=len(read) > per_page,
    )
