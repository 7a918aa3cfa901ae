"""Provider screens through the test client (CSRF on). Need to know: a provider user never sees or
changes a trajectory of another provider, a concept is invisible even to its own provider, and a
subcontractor may look but not act. The provider forms answer with Dutch messages at the field."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import (
    Household,
    Intensity,
    Resident,
    Role,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows import clock
from workflows import trajectories as wf

from ..factories import TODAY, make_user, trajectory_input
from .helpers import (
    csrf_token,
    field_error,
    login_as,
    page_token,
    post_form,
    textarea_value,
)

S = TrajectoryState
ACTIONS = {
    "accepteren": {},
    "terugsturen": {"return-reason": "Wij hebben geen plek"},
    "start": {"start-care_start": TODAY.isoformat()},
}


def drive(session, world, state, provider_user, gids=None, **overrides) -> Trajectory:
    """A trajectory taken through the real workflow to ``state`` by ``provider_user``."""
    gids = gids or world.gids
    t = wf.create_trajectory(session, trajectory_input(world, **overrides), gids, today=TODAY)
    if state == S.CONCEPT:
        return t
    wf.propose(session, t, gids, TODAY)
    if state == S.VOORGESTELD:
        return t
    if state == S.TERUGGESTUURD:
        wf.return_to_gids(session, t, provider_user, "Geen plek", TODAY)
        return t
    if state == S.GEANNULEERD:
        wf.cancel(session, t, gids, "Inwoner ziet af van hulp")
        return t
    wf.accept(session, t, provider_user)
    if state == S.GEACCEPTEERD:
        return t
    wf.start_care(session, t, provider_user, TODAY, TODAY)
    if state == S.ACTIEF:
        return t
    from models import ClosureCategory

    wf.close(
        session,
        t,
        gids,
        care_end=TODAY,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=TODAY,
    )
    return t


@pytest.fixture
def cor(session, world) -> Resident:
    """A second adult, in care with Zorg B only."""
    person = Resident(
        bsn="234567892",
        given_name="Cor",
        family_name="Bakker",
        birth_date=date(1960, 3, 3),
        postcode="8256AA",
        wijk=world.dronten,
        household=Household(gids=world.gids),
    )
    session.add(person)
    session.flush()
    return person


@pytest.fixture
def scene(session, world, cor):
    """Anna's trajectories with Zorg A and Cor's with Zorg B, in every state a provider sees."""
    states = [S.VOORGESTELD, S.TERUGGESTUURD, S.GEACCEPTEERD, S.ACTIEF, S.AFGESLOTEN, S.GEANNULEERD]
    of_a = {s: drive(session, world, s, world.aanbieder_a) for s in states}
    of_b = {
        s: drive(
            session, world, s, world.aanbieder_b, resident_id=cor.id, provider_id=world.zorg_b.id
        )
        for s in states
    }
    concept_a = drive(session, world, S.CONCEPT, world.aanbieder_a)
    session.flush()
    return {"a": of_a, "b": of_b, "concept_a": concept_a}


def _snapshot(session, trajectory_id: int) -> tuple:
    session.expire_all()
    t = session.get(Trajectory, trajectory_id)
    events = session.scalar(
        select(func.count())
        .select_from(TrajectoryEvent)
        .where(TrajectoryEvent.trajectory_id == trajectory_id)
    )
    return (t.state, t.version, t.care_start, events)


def _post_action(client, trajectory_id: int, action: str, token: tuple[str, str], **extra):
    name, value = token
    data = {name: value, **ACTIONS[action], **extra}
    return client.post(f"/aanbieder/trajecten/{trajectory_id}/{action}", data=data)


# --- isolation between providers -------------------------------------------------------------


def test_provider_b_gets_404_on_every_trajectory_of_zorg_a(client, world, scene):
    login_as(client, world.aanbieder_b)
    for t in [*scene["a"].values(), scene["concept_a"]]:
        response = client.get(f"/aanbieder/trajecten/{t.id}")
        body = response.get_data(as_text=True)
        assert response.status_code == 404, t.state
        assert "Deze pagina of dit gegeven bestaat niet" in body
        assert "Anna" not in body and world.adult.bsn not in body


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("state", [S.VOORGESTELD, S.GEACCEPTEERD])
def test_provider_b_cannot_act_on_a_trajectory_of_zorg_a(
    client, world, scene, session, action, state
):
    target = scene["a"][state]
    before = _snapshot(session, target.id)
    login_as(client, world.aanbieder_b)
    token = page_token(client, "/aanbieder/")  # a valid token from its own page
    own = scene["b"][S.VOORGESTELD]
    assert client.get(f"/aanbieder/trajecten/{own.id}").status_code == 200
    response = _post_action(client, target.id, action, token, **{"accept-version": ""})
    assert response.status_code == 404
    assert "Anna" not in response.get_data(as_text=True)
    assert _snapshot(session, target.id) == before


def test_a_concept_is_invisible_even_to_its_own_provider(client, world, scene, session):
    concept = scene["concept_a"]
    before = _snapshot(session, concept.id)
    login_as(client, world.aanbieder_a)
    assert client.get(f"/aanbieder/trajecten/{concept.id}").status_code == 404
    token = page_token(client, "/aanbieder/")
    for action in ACTIONS:
        assert _post_action(client, concept.id, action, token).status_code == 404, action
    assert _snapshot(session, concept.id) == before
    for tab in ("actueel", "voorstellen", "lopend", "afgerond"):
        body = client.get(f"/aanbieder/?toon={tab}").get_data(as_text=True)
        assert f'/aanbieder/trajecten/{concept.id}"' not in body


def test_a_provider_sees_its_own_trajectories(client, world, scene):
    login_as(client, world.aanbieder_a)
    for state, t in scene["a"].items():
        response = client.get(f"/aanbieder/trajecten/{t.id}")
        assert response.status_code == 200, state
        assert "Anna de Vries" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("user", "own", "other"),
    [("aanbieder_a", "a", "b"), ("aanbieder_b", "b", "a")],
)
def test_a_provider_list_never_shows_residents_of_another_provider(
    client, world, scene, cor, user, own, other
):
    names = {"a": ("Anna", "de Vries", world.adult.bsn), "b": ("Cor", "Bakker", cor.bsn)}
    login_as(client, getattr(world, user))
    seen_own = False
    for tab in ("actueel", "voorstellen", "lopend", "afgerond"):
        for query in ("", "Anna", "Bakker", world.adult.bsn, cor.bsn, "%", "_"):
            response = post_form(client, "/aanbieder/", "/aanbieder/", {"toon": tab, "q": query})
            assert response.status_code == 200
            # the typed search text comes back in the search box and the language link
            body = re.sub(
                r'<input[^>]*name="q"[^>]*>|<footer.*</footer>',
                "",
                response.get_data(as_text=True),
                flags=re.S,
            )
            for text in names[other]:
                assert text not in body, (tab, query, text)
            for t in scene[other].values():
                assert f'/aanbieder/trajecten/{t.id}"' not in body
            seen_own = seen_own or " ".join(names[own][:2]) in body
    assert seen_own


def test_the_list_shows_the_expected_tabs(client, world, scene):
    login_as(client, world.aanbieder_a)
    expected = {
        "voorstellen": {S.VOORGESTELD},
        "lopend": {S.GEACCEPTEERD, S.ACTIEF},
        "actueel": {S.VOORGESTELD, S.GEACCEPTEERD, S.ACTIEF},
        "afgerond": {S.AFGESLOTEN, S.GEANNULEERD, S.TERUGGESTUURD},
    }
    for tab, states in expected.items():
        body = client.get(f"/aanbieder/?toon={tab}").get_data(as_text=True)
        for state, t in scene["a"].items():
            link = f'/aanbieder/trajecten/{t.id}"'
            assert (link in body) == (state in states), (tab, state)


# --- subcontractor ---------------------------------------------------------------------------


@pytest.fixture
def sub(session, world):
    """A Jeugd trajectory for the child with Zorg A as main and Zorg C as subcontractor, and a
    Zorg C user."""
    user = make_user(session, "zorg.c@test.nl", Role.AANBIEDER, world.zorg_c)
    t = drive(
        session,
        world,
        S.VOORGESTELD,
        world.aanbieder_a,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.LAAG,
        subcontractor_id=world.zorg_c.id,
    )
    session.flush()
    return {"user": user, "t": t}


def test_a_subcontractor_can_view_but_has_no_buttons(client, world, sub):
    login_as(client, sub["user"])
    listing = client.get("/aanbieder/").get_data(as_text=True)
    assert "Bram Jansen" in listing
    assert "Onderaannemer: alleen inzage" in listing
    response = client.get(f"/aanbieder/trajecten/{sub['t'].id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bram Jansen" in body
    for action in ("accepteren", "terugsturen", "start"):
        assert f"/aanbieder/trajecten/{sub['t'].id}/{action}" not in body
    assert 'name="accept-csrf_token"' not in body


@pytest.mark.parametrize("state", [S.VOORGESTELD, S.GEACCEPTEERD])
def test_a_subcontractor_cannot_accept_return_or_start(client, world, session, sub, state):
    t = sub["t"]
    if state == S.GEACCEPTEERD:
        wf.accept(session, t, world.aanbieder_a)
        session.flush()
    before = _snapshot(session, t.id)
    login_as(client, sub["user"])
    token = page_token(client, f"/aanbieder/trajecten/{t.id}")
    for action in ACTIONS:
        response = _post_action(client, t.id, action, token, **{"start-care_start": TODAY})
        assert response.status_code in (403, 404), (action, response.status_code)
        assert _snapshot(session, t.id) == before, action
    # the main contractor still can
    login_as(client, world.aanbieder_a)
    response = post_form(
        client,
        f"/aanbieder/trajecten/{t.id}",
        f"/aanbieder/trajecten/{t.id}/{'accepteren' if state == S.VOORGESTELD else 'start'}",
        {} if state == S.VOORGESTELD else {"start-care_start": clock.today().isoformat()},
        prefix="accept" if state == S.VOORGESTELD else "start",
    )
    assert response.status_code == 302


# --- provider forms: Dutch messages at the field ---------------------------------------------


def _page(t) -> str:
    return f"/aanbieder/trajecten/{t.id}"


def test_return_without_reason_shows_the_message_at_the_field(client, world, session, scene):
    t = scene["a"][S.VOORGESTELD]
    before = _snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    for reason in ("", "   \r\n  "):
        response = post_form(
            client, _page(t), f"{_page(t)}/terugsturen", {"return-reason": reason}, prefix="return"
        )
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Geef een reden waarom u het traject terugstuurt." in field_error(
            body, "return-reason"
        )
    assert _snapshot(session, t.id) == before


def test_return_with_reason_works_and_keeps_the_reason(client, world, session, scene):
    t = scene["a"][S.VOORGESTELD]
    login_as(client, world.aanbieder_a)
    response = post_form(
        client,
        _page(t),
        f"{_page(t)}/terugsturen",
        {"return-reason": "Geen plek tot maart"},
        prefix="return",
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Trajectory, t.id).state == S.TERUGGESTUURD
    assert "Geen plek tot maart" in client.get(_page(t)).get_data(as_text=True)


def test_overlong_return_reason_keeps_the_text_and_explains(client, world, session, scene):
    t = scene["a"][S.VOORGESTELD]
    before = _snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    text = "<script>alert(1)</script>" + "x" * 10_000
    response = post_form(
        client, _page(t), f"{_page(t)}/terugsturen", {"return-reason": text}, prefix="return"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2000" in field_error(body, "return-reason")
    assert textarea_value(body, "return-reason") == text
    assert "<script>alert(1)" not in body
    assert _snapshot(session, t.id) == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((clock.today() + timedelta(days=1)).isoformat(), "kan niet in de toekomst liggen"),
        ("", "Vul de startdatum in."),
        ("gisteren", None),
        ("2026-02-31", None),
        ("1800-01-01", "buiten het geldige bereik"),
        ("9999-12-31", "buiten het geldige bereik"),
        ((TODAY - timedelta(days=1)).isoformat(), "vóór de besluitdatum"),
    ],
)
def test_start_date_problems_are_shown_at_the_field(client, world, session, scene, value, message):
    t = scene["a"][S.GEACCEPTEERD]
    before = _snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    response = post_form(
        client, _page(t), f"{_page(t)}/start", {"start-care_start": value}, prefix="start"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422, body[:500]
    error = field_error(body, "start-care_start")
    if message:
        assert message in error
    else:
        assert "Not a valid" not in error and error  # a Dutch message, not WTForms' English
    if value:
        assert f'value="{value}"' in body
    assert _snapshot(session, t.id) == before


def test_accepting_twice_gives_a_dutch_message_not_a_500(client, world, session, scene):
    t = scene["a"][S.VOORGESTELD]
    login_as(client, world.aanbieder_a)
    page = client.get(_page(t))
    name, token = csrf_token(page, "accept")
    version = str(t.version)
    data = {name: token, "accept-version": version}
    first = client.post(f"{_page(t)}/accepteren", data=data)
    assert first.status_code == 302
    after_first = _snapshot(session, t.id)
    second = client.post(f"{_page(t)}/accepteren", data=data)  # a double click: old version
    body = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Dit gegeven is intussen door iemand anders gewijzigd." in body
    assert _snapshot(session, t.id) == after_first
    third = client.post(f"{_page(t)}/accepteren", data={name: token})  # no version at all
    assert third.status_code == 422
    assert "Dit kan niet bij een traject met status" in third.get_data(as_text=True)
    assert _snapshot(session, t.id) == after_first


def test_a_stale_version_on_return_changes_nothing(client, world, session, scene):
    t = scene["a"][S.VOORGESTELD]
    login_as(client, world.aanbieder_a)
    response = post_form(
        client,
        _page(t),
        f"{_page(t)}/terugsturen",
        {"return-reason": "Geen plek", "return-version": str(t.version - 1)},
        prefix="return",
    )
    assert response.status_code == 409
    assert "intussen door iemand anders gewijzigd" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Trajectory, t.id).state == S.VOORGESTELD


@pytest.mark.parametrize("version", ["abc", "²", "-1", "99999999999999999999999", "1" * 5000])
def test_odd_version_values_never_500(client, world, session, scene, version):
    t = scene["a"][S.VOORGESTELD]
    login_as(client, world.aanbieder_a)
    response = post_form(
        client, _page(t), f"{_page(t)}/accepteren", {"accept-version": version}, prefix="accept"
    )
    assert response.status_code in (302, 400, 409), response.status_code


@pytest.mark.parametrize(
    ("action", "data"),
    [("terugsturen", {"return-reason": ""}), ("start", {"start-care_start": ""})],
)
def test_a_form_from_a_stale_page_explains_why_nothing_happened(
    client, world, session, scene, action, data
):
    """The page was opened before the state changed: the form is gone, so a field message
    would be invisible; the page says the step is no longer possible."""
    t = scene["a"][S.ACTIEF if action == "terugsturen" else S.VOORGESTELD]
    before = _snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    token = page_token(client, _page(t))
    response = client.post(f"{_page(t)}/{action}", data={token[0]: token[1], **data})
    assert response.status_code == 422
    assert "Dit kan niet bij een traject met status" in response.get_data(as_text=True)
    assert _snapshot(session, t.id) == before


def test_a_subcontractor_with_an_empty_form_is_refused_too(client, world, session, sub):
    t = sub["t"]
    before = _snapshot(session, t.id)
    login_as(client, sub["user"])
    token = page_token(client, _page(t))
    for action, data in (("terugsturen", {"return-reason": ""}), ("start", {})):
        response = client.post(f"{_page(t)}/{action}", data={token[0]: token[1], **data})
        assert response.status_code in (403, 404), action
    assert _snapshot(session, t.id) == before
