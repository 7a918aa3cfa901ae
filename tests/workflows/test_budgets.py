"""The yearly budget per product category: kept by the beheerder only, checked with Dutch
messages, every change in the change log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Budget, ConfigChange
from workflows import budgets
from workflows.errors import DomainError, NotFound

from ..factories import World


def test_a_budget_is_recorded_corrected_and_removed_with_the_change_log(
    session: Session, world: World
) -> None:
    row = budgets.set_budget(
        session, world.beheerder, year=2021, category_code="45", amount=1_250_000
    )
    assert (row.year, row.category_code, row.amount) == (2021, "45", Decimal("1250000.00"))
    again = budgets.set_budget(
        session, world.beheerder, year=2021, category_code="45", amount=1_300_000
    )
    assert again.id == row.id
    assert budgets.budgets_of_year(session, 2021) == {"45": Decimal("1300000.00")}
    budgets.remove_budget(session, world.beheerder, row.id)
    assert session.scalars(select(Budget)).all() == []
    logged = session.scalars(
        select(ConfigChange)
        .where(ConfigChange.object_type == "begroting")
        .order_by(ConfigChange.id)
    ).all()
    assert [(c.action, c.old, c.new) for c in logged] == [
        ("aangemaakt", None, "1250000,00"),
        ("gewijzigd", "1250000,00", "1300000,00"),
        ("verwijderd", "1300000,00", None),
    ]


@pytest.mark.parametrize(
    ("year", "category", "amount", "field"),
    [
        (1999, "45", 10, "year"),
        (2021, "99", 10, "category_code"),
        (2021, "", 10, "category_code"),
        (2021, "45", -1, "amount"),
        (2021, "45", 10**11, "amount"),
    ],
)
def test_a_bad_budget_is_refused_at_its_field(
    session: Session, world: World, year: int, category: str, amount: int, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        budgets.set_budget(
            session, world.beheerder, year=year, category_code=category, amount=amount
        )
    assert [p.field for p in refused.value.problems] == [field]
    assert session.scalars(select(Budget)).all() == []


def test_only_the_beheerder_keeps_budgets(session: Session, world: World) -> None:
    for someone in (world.gids, world.manager, world.aanbieder_a):
        with pytest.raises(DomainError):
            budgets.set_budget(session, someone, year=2021, category_code="45", amount=10)
    with pytest.raises(NotFound):
        budgets.remove_budget(session, world.beheerder, 999_999)
