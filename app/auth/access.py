"""Access control as data: which role may reach which route, in ONE table, enforced centrally.

``ACCESS`` maps every endpoint of the application to a ``Rule``. ``enforce`` runs before every
request (``register``) and is the only place that decides who may reach a route:

* ``PUBLIC``: anyone (the login page, the health check, static files);
* ``SIGNING_IN``: only someone between the password and the second factor;
* a set of roles: a signed-in user with one of them, else 403 (anonymous: the login page);
* ``token(...)``: a JSON API authenticated by a bearer token, never by the session cookie (so
  it needs no CSRF token): the function registered with ``register_token_loader`` finds the
  token's user; no or a wrong token gives 401, a role outside the rule 403.

An endpoint that is not in the table is refused (403) and logged: a new route is closed until
someone decides who may reach it, and ``tests/app/test_access.py`` (generated from Flask's URL
map) fails until the entry exists. Whose record it is (object level: a provider's own
trajectories, the responsible gids) is checked in the views and workflows on top of this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Request, abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Role, User

from ..extensions import csrf, login_manager
from . import sessions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] = frozenset()
    public: bool = False
    signing_in: bool = False
    token: bool = False
    realm: str = "api"  # which token loader admits a token route (``register_token_loader``)


def roles(*allowed: Role) -> Rule:
    return Rule(roles=frozenset(allowed))


def token(*allowed: Role, realm: str = "api") -> Rule:
    """A bearer-token endpoint for users with one of ``allowed`` (e.g. ``/api/v1/…``). ``realm``
    names the kind of token: a statistics token (``api``) never opens the message gateway
    (``berichten``), nor the other way round — each realm has its own loader."""
    return Rule(roles=frozenset(allowed), token=True, realm=realm)


PUBLIC = Rule(public=True)
SIGNING_IN = Rule(signing_in=True)
ANY_USER = roles(*Role)
GIDS = roles(Role.GIDS)
AANBIEDER = roles(Role.AANBIEDER)
MANAGER = roles(Role.MANAGER)
BEHEERDER = roles(Role.BEHEERDER)
WITH_SECOND_FACTOR = roles(Role.GIDS, Role.AANBIEDER, Role.BEHEERDER)

ACCESS: dict[str, Rule] = {
    # --- public ---------------------------------------------------------------------------------
    "static": PUBLIC,
    "health": PUBLIC,
    "index": PUBLIC,
    "set_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.invitation": PUBLIC,  # whoever holds the one-time link (workflows.invitations)
    # --- between the password and the second factor -------------------------------------------
    "auth.second_factor": SIGNING_IN,
    "auth.enrol": SIGNING_IN,
    "auth.enrol_qr": SIGNING_IN,
    # --- every signed-in user -------------------------------------------------------------------
    "auth.account": ANY_USER,
    "auth.change_password": ANY_USER,
    "auth.renew_recovery_codes": WITH_SECOND_FACTOR,
    # --- gids -----------------------------------------------------------------------------------
    "gids.caseload": GIDS,
    "gids.residents": GIDS,
    "gids.new_resident": GIDS,
    "gids.resident": GIDS,
    "gids.edit_resident": GIDS,
    "gids.departure": GIDS,
    "gids.move_household": GIDS,
    "gids.hand_over": GIDS,
    "gids.requests": GIDS,
    "gids.new_request": GIDS,
    "gids.request_detail": GIDS,
    "gids.request_in_onderzoek": GIDS,
    "gids.new_trajectory": GIDS,
    "gids.edit_trajectory": GIDS,
    "gids.tariff_preview": GIDS,
    "gids.trajectory": GIDS,
    "gids.propose": GIDS,
    "gids.cancel": GIDS,
    "gids.close": GIDS,
    "gids.convert": GIDS,
    "gids.trajectory_agreement_pdf": GIDS,
    "gids.evaluation_report_pdf": GIDS,
    "gids.progress_chart": GIDS,
    "gids.tasks": GIDS,
    "gids.evaluation": GIDS,
    "gids.evaluation_settings": GIDS,
    "gids.extra_evaluation": GIDS,
    "gids.scaling_request": GIDS,
    "gids.end_of_care_report": GIDS,
    "gids.claim": GIDS,
    "gids.dismiss_task": GIDS,
    "gids.extend_decision": GIDS,
    # --- aanbieder (object level: only the organisation's own trajectories, else 404) ---------
    "aanbieder.index": AANBIEDER,
    "aanbieder.trajectory": AANBIEDER,
    "aanbieder.accept": AANBIEDER,
    "aanbieder.return_": AANBIEDER,
    "aanbieder.start": AANBIEDER,
    "aanbieder.trajectory_agreement_pdf": AANBIEDER,
    "aanbieder.evaluation_report_pdf": AANBIEDER,
    "aanbieder.progress_chart": AANBIEDER,
    "aanbieder.tasks": AANBIEDER,
    "aanbieder.evaluation": AANBIEDER,
    "aanbieder.extra_evaluation": AANBIEDER,
    "aanbieder.scaling": AANBIEDER,
    "aanbieder.end_of_care": AANBIEDER,
    "aanbieder.claim": AANBIEDER,
    "aanbieder.resubmit": AANBIEDER,
    "aanbieder.claims": AANBIEDER,
    "aanbieder.claims_download": AANBIEDER,
    "aanbieder.dismiss_task": AANBIEDER,
    "aanbieder.scorecard": AANBIEDER,
    # --- manager (aggregates only) ----------------------------------------------------------------
    "manager.index": MANAGER,
    "manager.download_csv": MANAGER,
    "manager.download_xlsx": MANAGER,
    "manager.monitor_pdf": MANAGER,
    "manager.chart_file": MANAGER,
    "manager.providers": MANAGER,
    "manager.providers_csv": MANAGER,
    "manager.providers_xlsx": MANAGER,
    "manager.council": MANAGER,
    "manager.council_xlsx": MANAGER,
    "manager.council_pdf": MANAGER,
    # --- the statistics API: bearer tokens issued to managers, never the session cookie --------
    "api.openapi": PUBLIC,
    "api.flows": token(Role.MANAGER),
    "api.intensity": token(Role.MANAGER),
    "api.durations": token(Role.MANAGER),
    "api.waiting_times": token(Role.MANAGER),
    "api.results": token(Role.MANAGER),
    "api.finance": token(Role.MANAGER),
    "api.council": token(Role.MANAGER),
    # --- the message gateway (iWmo/iJw): a provider's token, its own mailbox only ------------
    "berichten_api.post_message": token(Role.AANBIEDER, realm="berichten"),
    "berichten_api.outbox": token(Role.AANBIEDER, realm="berichten"),
    "berichten_api.message": token(Role.AANBIEDER, realm="berichten"),
    "berichten_api.acknowledge": token(Role.AANBIEDER, realm="berichten"),
    "api.providers": token(Role.MANAGER),
    # --- beheerder (no case content, except the answer to a request for access) -------------------
    "beheer.index": BEHEERDER,
    "beheer.providers": BEHEERDER,
    "beheer.claims_csv": BEHEERDER,
    "beheer.accounts": BEHEERDER,
    "beheer.block_account": BEHEERDER,
    "beheer.unblock_account": BEHEERDER,
    "beheer.reset_second_factor": BEHEERDER,
    "beheer.new_account": BEHEERDER,
    "beheer.edit_account": BEHEERDER,
    "beheer.invite_account": BEHEERDER,
    "beheer.areas": BEHEERDER,
    "beheer.rename_area": BEHEERDER,
    "beheer.remove_area": BEHEERDER,
    "beheer.changes": BEHEERDER,
    "beheer.inzage": BEHEERDER,
    "beheer.access_request": BEHEERDER,
    "beheer.close_request": BEHEERDER,
    "beheer.inzage_json": BEHEERDER,
    "beheer.inzage_pdf": BEHEERDER,
    "beheer.outliers": BEHEERDER,
    "beheer.remove_outlier": BEHEERDER,
    "beheer.population": BEHEERDER,
    "beheer.remove_population": BEHEERDER,
    "beheer.budgets": BEHEERDER,
    "beheer.remove_budget": BEHEERDER,
    "beheer.tokens": BEHEERDER,
    "beheer.revoke_token": BEHEERDER,
    "beheer.history_import": BEHEERDER,
    "beheer.imported": BEHEERDER,
    "beheer.review_imported": BEHEERDER,
    "beheer.merge_imported": BEHEERDER,
    "beheer.provider": BEHEERDER,
    "beheer.add_contract": BEHEERDER,
    "beheer.contract_dates": BEHEERDER,
    "beheer.new_profile": BEHEERDER,
    "beheer.profile": BEHEERDER,
    "beheer.add_tariff": BEHEERDER,
    "beheer.contract_channel": BEHEERDER,
    "beheer.issue_message_token": BEHEERDER,
    "beheer.revoke_message_token": BEHEERDER,
    "beheer.messages": BEHEERDER,
    "beheer.message": BEHEERDER,
}

HOME = {
    Role.GIDS: "gids.caseload",
    Role.AANBIEDER: "aanbieder.index",
    Role.MANAGER: "manager.index",
    Role.BEHEERDER: "beheer.index",
}

TokenLoader = Callable[[Request], User | None]


def home_endpoint(user: User) -> str:
    return HOME[user.role]


def me() -> User:
    """The signed-in user as a model instance (for workflow calls)."""
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def register_token_loader(app: Flask, loader: TokenLoader, realm: str = "api") -> None:
    """A token API's way to find the user of a bearer token (``Authorization: Bearer …``),
    for the routes of ``realm``."""
    app.extensions.setdefault("token_user_loaders", {})[realm] = loader


def _api_error(status: int, message: str) -> Response:
    """The API's error shape (``Error`` in /api/v1/openapi.json)."""
    code = "unauthorized" if status == 401 else "forbidden"
    response = jsonify({"error": code, "message": message, "problems": []})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="trajectwijzer"'
    return response


