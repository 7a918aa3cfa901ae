"""A manager opens the finance page: committed spend over time as a chart, the table per month
with amounts in euros, and the claims expected; the link in the tabs leads there."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.extensions import db
from workflows.stats.feed import rebuild_aggregates

from ..app.test_stats_finance_views import rows_times
from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def money(app: Flask, live_world: World) -> None:
    with Session(db.engine) as session:
        session.add_all(rows_times(6))
        session.flush()
        rebuild_aggregates(session.connection())
        session.commit()


def test_a_manager_opens_the_finance_page(
    page: Page, live_server: str, live_world: World, money: None
) -> None:
    log_in(page, live_server, live_world.manager.email, second_factor=False)
    page.get_by_role("link", name="Financiën").click()
    expect(page.get_by_role("heading", name="Financiën")).to_be_visible()

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
