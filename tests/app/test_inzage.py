"""A request for access (inzageverzoek): the beheerder reaches a resident's file only through a
registered request (who asked, when, the case number), found by BSN in a POST. The pages and
downloads hang off the request, are refused by a bare resident id, close with the request, and
every view and download is in the audit log naming the beheerder and the request."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pypdf
import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from models import AccessRequest, AccessRequestState, AuditEntry, TrajectoryState
from workflows.claims import submit_claim
from workflows.inzage import AccessRequestInput, register_access_request

from ..factories import TODAY, make_trajectory
from .helpers import csrf_token, field_error, input_value, login_as, page_token, post_form

NOW = datetime(2026, 11, 2, 10, 0)
FORM = {
    "bsn": "111 222 333",
    "reference": "Z-2026-0142",
    "requester_name": "Anna de Vries",
    "requester_relation": "inwoner",
    "received_on": "2026-10-30",
}


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


def _file(session, world):
    active = make_trajectory(session, world, TrajectoryState.ACTIEF)
    closed = make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    claim = submit_claim(session, closed, world.aanbieder_a, TODAY)
    session.flush()
    return active, closed, claim


def _registered(session, world, reference: str = "Z-2026-0001") -> AccessRequest:
    item = register_access_request(
        session,
        AccessRequestInput(
            bsn=world.adult.bsn,
            reference=reference,
            requester_name="Anna de Vries",
            requester_relation="inwoner",
            received_on=TODAY,
        ),
        world.beheerder,
        TODAY,
    )
    session.flush()
    return item


def _base(item: AccessRequest) -> str:
    return f"/beheer/inzage/verzoek/{item.id}"


def _entries(session, item: AccessRequest) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "inzageverzoek", AuditEntry.object_id == item.id)
            .order_by(AuditEntry.id)
        )
    )


# --- the way in -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/inzage.json", "/inzage.pdf"])
def test_a_bare_resident_id_reaches_no_page_and_no_download(client, world, session, suffix):
    _file(session, world)
    login_as(client, world.beheerder)
    token = page_token(client)
    url = f"/beheer/inzage/{world.adult.id}{suffix}"
    for response in (client.get(url), client.post(url, data={token[0]: token[1]})):
        assert response.status_code == 404, (url, response.status_code)
        body = response.get_data()
        assert b"de Vries" not in body and world.adult.bsn.encode() not in body
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "geexporteerd")) == 0  # fmt: skip


def test_registering_a_request_finds_the_resident_by_bsn_in_a_post(client, world, session):
    _file(session, world)
    login_as(client, world.beheerder)
    response = post_form(client, "/beheer/inzage", "/beheer/inzage", FORM)
    assert response.status_code == 302
    item = session.scalars(select(AccessRequest)).one()
    assert response.headers["Location"] == _base(item)
    assert world.adult.bsn not in response.headers["Location"]
    assert str(world.adult.id) not in response.headers["Location"].replace(str(item.id), "")
    assert (item.resident_id, item.reference, item.requester_name) == (
        world.adult.id,
        "Z-2026-0142",
        "Anna de Vries",
    )
    assert (item.requester_relation.value, item.received_on, item.due_on) == (
        "inwoner",
        date(2026, 10, 30),
        date(2026, 11, 30),
    )
    assert item.registered_by_id == world.beheerder.id and item.state == AccessRequestState.OPEN
    created = [e for e in _entries(session, item) if e.action == "aangemaakt"]
    assert [(e.user_id, e.resident_id) for e in created] == [(world.beheerder.id, world.adult.id)]


def test_the_request_page_shows_the_resident_and_the_log(client, world, session):
    active, _closed, _claim = _file(session, world)
    item = _registered(session, world)
    gids = client.application.test_client()
    login_as(gids, world.gids)
    gids.get(f"/gids/trajecten/{active.id}")  # a read the log must show
    login_as(client, world.beheerder)
    page = client.get(_base(item)).get_data(as_text=True)
    assert "Z-2026-0001" in page and "Anna de Vries" in page
    assert world.gids.name in page and "inzien" in page and "gids.trajectory" in page


def test_the_list_of_requests_names_no_one(client, world, session):
    item = _registered(session, world)
    login_as(client, world.beheerder)
    page = client.get("/beheer/inzage").get_data(as_text=True)
    assert "Z-2026-0001" in page and _base(item) in page
    for text in ("Anna", "de Vries", world.adult.bsn, world.adult.bsn[-3:] + "<"):
        assert text not in page


def test_every_view_and_download_is_logged_with_the_beheerder_and_the_request(
    client, world, session
):
    _file(session, world)
    item = _registered(session, world)
    login_as(client, world.beheerder)
    for suffix in ("", "/inzage.json", "/inzage.pdf", ""):
        assert client.get(_base(item) + suffix).status_code == 200
    logged = [
        (e.action, e.details, e.user_id, e.resident_id, e.endpoint)
        for e in _entries(session, item)
        if e.action != "aangemaakt"
    ]
    me, anna = world.beheerder.id, world.adult.id
    assert logged == [
        ("inzien", None, me, anna, "beheer.access_request"),
        ("geexporteerd", "inzage.json", me, anna, "beheer.inzage_json"),
        ("inzien", None, me, anna, "beheer.inzage_json"),
        ("geexporteerd", "inzage.pdf", me, anna, "beheer.inzage_pdf"),
        ("inzien", None, me, anna, "beheer.inzage_pdf"),
        ("inzien", None, me, anna, "beheer.access_request"),
    ]


def test_the_file_is_reachable_only_while_the_request_is_open(client, world, session):
    _file(session, world)
    item = _registered(session, world)
    login_as(client, world.beheerder)
    json_before = client.get(_base(item) + "/inzage.json")
    assert json_before.status_code == 200
    page = client.get(_base(item))
    name, token = csrf_token(page)
    response = client.post(_base(item) + "/afhandelen", data={name: token})
    assert response.status_code == 302
    session.refresh(item)
    assert item.state == AccessRequestState.AFGEHANDELD
    assert item.closed_by_id == world.beheerder.id
    closed_page = client.get(_base(item)).get_data(as_text=True)
    assert "Z-2026-0001" in closed_page and "afgehandeld" in closed_page
    assert "de Vries" not in closed_page.replace("Anna de Vries (", "")  # the requester only
    assert "gids.trajectory" not in closed_page
    for suffix in ("/inzage.json", "/inzage.pdf"):
        replay = client.get(_base(item) + suffix)  # a link kept from before
        assert replay.status_code == 410
        assert b"afgehandeld" in replay.data and world.adult.bsn.encode() not in replay.data
    again = client.post(_base(item) + "/afhandelen", data={name: token}, follow_redirects=True)
    assert "al afgehandeld" in again.get_data(as_text=True)
    exports = [e for e in _entries(session, item) if e.action == "geexporteerd"]
    assert [e.details for e in exports] == ["inzage.json"]


def test_a_new_request_opens_the_file_again(client, world, session):
    first = _registered(session, world, "Z-1")
    login_as(client, world.beheerder)
    name, token = csrf_token(client.get(_base(first)))
    client.post(_base(first) + "/afhandelen", data={name: token})
    second = _registered(session, world, "Z-2")
    assert client.get(_base(second) + "/inzage.json").status_code == 200
    assert client.get(_base(first) + "/inzage.json").status_code == 410


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"bsn": "999999990"}, "bsn", "Er is geen inwoner met dit BSN bekend."),
        ({"bsn": "123456789"}, "bsn", "Dit is geen geldig BSN"),
        ({"reference": "=HYPERLINK(1)"}, "reference", "Een zaaknummer is"),
        ({"reference": "z-2026-0001"}, "reference", "Er is al een inzageverzoek met dit"),
        ({"requester_name": "   "}, "requester_name", "Vul de naam in"),
        ({"requester_relation": "buurman"}, "requester_relation", "Kies wie het verzoek deed."),
        ({"received_on": "2026-11-03"}, "received_on", "ligt in de toekomst"),
        ({"received_on": "2018-05-24"}, "received_on", "vóór 25 mei 2018"),
    ],
)
def test_a_wrong_registration_is_explained_at_its_field_and_the_input_kept(
    client, world, session, changes, field, message
):
    _registered(session, world)  # Z-2026-0001 is taken
    login_as(client, world.beheerder)
    data = {**FORM, **changes}
    response = post_form(client, "/beheer/inzage", "/beheer/inzage", data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, field)
    if field != "requester_relation":
        assert input_value(body, "reference") == data["reference"]
    assert session.scalar(select(func.count()).select_from(AccessRequest)) == 1


def test_the_deadline_is_one_month_and_a_late_request_is_marked(client, world, session):
    item = _registered(session, world)
    assert item.due_on == date(2026, 12, 2)
    login_as(client, world.beheerder)
    assert "Termijn verstreken" not in client.get("/beheer/inzage").get_data(as_text=True)
    with freeze_time(datetime(2026, 12, 3, 10, 0)):
        login_as(client, world.beheerder)
        assert "Termijn verstreken" in client.get("/beheer/inzage").get_data(as_text=True)
        assert "Termijn verstreken" in client.get(_base(item)).get_data(as_text=True)


# --- the answer --------------------------------------------------------------------------------


def test_the_json_export_holds_everything_about_the_resident(client, world, session):
    active, closed, claim = _file(session, world)
    item = _registered(session, world)
    provider = client.application.test_client()
    login_as(provider, world.aanbieder_a)
    assert provider.get(f"/aanbieder/trajecten/{active.id}").status_code == 200
    login_as(client, world.beheerder)
    response = client.get(_base(item) + "/inzage.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["access_request"]["reference"] == "Z-2026-0001"
    assert data["resident"]["bsn"] == world.adult.bsn
    assert data["resident"]["family_name"] == "de Vries"
    trajectories = {t["id"]: t for t in data["trajectories"]}
    assert set(trajectories) == {active.id, closed.id}
    assert trajectories[active.id]["results"][0]["description"] == active.results[0].description
    assert trajectories[active.id]["evaluations"]
    assert trajectories[closed.id]["claims"][0]["id"] == claim.id
    assert trajectories[closed.id]["history"]
    # the other members of a household are not in it: their data is theirs
    assert world.child.bsn not in response.get_data(as_text=True)
    # who accessed the file: by role and organisation, not by employee or address
    assert {"role": "aanbieder", "organisation": "Zorg A", "action": "inzien"}.items() <= next(
        a for a in data["accesses"] if a["role"] == "aanbieder"
    ).items()
    assert all("ip" not in a and "user_id" not in a for a in data["accesses"])


def test_the_file_holds_the_address_and_phone_in_json_and_pdf(client, world, session):
    world.adult.address, world.adult.phone = "Het Ravelijn 1", "0321123456"
    session.flush()
    item = _registered(session, world)
    login_as(client, world.beheerder)
    data = json.loads(client.get(_base(item) + "/inzage.json").get_data(as_text=True))
    assert (data["resident"]["address"], data["resident"]["phone"]) == (
        "Het Ravelijn 1",
        "0321123456",
    )
    reader = pypdf.PdfReader(io.BytesIO(client.get(_base(item) + "/inzage.pdf").data))
    content = " ".join(page.extract_text() for page in reader.pages)
    assert "Telefoonnummer" in content and "0321123456" in content
    assert "Het Ravelijn 1" in content


def test_the_pdf_export_is_readable(client, world, session):
    _file(session, world)
    item = _registered(session, world)
    login_as(client, world.beheerder)
    response = client.get(_base(item) + "/inzage.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    content = " ".join(page.extract_text() for page in reader.pages)
    assert "Inzage in uw gegevens" in content and "Z-2026-0001" in content
    assert "Anna de Vries" in content and world.adult.bsn in content
    assert "Anna doet zelf haar administratie" in content
    assert "Gemeente Dronten" in content  # every PDF names the municipality (MUNICIPALITY_NAME)


def test_an_unknown_request_gives_404(client, world):
    login_as(client, world.beheerder)
    for url in ("/beheer/inzage/verzoek/999999", "/beheer/inzage/verzoek/999999/inzage.json"):
        assert client.get(url).status_code == 404


def test_only_a_beheerder_registers_a_request(session, world):
    from workflows.errors import DomainError

    with pytest.raises(DomainError, match="Alleen een beheerder"):
        register_access_request(
            session,
            AccessRequestInput(world.adult.bsn, "Z-9", "Anna", "inwoner", TODAY),
            world.gids,
            TODAY,
        )


def test_a_case_number_is_kept_in_capitals_and_a_name_without_invisible_characters(world, session):
    item = register_access_request(
        session,
        AccessRequestInput(
            bsn=world.adult.bsn,
            reference=" z-2026-0777 ",
            requester_name="Anna\u202e de Vries",
            requester_relation="inwoner",
            received_on=TODAY,
        ),
        world.beheerder,
        TODAY,
    )
    assert (item.reference, item.requester_name) == ("Z-2026-0777", "Anna de Vries")
