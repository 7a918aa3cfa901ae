"""Finding every form of the application: every page of the URL map is opened as a role with
each set of ids in ``variants`` (the fixture in tests/app/conftest.py), and its
``<form method="post">`` elements are read. Used by the form fuzz and the markup checks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from models import Aanmelding, Domain, EvaluationState, Role, TaskKind, TrajectoryState, Wijk
from workflows.berichten.incoming import receive
from workflows.claims import decide_claim, submit_claim
from workflows.inbox import add_task

from ..berichten.request_xml import Product, message_315
from ..factories import TODAY, make_trajectory, make_user
from .helpers import login_as
from .routes import USERS, route_methods, route_url, scene_ids, url_rules

# Routes reached only between the password and the second factor (tested in test_two_factor),
# the logout form, which would end the session the walk runs in (tested in test_auth), and the
# page behind a one-time invitation link (tested, fuzzed too, in test_invitation_views).
NOT_WALKED = {"auth.second_factor", "auth.enrol", "auth.logout", "auth.invitation"}
# The message gateway takes XML from a provider's system, never a page's form: its hostile
# bodies (too large, XXE, unreadable, another provider's) are tests/transport/test_gateway.py.
NOT_WALKED |= {"berichten_api.post_message", "berichten_api.acknowledge"}


@dataclass
class FoundForm:
    role: Role | None
    page: str
    action: str
    endpoint: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> candidate values
    csrf: str = "csrf_token"

    @property
    def data_fields(self) -> list[str]:
        return [n for n in self.fields if n != self.csrf and not n.endswith("csrf_token")]


def _parse_forms(body: str, page: str) -> list[tuple[str, dict[str, list[str]]]]:
    found = []
    for attrs, inner in re.findall(r"<form\b([^>]*)>(.*?)</form>", body, re.S):
        if not re.search(r'method="post"', attrs, re.I):
            continue
        action = re.search(r'action="([^"]*)"', attrs)
        target = html.unescape(action.group(1)) if action and action.group(1) else page
        fields: dict[str, list[str]] = {}
        for tag in re.findall(r"<input\b[^>]*>", inner):
            name = re.search(r'name="([^"]+)"', tag)
            if not name:
                continue
            kind = re.search(r'type="([^"]+)"', tag)
            if kind and kind.group(1) == "submit":
                continue
            value = re.search(r'value="([^"]*)"', tag)
            fields.setdefault(html.unescape(name.group(1)), []).append(
                html.unescape(value.group(1)) if value else ""
            )
        for name, options in re.findall(
            r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', inner, re.S
        ):
            fields[name] = [html.unescape(v) for v in re.findall(r'value="([^"]*)"', options)] or [
                ""
            ]
        for name, content in re.findall(
            r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', inner, re.S
        ):
            fields[name] = [html.unescape(content.strip())]
        found.append((target, fields))
    return found


def _endpoint(app, url: str) -> str:
    return app.url_map.bind("localhost").match(url.split("?")[0], method="POST")[0]


def build_variants(session, world, scene) -> list[dict[str, int]]:
    """Ids that make every form appear somewhere (the ``variants`` fixture): a trajectory in each
    state, a planned evaluation, a closed trajectory not yet claimed, a refused claim, a blocked
    account."""
    accepted = make_trajectory(session, world, TrajectoryState.GEACCEPTEERD)
    unclaimed = make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    running = make_trajectory(session, world, TrajectoryState.ACTIEF)
    planned = next(e for e in running.evaluations if e.state == EvaluationState.GEPLAND)
    refused = submit_claim(
        session,
        make_trajectory(session, world, TrajectoryState.AFGESLOTEN),
        world.aanbieder_a,
        TODAY,
    )
    decide_claim(session, refused, world.gids, approve=False, reason="Klopt niet", today=TODAY)
    blocked = make_user(session, "geblokkeerd@test.nl", Role.GIDS)
    blocked.active = False
    session.add(Wijk(name="Swifterbant"))  # in use nowhere: it has a delete button
    # signals with an *Afgehandeld* button in both inboxes
    add_task(session, TaskKind.TERMIJN_VERSTREKEN, running, user_id=world.gids.id, due_on=TODAY)
    add_task(session, TaskKind.TERMIJN_BIJNA, running, provider_id=world.zorg_a.id, due_on=TODAY)
    requested = _requested_by_message(session, world)
    session.flush()
    base = scene_ids(world, scene)
    return [
        base,
        *(
            {**base, "trajectory_id": t.id}
            for t in (scene["active"], scene["concept"], accepted, unclaimed, running)
        ),
        {**base, "evaluation_id": planned.id, "user_id": blocked.id},
        {**base, "claim_id": refused.id},  # a refused claim: the correction form
        {**base, "request_id": requested.id},  # a provider's 315: its answers
    ]


def _requested_by_message(session, world) -> Aanmelding:
    """An aanmelding that came as a provider's 315 (its page offers *in onderzoek*)."""
    body = message_315(Domain.JEUGD, world.zorg_a.agb_code, products=[Product("FUZZ-1", code=None)])
    message = receive(session, world.zorg_a, body, TODAY)
    assert message.aanmelding is not None
    return message.aanmelding


def discover(app, client, world, variants, role: Role | None) -> list[FoundForm]:
    """The post forms on every page ``role`` opens with each set of ids, one per endpoint and
    set of fields."""
    if role is not None:
        login_as(client, getattr(world, USERS[role]))
    forms: dict[tuple[str, frozenset[str]], FoundForm] = {}
    pages = {
        route_url(app, rule, ids)
        for rule in url_rules(app)
        if "GET" in route_methods(rule) and rule.endpoint != "static"
        for ids in variants
    }
    for page in sorted(pages):
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for action, fields in _parse_forms(response.get_data(as_text=True), page):
            endpoint = _endpoint(app, action)
            if endpoint in NOT_WALKED:
                continue
            key = (endpoint, frozenset(fields))
            csrf = next((n for n in fields if n.endswith("csrf_token")), "csrf_token")
            forms.setdefault(key, FoundForm(role, page, action, endpoint, fields, csrf))
    return list(forms.values())
