"""The gids's forms through the test client (CSRF on): every problem is answered on the server
with a Dutch message at its field and the typed values stay in the form; only the responsible gids
changes a trajectory; stale versions give 409; hostile input never gives a 500 and is escaped."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from models import (
    Aanmelding,
    AanmeldingOutcome,
    Domain,
    Household,
    Intensity,
    NeedType,
    Resident,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows import clock
from workflows import trajectories as wf
from workflows.aanmeldingen import register_aanmelding

from ..factories import TODAY, make_trajectory, trajectory_input
from .helpers import (
    checked_value,
    csrf_token,
    field_error,
    input_value,
    login_as,
    page_token,
    post_form,
    select_options,
    textarea_value,
)

S = TrajectoryState
SCRIPT = '<script>alert("x")</script>'
LONG = "x" * 10_000
SQL = "Robert'); DROP TABLE residents;--"
ENGLISH = ("Not a valid", "This field", "Invalid Choice", "Field cannot", "Field must")


def _today() -> date:
    return clock.today()


def _assert_dutch(message: str) -> None:
    assert message and not message.startswith(ENGLISH), message


def _trajectories(session) -> int:
    return session.scalar(select(func.count()).select_from(Trajectory))


def _snapshot(session, trajectory_id: int) -> tuple:
    session.expire_all()
    t = session.get(Trajectory, trajectory_id)
    events = session.scalar(
        select(func.count())
        .select_from(TrajectoryEvent)
        .where(TrajectoryEvent.trajectory_id == trajectory_id)
    )
    results = [(r.description, r.measure) for r in t.results]
    return (
        t.state,
        t.version,
        t.intensity,
        t.price,
        t.price_reason,
        t.planned_end,
        results,
        events,
    )


# --- new resident ----------------------------------------------------------------------------

RESIDENT_URL = "/gids/inwoners/nieuw"


def _resident_data(**overrides):
    data = {
        "bsn": "345678904",
        "given_name": "Dirk",
        "family_name": "van Dam",
        "birth_date": "1970-07-07",
        "postcode": "8251 XY",
        "wijk_id": "",
        "household_member_bsn": "",
        "submit": "Inwoner opslaan",
    }
    data.update(overrides)
    return data


def _residents(session) -> int:
    return session.scalar(select(func.count()).select_from(Resident))


def test_a_valid_resident_is_registered(client, world, session):
    login_as(client, world.gids)
    data = _resident_data(wijk_id=str(world.dronten.id))
    response = post_form(client, RESIDENT_URL, RESIDENT_URL, data)
    assert response.status_code == 302
    person = session.scalar(select(Resident).where(Resident.bsn == "345678904"))
    assert person.postcode == "8251XY" and person.wijk_id == world.dronten.id


def test_the_registration_stores_the_phone_and_the_page_shows_it(client, world, session):
    login_as(client, world.gids)
    form = client.get(RESIDENT_URL).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="phone"[^>]*>', form)
    assert tag and 'type="tel"' in tag.group(0) and 'autocomplete="tel"' in tag.group(0)
    assert '<label for="phone">Telefoonnummer</label>' in form
    data = _resident_data(address="Het Ravelijn 1", phone="+31 6 12 34 56 78")
    response = post_form(client, RESIDENT_URL, RESIDENT_URL, data)
    assert response.status_code == 302
    person = session.scalar(select(Resident).where(Resident.bsn == "345678904"))
    assert (person.address, person.phone) == ("Het Ravelijn 1", "0612345678")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Het Ravelijn 1" in page and "0612345678" in page


@pytest.mark.parametrize("typed", ["06-1234567", "+32 470 12 34 56", "bel mij", "06" * 20])
def test_a_wrong_phone_is_named_in_dutch_and_everything_typed_is_kept(
    client, world, session, typed
):
    login_as(client, world.gids)
    before = _residents(session)
    data = _resident_data(address="Het Ravelijn 1", phone=typed)
    response = post_form(client, RESIDENT_URL, RESIDENT_URL, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, "phone")
    _assert_dutch(error)
    assert "telefoonnummer" in error or "30" in error  # the workflow's check or the length
    for name in ("bsn", "given_name", "family_name", "birth_date", "address", "postcode", "phone"):
        assert input_value(body, name) == data[name], name
    assert _residents(session) == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"bsn": "123456789"}, "bsn", "Dit is geen geldig BSN (9 cijfers en de elfproef)."),
        ({"bsn": "000000000"}, "bsn", "Dit is geen geldig BSN"),
        ({"bsn": "12345678"}, "bsn", "Dit is geen geldig BSN"),
        ({"bsn": "１２３４５６７８２"}, "bsn", "Dit is geen geldig BSN"),  # full-width digits
        ({"bsn": "111222333"}, "bsn", "Er is al een inwoner met dit BSN."),
        ({"bsn": "111.222.333"}, "bsn", "Er is al een inwoner met dit BSN."),
        ({"bsn": ""}, "bsn", "Vul het BSN in."),
        ({"postcode": "12AB"}, "postcode", "Een postcode heeft de vorm 1234AB."),
        ({"postcode": "0123AB"}, "postcode", "Een postcode heeft de vorm 1234AB."),
        ({"birth_date": "2099-01-01"}, "birth_date", "De geboortedatum ligt in de toekomst."),
        ({"birth_date": "1850-01-01"}, "birth_date", "buiten het geldige bereik"),
        ({"birth_date": "31-02-2000"}, "birth_date", None),
        ({"birth_date": "gisteren"}, "birth_date", None),
        ({"birth_date": ""}, "birth_date", "Vul de geboortedatum in."),
        ({"given_name": ""}, "given_name", "Vul de voornaam in."),
        ({"given_name": "   "}, "given_name", "Vul de voornaam in."),
        ({"family_name": ""}, "family_name", "Vul de achternaam in."),
        ({"given_name": LONG}, "given_name", "80"),
        ({"family_name": LONG}, "family_name", "120"),
        ({"bsn": LONG}, "bsn", None),
        ({"postcode": LONG}, "postcode", None),
        ({"household_member_bsn": "234567892"}, "household_member_bsn", "geen inwoner"),
        ({"household_member_bsn": LONG}, "household_member_bsn", None),
        ({"wijk_id": "abc"}, "wijk_id", None),
        ({"wijk_id": "999999"}, "wijk_id", "Kies een wijk of kern uit de lijst."),
        ({"wijk_id": "99999999999999999999999"}, "wijk_id", None),
        ({"wijk_id": "1" * 5000}, "wijk_id", None),
    ],
)
def test_resident_form_problems_are_shown_at_the_field_keeping_input(
    client, world, session, overrides, field, message
):
    login_as(client, world.gids)
    before = _residents(session)
    data = _resident_data(**overrides)
    response = post_form(client, RESIDENT_URL, RESIDENT_URL, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[:500]
    error = field_error(body, field)
    _assert_dutch(error)
    if message:
        assert message in error
    for name in ("bsn", "given_name", "family_name", "birth_date", "postcode"):
        assert input_value(body, name) == data[name], name
    assert _residents(session) == before


def test_resident_form_with_every_field_wrong_lists_every_problem(client, world, session):
    login_as(client, world.gids)
    data = _resident_data(bsn="123456789", given_name="", family_name="", birth_date="x")
    body = post_form(client, RESIDENT_URL, RESIDENT_URL, data).get_data(as_text=True)
    for field in ("bsn", "given_name", "family_name", "birth_date"):
        _assert_dutch(field_error(body, field))


def test_domain_problems_on_a_valid_form_are_all_shown(client, world, session):
    """The workflow's own checks (not the form's) also land at the fields, all at once."""
    login_as(client, world.gids)
    data = _resident_data(bsn="111222333", postcode="12AB", birth_date="2099-01-01")
    body = post_form(client, RESIDENT_URL, RESIDENT_URL, data).get_data(as_text=True)
    assert "Er is al een inwoner met dit BSN." in field_error(body, "bsn")
    assert "1234AB" in field_error(body, "postcode")
    assert "toekomst" in field_error(body, "birth_date")


def test_script_and_sql_in_names_are_stored_literally_and_escaped(client, world, session):
    login_as(client, world.gids)
    data = _resident_data(given_name=SCRIPT[:80], family_name=SQL)
    response = post_form(client, RESIDENT_URL, RESIDENT_URL, data)
    assert response.status_code == 302
    person = session.scalar(select(Resident).where(Resident.bsn == "345678904"))
    assert person.given_name == SCRIPT and person.family_name == SQL
    assert "residents" in inspect(session.connection()).get_table_names()
    searches = [
        post_form(client, "/gids/inwoners", "/gids/inwoners", {"q": text})
        for text in ("Robert", person.bsn)
    ]
    for url, page in [
        *(
            (url, client.get(url))
            for url in (
                response.headers["Location"],
                f"/gids/inwoners/{person.id}/aanmelding",
                f"/gids/inwoners/{person.id}/trajecten/nieuw",
            )
        ),
        *(("search", found) for found in searches),
    ]:
        body = page.get_data(as_text=True)
        assert page.status_code == 200, url
        assert "<script>" not in body, url
        assert "&lt;script&gt;" in body, url


def test_script_in_a_rejected_form_is_escaped(client, world):
    login_as(client, world.gids)
    data = _resident_data(bsn="123456789", given_name=SCRIPT[:80], family_name=SCRIPT)
    body = post_form(client, RESIDENT_URL, RESIDENT_URL, data).get_data(as_text=True)
    assert "<script>" not in body
    assert input_value(body, "family_name") == SCRIPT


# --- requests --------------------------------------------------------------------------------


def _request_url(world) -> str:
    return f"/gids/inwoners/{world.adult.id}/aanmelding"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"request_date": "2099-01-01"}, "request_date", "De aanmelddatum ligt in de toekomst."),
        ({"request_date": "01-13-2026"}, "request_date", None),
        ({"request_date": ""}, "request_date", "Vul de datum in."),
        ({"question": ""}, "question", "Beschrijf de hulpvraag."),
        ({"question": " \r\n "}, "question", "Beschrijf de hulpvraag."),
        ({"question": LONG}, "question", "4000"),
    ],
)
def test_request_form_problems_keep_input(client, world, session, overrides, field, message):
    login_as(client, world.gids)
    data = {"request_date": "2026-11-01", "domain": "wmo", "question": "Hulp bij de was"}
    data.update(overrides)
    response = post_form(client, _request_url(world), _request_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, field)
    _assert_dutch(error)
    if message:
        assert message in error
    assert input_value(body, "request_date") == data["request_date"]
    assert textarea_value(body, "question") == data["question"]
    assert checked_value(body, "domain") == "wmo"
    assert session.scalar(select(func.count()).select_from(Aanmelding)) == 0


@pytest.mark.parametrize("domain", ["", "bogus", LONG])
def test_request_form_without_a_valid_domain(client, world, session, domain):
    login_as(client, world.gids)
    data = {"request_date": "2026-11-01", "domain": domain, "question": "Hulp bij de was"}
    response = post_form(client, _request_url(world), _request_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kies het domein." in body or "Ongeldige keuze" in body
    assert textarea_value(body, "question") == "Hulp bij de was"


def test_a_request_with_script_is_stored_and_shown_escaped(client, world, session):
    login_as(client, world.gids)
    data = {"request_date": _today().isoformat(), "domain": "wmo", "question": SCRIPT + " " + SQL}
    response = post_form(client, _request_url(world), _request_url(world), data)
    assert response.status_code == 302
    for url in (
        response.headers["Location"],
        "/gids/aanmeldingen",
        f"/gids/inwoners/{world.adult.id}",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body and "&lt;script&gt;" in body, url


@pytest.fixture
def open_request(session, world) -> Aanmelding:
    item = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Anna wil weer zelf koken",
        today=TODAY,
    )
    session.flush()
    return item


def test_refusing_a_request_needs_a_reason(client, world, session, open_request):
    login_as(client, world.gids)
    url = f"/gids/aanmeldingen/{open_request.id}"
    for reason in ("", "   "):
        response = post_form(client, url, url, {"outcome": "afgewezen", "reason": reason})
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Geef de reden van de afwijzing." in field_error(body, "reason")
        assert checked_value(body, "outcome") == "afgewezen"
    session.expire_all()
    assert session.get(Aanmelding, open_request.id).outcome == AanmeldingOutcome.IN_BEHANDELING


@pytest.mark.parametrize("outcome", ["", "toegekend", "in_behandeling", "bogus"])
def test_a_request_outcome_must_be_one_of_the_choices(
    client, world, session, open_request, outcome
):
    login_as(client, world.gids)
    url = f"/gids/aanmeldingen/{open_request.id}"
    response = post_form(client, url, url, {"outcome": outcome, "reason": "Omdat"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kies een uitkomst." in body or "Ongeldige keuze" in body
    assert textarea_value(body, "reason") == "Omdat"
    session.expire_all()
    assert session.get(Aanmelding, open_request.id).outcome == AanmeldingOutcome.IN_BEHANDELING


def test_only_the_requests_gids_decides_on_it(client, world, session, open_request):
    login_as(client, world.gids2)
    url = f"/gids/aanmeldingen/{open_request.id}"
    token = page_token(client, url)
    data = {token[0]: token[1], "outcome": "geen_vervolg", "reason": ""}
    assert client.post(url, data=data).status_code == 403
    session.expire_all()
    assert session.get(Aanmelding, open_request.id).outcome == AanmeldingOutcome.IN_BEHANDELING


def test_deciding_twice_gives_a_dutch_message(client, world, session, open_request):
    login_as(client, world.gids)
    url = f"/gids/aanmeldingen/{open_request.id}"
    page = client.get(url)
    name, token = csrf_token(page)
    data = {name: token, "outcome": "geen_vervolg", "reason": ""}
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data={**data, "outcome": "afgewezen", "reason": "Toch niet"})
    assert again.status_code == 422
    assert "Over deze aanmelding is al beslist." in again.get_data(as_text=True)
    session.expire_all()
    assert session.get(Aanmelding, open_request.id).outcome == AanmeldingOutcome.GEEN_VERVOLG


# --- the trajectory form ---------------------------------------------------------------------


def _new_url(world, resident=None) -> str:
    return f"/gids/inwoners/{(resident or world.adult).id}/trajecten/nieuw"


def _trajectory_data(world, **overrides):
    data = {
        "profile_id": str(world.bg.id),
        "intensity": "middel",
        "planned_start": _today().isoformat(),
        "provider_id": str(world.zorg_a.id),
        "subcontractor_id": "",
        "need_type": "eindig",
        "planned_end": "",
        "price": "",
        "price_reason": "",
        "results-0-description": "Anna doet zelf haar administratie",
        "results-0-measure": "Maandelijks gecheckt",
        "results-0-gas_zero": "Zelf alle rekeningen betaald",
        "submit": "Opslaan als concept",
    }
    data.update(overrides)
    return data


def _assert_kept(body: str, data: dict) -> None:
    """Every typed text is back in its input or textarea."""
    for name in ("planned_start", "planned_end", "price"):
        assert input_value(body, name) == data[name], name
    assert textarea_value(body, "price_reason") == data["price_reason"]
    for name, value in data.items():
        if name.startswith("results-") and name.endswith(("description", "measure")):
            assert textarea_value(body, name) == value, name
        elif name.startswith("results-"):
            assert input_value(body, name) == value, name
    assert checked_value(body, "need_type") == data["need_type"]


def test_a_valid_trajectory_is_saved(client, world, session):
    login_as(client, world.gids)
    response = post_form(client, _new_url(world), _new_url(world), _trajectory_data(world))
    assert response.status_code == 302
    assert _trajectories(session) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"profile_id": "hh", "intensity": "middel"},
            "intensity",
            "Intensiteit Middel is niet toegestaan voor profiel Hulp bij het huishouden.",
        ),
        (
            {"profile_id": "hh", "intensity": "laag", "provider_id": "zorg_b"},
            "provider_id",
            "Deze aanbieder heeft op de geplande startdatum geen contract voor dit profiel.",
        ),
        (
            {"profile_id": "hh", "intensity": "laag", "provider_id": "zorg_d"},
            "provider_id",
            "geen contract",
        ),
        (
            {"price": "4000,00", "price_reason": ""},
            "price_reason",
            "Een prijs die afwijkt van het tarief (€ 3800,00) vraagt een reden.",
        ),
        (
            {"price": "4000,00", "price_reason": "   "},
            "price_reason",
            "vraagt een reden",
        ),
        ({"planned_end": "2026-01-01"}, "planned_end", "vóór de geplande startdatum"),
        ({"price": "abc"}, "price", "Vul een bedrag in, bijvoorbeeld 1234,56."),
        ({"price": "1e400"}, "price", "Vul een bedrag in"),
        ({"price": "NaN"}, "price", "Vul een bedrag in"),
        ({"price": "Infinity"}, "price", "Vul een bedrag in"),
        ({"price": "12,34,56"}, "price", "Vul een bedrag in"),
        ({"price": "99999999999"}, "price", "Dit bedrag is te hoog."),
        ({"price": "-5", "price_reason": "korting"}, "price", "De prijs kan niet negatief zijn."),
        ({"price": LONG}, "price", None),
        ({"planned_start": "2026-13-45"}, "planned_start", None),
        ({"planned_start": "morgen"}, "planned_start", None),
        ({"planned_start": ""}, "planned_start", "Vul de geplande startdatum in."),
        ({"planned_start": "0001-01-01"}, "planned_start", "buiten het geldige bereik"),
        ({"planned_end": "22-11-2026"}, "planned_end", None),
        ({"planned_start": "2010-01-01"}, "planned_start", "geen tarief"),
        ({"profile_id": ""}, "profile_id", "Kies een ondersteuningsprofiel."),
        ({"profile_id": "abc"}, "profile_id", None),
        ({"profile_id": "999999"}, "profile_id", "Kies een bestaand ondersteuningsprofiel."),
        ({"profile_id": "99999999999999999999"}, "profile_id", None),
        ({"profile_id": "-3"}, "profile_id", None),
        ({"provider_id": ""}, "provider_id", "Kies een aanbieder."),
        ({"provider_id": "abc"}, "provider_id", None),
        ({"provider_id": "999999"}, "provider_id", "geen contract"),
        ({"provider_id": "1" * 5000}, "provider_id", None),
        ({"subcontractor_id": "abc"}, "subcontractor_id", None),
        ({"subcontractor_id": "zorg_a"}, "subcontractor_id", "andere organisatie"),
        ({"subcontractor_id": "999999"}, "subcontractor_id", "geen contract"),
        ({"intensity": "bogus"}, "intensity", None),
        ({"intensity": ""}, "intensity", None),
        ({"price_reason": LONG, "price": "4000"}, "price_reason", "2000"),
    ],
)
def test_trajectory_form_problems_are_shown_at_the_field_keeping_input(
    client, world, session, overrides, field, message
):
    ids = {
        "hh": world.hh.id,
        "zorg_b": world.zorg_b.id,
        "zorg_d": world.zorg_d.id,
        "zorg_a": world.zorg_a.id,
    }
    overrides = {k: str(ids.get(v, v)) for k, v in overrides.items()}
    login_as(client, world.gids)
    data = _trajectory_data(world, **overrides)
    response = post_form(client, _new_url(world), _new_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[:500]
    error = field_error(body, field)
    _assert_dutch(error)
    if message:
        assert message in error
    _assert_kept(body, data)
    assert "<script>" not in body
    assert _trajectories(session) == 0


@pytest.mark.parametrize("need_type", ["", "bogus"])
def test_need_type_must_be_chosen(client, world, session, need_type):
    login_as(client, world.gids)
    data = _trajectory_data(world, need_type=need_type)
    body = post_form(client, _new_url(world), _new_url(world), data).get_data(as_text=True)
    assert "Kies eindig of blijvend." in body or "Ongeldige keuze" in body
    assert textarea_value(body, "results-0-description") == data["results-0-description"]
    assert _trajectories(session) == 0


def test_no_results_shows_the_message_at_the_results(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(
        world, **{"results-0-description": "  ", "results-0-measure": "Iets meten"}
    )
    response = post_form(client, _new_url(world), _new_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Leg ten minste één afgesproken resultaat vast." in field_error(body, "results")
    assert textarea_value(body, "results-0-measure") == "Iets meten"
    assert _trajectories(session) == 0


def test_overlong_result_texts_are_refused_with_a_dutch_message(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(
        world,
        **{"results-0-description": LONG, "results-0-gas_zero": LONG, "results-0-measure": LONG},
    )
    response = post_form(client, _new_url(world), _new_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2000" in field_error(body, "results-0-description")
    assert "500" in field_error(body, "results-0-gas_zero")
    _assert_kept(body, data)
    assert _trajectories(session) == 0


def test_a_request_of_another_domain_is_refused_at_the_profile(client, world, session):
    item = register_aanmelding(
        session,
        world.child,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Vraag",
        today=TODAY,
    )
    session.flush()
    login_as(client, world.gids)
    url = f"{_new_url(world, world.child)}?aanmelding={item.id}"
    data = _trajectory_data(world, profile_id=str(world.amb.id))
    body = post_form(client, url, url, data).get_data(as_text=True)
    assert "ander domein" in field_error(body, "profile_id")
    assert _trajectories(session) == 0


def test_the_tariff_button_shows_the_price_and_only_contracted_providers(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(world, refresh="Tarief en aanbieders tonen", provider_id="")
    data.pop("submit")
    response = post_form(client, _new_url(world), _new_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "€ 3.800,00" in body  # WMO-BG middel from 2021, in Dutch notation
    assert "26 weken" in body
    providers = [label for value, label, _ in select_options(body, "provider_id") if value]
    assert [p.split(" (")[0] for p in providers] == ["Zorg A", "Zorg B"]
    assert [o for o in select_options(body, "profile_id") if o[2]][0][0] == str(world.bg.id)
    _assert_kept(body, data)
    assert 'class="error"' not in body  # the button does not validate the form
    assert _trajectories(session) == 0

    data.update(profile_id=str(world.hh.id), intensity="laag")
    body = post_form(client, _new_url(world), _new_url(world), data).get_data(as_text=True)
    assert "€ 1.300,00" in body and "52 weken" in body
    providers = [label for value, label, _ in select_options(body, "provider_id") if value]
    assert [p.split(" (")[0] for p in providers] == ["Zorg A"]  # not Zorg B, not Zorg D

    data.update(planned_start="2020-06-01")  # Zorg D's contract ran until the end of 2020
    body = post_form(client, _new_url(world), _new_url(world), data).get_data(as_text=True)
    assert "€ 1.200,00" in body
    providers = [label for value, label, _ in select_options(body, "provider_id") if value]
    assert [p.split(" (")[0] for p in providers] == ["Zorg A", "Zorg D"]


def _refresh(client, world, **overrides) -> str:
    data = _trajectory_data(world, refresh="Tarief en aanbieders tonen", **overrides)
    data.pop("submit")
    response = post_form(client, _new_url(world), _new_url(world), data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _need_type(body: str) -> tuple[str | None, str | None]:
    return checked_value(body, "need_type"), input_value(body, "need_type_preset")


def test_the_tariff_button_preselects_the_profiles_need_type_until_the_gids_chooses(
    client, world, session
):
    world.bg.need_type_default = NeedType.BLIJVEND
    session.commit()
    login_as(client, world.gids)
    # a new form starts with the general default, marked as preselected
    assert _need_type(client.get(_new_url(world)).get_data(as_text=True)) == ("eindig", "eindig")
    # not chosen by the gids: the profile's default
    body = _refresh(client, world, need_type="eindig", need_type_preset="eindig")
    assert _need_type(body) == ("blijvend", "blijvend")
    # another profile without a default of its own: back to the general default
    body = _refresh(
        client, world, profile_id=str(world.hh.id), intensity="laag",
        need_type="blijvend", need_type_preset="blijvend",
    )  # fmt: skip
    assert _need_type(body) == ("eindig", "eindig")
    # chosen by the gids (differs from what was preselected): kept
    body = _refresh(client, world, need_type="eindig", need_type_preset="blijvend")
    assert _need_type(body) == ("eindig", "blijvend")
    # chosen with the script (it empties the mark): kept; no mark at all: the general default
    # was preselected
    assert _need_type(_refresh(client, world, need_type="eindig", need_type_preset=""))[0] == (
        "eindig"
    )
    assert _need_type(_refresh(client, world, need_type="eindig"))[0] == "blijvend"
    assert _need_type(_refresh(client, world, need_type="bogus", need_type_preset="eindig")) == (
        None,
        "eindig",
    )
    assert _trajectories(session) == 0


def test_saving_stores_the_need_type_the_gids_saw(client, world, session):
    """Saving never swaps the need type: only a re-rendered page shows the profile's default."""
    world.bg.need_type_default = NeedType.BLIJVEND
    session.commit()
    login_as(client, world.gids)
    data = _trajectory_data(world, need_type="eindig", need_type_preset="eindig")
    assert post_form(client, _new_url(world), _new_url(world), data).status_code == 302
    assert session.scalars(select(Trajectory)).one().need_type == NeedType.EINDIG


