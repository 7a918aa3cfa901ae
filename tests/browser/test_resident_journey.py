"""A gids corrects a resident (a wrong postcode is named and the typed values stay) and hands the
household over to a colleague, who then has the running trajectory as own work."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from workflows import clock
from workflows import trajectories as wf

from ..factories import World
from .helpers import log_in, running_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_gids_corrects_a_resident_and_hands_the_household_over(
    page: Page, live_server: str, live_world: World
) -> None:
    base = live_server
    trajectory_id, _evaluation = running_trajectory(
        live_world, [wf.ResultInput("Anna doet zelf haar administratie", "Maandelijks")]
    )

    log_in(page, base, live_world.gids.email)
    expect(page.locator(f'a[href="/gids/trajecten/{trajectory_id}"]')).to_be_visible()
    page.get_by_role("link", name="Inwoners").click()
    page.get_by_label("Naam of BSN").fill("vries")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="Anna de Vries").click()
    resident_url = page.url

    page.get_by_role("link", name="Gegevens wijzigen").click()
    page.get_by_label("Adres (straat en huisnummer)").fill("De Schalm 12")
    page.get_by_label("Postcode").fill("82AB")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_text("Een postcode heeft de vorm 1234AB.")).to_be_visible()
    expect(page.get_by_label("Adres (straat en huisnummer)")).to_have_value("De Schalm 12")
    page.get_by_label("Postcode").fill("8251 ab")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_text("De gegevens van Anna zijn opgeslagen.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("De Schalm 12")
    expect(page.locator("dl.facts")).to_contain_text("8251AB")

    # The closure a death would bring is shown first; leaving the page records nothing.
    page.get_by_role("link", name="Verhuizing of overlijden vastleggen").click()
    page.get_by_label("Overleden", exact=True).check()
    page.get_by_label("Datum").fill(clock.today().isoformat())
    page.get_by_role("button", name="Bekijk wat er wordt afgesloten").click()
    expect(page.locator("table")).to_contain_text("02")
    expect(page.get_by_role("button", name="Vastleggen en afsluiten")).to_be_visible()
    page.get_by_role("link", name="Annuleren").click()
    expect(page.locator("dl.facts")).not_to_contain_text("Overleden op")

    page.get_by_role("link", name="Huishouden overdragen").click()
    page.get_by_label("Nieuwe gids").select_option(label=live_world.gids2.name)
    page.get_by_role("button", name="Huishouden overdragen").click()
    expect(page.get_by_text("Het huishouden is overgedragen")).to_be_visible()
    expect(page.locator(f'a[href="/gids/trajecten/{trajectory_id}"]')).to_have_count(0)
    page.goto(resident_url)
    expect(page.get_by_role("link", name="Gegevens wijzigen")).to_have_count(0)
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, base, live_world.gids2.email)
    expect(page.get_by_role("heading", name="Mijn caseload")).to_be_visible()
    page.locator(f'a[href="/gids/trajecten/{trajectory_id}"]').click()
    expect(page.locator(".lead")).to_contain_text("Zorg gestart")
    page.goto(resident_url)
    expect(page.locator("dl.facts")).to_contain_text(live_world.gids2.name)
    expect(page.get_by_role("link", name="Gegevens wijzigen")).to_be_visible()
