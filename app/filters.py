"""Template filters and globals: Dutch dates and money, state labels, translated domain messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, g, request
from flask_babel import format_datetime, format_decimal, get_locale, get_translations
from flask_babel import gettext as _

from models import AanmeldingOutcome, ClosureCategory, ReferrerType, TrajectoryState
from workflows.aanmeldingen import OUTCOME_LABELS
from workflows.berichten.codes import REFERRER_LABELS
from workflows.caseload import MARKER_LABELS, NEXT_ACTION, PROVIDER_NEXT_ACTION
from workflows.errors import Problem
from workflows.trajectories import CLOSURE_LABELS
from workflows.transitions import ACTION_LABELS, STATE_LABELS


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "dd-MM-yyyy HH:mm")
    # Digits only, the same in every locale: strftime gives what Babel's "dd-MM-yyyy" gives,
    # at a fraction of the cost (a list page formats a date per row).
    return value.strftime("%d-%m-%Y")


def fmt_money(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return "€ " + format_decimal(value, format="#,##0.00")


def bsn_masked(bsn: str | None) -> str:
    """A BSN on screen shows only its last three digits; the full number is shown where it is
    needed (the gids asks for it on the resident's page, the agreement PDF for the provider)."""
    if not bsn:
        return "—"
    return "•" * (len(bsn) - 3) + bsn[-3:]


def translate_problem(problem: Problem) -> str:
    return _(problem.message, **problem.params)


def translations() -> Any:
    """This request's catalogue, looked up once: Flask-Babel finds it anew on every call, which
    costs more than the rest of a list row (bench/load.py: ~200 look-ups per caseload page)."""
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def tr(message: str, **params: Any) -> str:
    """``gettext`` through the per-request catalogue."""
    text: str = translations().ugettext(message)
    return text % params if params else text


def domain_label(domain: Any) -> str:
    return {"wmo": "Wmo", "jeugd": tr("Jeugd")}.get(str(domain), str(domain))


def intensity_label(intensity: Any) -> str:
    return {"laag": tr("Laag"), "middel": tr("Middel"), "zwaar": tr("Zwaar")}.get(
        str(intensity), str(intensity)
    )


def referrer_text(referrer_type: ReferrerType | None, referrer_name: str | None) -> str:
    """The referrer (Jeugd) as shown: "Huisarts: H. de Boer", or "—" when none is recorded."""
    if referrer_type is None:
        return "—"
    label = tr(REFERRER_LABELS[ReferrerType(referrer_type)])
    return f"{label}: {referrer_name}" if referrer_name else label


def register(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.add_template_filter(fmt_date, "date")
    app.add_template_filter(fmt_money, "money")
    app.add_template_filter(bsn_masked, "bsn_masked")
    app.add_template_global(referrer_text, "referrer_text")

    @app.template_filter("state")
    def state_label(state: TrajectoryState | str) -> str:
        return tr(STATE_LABELS[TrajectoryState(state)])

    @app.template_filter("outcome")
    def outcome_label(outcome: AanmeldingOutcome | str) -> str:
        return _(OUTCOME_LABELS[AanmeldingOutcome(outcome)])

    @app.template_filter("closure")
    def closure_label(category: ClosureCategory | str | None) -> str:
        return _(CLOSURE_LABELS[ClosureCategory(category)]) if category else "—"

    @app.template_filter("event_action")
    def event_action(action: str) -> str:
        label = ACTION_LABELS.get(action)
        return _(label) if label else action

    @app.template_filter("next_action")
    def next_action(state: TrajectoryState, provider: bool = False) -> str:
        table = PROVIDER_NEXT_ACTION if provider else NEXT_ACTION
        return tr(table[state])

    @app.template_filter("marker")
    def marker_label(marker: str) -> str:
        return tr(MARKER_LABELS[marker])

    app.add_template_filter(domain_label, "domain")
    app.add_template_filter(intensity_label, "intensity")

    @app.context_processor
    def globals_() -> dict[str, Any]:
        return {
            "current_path": request.full_path.rstrip("?") if request else "/",
            "get_locale": get_locale,
        }