def test_the_planned_end_preview_is_what_saving_stores_for_a_17_year_old_in_jeugd(
    client, world, session
):
    """Jeugd ends the day before the 18th birthday: the preview caps the tariff's standard
    duration (26 weeks) there, exactly as saving the form without a planned end does."""
    birthday_18 = _today() + timedelta(weeks=10)
    teen = Resident(
        bsn="100000009",
        given_name="Sem",
        family_name="Bakker",
        birth_date=birthday_18.replace(year=birthday_18.year - 18),
        postcode="8251CD",
        wijk=world.dronten,
        household=Household(gids=world.gids),
    )
    session.add(teen)
    session.commit()
    login_as(client, world.gids)
    url = _new_url(world, teen)
    data = _trajectory_data(
        world, profile_id=str(world.amb.id), refresh="Tarief en aanbieders tonen"
    )
    data.pop("submit")
    body = post_form(client, url, url, data).get_data(as_text=True)
    shown = re.search(r"Geplande einddatum bij de standaardduur: (\d\d-\d\d-\d{4})\.", body)
    assert shown is not None
    assert shown[1] == (birthday_18 - timedelta(days=1)).strftime("%d-%m-%Y")

    data = _trajectory_data(world, profile_id=str(world.amb.id))
    assert post_form(client, url, url, data).status_code == 302
    stored = session.scalars(select(Trajectory).where(Trajectory.resident_id == teen.id)).one()
    assert stored.planned_end.strftime("%d-%m-%Y") == shown[1]


