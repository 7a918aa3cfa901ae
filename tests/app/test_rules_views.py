"""The closure table and the date rules through the web (CSRF on), the route a user or an
attacker actually takes: every refusal is a 422 with a Dutch message at the field (or in the
summary when the page has no such field), the typed input kept and nothing stored. The rules
themselves are walked in tests/workflows/test_closure_rules.py and test_eligibility.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from models import Aanmelding, EndOfCareReport, Intensity, Trajectory, TrajectoryState
from workflows.stats.history import COLUMNS

from ..factories import make_trajectory
from ..workflows.history_csv import JEUGD, check_rows, history_row
from .care import NOW, active, assert_dutch, snapshot
from .helpers import (
    checked_value,
    field_error,
    input_value,
    login_as,
    post_form,
    textarea_value,
    upload_history,
)

S = TrajectoryState


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):  # 2026-11-16; the trajectories' care started on 2026-11-02
        yield


def _jeugd_running(session, world) -> Trajectory:
    return active(
        session,
        world,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.MIDDEL,
    )


# --- R10: the gids's close and the provider's report use the same table -------------------------


def _close(client, t, **values):  # type: ignore[no-untyped-def]
    page = f"/gids/trajecten/{t.id}/afsluiten"
    data = {
        "close-care_end": NOW.isoformat(),
        "close-closure_category": "a",
        "close-end_reason_code": "19",
        "close-result_achieved": "ja",
    }
    data.update({f"close-{k}": v for k, v in values.items()})
    return post_form(client, page, page, data, prefix="close")


def test_the_gids_cannot_close_jeugd_as_premature_with_reason_volgens_plan(client, world, session):
    t = _jeugd_running(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.gids)
    response = _close(client, t, closure_category="d", end_reason_code="31", result_achieved="nee")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, "close-end_reason_code")
    assert error == (
        "Reden 31 past niet bij categorie d. Bij categorie d passen de redenen "
        "02, 32, 33, 34, 35, 36."
    )
    assert checked_value(body, "close-closure_category") == "d"
    assert checked_value(body, "close-result_achieved") == "nee"
    assert snapshot(session, t.id) == before


def test_the_gids_cannot_record_a_result_with_a_premature_closure(client, world, session):
    t = active(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.gids)
    response = _close(client, t, closure_category="d", end_reason_code="21", result_achieved="ja")
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), "close-result_achieved")
    assert_dutch(error)
    assert "Bij categorie d is het resultaat niet behaald" in error
    assert snapshot(session, t.id) == before


def test_the_provider_cannot_report_completed_with_a_premature_reason(client, world, session):
    t = active(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    url = f"/aanbieder/trajecten/{t.id}/einde-zorg"
    data = {
        "care_end": NOW.isoformat(),
        "closure_category": "a",
        "end_reason_code": "21",
        "result_achieved": "nee",
    }
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, "end_reason_code")
    assert "Bij categorie a passen de redenen 19." in error
    assert input_value(body, "care_end") == NOW.isoformat()
    assert session.scalar(select(func.count()).select_from(EndOfCareReport)) == 0
    assert snapshot(session, t.id) == before


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
def test_both_close_pages_show_which_reason_fits_which_category(client, world, session, side):
    t = _jeugd_running(session, world)
    login_as(client, world.gids if side == "gids" else world.aanbieder_a)
    url = (
        f"/gids/trajecten/{t.id}/afsluiten"
        if side == "gids"
        else f"/aanbieder/trajecten/{t.id}/einde-zorg"
    )
    body = client.get(url).get_data(as_text=True)
    assert "Welke reden past bij welke categorie?" in body
    # Jeugd: d goes with 02, 32–36; a result only with 31 (volgens plan).
    # Each code with its meaning ("02 – Overlijden"), one per line.
    codes = re.findall(r'<td class="codes">(.*?)</td>', body)
    assert [c.split(" – ")[0] for c in codes[-2].split("<br>")] == [
        "02",
        "32",
        "33",
        "34",
        "35",
        "36",
    ]
    assert codes[-2].startswith("02 – Overlijden<br>32 – ")
    assert "31 – Volgens plan beëindigd" in codes


# --- point 11: dates --------------------------------------------------------------------------


def test_sending_a_concept_whose_planned_start_has_passed_is_refused(client, world, session):
    concept = make_trajectory(session, world)  # planned start 2026-11-09, today 2026-11-16
    login_as(client, world.gids)
    page = f"/gids/trajecten/{concept.id}"
    response = post_form(client, page, f"{page}/versturen", {}, prefix="propose")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "De geplande startdatum ligt in het verleden" in body
    session.expire_all()
    stored = session.get(Trajectory, concept.id)
    assert (stored.state, stored.decision_date) == (S.CONCEPT, None)


def _trajectory_data(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "profile_id": str(world.bg.id),
        "intensity": "middel",
        "planned_start": NOW.isoformat(),
        "provider_id": str(world.zorg_a.id),
        "subcontractor_id": "",
        "need_type": "eindig",
        "planned_end": "",
        "price": "",
        "price_reason": "",
        "results-0-description": "Anna doet zelf haar administratie",
        "results-0-measure": "",
        "submit": "Opslaan als concept",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("planned_start", "message"),
    [
        ("2099-01-01", "meer dan 12 maanden vooruit (na 16-11-2027)"),
        ("2026-11-15", "De geplande startdatum ligt in het verleden"),
    ],
)
def test_a_new_trajectory_starting_in_2099_or_yesterday_is_refused_at_the_field(
    client, world, session, planned_start, message
):
    login_as(client, world.gids)
    url = f"/gids/inwoners/{world.adult.id}/trajecten/nieuw"
    response = post_form(client, url, url, _trajectory_data(world, planned_start=planned_start))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(body, "planned_start")
    assert input_value(body, "planned_start") == planned_start
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


def test_editing_a_concept_to_start_in_2099_is_refused(client, world, session):
    concept = make_trajectory(session, world, today=NOW, planned_start=NOW)
    before = snapshot(session, concept.id)
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    data = _trajectory_data(world, planned_start="2099-01-01", version=str(concept.version))
    response = post_form(client, url, url, data)
    assert response.status_code == 422
    assert "meer dan 12 maanden vooruit" in field_error(
        response.get_data(as_text=True), "planned_start"
    )
    assert snapshot(session, concept.id) == before


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"request_date": "1900-01-01"}, "vóór de geboortedatum van de inwoner (05-05-1950)"),
        ({"request_date": "2024-06-01"}, "meer dan 12 maanden terug"),
        ({"domain": "jeugd"}, "18 jaar of ouder; de Jeugdwet is dan niet van toepassing"),
    ],
)
def test_a_request_from_1900_long_ago_or_jeugd_at_76_is_refused_at_the_field(
    client, world, session, values, message
):
    login_as(client, world.gids)
    url = f"/gids/inwoners/{world.adult.id}/aanmelding"
    data = {"request_date": "2026-11-10", "domain": "wmo", "question": "Hulp bij de was", **values}
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(body, "request_date")
    assert input_value(body, "request_date") == data["request_date"]
    assert textarea_value(body, "question") == "Hulp bij de was"
    assert session.scalar(select(func.count()).select_from(Aanmelding)) == 0


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
def test_an_extra_evaluation_in_2035_is_refused_on_both_sides(client, world, session, side):
    t = active(session, world)  # planned end 2027-05-09
    before = snapshot(session, t.id)
    login_as(client, world.gids if side == "gids" else world.aanbieder_a)
    url = f"/{side}/trajecten/{t.id}/extra-evaluatie"
    response = post_form(client, url, url, {"reason": "Valpartij", "due_on": "2035-01-01"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "na de geplande einddatum (09-05-2027)" in field_error(body, "due_on")
    assert input_value(body, "due_on") == "2035-01-01"
    assert snapshot(session, t.id) == before


def test_the_upload_refuses_a_jeugd_row_for_a_23_year_old(client, world, session):
    row = history_row(**JEUGD, bsn="100000009", geboortedatum="2000-03-01",
                      aanmelddatum="2023-04-03", besluitdatum="2023-04-17", startdatum="2023-05-01",
                      geplande_einddatum="2023-10-31", einddatum="2023-10-30")  # fmt: skip
    assert not check_rows(session, row).ok
    login_as(client, world.beheerder)
    text = "\n".join([";".join(COLUMNS), row]) + "\n"
    response = upload_history(client, world, text)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<td>aanmelddatum</td>" in body and "18 jaar of ouder" in body
    assert "100000009" not in body
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0
