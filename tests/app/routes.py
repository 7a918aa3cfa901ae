"""Walking the application's URL map: every route with real ids (the scene's) or unknown ones,
as every role, for the access matrix, the hardening checks, the form fuzz and the markup checks.
The ``scene`` fixture (tests/app/conftest.py) builds the records the ids point at."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Rule

from models import Domain, Role, TrajectoryState
from workflows.aanmeldingen import register_aanmelding

from ..factories import TODAY, make_trajectory

UNKNOWN = 999_999
# The user in the ``world`` fixture who plays each role.
USERS = {
    Role.GIDS: "gids",
    Role.AANBIEDER: "aanbieder_a",
    Role.MANAGER: "manager",
    Role.BEHEERDER: "beheerder",
}


def build_scene(session, world) -> dict[str, object]:
    """A request and trajectories in several states, all Anna's, all with Zorg A, and a record
    behind every other id a route names (the ``scene`` fixture)."""
    item = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Anna wil weer zelf boodschappen doen",
        today=TODAY,
    )
    proposed = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    active = make_trajectory(session, world, TrajectoryState.ACTIEF)
    concept = make_trajectory(session, world, TrajectoryState.CONCEPT, request_id=item.id)
    session.flush()
    return {
        "request": item,
        "proposed": proposed,
        "active": active,
        "concept": concept,
        **_running_care(session, world, active),
        **_statistics_records(session, world),
    }


def _statistics_records(session, world) -> dict[str, object]:
    """What the beheerder's statistics routes name: an outlier month, a population year, a
    budget, an API token and a provider an import added."""
    from models import Provider
    from workflows.stats import admin

    outlier = admin.add_outlier_month(
        session, world.beheerder, domain="wmo", month="2019-01", reason="Conversie"
    )
    population = admin.set_population(
        session, world.beheerder, year=2020, inhabitants=41_500, households=17_300
    )
    token, _secret = admin.issue_token(
        session, world.beheerder, user_id=world.manager.id, name="BI"
    )
    from workflows import budgets

    budget = budgets.set_budget(
        session, world.beheerder, year=2026, category_code="45", amount=1_250_000
    )
    imported = Provider(name="Import", agb_code="99999999", imported=True, active=False)
    session.add(imported)
    session.flush()
    from workflows.inzage import AccessRequestInput, register_access_request

    access_request = register_access_request(
        session,
        AccessRequestInput(
            bsn=world.adult.bsn,
            reference="Z-2026-0001",
            requester_name="A. de Vries",
            requester_relation="inwoner",
            received_on=TODAY,
        ),
        world.beheerder,
        TODAY,
    )
    session.flush()
    from workflows import message_tokens

    from ..transport.helpers import outgoing

    message_token, _secret = message_tokens.issue(
        session, world.beheerder, world.zorg_a, name="Koppeling"
    )
    message = outgoing(session, world.zorg_a, "TW0000000001")
    return {
        "outlier": outlier,
        "population": population,
        "budget": budget,
        "token": token,
        "message_token": message_token,
        "message": message,
        "imported": imported,
        "access_request": access_request,
    }


def _running_care(session, world, active) -> dict[str, object]:
    """A submitted evaluation, a scaling request and an end-of-care report on the active
    trajectory, and a claim on a closed one: real ids for the routes that name them."""
    from models import ClosureCategory, EvaluationState, Intensity
    from workflows.claims import submit_claim
    from workflows.closure import report_end_of_care
    from workflows.evaluations import EvaluationInput, ScoreInput, submit_evaluation
    from workflows.scaling import request_scaling

    evaluation = next(e for e in active.evaluations if e.state == EvaluationState.GEPLAND)
    held = EvaluationInput(
        held_on=TODAY,
        with_inwoner=True,
        with_gids=False,
        with_aanbieder=True,
        with_netwerk=False,
        summary="Gaat goed",
        need_changed=False,
        scores=[ScoreInput(active.results[0].id, 0)],
    )
    submit_evaluation(session, evaluation, world.aanbieder_a, held, TODAY)
    scaling = request_scaling(
        session, active, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", TODAY
    )
    report = report_end_of_care(
        session,
        active,
        world.aanbieder_a,
        care_end=TODAY,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=TODAY,
    )
    closed = make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    claim = submit_claim(session, closed, world.aanbieder_a, TODAY)
    session.flush()
    return {"evaluation": evaluation, "scaling": scaling, "report": report, "claim": claim}


def url_rules(app) -> list[Rule]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    assert len(rules) > 15  # the walk really sees the application's routes
    return rules


# Routes that need an evaluated trajectory (the scene's active one), not the bare proposed one.
EVALUATED = {"gids.progress_chart", "aanbieder.progress_chart"}


def route_url(app, rule: Rule, ids: dict[str, int], default: int = UNKNOWN) -> str:
    values: dict[str, object] = {}
    if (
        rule.endpoint in EVALUATED
        and ids.get("trajectory_id", UNKNOWN) != UNKNOWN
        and "active_trajectory_id" in ids
    ):
        ids = {**ids, "trajectory_id": ids["active_trajectory_id"]}
    for name in rule.arguments:
        if name in int_arguments(rule):
            values[name] = ids.get(name, default)
        elif name == "filename":
            values[name] = "style.css"
        elif name == "kind":
            values[name] = "aanbieder"
        elif name == "fmt":
            values[name] = "svg"
        elif name == "key":
            values[name] = "gas"
        else:
            values[name] = "nl"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def int_arguments(rule: Rule) -> list[str]:
    return [
        name
        for name in rule.arguments
        if isinstance(rule._converters[name], IntegerConverter)  # the converter tells int from str
    ]


def route_methods(rule: Rule) -> list[str]:
    return [m for m in ("GET", "POST") if m in (rule.methods or set())]


def call(client, method: str, url: str, token: tuple[str, str]):
    """GET, or POST with only a valid CSRF token; the body is read and the response closed (a
    static file would otherwise stay open)."""
    if method == "GET":
        response = client.get(url)
    else:
        name, value = token
        response = client.post(url, data={name: value})
    response.get_data()
    response.close()
    return response


def scene_ids(world, scene) -> dict[str, int]:
    return {
        "resident_id": world.adult.id,
        "household_id": world.adult.household_id,
        "request_id": scene["request"].id,
        "trajectory_id": scene["proposed"].id,
        "active_trajectory_id": scene["active"].id,
        "number": 1,
        "evaluation_id": scene["evaluation"].id,
        "scaling_request_id": scene["scaling"].id,
        "report_id": scene["report"].id,
        "claim_id": scene["claim"].id,
        "user_id": world.gids2.id,
        "outlier_id": scene["outlier"].id,
        "year": scene["population"].year,
        "budget_id": scene["budget"].id,
        "token_id": scene["token"].id,
        "message_token_id": scene["message_token"].id,
        "message_id": scene["message"].id,
        "item_id": scene["imported"].id,
        "access_request_id": scene["access_request"].id,
        "provider_id": world.zorg_a.id,
        "contract_id": world.zorg_a.contracts[0].id,
        "profile_id": world.bg.id,
        "wijk_id": world.dronten.id,
    }


def get_pages(app, client, ids):
    """Every GET route this client may open, with its response."""
    for rule in url_rules(app):
        if "GET" not in route_methods(rule) or rule.endpoint == "static":
            continue
        url = route_url(app, rule, ids)
        response = call(client, "GET", url, ("", ""))
        yield url, response
