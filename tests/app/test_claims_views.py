"""Claims through the test client (CSRF on): the provider sees what it may claim and why before
submitting, claims once, and reads the gids's decision in its claims list. A claim on an open
trajectory or a second claim gives a Dutch message and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from models import Claim, ClaimState, TrajectoryState
from workflows.claims import submit_claim

from .care import NOW, active, closed, snapshot
from .helpers import csrf_token, field_error, login_as, page_token, post_form, textarea_value

S = TrajectoryState


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def _claim_url(t) -> str:
    return f"/aanbieder/trajecten/{t.id}/declareren"


def test_the_claim_page_shows_the_amount_and_its_basis_before_submitting(client, world, session):
    t = closed(session, world)
    login_as(client, world.aanbieder_a)
    trajectory_page = client.get(f"/aanbieder/trajecten/{t.id}").get_data(as_text=True)
    assert _claim_url(t) in trajectory_page
    body = client.get(_claim_url(t)).get_data(as_text=True)
    assert "€ 3.800,00" in body
    assert "Resultaat behaald: de volledige trajectprijs" in body
    assert "Declaratie indienen" in body
    assert session.scalars(select(Claim)).all() == []


def test_without_the_result_the_page_explains_the_pro_rata_amount(client, world, session):
    t = closed(session, world, result_achieved=False)
    login_as(client, world.aanbieder_a)
    body = client.get(_claim_url(t)).get_data(as_text=True)
    assert "Resultaat niet behaald; naar rato" in body


def test_the_provider_claims_once_and_sees_the_claim_in_its_list(client, world, session):
    t = closed(session, world)
    login_as(client, world.aanbieder_a)
    page = client.get(_claim_url(t))
    name, token = csrf_token(page)
    response = client.post(_claim_url(t), data={name: token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/aanbieder/declaraties")
    claim = session.scalars(select(Claim)).one()
    assert (claim.amount, claim.state) == (Decimal("3800.00"), ClaimState.INGEDIEND)
    listing = client.get("/aanbieder/declaraties").get_data(as_text=True)
    assert "Anna de Vries" in listing and "€ 3.800,00" in listing and "Ingediend" in listing
    before = snapshot(session, t.id)
    again = client.post(_claim_url(t), data={name: token})
    body = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Voor dit traject is al gedeclareerd." in body
    assert snapshot(session, t.id) == before
    assert "Declaratie indienen" not in client.get(_claim_url(t)).get_data(as_text=True)


def test_a_claim_on_an_open_trajectory_is_refused(client, world, session):
    t = active(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    page = client.get(_claim_url(t)).get_data(as_text=True)
    assert "Declareren kan pas als het traject is afgesloten." in page
    assert "Declaratie indienen" not in page
    name, token = page_token(client, _claim_url(t))
    body = client.post(_claim_url(t), data={name: token}).get_data(as_text=True)
    assert "Declareren kan pas als het traject is afgesloten." in body
    assert snapshot(session, t.id) == before


def test_other_providers_and_subcontractors_do_not_claim(client, world, session):
    from .care import provider_user

    t = closed(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.aanbieder_b)
    assert client.get(_claim_url(t)).status_code == 404
    name, token = page_token(client, "/aanbieder/")
    assert client.post(_claim_url(t), data={name: token}).status_code == 404
    assert "Anna" not in client.get("/aanbieder/declaraties").get_data(as_text=True)
    other = provider_user(session, "tweede@zorg-a.nl", world.zorg_a)
    login_as(client, other)  # a colleague at the same provider sees the list too
    assert "Declareren" in client.get(f"/aanbieder/trajecten/{t.id}").get_data(as_text=True)
    assert snapshot(session, t.id) == before


# --- the gids decides ------------------------------------------------------------------------


@pytest.fixture
def claimed(session, world) -> Claim:
    t = closed(session, world)
    claim = submit_claim(session, t, world.aanbieder_a, NOW)
    session.flush()
    return claim


def _decision_url(claim) -> str:
    return f"/gids/declaraties/{claim.id}"


def test_the_gids_approves_a_claim(client, world, session, claimed):
    login_as(client, world.gids)
    page = client.get(f"/gids/trajecten/{claimed.trajectory_id}").get_data(as_text=True)
    assert _decision_url(claimed) in page
    url = _decision_url(claimed)
    assert "Resultaat behaald" in client.get(url).get_data(as_text=True)
    assert post_form(client, url, url, {"decision": "ja"}).status_code == 302
    session.expire_all()
    assert session.get(Claim, claimed.id).state == ClaimState.GOEDGEKEURD


def test_refusing_a_claim_needs_a_reason_the_provider_reads(client, world, session, claimed):
    before = snapshot(session, claimed.trajectory_id)
    login_as(client, world.gids)
    url = _decision_url(claimed)
    body = post_form(client, url, url, {"decision": "nee", "reason": ""}).get_data(as_text=True)
    assert field_error(body, "reason") == "Geef een reden waarom u de declaratie afwijst."
    body = post_form(client, url, url, {"decision": "?", "reason": "Te hoog"}).get_data(
        as_text=True
    )
    assert field_error(body, "decision")
    assert textarea_value(body, "reason") == "Te hoog"
    assert snapshot(session, claimed.trajectory_id) == before
    data = {"decision": "nee", "reason": "Resultaat niet aangetoond"}
    assert post_form(client, url, url, data).status_code == 302
    login_as(client, world.aanbieder_a)
    listing = client.get("/aanbieder/declaraties").get_data(as_text=True)
    assert "Afgewezen" in listing and "Resultaat niet aangetoond" in listing


def test_another_gids_may_not_decide_on_a_claim(client, world, session, claimed):
    before = snapshot(session, claimed.trajectory_id)
    login_as(client, world.gids2)
    assert client.get(_decision_url(claimed)).status_code == 200
    name, token = page_token(client, "/gids/")
    response = client.post(_decision_url(claimed), data={name: token, "decision": "ja"})
    assert response.status_code == 403
    assert snapshot(session, claimed.trajectory_id) == before
