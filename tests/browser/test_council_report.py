"""A manager opens the council report from the menu, writes a commentary on one figure and
saves it: the page says so and shows the text again in its field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_manager_saves_a_commentary_on_the_council_report(
    page: Page, live_server: str, live_world: World
) -> None:
    log_in(page, live_server, live_world.manager.email, second_factor=False)
    page.get_by_role("link", name="Raadsrapportage").click()
    expect(page.get_by_role("heading", name="Raadsrapportage", exact=True)).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_role("heading", name="Definities")).to_be_visible()
    field = page.get_by_label("Toelichting bij Nieuwe verplichtingen (Jeugd)")
    field.fill("Meer beschikkingen door de wachtlijst.")
    page.get_by_role("button", name="Toelichting opslaan").click()
    expect(page.get_by_text("De toelichting is opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Toelichting bij Nieuwe verplichtingen (Jeugd)")).to_have_value(
        "Meer beschikkingen door de wachtlijst."
    )
