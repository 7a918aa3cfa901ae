"""Scaling up or down and the end of care through the test client (CSRF on). The provider asks,
the gids decides: accepted, the gids lands on the follow-up trajectory; refused, the provider
reads the reason. The provider reports the end of care, the gids confirms or returns it. Bad input
gives a Dutch message at the field, keeps what was typed and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from models import (
    ClosureCategory,
    EndOfCareReport,
    Intensity,
    ScalingRequest,
    SubmissionState,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
)
from workflows.closure import report_end_of_care
from workflows.scaling import request_scaling

from .care import NOW, active, assert_dutch, closed, snapshot, subcontracted
from .helpers import (
    checked_value,
    field_error,
    input_value,
    login_as,
    page_token,
    post_form,
    select_options,
    textarea_value,
)

S = TrajectoryState


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def running(session, world):
    return active(session, world)


def _scaling_url(t) -> str:
    return f"/aanbieder/trajecten/{t.id}/opschalen"


# --- the provider asks -----------------------------------------------------------------------


def test_the_scaling_form_offers_the_profiles_of_the_domain(client, world, running):
    login_as(client, world.aanbieder_a)
    body = client.get(_scaling_url(running)).get_data(as_text=True)
    options = select_options(body, "new_profile_id")
    labels = [label for _v, label, _s in options]
    assert labels == ["Begeleiding individueel (WMO-BG)", "Hulp bij het huishouden (WMO-HH)"]
    assert [v for v, _l, s in options if s] == [str(world.bg.id)]
    assert [v for v, _l, s in select_options(body, "new_intensity") if s] == ["middel"]


def test_the_provider_asks_to_scale_up(client, world, session, running):
    login_as(client, world.aanbieder_a)
    data = {"new_profile_id": str(world.bg.id), "new_intensity": "zwaar", "reason": "Meer nodig"}
    response = post_form(client, _scaling_url(running), _scaling_url(running), data)
    assert response.status_code == 302
    item = session.scalars(select(ScalingRequest)).one()
    assert (item.new_intensity, item.state) == (Intensity.ZWAAR, SubmissionState.INGEDIEND)
    task = session.scalars(select(Task).where(Task.kind == TaskKind.OPSCHALING_BESLISSEN)).one()
    assert (task.user_id, task.ref) == (world.gids.id, item.id)
    body = client.get(f"/aanbieder/trajecten/{running.id}").get_data(as_text=True)
    assert "Wacht op besluit gids" in body and "Meer nodig" in body
    page = client.get(_scaling_url(running)).get_data(as_text=True)
    assert "Er wacht al een verzoek" in page and 'name="reason"' not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"new_intensity": "middel"}, "new_intensity", "andere intensiteit"),
        ({"reason": "  "}, "reason", "Geef een reden voor het op- of afschalen."),
        ({"reason": ""}, "reason", "Geef een reden voor het op- of afschalen."),
        ({"new_intensity": "extreem"}, "new_intensity", None),
        ({"new_profile_id": "999999"}, "new_profile_id", "Kies een actief profiel"),
        ({"new_profile_id": "abc"}, "new_profile_id", None),
        ({"new_profile_id": "hh", "new_intensity": "middel"}, "new_intensity", "niet toegestaan"),
    ],
)
def test_a_scaling_request_with_problems_keeps_the_input(
    client, world, session, running, data, field, message
):
    if data.get("new_profile_id") == "hh":
        data = {**data, "new_profile_id": str(world.hh.id)}
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    full = {"new_profile_id": str(world.bg.id), "new_intensity": "zwaar", "reason": "Meer nodig"}
    full.update(data)
    response = post_form(client, _scaling_url(running), _scaling_url(running), full)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, field)
    assert_dutch(error)
    if message:
        assert message in error
    assert textarea_value(body, "reason") == full["reason"]
    assert snapshot(session, running.id) == before


def test_no_scaling_on_a_trajectory_that_is_not_running(client, world, session):
    t = closed(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    page = client.get(_scaling_url(t)).get_data(as_text=True)
    assert 'name="reason"' not in page
    data = {"new_profile_id": str(world.bg.id), "new_intensity": "zwaar", "reason": "Meer nodig"}
    body = post_form(client, _scaling_url(t), _scaling_url(t), data).get_data(as_text=True)
    assert "Op- of afschalen kan alleen bij een lopend traject." in body
    assert snapshot(session, t.id) == before


def test_a_subcontractor_may_not_ask(client, world, session):
    t, sub_user = subcontracted(session, world)
    before = snapshot(session, t.id)
    login_as(client, sub_user)
    page = client.get(_scaling_url(t))
    assert page.status_code == 200 and 'name="reason"' not in page.get_data(as_text=True)
    name, token = page_token(client, "/aanbieder/")
    for url in (_scaling_url(t), f"/aanbieder/trajecten/{t.id}/einde-zorg"):
        assert client.post(url, data={name: token, "reason": "x"}).status_code == 403, url
    assert snapshot(session, t.id) == before


# --- the gids decides ------------------------------------------------------------------------


@pytest.fixture
def asked(session, world, running) -> ScalingRequest:
    item = request_scaling(
        session, running, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", NOW
    )
    session.flush()
    return item


def _decision_url(item) -> str:
    return f"/gids/opschalingen/{item.id}"


def test_the_gids_trajectory_page_links_to_the_open_request(client, world, asked):
    login_as(client, world.gids)
    body = client.get(f"/gids/trajecten/{asked.trajectory_id}").get_data(as_text=True)
    assert _decision_url(asked) in body and "Wacht op besluit gids" in body


def test_accepting_leads_to_the_follow_up_trajectory(client, world, session, asked):
    login_as(client, world.gids)
    url = _decision_url(asked)
    page = client.get(url).get_data(as_text=True)
    assert "Begeleiding individueel" in page and "Zwaar" in page and "Meer nodig" in page
    response = post_form(client, url, url, {"decision": "ja"})
    assert response.status_code == 302
    session.expire_all()
    item = session.get(ScalingRequest, asked.id)
    assert item.state == SubmissionState.TOEGEKEND
    assert response.headers["Location"].endswith(f"/gids/trajecten/{item.follow_up_id}")
    old = session.get(Trajectory, asked.trajectory_id)
    new = session.get(Trajectory, item.follow_up_id)
    assert (old.state, old.end_reason_code) == (S.AFGESLOTEN, "37")
    assert (new.state, new.intensity, new.follows_id) == (S.ACTIEF, Intensity.ZWAAR, old.id)
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Het verzoek is toegekend; dit is het vervolgtraject." in body


def test_refusing_needs_a_reason_the_provider_reads(client, world, session, asked):
    before = snapshot(session, asked.trajectory_id)
    login_as(client, world.gids)
    url = _decision_url(asked)
    body = post_form(client, url, url, {"decision": "nee", "reason": " "}).get_data(as_text=True)
    assert "Geef een reden waarom u het verzoek afwijst" in field_error(body, "reason")
    assert checked_value(body, "decision") == "nee"
    body = post_form(client, url, url, {"reason": "Nog even aankijken"}).get_data(as_text=True)
    assert field_error(body, "decision") == "Kies wat u besluit."
    assert textarea_value(body, "reason") == "Nog even aankijken"
    assert snapshot(session, asked.trajectory_id) == before
    response = post_form(client, url, url, {"decision": "nee", "reason": "Eerst evalueren"})
    assert response.status_code == 302
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/trajecten/{asked.trajectory_id}").get_data(as_text=True)
    assert "Afgewezen" in body and "Eerst evalueren" in body


def test_another_gids_may_not_decide(client, world, session, asked):
    before = snapshot(session, asked.trajectory_id)
    login_as(client, world.gids2)
    assert "Alleen de verantwoordelijke gids" in client.get(_decision_url(asked)).get_data(
        as_text=True
    )
    name, token = page_token(client, "/gids/")
    response = client.post(_decision_url(asked), data={name: token, "decision": "ja"})
    assert response.status_code == 403
    assert snapshot(session, asked.trajectory_id) == before


def test_deciding_twice_gives_a_dutch_message(client, world, session, asked):
    login_as(client, world.gids)
    url = _decision_url(asked)
    assert post_form(client, url, url, {"decision": "nee", "reason": "Nee"}).status_code == 302
    name, token = page_token(client, url)
    body = client.post(url, data={name: token, "decision": "ja"}).get_data(as_text=True)
    assert "Over dit verzoek is al besloten." in body


# --- end of care -----------------------------------------------------------------------------


def _end_url(t) -> str:
    return f"/aanbieder/trajecten/{t.id}/einde-zorg"


def _end_data(**overrides) -> dict[str, str]:
    data = {
        "care_end": NOW.isoformat(),
        "closure_category": "a",
        "end_reason_code": "19",
        "result_achieved": "ja",
    }
    data.update(overrides)
    return data


def test_the_end_of_care_form_offers_the_domain_reasons(client, world, running):
    login_as(client, world.aanbieder_a)
    body = client.get(_end_url(running)).get_data(as_text=True)
    codes = [v for v, _l, _s in select_options(body, "end_reason_code")]
    assert codes[:3] == ["", "02", "19"] and "31" in codes and "32" not in codes
    assert "<legend>Afsluitcategorie</legend>" in body
    assert "d. Voortijdig afgesloten" in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"care_end": "2026-11-01"}, "care_end", "ligt vóór de start van de zorg (02-11-2026)"),
        ({"care_end": "2026-11-20"}, "care_end", "kan niet in de toekomst liggen"),
        ({"care_end": ""}, "care_end", "Vul de einddatum in."),
        ({"end_reason_code": "32"}, "end_reason_code", None),
        ({"end_reason_code": ""}, "end_reason_code", "Kies een reden."),
        ({"closure_category": "d"}, "end_reason_code", "Bij categorie d passen de redenen"),
        ({"closure_category": "z"}, "closure_category", None),
        ({"result_achieved": ""}, "result_achieved", "Geef aan of het resultaat is behaald."),
    ],
)
def test_an_end_of_care_report_with_problems_keeps_the_input(
    client, world, session, running, overrides, field, message
):
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    data = _end_data(**overrides)
    response = post_form(client, _end_url(running), _end_url(running), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, field)
    assert_dutch(error)
    if message:
        assert message in error
    assert input_value(body, "care_end") == data["care_end"]
    assert snapshot(session, running.id) == before


def test_the_provider_reports_and_the_gids_confirms(client, world, session, running):
    login_as(client, world.aanbieder_a)
    response = post_form(client, _end_url(running), _end_url(running), _end_data())
    assert response.status_code == 302
    report = session.scalars(select(EndOfCareReport)).one()
    login_as(client, world.gids)
    page = client.get(f"/gids/trajecten/{running.id}").get_data(as_text=True)
    url = f"/gids/einde-zorg/{report.id}"
    assert url in page and "Wacht op bevestiging gids" in page
    body = client.get(url).get_data(as_text=True)
    assert "a. Afgerond, terug in het netwerk" in body
    response = post_form(client, url, url, {"decision": "ja"})
    assert response.status_code == 302
    session.expire_all()
    t = session.get(Trajectory, running.id)
    assert (t.state, t.care_end, t.closure_category) == (S.AFGESLOTEN, NOW, ClosureCategory.A)


def test_the_gids_returns_a_report_with_a_reason(client, world, session, running):
    report = report_end_of_care(
        session,
        running,
        world.aanbieder_a,
        care_end=NOW,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=NOW,
    )
    session.flush()
    before = snapshot(session, running.id)
    login_as(client, world.gids)
    url = f"/gids/einde-zorg/{report.id}"
    body = post_form(client, url, url, {"decision": "nee"}).get_data(as_text=True)
    assert field_error(body, "reason") == "Geef een reden waarom u de melding terugstuurt."
    assert snapshot(session, running.id) == before
    data = {"decision": "nee", "reason": "Resultaat is nog niet behaald"}
    assert post_form(client, url, url, data).status_code == 302
    session.expire_all()
    assert session.get(Trajectory, running.id).state == S.ACTIEF
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/trajecten/{running.id}").get_data(as_text=True)
    assert "Teruggestuurd" in body and "Resultaat is nog niet behaald" in body


def test_no_end_of_care_report_on_a_closed_trajectory(client, world, session):
    t = closed(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    assert 'name="care_end"' not in client.get(_end_url(t)).get_data(as_text=True)
    body = post_form(client, _end_url(t), _end_url(t), _end_data()).get_data(as_text=True)
    assert "Einde zorg kan alleen bij een lopend traject worden gemeld." in body
    assert snapshot(session, t.id) == before


# --- the gids scales up or down directly -------------------------------------------------------


def _convert_url(t) -> str:
    return f"/gids/trajecten/{t.id}/omzetten"


def test_the_gids_converts_a_running_trajectory_into_a_follow_up(client, world, session, running):
    login_as(client, world.gids)
    data = {"new_profile_id": str(world.bg.id), "new_intensity": "zwaar", "reason": "Meer nodig"}
    response = post_form(client, _convert_url(running), _convert_url(running), data)
    assert response.status_code == 302
    session.expire_all()
    old = session.get(Trajectory, running.id)
    follow_up = session.scalars(select(Trajectory).where(Trajectory.follows_id == running.id)).one()
    assert response.headers["Location"].endswith(f"/gids/trajecten/{follow_up.id}")
    assert (old.state, old.end_reason_code, old.care_end) == (S.AFGESLOTEN, "37", NOW)
    assert (follow_up.state, follow_up.intensity) == (S.ACTIEF, Intensity.ZWAAR)
    assert follow_up.care_start == date(2026, 11, 17)
    item = session.scalars(select(ScalingRequest)).one()
    assert (item.state, item.follow_up_id) == (SubmissionState.TOEGEKEND, follow_up.id)


def test_converting_to_the_same_combination_keeps_the_input_and_changes_nothing(
    client, world, session, running
):
    before = snapshot(session, running.id)
    login_as(client, world.gids)
    data = {"new_profile_id": str(world.bg.id), "new_intensity": "middel", "reason": "Zelfde"}
    response = post_form(client, _convert_url(running), _convert_url(running), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_dutch(field_error(body, "new_intensity"))
    assert textarea_value(body, "reason") == "Zelfde"
    assert snapshot(session, running.id) == before


def test_another_gids_may_not_convert(client, world, session, running):
    login_as(client, world.gids2)
    assert client.get(_convert_url(running)).status_code == 403
