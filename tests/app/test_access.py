"""Who may reach which page. The matrix walks ``app.url_map`` and checks every route, as every
role and as an anonymous visitor, against the one access table (``app.auth.access.ACCESS``): a
route without an entry fails here (and is refused at run time), a role outside the entry gets
403, anonymous visitors go to the login page, unknown ids give 404, a wrong method 405 and
malformed query values 400 — never a 500. A manager and a beheerder never see a name, BSN, birth
date or address, nor any case content (the beheerder's answer to a request for access, which
must show it, is tested in test_inzage.py)."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import Rule

from app.auth.access import ACCESS
from app.auth.access import Rule as Access
from models import Role

from .helpers import login_as, logout, page_token
from .routes import (
    UNKNOWN,
    USERS,
    call,
    int_arguments,
    route_methods,
    route_url,
    scene_ids,
    url_rules,
)

# Routes the beheerder reaches that show personal data by design: the answer to a request for
# access (AVG art. 15), tested in test_inzage.py.
INZAGE_ENDPOINTS = {"beheer.access_request", "beheer.inzage_json", "beheer.inzage_pdf"}
NOT_FOUND_TEXT = "Deze pagina of dit gegeven bestaat niet"
FORBIDDEN_TEXT = "U heeft geen toegang tot deze pagina."
METHOD_TEXT = "Deze handeling is hier niet mogelijk."


def _entry(rule: Rule) -> Access:
    return ACCESS[rule.endpoint]


def _only_for(role: Role, rule: Rule) -> bool:
    """The route is meant for this role alone (its own area of pages; a token API such as the
    message gateway is no page area: it answers 401 to any session, tested on its own)."""
    return not _entry(rule).token and _entry(rule).roles == frozenset({role})


def _a_task_of(session, user) -> int:
    """An open task in ``user``'s inbox (the scene gives the gids and Zorg A several)."""
    from workflows.inbox import open_tasks

    page = open_tasks(session, user)
    return page.items[0].id if page.items else UNKNOWN


def _personal_data(world, scene) -> list[str]:
    texts = []
    for person in (world.adult, world.child):
        texts += [
            person.bsn,
            person.given_name,
            person.family_name,
            person.birth_date.strftime("%d-%m-%Y"),
            person.birth_date.isoformat(),
            person.postcode,
        ]
    texts += [scene["request"].question, scene["proposed"].results[0].description]
    return texts


def test_every_route_has_an_entry_in_the_access_table_and_every_entry_a_route(app):
    endpoints = {rule.endpoint for rule in url_rules(app)}
    missing = sorted(endpoints - set(ACCESS))
    assert not missing, f"routes without an entry in app/auth/access.py ACCESS: {missing}"
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"entries in ACCESS without a route: {stale}"


def test_a_route_missing_from_the_table_is_refused(app, client, world, monkeypatch):
    """Fail closed: the gatekeeper refuses an endpoint nobody decided about, even for a user
    whose role would otherwise get in."""
    login_as(client, world.gids)
    assert client.get("/gids/").status_code == 200
    monkeypatch.delitem(ACCESS, "gids.caseload")
    response = client.get("/gids/")
    assert response.status_code == 403
    assert FORBIDDEN_TEXT in response.get_data(as_text=True)


def _expected(entry: Access, actor: Role | None) -> str:
    """What the table promises for this actor: pass, login, 403 or 401."""
    if entry.token:
        return "401"
    if entry.public:
        return "pass"
    if entry.signing_in:
        return "login"  # nobody here is half-way through signing in
    if actor is None:
        return "login"
    return "pass" if actor in entry.roles else "403"


@pytest.mark.parametrize("actor", [None, *USERS], ids=["anonymous", *(r.value for r in USERS)])
def test_every_route_answers_every_role_and_anonymous_as_the_table_says(
    app, client, session, world, scene, actor
):
    """Generated from Flask's URL map: every route, every method, as every role and anonymous."""
    ids = scene_ids(world, scene)
    if actor is not None:
        user = getattr(world, USERS[actor])
        login_as(client, user)
        ids["task_id"] = _a_task_of(session, user)
    token = page_token(client, "/inloggen" if actor is None else "/")
    seen: dict[str, int] = {}
    for rule in url_rules(app):
        if rule.endpoint == "auth.logout":
            continue  # would end the session the rest of the walk needs (tested in test_auth)
        url = route_url(app, rule, ids)
        expected = _expected(_entry(rule), actor)
        for method in route_methods(rule):
            response = call(client, method, url, token)
            status = response.status_code
            where = (actor, method, url, status)
            assert status < 500, where
            if expected == "pass":
                assert status not in (401, 403), where
                if _entry(rule).roles:
                    assert status != 404, where  # the scene's ids are real
            elif expected == "login":
                assert status == 302, where
                assert response.headers["Location"].startswith("/inloggen"), where
            elif expected == "403":
                assert status == 403, where
                assert FORBIDDEN_TEXT in response.get_data().decode("utf-8", "replace")
            else:
                assert status == 401, where
            seen[expected] = seen.get(expected, 0) + 1
    assert seen.get("pass", 0) > 0
    if actor is not None:
        assert seen.get("403", 0) > 0


