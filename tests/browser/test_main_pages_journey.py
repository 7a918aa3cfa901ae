"""Every role's main pages in Chromium, opened as a person would: after the login, every link
of the header (the main menu and *Mijn account*) and every tab on those pages. The links are
read from the page, so a page that is added to a menu later is walked too — and checked with
axe-core, like every page of the browser journeys (accessibility.py). Also the pages between the
password and the work: a wrong password, setting up the second factor again after a beheerder
cleared it, the recovery codes; and a form sent empty, whose messages a screen reader must read
at the fields."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.extensions import db
from models import Domain, Resident, User
from workflows import clock
from workflows import trajectories as wf
from workflows.aanmeldingen import register_aanmelding

from ..factories import PASSWORD, World
from .helpers import log_in, running_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ANY = re.compile(".*")


def _open(page: Page, link_area: str, href: str) -> None:
    """Click the link to ``href`` as a user would and wait for its page."""
    page.locator(f'{link_area} a[href="{href}"]').first.click()
    page.wait_for_url(lambda url: url.endswith(href))
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _hrefs(page: Page, selector: str) -> list[str]:
    found = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(found))


def visit_the_main_pages(page: Page) -> list[str]:
    """Every page of the header (menu and account) and, on each, every tab; returns the paths."""
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    visited = []
    for href in _hrefs(page, "header nav a, header .account a"):
        _open(page, "header", href)
        visited.append(href)
        for tab in _hrefs(page, "nav.tabs a"):
            _open(page, "nav.tabs", tab)
            visited.append(tab)
    return visited


@pytest.fixture
def cases(live_world: World, figures: str) -> None:  # noqa: F811
    """Rows in the lists: a running trajectory with an evaluation due, a request without a
    trajectory, and statistics (the ``figures`` of the dashboard test)."""
    running_trajectory(live_world, [wf.ResultInput("Anna doet zelf haar administratie")])
    assert db.engine is not None
    with Session(db.engine) as session:
        resident = session.get(Resident, live_world.child.id)
        gids = session.get(User, live_world.gids.id)
        assert resident is not None and gids is not None
        register_aanmelding(
            session,
            resident,
            gids,
            request_date=clock.today() - timedelta(days=3),
            domain=Domain.JEUGD,
            question="Bram wil weer naar school",
            today=clock.today(),
        )
        session.commit()


@pytest.mark.parametrize(
    ("account", "second_factor", "pages"),
    [("gids", True, 5), ("aanbieder_a", True, 4), ("manager", False, 3), ("beheerder", True, 10)],
)
def test_each_role_opens_every_page_of_its_menu_and_every_tab(
    page: Page,
    live_server: str,
    live_world: World,
    cases: None,
    account: str,
    second_factor: bool,
    pages: int,
) -> None:
    log_in(page, live_server, getattr(live_world, account).email, second_factor=second_factor)
    visited = visit_the_main_pages(page)
    assert "/account" in visited
    assert len(visited) >= pages, visited


def test_a_beheerder_clears_a_second_factor_and_the_gids_sets_it_up_again(
    page: Page, live_server: str, live_world: World
) -> None:
    log_in(page, live_server, live_world.beheerder.email)
    page.get_by_role("link", name="Accounts").click()
    row = page.get_by_role("row", name=live_world.gids2.email)
    row.get_by_role("button", name="Tweede factor wissen").click()
    expect(page.get_by_role("row", name=live_world.gids2.email)).to_contain_text("nog niet")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()

    log_in(page, live_server, live_world.gids2.email, second_factor=False)
    expect(page.get_by_role("heading", name="Tweede factor instellen")).to_be_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("heading", name="Uw herstelcodes")).to_be_visible()
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    expect(page.get_by_role("heading", name="Mijn caseload")).to_be_visible()


def test_a_tired_user_hears_at_each_field_what_is_wrong(
    page: Page, live_server: str, live_world: World
) -> None:
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(live_world.gids.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD + "x")
    page.get_by_role("button", name="Inloggen").click()
    password = page.get_by_label("Wachtwoord")
    expect(password).to_have_accessible_description(re.compile("Onbekende combinatie"))
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mailadres")).not_to_have_attribute("aria-invalid", ANY)

    log_in(page, live_server, live_world.gids.email)
    page.get_by_role("link", name="Inwoners").click()
    page.get_by_role("link", name="Nieuwe inwoner registreren").click()
    page.get_by_role("button", name="Inwoner opslaan").click()

    bsn = page.get_by_role("textbox", name="BSN", exact=True)
    expect(bsn).to_have_attribute("aria-invalid", "true")
    expect(bsn).to_have_accessible_description(
        "9 cijfers; het BSN wordt gecontroleerd met de elfproef. Vul het BSN in."
    )
    expect(page.get_by_label("Voornaam")).to_have_accessible_description("Vul de voornaam in.")
    postcode = page.get_by_label("Postcode")  # optional: no error, only its hint
    expect(postcode).not_to_have_attribute("aria-invalid", ANY)
    expect(postcode).to_have_accessible_description("Bijvoorbeeld 8251AB.")
    expect(page.get_by_label("Wijk of kern")).not_to_have_attribute("aria-describedby", ANY)
