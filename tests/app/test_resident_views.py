"""The gids's pages to correct residents and households, through the test client (CSRF on):
only the household's gids reaches them (another gids 403, a provider, manager or beheerder 403,
an unknown record 404); problems come back in Dutch at their field with everything typed kept;
a stale page is refused with 409 and the typed values; a death is recorded once; a hand-over
goes to another gids only, and the work follows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import (
    AuditEntry,
    ClosureCategory,
    Resident,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows import clock

from ..factories import concept_starting_today, make_trajectory
from .helpers import (
    checked_value,
    csrf_token,
    field_error,
    input_value,
    login_as,
    page_token,
    post_form,
    select_options,
)

S = TrajectoryState
ENGLISH = ("Not a valid", "This field", "Invalid Choice", "Field cannot", "Field must")


def _edit_url(resident_id: int) -> str:
    return f"/gids/inwoners/{resident_id}/wijzigen"


def _departure_url(resident_id: int) -> str:
    return f"/gids/inwoners/{resident_id}/vertrek"


def _household_url(resident_id: int) -> str:
    return f"/gids/inwoners/{resident_id}/huishouden"


def _hand_over_url(household_id: int) -> str:
    return f"/gids/huishoudens/{household_id}/overdragen"


def _edit_data(world, **overrides: str) -> dict[str, str]:
    data = {
        "given_name": "Anna",
        "family_name": "de Vries-Bakker",
        "address": "De Schalm 12",
        "postcode": "8251 ab",
        "wijk_id": str(world.dronten.id),
        "phone": "06-12345678",
        "version": str(world.adult.version),
        "submit": "Wijzigingen opslaan",
    }
    data.update(overrides)
    return data


def _urls(world) -> list[str]:
    return [
        _edit_url(world.adult.id),
        _departure_url(world.adult.id),
        _household_url(world.adult.id),
        _hand_over_url(world.adult.household_id),
    ]


# --- who reaches the pages --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["aanbieder_a", "manager", "beheerder", "gids2"])
def test_nobody_but_the_household_gids_reaches_the_pages(client, world, session, who):
    login_as(client, getattr(world, who))
    name, token = page_token(client, "/")
    before = (world.adult.family_name, world.adult.household_id, world.adult.died_on)
    for url in _urls(world):
        assert client.get(url).status_code == 403, url
        response = client.post(
            url,
            data={
                name: token,
                **_edit_data(world),
                "kind": "overleden",
                "on": clock.today().isoformat(),
                "confirm": "x",
                "member_bsn": world.child.bsn,
                "gids_id": str(world.gids2.id),
            },
        )
        assert response.status_code == 403, url
    session.expire_all()
    assert (world.adult.family_name, world.adult.household_id, world.adult.died_on) == before
    assert world.adult.household.gids_id == world.gids.id


def test_another_gids_may_look_the_resident_up_but_sees_no_change_buttons(client, world):
    login_as(client, world.gids2)
    body = client.get(f"/gids/inwoners/{world.adult.id}").get_data(as_text=True)
    assert "Gegevens wijzigen" not in body
    login_as(client, world.gids)
    body = client.get(f"/gids/inwoners/{world.adult.id}").get_data(as_text=True)
    for url in _urls(world):
        assert url in body


def test_an_unknown_resident_or_household_is_404(client, world):
    login_as(client, world.gids)
    for url in (
        _edit_url(999_999),
        _departure_url(999_999),
        _household_url(999_999),
        _hand_over_url(999_999),
    ):
        assert client.get(url).status_code == 404, url


# --- editing ----------------------------------------------------------------------------------


def test_the_gids_corrects_a_resident_and_the_log_names_the_fields(client, world, session):
    login_as(client, world.gids)
    url = _edit_url(world.adult.id)
    page = client.get(url).get_data(as_text=True)
    assert input_value(page, "family_name") == "de Vries"
    # The audit log is append-only: tests that commit leave their entries behind.
    logged_before = session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    response = post_form(client, url, url, _edit_data(world))
    assert response.status_code == 302
    session.expire_all()
    person = session.get(Resident, world.adult.id)
    assert (person.family_name, person.address, person.postcode, person.phone) == (
        "de Vries-Bakker",
        "De Schalm 12",
        "8251AB",
        "0612345678",
    )
    page = client.get(f"/gids/inwoners/{person.id}").get_data(as_text=True)
    assert "De Schalm 12" in page and "0612345678" in page
    form = client.get(url).get_data(as_text=True)
    assert input_value(form, "phone") == "0612345678"
    tag = re.search(r'<input[^>]*name="phone"[^>]*>', form)
    assert tag and 'type="tel"' in tag.group(0) and 'autocomplete="tel"' in tag.group(0)
    entry = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "inwoner",
            AuditEntry.action == "gewijzigd",
            AuditEntry.object_id == person.id,
            AuditEntry.id > logged_before,
        )
    ).one()
    assert entry.user_id == world.gids.id
    assert entry.details == "address, family_name, phone"  # field names, never the values


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"postcode": "12AB"}, "postcode", "Een postcode heeft de vorm 1234AB."),
        ({"postcode": "0123AB"}, "postcode", "Een postcode heeft de vorm 1234AB."),
        ({"postcode": "x" * 11}, "postcode", "10"),
        ({"given_name": " "}, "given_name", "Vul de voornaam in."),
        ({"family_name": ""}, "family_name", "Vul de achternaam in."),
        ({"address": "x" * 201}, "address", "200"),
        ({"wijk_id": "999999"}, "wijk_id", "Kies een wijk of kern uit de lijst."),
        ({"wijk_id": "abc"}, "wijk_id", None),
        ({"phone": "06-1234"}, "phone", "Dit is geen Nederlands telefoonnummer."),
        ({"phone": "+49 30 1234567"}, "phone", "Dit is geen Nederlands telefoonnummer."),
        ({"phone": "0" * 31}, "phone", "30"),
    ],
)
def test_problems_are_named_in_dutch_at_their_field_keeping_what_was_typed(
    client, world, session, overrides, field, message
):
    login_as(client, world.gids)
    url = _edit_url(world.adult.id)
    data = _edit_data(world, **overrides)
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, field)
    assert error and not error.startswith(ENGLISH)
    if message:
        assert message in error
    for name in ("given_name", "family_name", "address", "postcode", "phone"):
        assert input_value(body, name) == data[name], name
    session.expire_all()
    assert session.get(Resident, world.adult.id).family_name == "de Vries"


def test_two_gidsen_editing_at_once_do_not_overwrite_each_other(client, world, session):
    login_as(client, world.gids)
    url = _edit_url(world.adult.id)
    first = client.get(url)
    second = client.get(url)
    for page, name in ((first, "Eerste"), (second, "Tweede")):
        token_name, token = csrf_token(page)
        version = input_value(page.get_data(as_text=True), "version")
        response = client.post(
            url,
            data={
                token_name: token,
                **_edit_data(world, family_name=name, version=version or ""),
            },
        )
        if name == "Eerste":
            assert response.status_code == 302
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "door iemand anders gewijzigd" in body
    assert input_value(body, "family_name") == "Tweede"  # what was typed is kept
    session.expire_all()
    assert session.get(Resident, world.adult.id).family_name == "Eerste"


# --- a move out or a death ----------------------------------------------------------------------


def _departure(world, **overrides: str) -> dict[str, str]:
    data = {
        "kind": "overleden",
        "on": clock.today().isoformat(),
        "care_continues": "nee",
        "version": str(world.adult.version),
        "confirm": "Vastleggen en afsluiten",
    }
    data.update(overrides)
    return data


def _closings(session, trajectory_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(TrajectoryEvent)
        .where(
            TrajectoryEvent.trajectory_id == trajectory_id, TrajectoryEvent.action == "afsluiten"
        )
    )


def _active_today(session, world) -> Trajectory:
    today = clock.today()
    return make_trajectory(session, world, S.ACTIEF, today=today, planned_start=today)


def test_the_gids_sees_the_prefilled_closure_before_confirming(client, world, session):
    active = _active_today(session, world)
    login_as(client, world.gids)
    url = _departure_url(world.adult.id)
    data = _departure(world, kind="verhuisd", care_continues="ja")
    del data["confirm"]
    data["check"] = "Bekijk wat er wordt afgesloten"
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/gids/trajecten/{active.id}" in body
    assert "<td>c</td><td>31</td>" in body
    assert checked_value(body, "kind") == "verhuisd"
    assert input_value(body, "on") == data["on"]
    session.expire_all()
    assert session.get(Trajectory, active.id).state == S.ACTIEF  # nothing recorded yet


def test_a_death_recorded_twice_closes_once(client, world, session):
    active = _active_today(session, world)
    login_as(client, world.gids)
    url = _departure_url(world.adult.id)
    page = client.get(url)
    token_name, token = csrf_token(page)
    data = {token_name: token, **_departure(world)}
    first = client.post(url, data=data)
    again = client.post(url, data=data)
    assert first.status_code == 302 and again.status_code == 302
    session.expire_all()
    closed = session.get(Trajectory, active.id)
    assert (closed.state, closed.closure_category, closed.end_reason_code) == (
        S.AFGESLOTEN,
        ClosureCategory.D,
        "02",
    )
    assert _closings(session, active.id) == 1
    assert session.get(Resident, world.adult.id).died_on == clock.today()
    assert client.get(url).status_code == 302  # the page is gone once it is recorded


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"on": "future"}, "on", "De datum van overlijden kan niet in de toekomst liggen."),
        ({"on": "1900-01-01"}, "on", "geboortedatum"),
        ({"on": "gisteren"}, "on", None),
        ({"on": ""}, "on", "Vul de datum in."),
        ({"kind": ""}, "kind", "Kies verhuizing of overlijden."),
        ({"kind": "vertrokken"}, "kind", None),
    ],
)
def test_a_wrong_departure_is_refused_in_dutch_keeping_the_input(
    client, world, session, overrides, field, message
):
    active = _active_today(session, world)
    if overrides.get("on") == "future":
        overrides = {"on": (clock.today() + timedelta(days=1)).isoformat()}
    login_as(client, world.gids)
    url = _departure_url(world.adult.id)
    data = _departure(world, **overrides)
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, field)
    assert error and not error.startswith(ENGLISH)
    if message:
        assert message in error
    if field != "on":
        assert input_value(body, "on") == data["on"]
    session.expire_all()
    assert session.get(Trajectory, active.id).state == S.ACTIEF
    assert session.get(Resident, world.adult.id).died_on is None


# --- households ---------------------------------------------------------------------------------


def test_moving_to_an_unknown_household_is_named_at_the_field(client, world):
    login_as(client, world.gids)
    url = _household_url(world.adult.id)
    data = {"member_bsn": "100000009", "version": str(world.adult.version)}
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "geen inwoner" in field_error(body, "member_bsn")
    assert input_value(body, "member_bsn") == "100000009"


def test_the_gids_moves_a_resident_into_a_known_household(client, world, session):
    login_as(client, world.gids)
    url = _household_url(world.adult.id)
    data = {"member_bsn": world.child.bsn, "version": str(world.adult.version)}
    assert post_form(client, url, url, data).status_code == 302
    session.expire_all()
    assert session.get(Resident, world.adult.id).household_id == world.child.household_id


@pytest.mark.parametrize("who", ["aanbieder_a", "manager", "beheerder", "unknown", "self", ""])
def test_a_hand_over_to_anyone_but_another_gids_is_refused(client, world, session, who):
    login_as(client, world.gids)
    url = _hand_over_url(world.adult.household_id)
    page = client.get(url).get_data(as_text=True)
    offered = [value for value, _label, _sel in select_options(page, "gids_id") if value]
    assert offered == [str(world.gids2.id)]  # only other active gidsen are offered
    target = {"unknown": "999999", "self": str(world.gids.id), "": ""}.get(who)
    if target is None:
        target = str(getattr(world, who).id)
    response = post_form(client, url, url, {"gids_id": target})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(body, "gids_id")
    session.expire_all()
    assert session.get(Resident, world.adult.id).household.gids_id == world.gids.id


def test_after_a_hand_over_the_new_gids_has_the_work_and_the_old_one_not(client, world, session):
    concept = concept_starting_today(session, world)
    login_as(client, world.gids)
    assert f"/gids/trajecten/{concept.id}" in client.get("/gids/").get_data(as_text=True)
    url = _hand_over_url(world.adult.household_id)
    response = post_form(client, url, url, {"gids_id": str(world.gids2.id)})
    assert response.status_code == 302
    assert f"/gids/trajecten/{concept.id}" not in client.get("/gids/").get_data(as_text=True)
    assert client.get(_edit_url(world.adult.id)).status_code == 403
    login_as(client, world.gids2)
    assert f"/gids/trajecten/{concept.id}" in client.get("/gids/").get_data(as_text=True)
    assert client.get(_edit_url(world.adult.id)).status_code == 200
    entries = session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.object_type == "traject", AuditEntry.object_id == concept.id
        )
    ).all()
    assert "gids_id" in entries
