"""The journey a new user does by hand: a gids logs in, makes a trajectory with two results,
sends it to the provider; the provider accepts it and registers the start of care."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from workflows import clock

from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_gids_sends_a_trajectory_and_the_provider_accepts_and_starts_it(
    page: Page, live_server: str, live_world: World
) -> None:
    base = live_server
    today = clock.today().isoformat()

    log_in(page, base, live_world.gids.email)
    expect(page.get_by_role("heading", name="Mijn caseload")).to_be_visible()

    page.get_by_role("link", name="Inwoners").click()
    page.get_by_label("Naam of BSN").fill("vries")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="Anna de Vries").click()
    page.get_by_role("link", name="Nieuw traject").click()

    page.get_by_label("Ondersteuningsprofiel").select_option(
        label="Begeleiding individueel (WMO-BG)"
    )
    page.get_by_label("Intensiteit").select_option(label="Middel")
    page.get_by_label("Geplande startdatum").fill(today)
    page.get_by_role("button", name="Tarief en aanbieders tonen").click()
    expect(page.locator(".tariff")).to_contain_text("3.800,00")
    provider = page.get_by_label("Aanbieder (hoofdaannemer)")
    # Only main contractors for WMO-BG: the prompt, Zorg A and Zorg B (not C or D).
    expect(provider.locator("option")).to_have_count(3)
    expect(provider).not_to_contain_text("Zorg D")
    provider.select_option(label="Zorg A (AGB 12345678)")

    page.locator("#results-0-description").fill("Anna doet zelf haar administratie")
    page.locator("#results-0-measure").fill("Maandelijks samen bekeken")
    page.get_by_role("button", name="Nog een resultaat toevoegen").click()
    page.locator("#results-1-description").fill("Anna gaat twee keer per week naar de buurtkamer")
    page.get_by_role("button", name="Opslaan als concept").click()

    expect(page.get_by_text("Het traject is opgeslagen als concept.")).to_be_visible()
    expect(page.get_by_text("Anna gaat twee keer per week naar de buurtkamer")).to_be_visible()
    page.get_by_role("button", name="Versturen naar aanbieder").click()
    expect(page.get_by_text("Het traject is naar Zorg A verstuurd.")).to_be_visible()
    trajectory_url = page.url
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, base, live_world.aanbieder_a.email)
    page.get_by_role("link", name="Nieuwe voorstellen").click()
    page.get_by_role("link", name="Anna de Vries").click()
    page.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_text("U heeft het traject geaccepteerd.")).to_be_visible()
    page.get_by_label("Eerste dag van de zorg").fill(today)
    page.get_by_role("button", name="Start zorg registreren").click()
    expect(page.get_by_text("De start van de zorg is geregistreerd.")).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Zorg gestart")
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, base, live_world.gids.email)
    page.goto(trajectory_url)
    expect(page.locator(".lead")).to_contain_text("Zorg gestart")
    expect(page.locator(".timeline")).to_contain_text("Start zorg geregistreerd")
