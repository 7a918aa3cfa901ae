"""The yearly budget per product category (*begroting*), kept by the beheerder. Every change
goes through here and is written to the change log (``config_log``); the finance figure reads
the budgets of a year beside committed spend and its forecast (docs/statistics.md, "Budget and
forecast")."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Budget, ProductCategory, User

from . import config_log
from .errors import N_, DomainError, NotFound, Problem
from .guards import require_beheerder
from .paging import Page, paginate_objects
from .uniqueness import refusing_duplicates

BUDGET = "begroting"  # the change log's kind of object
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_BUDGET = Decimal("10000000000")  # ten billion euros: a typing error beyond it
PER_PAGE = 50


def budgets(session: Session, *, page: int = 1, per_page: int = PER_PAGE) -> Page[Budget]:
    """The budgets, the latest year first, then by category, one page at a time."""
    return paginate_objects(
        session,
        select(Budget).order_by(Budget.year.desc(), Budget.category_code),
        page=page,
        per_page=per_page,
    )


def budgets_of_year(session: Session, year: int) -> dict[str, Decimal]:
    """Category code → the budget of ``year``, for the categories that have one."""
    return {
        code: amount
        for code, amount in session.execute(
            select(Budget.category_code, Budget.amount).where(Budget.year == year)
        )
    }


def _label(year: int, category: ProductCategory) -> str:
    return f"{year} · {category.code} {category.name}"


def set_budget(
    session: Session, actor: User, *, year: int, category_code: str, amount: Decimal | int
) -> Budget:
    """Record (or correct) the budget of a product category in a year, in euros."""
    require_beheerder(actor)
    problems: list[Problem] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems.append(Problem(N_("Kies een jaar tussen 2000 en 2100."), "year"))
    category = session.get(ProductCategory, category_code) if category_code else None
    if category is None:
        problems.append(Problem(N_("Kies een productcategorie uit de lijst."), "category_code"))
    value = Decimal(amount)
    if not 0 <= value < MAX_BUDGET:
        problems.append(Problem(N_("Vul een bedrag in van 0 tot 10 miljard euro."), "amount"))
    if problems:
        raise DomainError.from_problems(problems)
    assert category is not None
    value = value.quantize(Decimal("0.01"))
    row = session.scalars(
        select(Budget).where(Budget.year == year, Budget.category_code == category.code)
    ).one_or_none()
    if row is None:
        row = Budget(year=year, category_code=category.code, amount=value)
        with refusing_duplicates(session):  # the same year and category at the same moment
            session.add(row)
        config_log.record(
            session,
            actor,
            BUDGET,
            row.id,
            _label(year, category),
            config_log.CREATED,
            {"amount": (None, value)},
        )
    else:
        config_log.assign(session, actor, row, BUDGET, _label(year, category), {"amount": value})
    return row


def remove_budget(session: Session, actor: User, budget_id: int) -> None:
    require_beheerder(actor)
    row = session.get(Budget, budget_id)
    if row is None:
        raise NotFound(N_("Deze begroting bestaat niet (meer)."))
    config_log.record(
        session,
        actor,
        BUDGET,
        row.id,
        _label(row.year, row.category),
        config_log.DELETED,
        {"amount": (row.amount, None)},
    )
    session.delete(row)
    session.flush()