@pytest.mark.parametrize("role", [Role.MANAGER, Role.BEHEERDER])
def test_manager_and_beheerder_never_see_personal_data_or_case_content(
    app, client, world, scene, role
):
    login_as(client, getattr(world, USERS[role]))
    token = page_token(client)
    forbidden = _personal_data(world, scene)
    urls = []
    for rule in url_rules(app):
        for ids in (scene_ids(world, scene), {"trajectory_id": scene["active"].id}):
            urls += [(m, route_url(app, rule, ids)) for m in route_methods(rule)]
    for method, url in urls:
        if url == "/uitloggen":
            continue
        endpoint = app.url_map.bind("localhost").match(url.split("?")[0], method=method)[0]
        if endpoint in INZAGE_ENDPOINTS:
            continue
        response = call(client, method, url, token)
        if ACCESS[endpoint].token:
            assert response.status_code == 401, (method, url)
        elif role not in ACCESS[endpoint].roles and not ACCESS[endpoint].public:
            assert response.status_code in (302, 403), (method, url)
        body = response.get_data().decode("utf-8", "replace")
        for text in forbidden:
            assert text not in body, (role, method, url, text)
    # its own pages follow redirects to the same, clean result
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert all(text not in home for text in forbidden)


def test_a_provider_is_refused_on_every_gids_page_and_the_gids_on_every_provider_page(
    app, client, world, scene
):
    for user, area in ((world.aanbieder_a, Role.GIDS), (world.gids, Role.AANBIEDER)):
        login_as(client, user)
        token = page_token(client)
        for rule in url_rules(app):
            if not _only_for(area, rule):
                continue
            for ids in (scene_ids(world, scene), {}):  # real and unknown ids: 403 either way
                url = route_url(app, rule, ids)
                for method in route_methods(rule):
                    assert call(client, method, url, token).status_code == 403, (user, url)
        logout(client)


@pytest.mark.parametrize("role", [Role.GIDS, Role.AANBIEDER])
@pytest.mark.parametrize("unknown", [UNKNOWN, 0, 2**31, 2**63, 10**30])
def test_unknown_ids_give_404_on_every_route_with_an_id(app, client, world, scene, role, unknown):
    login_as(client, getattr(world, USERS[role]))
    token = page_token(client)
    checked = 0
    for rule in url_rules(app):
        names = int_arguments(rule)
        if not names or not _only_for(role, rule):
            continue
        url = route_url(app, rule, {}, default=unknown)
        for method in route_methods(rule):
            response = call(client, method, url, token)
            assert response.status_code == 404, (method, url, response.status_code)
            assert NOT_FOUND_TEXT in response.get_data(as_text=True)
            checked += 1
    assert checked > 0


def test_each_gids_route_with_several_ids_fails_on_any_single_unknown_one(
    app, client, world, scene
):
    login_as(client, world.gids)
    token = page_token(client)
    for rule in url_rules(app):
        names = int_arguments(rule)
        if not _only_for(Role.GIDS, rule):
            continue
        for name in names:
            ids = {**scene_ids(world, scene), name: UNKNOWN}
            url = route_url(app, rule, ids)
            for method in route_methods(rule):
                assert call(client, method, url, token).status_code == 404, (method, url)


def test_wrong_method_is_a_dutch_405_on_every_route(app, client, world, scene):
    login_as(client, world.gids)
    token = page_token(client)
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule in url_rules(app):
        url = route_url(app, rule, scene_ids(world, scene))
        for method in ("GET", "POST"):
            try:
                adapter.match(url.split("?")[0], method=method)
            except MethodNotAllowed:
                response = call(client, method, url, token)
                assert response.status_code == 405, (method, url, response.status_code)
                assert METHOD_TEXT in response.get_data(as_text=True)
                checked += 1
    assert checked >= 5
    for method in ("put", "delete", "patch"):
        response = getattr(client, method)("/gids/")
        assert response.status_code == 405
        assert METHOD_TEXT in response.get_data(as_text=True)


