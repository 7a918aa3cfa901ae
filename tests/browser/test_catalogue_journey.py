"""The municipality runs the catalogue itself: the beheerder adds a provider, gives it a
contract, adds a tariff version and makes the profile default to a lasting need; a gids then
makes a trajectory that offers the new provider, is priced at the new tariff and starts with the
profile's need type until the gids chooses another."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from workflows import clock

from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_new_provider_contract_and_tariff_reach_the_gids_trajectory_form(
    page: Page, live_server: str, live_world: World
) -> None:
    base = live_server
    today = clock.today().isoformat()

    log_in(page, base, live_world.beheerder.email)
    page.get_by_role("link", name="Aanbieders", exact=True).click()
    page.get_by_label("Naam").fill("Zorg Nieuw")
    page.get_by_label("AGB-code (8 cijfers)").fill("0123456")
    page.get_by_role("button", name="Aanbieder toevoegen").click()
    expect(page.locator("#agb_code-err")).to_have_text(
        "Een AGB-code bestaat uit precies 8 cijfers."
    )
    expect(page.get_by_label("Naam")).to_have_value("Zorg Nieuw")
    page.get_by_label("AGB-code (8 cijfers)").fill("01234567")
    page.get_by_role("button", name="Aanbieder toevoegen").click()
    expect(page.get_by_text("De aanbieder is toegevoegd.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorg Nieuw · AGB 01234567")

    page.locator("#nieuw-profile_id").select_option(label="WMO-BG · Begeleiding individueel")
    page.get_by_label("Hoofdaannemer").check()
    page.locator("#nieuw-valid_from").fill(today)
    page.get_by_role("button", name="Contract toevoegen").click()
    expect(page.get_by_text("Het contract is toegevoegd.")).to_be_visible()
    expect(page.get_by_role("heading", level=3)).to_contain_text("WMO-BG")

    page.get_by_role("link", name="Catalogus", exact=True).click()
    page.get_by_role("link", name="WMO-BG · Begeleiding individueel").click()
    page.locator("#tarief-intensity").select_option(label="Middel")
    page.locator("#tarief-valid_from").fill(today)
    page.locator("#tarief-price").fill("4.100,00")
    page.locator("#tarief-standard_duration_weeks").fill("26")
    page.locator("#tarief-evaluation_interval_months").fill("6")
    page.get_by_role("button", name="Tariefversie toevoegen").click()
    expect(page.get_by_text("De tariefversie is toegevoegd.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("4.100,00")
    page.get_by_label("Blijvend").check()
    page.get_by_role("button", name="Profiel opslaan").click()
    expect(page.get_by_text("Het profiel is opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Blijvend")).to_be_checked()
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, base, live_world.gids.email)
    page.get_by_role("link", name="Inwoners").click()
    page.get_by_label("Naam of BSN").fill("vries")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="Anna de Vries").click()
    page.get_by_role("link", name="Nieuw traject").click()
    expect(page.get_by_label("Eindig (tijdelijk)")).to_be_checked()
    page.get_by_label("Ondersteuningsprofiel").select_option(
        label="Begeleiding individueel (WMO-BG)"
    )
    # the script preselects the profile's need type ...
    expect(page.get_by_label("Blijvend")).to_be_checked()
    expect(page.locator(".tariff")).to_contain_text(
        "Soort ondersteuningsbehoefte volgens het profiel: Blijvend."
    )
    # ... until the gids chooses one: then neither the script nor the button changes it
    page.get_by_label("Eindig (tijdelijk)").check()
    page.get_by_label("Intensiteit").select_option(label="Middel")
    page.get_by_label("Geplande startdatum").fill(today)
    page.get_by_role("button", name="Tarief en aanbieders tonen").click()
    expect(page.locator(".tariff")).to_contain_text("4.100,00")
    expect(page.get_by_label("Eindig (tijdelijk)")).to_be_checked()
    page.get_by_label("Aanbieder (hoofdaannemer)").select_option(label="Zorg Nieuw (AGB 01234567)")
    page.locator("#results-0-description").fill("Anna doet zelf haar administratie")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_text("Het traject is opgeslagen als concept.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("4.100,00")
    expect(page.locator("main")).to_contain_text("Zorg Nieuw")
