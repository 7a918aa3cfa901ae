"""The gids's daily work in a real browser: a proposal the provider returned is on the first
screen after login and found with the inbox filter; on the trajectory form the tariff follows
the intensity at once (the script asks the server; no button pressed)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.extensions import db
from models import TaskKind, User
from workflows import clock
from workflows import trajectories as wf
from workflows.inbox import add_task

from ..factories import World, trajectory_input
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RETURNED = "Voorstel teruggestuurd door de aanbieder"


def _returned_proposal(world: World) -> int:
    """Anna's begeleiding, sent to Zorg A and returned ("Geen plek"); the gids also has an
    older signal of another kind. Returns the trajectory's id."""
    today = clock.today()
    assert db.engine is not None
    with Session(db.engine, expire_on_commit=False) as session:
        gids = session.get(User, world.gids.id)
        provider = session.get(User, world.aanbieder_a.id)
        assert gids is not None and provider is not None
        other = wf.create_trajectory(
            session, trajectory_input(world, planned_start=today), gids, today=today
        )
        add_task(session, TaskKind.TERMIJN_VERSTREKEN, other, user_id=gids.id, due_on=today)
        t = wf.create_trajectory(
            session,
            trajectory_input(world, planned_start=today + timedelta(days=7)),
            gids,
            today=today,
        )
        wf.propose(session, t, gids, today)
        wf.return_to_gids(session, t, provider, "Geen plek", today)
        session.commit()
        return t.id


def test_a_returned_proposal_is_on_the_first_screen_and_found_by_the_filter(
    page: Page, live_server: str, live_world: World
) -> None:
    trajectory_id = _returned_proposal(live_world)
    log_in(page, live_server, live_world.gids.email)

    expect(page.get_by_role("heading", name="Mijn caseload")).to_be_visible()
    first_screen = page.locator("section.handovers")
    expect(first_screen).to_contain_text(RETURNED)
    expect(first_screen).not_to_contain_text("Termijn verstreken")

    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name=re.compile(r"^Taken")).click()
    expect(page.locator("table tbody tr")).to_have_count(2)
    page.get_by_label("Soort taak").select_option(value="teruggestuurd")
    page.get_by_label("Sorteren op").select_option(value="nieuwste")
    page.get_by_role("button", name="Tonen").click()

    expect(page).to_have_url(
        f"{live_server}/gids/taken?soort=teruggestuurd&domein=&volgorde=nieuwste"
    )
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(RETURNED)
    rows.first.get_by_role("link", name=RETURNED).click()
    expect(page).to_have_url(f"{live_server}/gids/trajecten/{trajectory_id}")
    expect(page.locator(".lead").first).to_contain_text("Teruggestuurd")


def test_the_tariff_follows_the_intensity_without_the_button(
    page: Page, live_server: str, live_world: World
) -> None:
    log_in(page, live_server, live_world.gids.email)
    page.goto(f"{live_server}/gids/inwoners/{live_world.adult.id}/trajecten/nieuw")
    page.get_by_label("Ondersteuningsprofiel").select_option(
        label="Begeleiding individueel (WMO-BG)"
    )
    page.get_by_label("Intensiteit").select_option(label="Middel")
    tariff = page.locator("#tariff-preview")
    expect(tariff).to_contain_text("€ 3.800,00")
    provider = page.get_by_label("Aanbieder (hoofdaannemer)")
    expect(provider.locator("option")).to_have_count(3)  # the prompt, Zorg A and Zorg B

    page.get_by_label("Intensiteit").select_option(label="Zwaar")
    expect(tariff).to_contain_text("€ 5.400,00")
    provider.select_option(label="Zorg B (AGB 87654321)")

    page.get_by_label("Ondersteuningsprofiel").select_option(
        label="Hulp bij het huishouden (WMO-HH)"
    )
    expect(tariff).to_contain_text("€ 2.600,00")
    expect(provider.locator("option")).to_have_count(2)  # the prompt and Zorg A (D's ended)
    page.get_by_label("Intensiteit").select_option(label="Middel")  # not for household help
    expect(tariff).to_contain_text("Toegestane intensiteiten voor dit profiel: Laag, Zwaar.")


def test_the_end_question_appears_when_the_start_moves(
    page: Page, live_server: str, live_world: World
) -> None:
    today = clock.today()
    assert db.engine is not None
    with Session(db.engine, expire_on_commit=False) as session:
        gids = session.get(User, live_world.gids.id)
        assert gids is not None
        data = trajectory_input(live_world, planned_start=today + timedelta(days=7))
        t = wf.create_trajectory(session, data, gids, today=today)
        session.commit()
        old_end = t.planned_end
    log_in(page, live_server, live_world.gids.email)
    page.goto(f"{live_server}/gids/trajecten/{t.id}/wijzigen")
    question = page.locator("#end-shift")
    expect(question).to_be_hidden()
    page.get_by_label("Geplande startdatum").fill((today + timedelta(days=14)).isoformat())
    expect(question).to_be_visible()
    page.get_by_label("Einddatum verschuift mee (evenveel dagen)").check()
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_text("De wijzigingen zijn opgeslagen.")).to_be_visible()
    moved = (old_end + timedelta(days=7)).strftime("%d-%m-%Y")
    expect(page.locator(".grid-2")).to_contain_text(moved)