def test_unknown_page_is_a_dutch_404(client, world):
    login_as(client, world.gids)
    for url in (
        "/bestaat-niet",
        "/gids/bestaat-niet",
        "/gids/inwoners/abc",
        "/gids/trajecten/-1",
        "/gids/trajecten/1.5",
        "/gids/inwoners/" + "9" * 5000,  # more digits than int() converts
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOT_FOUND_TEXT in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("state=bogus", 400),
        ("domain=xyz", 400),
        ("state=open", 200),
        ("state=alle&domain=jeugd", 200),
        ("state=afgesloten", 200),
        ("page=abc", 200),
        ("page=-1", 200),
        ("page=0", 200),
        ("page=99999999999999999999", 200),
        ("page=%C2%B2", 200),  # "²" is a digit to str.isdigit, but not a number
        ("page=%D9%A3", 200),  # Arabic-Indic three
        ("q=" + "x" * 10_000, 200),
        ("q=%27%3B+DROP+TABLE+residents%3B+--", 200),
        ("q=%25_%25", 200),
    ],
)
def test_caseload_query_values(client, world, scene, query, status):
    login_as(client, world.gids)
    response = client.get(f"/gids/?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status == 400:
        assert "Het verzoek is niet geldig." in response.get_data(as_text=True)


def test_caseload_page_abc_shows_page_one(client, world, scene):
    login_as(client, world.gids)
    body = client.get("/gids/?page=abc&state=alle").get_data(as_text=True)
    assert "de Vries" in body


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("aanmelding=abc", 400),
        ("aanmelding=-1", 400),
        ("aanmelding=%C2%B2", 400),
        ("aanmelding=999999", 404),
        ("aanmelding=99999999999999999999999", 404),
        ("aanmelding=", 200),
    ],
)
def test_new_trajectory_request_parameter(client, world, scene, query, status):
    login_as(client, world.gids)
    response = client.get(f"/gids/inwoners/{world.adult.id}/trajecten/nieuw?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:500]


def test_new_trajectory_for_a_request_of_another_resident_is_404(client, world, scene):
    login_as(client, world.gids)
    url = f"/gids/inwoners/{world.child.id}/trajecten/nieuw?aanmelding={scene['request'].id}"
    assert client.get(url).status_code == 404
    own = f"/gids/inwoners/{world.adult.id}/trajecten/nieuw?aanmelding={scene['request'].id}"
    assert client.get(own).status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("toon=bogus", 400),
        ("toon=", 400),
        ("toon=actueel", 200),
        ("toon=voorstellen", 200),
        ("toon=lopend", 200),
        ("toon=afgerond", 200),
        ("page=abc", 200),
        ("page=%C2%B2", 200),
        ("page=99999999999999999999", 200),
        ("q=%27+OR+1%3D1+--", 200),
        ("q=" + "y" * 10_000, 200),
    ],
)
def test_provider_list_query_values(client, world, scene, query, status):
    login_as(client, world.aanbieder_a)
    response = client.get(f"/aanbieder/?{query}")
    assert response.status_code == status, response.get_data(as_text=True)[:500]


def test_gids_request_list_with_odd_filter_never_fails(client, world, scene):
    login_as(client, world.gids)
    for query in ("toon=alle", "toon=bogus", "toon=" + "z" * 5000):
        assert client.get(f"/gids/aanmeldingen?{query}").status_code == 200


def test_a_request_detail_shows_the_form_only_to_its_gids(client, world, scene):
    login_as(client, world.gids2)
    url = f"/gids/aanmeldingen/{scene['request'].id}"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="outcome"' not in response.get_data(as_text=True)


def test_a_provider_never_reaches_another_providers_trajectory_evaluation_claim_or_pdf(
    app, client, world, scene
):
    """Object level, generated from the URL map: every provider route that names a record, with
    the records of Zorg A's trajectories (proposed and active, its evaluation, scaling request,
    claim), answers 404 to Zorg B's user — for reading and for acting alike."""
    login_as(client, world.aanbieder_b)
    token = page_token(client)
    checked = 0
    for ids in (
        scene_ids(world, scene),
        {**scene_ids(world, scene), "trajectory_id": scene["active"].id},
    ):
        for rule in url_rules(app):
            if not int_arguments(rule) or not _only_for(Role.AANBIEDER, rule):
                continue
            url = route_url(app, rule, ids)
            for method in route_methods(rule):
                response = call(client, method, url, token)
                assert response.status_code == 404, (method, url, response.status_code)
                checked += 1
    assert checked >= 20