def test_the_tariff_button_for_a_forbidden_intensity_names_the_allowed_ones(client, world):
    login_as(client, world.gids)
    data = _trajectory_data(world, profile_id=str(world.hh.id), refresh="1")
    data.pop("submit")
    body = post_form(client, _new_url(world), _new_url(world), data).get_data(as_text=True)
    assert "Toegestane intensiteiten voor dit profiel" in body
    assert "Laag, Zwaar" in body


@pytest.mark.parametrize(
    "overrides",
    [
        {"profile_id": "abc"},
        {"profile_id": "99999999999999999999"},
        {"intensity": "bogus"},
        {"planned_start": "nooit"},
        {"planned_start": "9999-99-99"},
    ],
)
def test_the_tariff_button_with_nonsense_input_never_fails(client, world, overrides):
    login_as(client, world.gids)
    data = _trajectory_data(world, refresh="1", **overrides)
    data.pop("submit")
    response = post_form(client, _new_url(world), _new_url(world), data)
    assert response.status_code == 200
    assert textarea_value(response.get_data(as_text=True), "results-0-description")


def test_adding_a_result_keeps_the_first(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(world, add_result="Nog een resultaat toevoegen", price="abc")
    data.pop("submit")
    response = post_form(client, _new_url(world), _new_url(world), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    _assert_kept(body, data)
    assert textarea_value(body, "results-1-description") == ""
    assert input_value(body, "results-1-gas_zero") == ""
    assert textarea_value(body, "results-2-description") is None
    assert 'class="error"' not in body
    assert _trajectories(session) == 0


def test_results_stop_at_ten(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(world, add_result="1")
    data.pop("submit")
    for i in range(15):
        data[f"results-{i}-description"] = f"Resultaat {i}"
    body = post_form(client, _new_url(world), _new_url(world), data).get_data(as_text=True)
    assert textarea_value(body, "results-9-description") == "Resultaat 9"
    assert textarea_value(body, "results-10-description") is None


def test_sparse_result_indexes_never_fail(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(world, **{"results-999999-description": "Ver weg"})
    response = post_form(client, _new_url(world), _new_url(world), data)
    assert response.status_code == 302
    t = session.scalars(select(Trajectory)).one()
    assert [r.description for r in t.results] == [data["results-0-description"], "Ver weg"]


def test_an_empty_post_shows_messages_not_an_error(client, world, session):
    login_as(client, world.gids)
    response = post_form(client, _new_url(world), _new_url(world), {})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("profile_id", "planned_start", "provider_id"):
        _assert_dutch(field_error(body, field))
    assert _trajectories(session) == 0


def test_script_in_results_is_escaped_for_gids_and_provider(client, world, session):
    login_as(client, world.gids)
    data = _trajectory_data(
        world,
        price="4000",
        price_reason=SCRIPT,
        **{"results-0-description": SCRIPT, "results-0-gas_zero": SCRIPT + SQL},
    )
    response = post_form(client, _new_url(world), _new_url(world), data)
    assert response.status_code == 302
    t = session.scalars(select(Trajectory)).one()
    assert t.results[0].description == SCRIPT
    page = f"/gids/trajecten/{t.id}"
    for url in (page, f"{page}/wijzigen", f"/gids/inwoners/{world.adult.id}", "/gids/"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body, url
    assert "&lt;script&gt;" in client.get(page).get_data(as_text=True)
    post_form(client, page, f"{page}/versturen", {}, prefix="propose")
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/trajecten/{t.id}").get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body


# --- editing, ownership and versions ---------------------------------------------------------


@pytest.fixture
def concept(session, world) -> Trajectory:
    t = make_trajectory(session, world, S.CONCEPT, planned_start=_today())
    session.flush()
    return t


@pytest.fixture
def active(session, world) -> Trajectory:
    t = make_trajectory(session, world, S.ACTIEF)
    session.flush()
    return t


def _edit_data(world, t, **overrides):
    data = _trajectory_data(
        world,
        planned_start=t.planned_start.isoformat(),
        price="",
        version=str(t.version),
        **{
            "results-0-description": "Anna betaalt haar rekeningen zelf",
            "results-0-measure": "",
            "results-0-gas_zero": "",
        },
    )
    data.update(overrides)
    return data


def test_the_responsible_gids_edits_a_concept(client, world, session, concept):
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    page = client.get(url).get_data(as_text=True)
    assert input_value(page, "version") == str(concept.version)
    assert textarea_value(page, "results-0-description") == "Anna doet zelf haar administratie"
    response = post_form(client, url, url, _edit_data(world, concept, intensity="laag"))
    assert response.status_code == 302
    session.expire_all()
    t = session.get(Trajectory, concept.id)
    assert t.intensity == Intensity.LAAG
    assert t.results[0].description == "Anna betaalt haar rekeningen zelf"


def test_an_edit_with_a_stale_version_is_a_409_and_overwrites_nothing(
    client, world, session, concept
):
    login_as(client, world.gids)
    url = f"/gids/trajecten/{concept.id}/wijzigen"
    page = client.get(url)
    name, token = csrf_token(page)
    stale = _edit_data(world, concept, intensity="zwaar")
    # meanwhile the trajectory changes (another tab, another request)
    wf.update_trajectory(
        session,
        concept,
        trajectory_input(world, planned_start=_today(), intensity=Intensity.LAAG),
        world.gids,
        expected_version=concept.version,
        today=_today(),
    )
    session.flush()
    before = _snapshot(session, concept.id)
    response = client.post(url, data={name: token, **stale})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Iemand anders heeft dit traject intussen gewijzigd." in body
    assert "er is niets overschreven" in body
    assert input_value(body, "version") == str(concept.version - 1)  # still the stale page's
    after = _snapshot(session, concept.id)
    assert after == before
    assert after[2] == Intensity.LAAG


def test_propose_with_a_stale_version_is_a_409(client, world, session, concept):
    login_as(client, world.gids)
    page = f"/gids/trajecten/{concept.id}"
    before = _snapshot(session, concept.id)
    response = post_form(
        client, page, f"{page}/versturen", {"propose-version": str(concept.version - 1)}, "propose"
    )
    assert response.status_code == 409
    assert "intussen door iemand anders gewijzigd" in response.get_data(as_text=True)
    assert _snapshot(session, concept.id) == before


def test_editing_a_proposed_trajectory_is_refused_with_a_message(client, world, session):
    t = make_trajectory(session, world, S.VOORGESTELD)
    session.flush()
    login_as(client, world.gids)
    response = client.get(f"/gids/trajecten/{t.id}/wijzigen", follow_redirects=True)
    assert response.status_code == 200
    assert "kan niet meer worden gewijzigd" in response.get_data(as_text=True)


@pytest.mark.parametrize("state", [S.CONCEPT, S.ACTIEF])
def test_another_gids_can_view_but_not_change(client, world, session, state):
    t = make_trajectory(session, world, state)
    session.flush()
    before = _snapshot(session, t.id)
    login_as(client, world.gids2)
    page = f"/gids/trajecten/{t.id}"
    response = client.get(page)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "alleen de verantwoordelijke gids kan het wijzigen" in body
    assert f"{page}/versturen" not in body and f"{page}/afsluiten" not in body
    assert 'name="cancel-reason"' not in body
    name, token = page_token(client, page)
    posts = {
        "versturen": {"propose-version": str(t.version)},
        "annuleren": {"cancel-reason": "Niet nodig", "cancel-version": str(t.version)},
        "afsluiten": {
            "close-care_end": TODAY.isoformat(),
            "close-closure_category": "a",
            "close-end_reason_code": "19",
            "close-result_achieved": "ja",
        },
        "wijzigen": _edit_data(world, t),
    }
    for action, data in posts.items():
        response = client.post(f"{page}/{action}", data={name: token, **data})
        assert response.status_code == 403, action
        assert "U heeft geen toegang tot deze pagina." in response.get_data(as_text=True)
    assert client.get(f"{page}/wijzigen").status_code == 403
    assert _snapshot(session, t.id) == before


# --- close and cancel ------------------------------------------------------------------------


def _close_data(**overrides):
    data = {
        "close-care_end": TODAY.isoformat(),
        "close-closure_category": "a",
        "close-end_reason_code": "19",
        "close-result_achieved": "ja",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"close-care_end": "2026-10-01"},
            "close-care_end",
            "De einddatum ligt vóór de start van de zorg (02-11-2026).",
        ),
        ({"close-care_end": "2099-01-01"}, "close-care_end", "kan niet in de toekomst liggen"),
        ({"close-care_end": ""}, "close-care_end", "Vul de einddatum in."),
        ({"close-care_end": "1-1-2026"}, "close-care_end", None),
        ({"close-end_reason_code": ""}, "close-end_reason_code", "Kies een reden."),
        ({"close-end_reason_code": "32"}, "close-end_reason_code", None),  # a Jeugd code
        ({"close-end_reason_code": "'; --"}, "close-end_reason_code", None),
        ({"close-end_reason_code": LONG}, "close-end_reason_code", None),
    ],
)
def test_close_form_problems_are_shown_at_the_field(
    client, world, session, active, overrides, field, message
):
    before = _snapshot(session, active.id)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{active.id}"
    data = _close_data(**overrides)
    response = post_form(client, f"{page}/afsluiten", f"{page}/afsluiten", data, prefix="close")
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[:500]
    error = field_error(body, field)
    _assert_dutch(error)
    if message:
        assert message in error
    assert input_value(body, "close-care_end") == data["close-care_end"]
    assert checked_value(body, "close-closure_category") == "a"
    assert checked_value(body, "close-result_achieved") == "ja"
    assert _snapshot(session, active.id) == before


def test_close_without_category_or_result_explains_both(client, world, session, active):
    before = _snapshot(session, active.id)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{active.id}"
    data = _close_data(**{"close-closure_category": "", "close-result_achieved": "misschien"})
    response = post_form(client, f"{page}/afsluiten", f"{page}/afsluiten", data, prefix="close")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kies een afsluitcategorie." in body
    assert "Geef aan of het resultaat is behaald." in body or "Ongeldige keuze" in body
    assert input_value(body, "close-care_end") == TODAY.isoformat()
    assert _snapshot(session, active.id) == before


def test_closing_has_its_own_page_reached_from_the_trajectory(client, world, session, active):
    login_as(client, world.gids)
    page = f"/gids/trajecten/{active.id}"
    body = client.get(page).get_data(as_text=True)
    assert f'href="{page}/afsluiten"' in body
    assert 'name="close-closure_category"' not in body  # the form is on the close page
    response = client.get(f"{page}/afsluiten")
    assert response.status_code == 200
    close_page = response.get_data(as_text=True)
    assert f'action="{page}/afsluiten"' in close_page
    assert input_value(close_page, "close-version") == str(active.version)
    assert 'name="close-closure_category"' in close_page


def test_the_close_page_of_a_trajectory_that_cannot_close_sends_back(
    client, world, session, concept
):
    login_as(client, world.gids)
    page = f"/gids/trajecten/{concept.id}"
    assert f"{page}/afsluiten" not in client.get(page).get_data(as_text=True)
    response = client.get(f"{page}/afsluiten")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    shown = client.get(page).get_data(as_text=True)
    assert "Dit kan niet bij een traject met status" in shown


def test_only_the_responsible_gids_sees_the_close_page(client, world, session, active):
    login_as(client, world.gids2)
    assert client.get(f"/gids/trajecten/{active.id}/afsluiten").status_code == 403


def test_a_valid_close_works(client, world, session, active):
    login_as(client, world.gids)
    page = f"/gids/trajecten/{active.id}"
    response = post_form(
        client, f"{page}/afsluiten", f"{page}/afsluiten", _close_data(), prefix="close"
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Trajectory, active.id).state == S.AFGESLOTEN


@pytest.mark.parametrize("reason", ["", "  \n ", LONG])
def test_cancel_without_a_proper_reason_shows_the_message(client, world, session, concept, reason):
    before = _snapshot(session, concept.id)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{concept.id}"
    response = post_form(client, page, f"{page}/annuleren", {"cancel-reason": reason}, "cancel")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, "cancel-reason")
    _assert_dutch(error)
    assert "Geef een reden." in error or "2000" in error
    if reason == LONG:
        assert textarea_value(body, "cancel-reason") == LONG
    assert _snapshot(session, concept.id) == before


def test_cancel_with_a_reason_works(client, world, session, concept):
    login_as(client, world.gids)
    page = f"/gids/trajecten/{concept.id}"
    data = {"cancel-reason": SCRIPT}
    response = post_form(client, page, f"{page}/annuleren", data, "cancel")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Trajectory, concept.id).state == S.GEANNULEERD
    body = client.get(page).get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_actions_in_the_wrong_state_give_a_dutch_message(client, world, session, active):
    before = _snapshot(session, active.id)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{active.id}"
    name, token = page_token(client, page)
    response = client.post(f"{page}/versturen", data={name: token})
    assert response.status_code == 422
    assert "Dit kan niet bij een traject met status" in response.get_data(as_text=True)
    response = client.post(f"{page}/annuleren", data={name: token, "cancel-reason": "Weg"})
    assert response.status_code == 422
    assert "Dit kan niet bij een traject met status" in response.get_data(as_text=True)
    assert _snapshot(session, active.id) == before


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("annuleren", {"cancel-reason": ""}),
        ("afsluiten", {"close-care_end": "", "close-closure_category": "a"}),
    ],
)
def test_a_form_from_a_stale_page_explains_why_nothing_happened(
    client, world, session, action, data
):
    """Cancelling an active trajectory or closing a concept: the page no longer holds that
    form, so a field message would be invisible; the page says the step is not possible."""
    t = make_trajectory(session, world, S.ACTIEF if action == "annuleren" else S.CONCEPT)
    session.flush()
    before = _snapshot(session, t.id)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{t.id}"
    name, token = page_token(client, page)
    response = client.post(f"{page}/{action}", data={name: token, **data})
    assert response.status_code == 422
    assert "Dit kan niet bij een traject met status" in response.get_data(as_text=True)
    assert _snapshot(session, t.id) == before
