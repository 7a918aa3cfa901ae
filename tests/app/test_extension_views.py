"""Extending a decision through the gids's trajectory page (CSRF on): it works, bad input keeps
what was typed with a Dutch message at the field, and only the responsible gids sees the form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from freezegun import freeze_time

from models import TrajectoryState

from ..factories import TODAY, make_trajectory
from .helpers import field_error, input_value, login_as, post_form, textarea_value


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(TODAY):
        yield


def test_the_gids_extends_a_running_decision(client, world, session):
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{t.id}"
    response = post_form(
        client,
        page,
        f"{page}/verlengen",
        {
            "extend-new_end": "2027-09-30",
            "extend-reason": "Herbeoordeling",
            "extend-version": t.version,
        },
        prefix="extend",
    )
    assert response.status_code == 302
    body = client.get(page).get_data(as_text=True)
    assert "De beschikking is verlengd tot 30-09-2027." in body
    assert "Beschikking verlengd" in body  # the history
    session.expire_all()
    assert t.decision_end == date(2027, 9, 30)


def test_a_date_before_the_current_end_keeps_the_input_and_says_why(client, world, session):
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{t.id}"
    response = post_form(
        client,
        page,
        f"{page}/verlengen",
        {
            "extend-new_end": "2027-01-01",
            "extend-reason": "Nog even",
            "extend-version": t.version,
        },
        prefix="extend",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "na het huidige einde van de beschikking (09-05-2027)" in field_error(
        body, "extend-new_end"
    )
    assert input_value(body, "extend-new_end") == "2027-01-01"
    assert textarea_value(body, "extend-reason") == "Nog even"
    session.expire_all()
    assert t.decision_end == date(2027, 5, 9)


def test_another_gids_sees_no_form_and_may_not_post(client, world, session):
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    login_as(client, world.gids2)
    page = f"/gids/trajecten/{t.id}"
    assert "/verlengen" not in client.get(page).get_data(as_text=True)
    login_as(client, world.gids)
    body = client.get(page).get_data(as_text=True)
    assert f'action="{page}/verlengen"' in body
    login_as(client, world.gids2)
    response = post_form(
        client,
        page,
        f"{page}/verlengen",
        {"extend-new_end": "2027-09-30", "extend-reason": "x", "extend-version": t.version},
    )
    assert response.status_code == 403