def _token_gate(rule: Rule) -> Response | None:
    loaders: dict[str, TokenLoader] = current_app.extensions.get("token_user_loaders", {})
    loader = loaders.get(rule.realm)
    user = loader(request) if loader is not None else None
    if user is None or not user.active:
        return _api_error(401, _("Geef een geldig API-token mee (Authorization: Bearer …)."))
    if user.role not in rule.roles:
        return _api_error(403, _("Met dit token kunt u dit gegeven niet opvragen."))
    g.api_user = user
    return None


def enforce() -> Response | None:
    """Before every request: the table decides. Also ends sessions that are idle or too old."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: 404 or 405 follows
        return None
    rule = ACCESS.get(endpoint)
    if rule is None:
        log.error("Endpoint %s has no entry in the access table; refused.", endpoint)
        abort(403)
    if rule.token:
        return _token_gate(rule)
    if endpoint == "static":
        return None
    if sessions.expired():
        sessions.end()
        flash(_("Uw sessie is verlopen. Log opnieuw in."), "info")
        if not rule.public:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if rule.public:
        return None
    if rule.signing_in:
        if sessions.pending_user() is None:
            return redirect(url_for("auth.login"))
        return None
    if not current_user.is_authenticated:
        response: Response = login_manager.unauthorized()
        return response
    if current_user.role not in rule.roles:
        abort(403)
    sessions.touch()
    return None


def register(app: Flask) -> None:
    app.before_request(enforce)
    # A token endpoint is never authenticated by the cookie, so cross-site requests cannot
    # ride on a session there: it needs no CSRF token.
    for endpoint, rule in ACCESS.items():
        if rule.token and endpoint in app.view_functions:
            csrf.exempt(app.view_functions[endpoint])
