"""A manager opens the finance page: committed spend over time as a chart, the table per month
with amounts in euros, the claims expected, and the budget with its forecast and a warning where
the forecast exceeds it; the link in the tabs leads there."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.extensions import db
from models import Budget
from workflows.stats.feed import rebuild_aggregates

from ..app.test_stats_finance_views import rows_times
from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def money(app: Flask, live_world: World) -> None:
    with Session(db.engine) as session:
        session.add_all(rows_times(6))
        session.add(Budget(year=2021, category_code="45", amount=Decimal("10000.00")))
        session.flush()
        rebuild_aggregates(session.connection())
        session.commit()


def test_a_manager_opens_the_finance_page(
    page: Page, live_server: str, live_world: World, money: None
) -> None:
    log_in(page, live_server, live_world.manager.email, second_factor=False)
    page.get_by_role("link", name="Financiën").click()
    expect(page.get_by_role("heading", name="Financiën", exact=True)).to_be_visible(timeout=20_000)

    page.get_by_label("Van (maand)").fill("2021-01")
    page.get_by_label("Tot en met (maand)").fill("2021-06")
    page.get_by_label("Domein").select_option(label="Jeugd")
    page.get_by_role("button", name="Tonen").click()

    expect(
        page.get_by_role("img", name="Verplichtingen aan het eind van elke maand (euro)")
    ).to_be_visible()
    table = page.get_by_role("table", name="Verplichtingen en declaraties per maand")
    march = table.get_by_role("row", name="2021-03")
    amount = march.get_by_role("cell").nth(1).inner_text()
    assert amount.startswith("€")
    expect(page.get_by_role("table", name="Totaal over de periode")).to_be_visible()
    expect(page.get_by_text("Verwachte declaraties per maand vanaf")).to_be_visible()
    expect(page.get_by_text("de cijfers licht verstoord").last).to_be_visible()
    # The budget of 2021 (€ 10.000) is far below the forecast: the page says so first.
    expect(page.get_by_role("heading", name="Prognose boven de begroting")).to_be_visible()
    expect(page.get_by_text("Let op: de prognose voor Jeugd · 45")).to_be_visible()
    budget = page.get_by_role("table", name=re.compile("^Begroting 2021"))
    expect(budget.get_by_role("row", name=re.compile("Jeugd · 45"))).to_contain_text("ja, €")
