"""A new colleague in Chromium: the beheerder makes the account in the browser (no password),
passes on the invitation link (no mail server on a test machine), and the colleague chooses a
password, sets up the second factor and starts work. Every page on the way is checked with
axe-core (accessibility.py)."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_new_gids_is_invited_chooses_a_password_and_sets_up_the_second_factor(
    page: Page, live_server: str, live_world: World
) -> None:
    log_in(page, live_server, live_world.beheerder.email)
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="Nieuw account").click()
    page.get_by_label("Naam").fill("Nieuwe Gids")
    page.get_by_label("E-mailadres").fill("nieuwe.gids@dronten.nl")
    page.get_by_label("Rol").select_option("gids")
    page.get_by_role("button", name="Account aanmaken en uitnodiging sturen").click()
    notice = page.locator(".flash").filter(has_text="/uitnodiging/")
    found = re.search(r"https?://\S+(/uitnodiging/[\w-]+)", notice.inner_text())
    assert found is not None
    link = live_server + found.group(1)  # the link names BASE_URL; the test server runs elsewhere
    expect(page.get_by_role("row", name="nieuwe.gids@dronten.nl")).to_contain_text("uitgenodigd")
    page.get_by_role("button", name="Uitloggen").click()

    page.goto(link)
    expect(page.get_by_role("heading", name="Welkom bij Trajectwijzer")).to_be_visible()
    page.get_by_label(re.compile(r"^Nieuw wachtwoord\b(?! \(nog)")).fill("kort")
    page.get_by_label("Nieuw wachtwoord (nog een keer)").fill("kort")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(
        page.get_by_label(re.compile(r"^Nieuw wachtwoord\b(?! \(nog)"))
    ).to_have_accessible_description(re.compile("ten minste 10 tekens"))
    page.get_by_label(re.compile(r"^Nieuw wachtwoord\b(?! \(nog)")).fill("een-goed-wachtwoord")
    page.get_by_label("Nieuw wachtwoord (nog een keer)").fill("een-goed-wachtwoord")
    page.get_by_role("button", name="Wachtwoord instellen").click()

    expect(page.get_by_role("heading", name="Tweede factor instellen")).to_be_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("heading", name="Uw herstelcodes")).to_be_visible()
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    expect(page.get_by_role("heading", name="Mijn caseload")).to_be_visible()

    page.get_by_role("button", name="Uitloggen").click()
    page.goto(link)  # the link worked once
    expect(page.get_by_text("Deze link werkt niet (meer)")).to_be_visible()
