"""The gids journey through the test client (CSRF on): new trajectory → send → provider accepts
and registers the start; plus the errors a user can run into on the way."""

from __future__ import annotations

from sqlalchemy import select

from models import Trajectory, TrajectoryState
from workflows import clock

from .helpers import login, logout, post_form


def _new_trajectory_data(world, **overrides):
    data = {
        "profile_id": str(world.bg.id),
        "intensity": "middel",
        "planned_start": clock.today().isoformat(),
        "provider_id": str(world.zorg_a.id),
        "subcontractor_id": "",
        "need_type": "eindig",
        "planned_end": "",
        "price": "",
        "price_reason": "",
        "results-0-description": "Anna doet zelf haar administratie",
        "results-0-measure": "Maandelijks gecheckt",
        "results-1-description": "Anna gaat twee keer per week naar de buurtkamer",
        "results-1-measure": "Presentielijst",
        "submit": "Opslaan als concept",
    }
    data.update(overrides)
    return data


def test_gids_creates_sends_and_provider_accepts_and_starts(client, world, session):
    assert login(client, world.gids.email).status_code == 302
    url = f"/gids/inwoners/{world.adult.id}/trajecten/nieuw"
    response = post_form(client, url, url, _new_trajectory_data(world))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    trajectory = session.scalars(select(Trajectory)).one()
    assert trajectory.state == TrajectoryState.CONCEPT
    assert len(trajectory.results) == 2
    page = f"/gids/trajecten/{trajectory.id}"
    assert "Anna gaat twee keer per week" in client.get(page).get_data(as_text=True)
    response = post_form(
        client, page, f"{page}/versturen", {"propose-version": "1"}, prefix="propose"
    )
    assert response.status_code == 302
    logout(client)
    login(client, world.aanbieder_a.email)
    provider_page = f"/aanbieder/trajecten/{trajectory.id}"
    assert client.get("/aanbieder/").status_code == 200
    response = post_form(client, provider_page, f"{provider_page}/accepteren", {}, prefix="accept")
    assert response.status_code == 302
    response = post_form(
        client,
        provider_page,
        f"{provider_page}/start",
        {"start-care_start": clock.today().isoformat()},
        prefix="start",
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Trajectory, trajectory.id).state == TrajectoryState.ACTIEF


def test_invalid_trajectory_form_keeps_input_and_shows_dutch_messages(client, world):
    login(client, world.gids.email)
    url = f"/gids/inwoners/{world.adult.id}/trajecten/nieuw"
    data = _new_trajectory_data(
        world,
        profile_id=str(world.hh.id),
        intensity="middel",
        price="99,50",
        **{"results-0-description": "", "results-1-description": ""},
    )
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "niet toegestaan" in body
    assert "Leg ten minste één afgesproken resultaat vast." in body
    assert "99,50" in body


def test_every_gids_page_renders(client, world):
    login(client, world.gids.email)
    for url in [
        "/gids/",
        "/gids/?state=alle&domain=wmo",
        "/gids/inwoners",
        "/gids/inwoners/nieuw",
        f"/gids/inwoners/{world.adult.id}",
        f"/gids/inwoners/{world.adult.id}/aanmelding",
        "/gids/aanmeldingen",
        f"/gids/inwoners/{world.adult.id}/trajecten/nieuw",
    ]:
        assert client.get(url).status_code == 200, url
    search = post_form(client, "/gids/", "/gids/", {"q": "anna", "state": "alle", "domain": "wmo"})
    assert search.status_code == 200
    found = post_form(client, "/gids/inwoners", "/gids/inwoners", {"q": "vries"})
    assert found.status_code == 200
    assert "Anna de Vries" in found.get_data(as_text=True)


def test_other_roles_pages_render(client, world):
    for user, url in [
        (world.manager, "/manager/"),
        (world.beheerder, "/beheer/"),
        (world.beheerder, "/beheer/aanbieders"),
        (world.aanbieder_a, "/aanbieder/"),
    ]:
        logout(client)
        login(client, user.email)
        assert client.get(url).status_code == 200, url
