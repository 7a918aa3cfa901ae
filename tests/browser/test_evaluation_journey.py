"""Running care in Chromium: the provider logs an evaluation and the gids approves it; and a
scheduler tick makes a task that shows in the provider's inbox (*Taken*).

The trajectories are prepared through the workflows and committed (the server runs in another
thread); dates are relative to today, because the live server uses the real clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.extensions import db
from models import Evaluation, EvaluationState, Trajectory
from workflows import clock
from workflows import trajectories as wf

from ..factories import World
from .helpers import log_in, running_trajectory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_provider_logs_an_evaluation_and_the_gids_approves_it(
    page: Page, live_server: str, live_world: World
) -> None:
    base = live_server
    trajectory_id, evaluation_id = running_trajectory(
        live_world,
        [
            wf.ResultInput(
                "Anna doet zelf haar administratie", gas_plus1="Ook de belastingaangifte"
            ),
            wf.ResultInput("Anna gaat twee keer per week naar de buurtkamer"),
        ],
    )

    log_in(page, base, live_world.aanbieder_a.email)
    page.get_by_role("link", name="Anna de Vries").click()
    expect(page.get_by_role("heading", name="Evaluaties")).to_be_visible()
    page.get_by_role("link", name="Eindevaluatie").click()
    expect(page.get_by_role("heading", name="Eindevaluatie — Anna de Vries")).to_be_visible()

    page.get_by_label("Datum van de evaluatie").fill(clock.today().isoformat())
    page.get_by_label("Inwoner", exact=True).check()
    page.get_by_label("Netwerk (familie, buren, vrijwilligers)").check()
    page.get_by_label("Score voor resultaat 1").select_option(
        label="+1 meer dan verwacht: Ook de belastingaangifte"
    )
    page.get_by_label("Toelichting bij resultaat 1").fill("Doet ook de aangifte zelf")
    page.get_by_label("Score voor resultaat 2").select_option(label="0 verwacht niveau")
    page.get_by_label("Samenvatting").fill("Anna is zelfstandiger geworden")
    page.get_by_role("group", name="Is de ondersteuningsbehoefte veranderd?").get_by_label(
        "Nee"
    ).check()
    page.get_by_role("button", name="Evaluatie indienen").click()

    expect(page.get_by_text("De evaluatie is ingediend.")).to_be_visible()
    expect(page.locator("#evaluaties + p + table")).to_contain_text("Ingediend")
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, base, live_world.gids.email)
    taken = page.get_by_role("link", name="Taken")
    expect(taken).to_contain_text("1")
    taken.click()
    page.get_by_role("table").get_by_role("link", name="Evaluatie beoordelen").click()
    expect(page.get_by_text("Doet ook de aangifte zelf")).to_be_visible()
    expect(page.get_by_text("Anna is zelfstandiger geworden")).to_be_visible()
    page.get_by_label("Akkoord").check()
    page.get_by_role("button", name="Beoordeling opslaan").click()

    expect(page.get_by_text("De beoordeling is opgeslagen.")).to_be_visible()
    assert page.url.endswith(f"/gids/trajecten/{trajectory_id}")
    expect(page.locator(".timeline")).to_contain_text("Evaluatie beoordeeld")
    with Session(db.engine) as session:
        stored = session.get(Evaluation, evaluation_id)
        assert stored is not None and stored.state == EvaluationState.BEOORDEELD


def test_a_scheduler_tick_makes_a_task_in_the_providers_inbox(
    app: Flask, page: Page, live_server: str, live_world: World
) -> None:
    base = live_server
    trajectory_id, evaluation_id = running_trajectory(
        live_world, [wf.ResultInput("Anna doet zelf haar administratie")]
    )
    with Session(db.engine) as session:
        evaluation = session.get(Evaluation, evaluation_id)
        assert evaluation is not None
        tick_day = evaluation.due_on - timedelta(days=7)  # due within the next 14 days

    result = app.test_cli_runner().invoke(
        args=["scheduler", "tick", "--date", tick_day.isoformat(), "--no-mail"]
    )
    assert result.exit_code == 0, result.output

    log_in(page, base, live_world.aanbieder_a.email)
    taken = page.get_by_role("link", name="Taken")
    expect(taken).to_contain_text("ongelezen")  # the tick also prompts about the near end
    taken.click()
    expect(page.get_by_role("heading", name="Taken", exact=True)).to_be_visible()
    expect(taken).not_to_contain_text("ongelezen")  # shown means read
    task = page.get_by_role("table").get_by_role("link", name="Evaluatie binnenkort")
    expect(task).to_be_visible()
    expect(page.get_by_role("row", name="Evaluatie binnenkort")).to_contain_text("Anna de Vries")
    task.click()
    expect(page.get_by_role("button", name="Evaluatie indienen")).to_be_visible()
    assert page.url.endswith(f"/aanbieder/evaluaties/{evaluation_id}")
    with Session(db.engine) as session:
        assert session.get(Trajectory, trajectory_id) is not None
