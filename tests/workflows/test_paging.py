"""Paging: the count stops at its cap, the pager does not."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Trajectory
from workflows.paging import page_number, paginate

from ..factories import World, make_trajectory


def _page(session: Session, page: int, cap: int):
    return paginate(
        session,
        select(Trajectory.id),
        select(Trajectory.id).order_by(Trajectory.id),
        page=page,
        per_page=2,
        convert=lambda row: row[0],
        cap=cap,
    )


def test_past_the_cap_the_pager_goes_on_while_rows_do(session: Session, world: World) -> None:
    made = [make_trajectory(session, world).id for _ in range(5)]
    pages = [_page(session, number, cap=3) for number in (1, 2, 3, 4)]
    assert [list(p.items) for p in pages] == [made[0:2], made[2:4], made[4:], []]
    assert [p.has_next for p in pages] == [True, True, False, False]
    assert [p.has_prev for p in pages] == [False, True, True, True]
    assert {(p.total, p.more, p.pages) for p in pages} == {(3, True, None)}


def test_under_the_cap_a_page_past_the_end_shows_the_last(session: Session, world: World) -> None:
    made = [make_trajectory(session, world).id for _ in range(5)]
    last = _page(session, 99, cap=1000)
    assert (list(last.items), last.page, last.pages, last.has_next) == ([made[4]], 3, 3, False)


@pytest.mark.parametrize(
    ("raw", "number"),
    [(None, 1), ("", 1), ("0", 1), ("-2", 1), ("abc", 1), ("²", 1), ("7", 7), ("9" * 7, 1)],
)
def test_a_page_number_is_a_whole_number_of_at_least_one(raw: object, number: int) -> None:
    assert page_number(raw) == number
