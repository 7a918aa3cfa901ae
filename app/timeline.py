"""A trajectory's timeline and its reason codes in plain Dutch, for the gids and the provider.

The events keep what the workflows wrote (``TrajectoryEvent.details``: ISO dates, field names,
codes), which the resident's data file and the tests read as stored. What a person reads is
made here, when the page is drawn, so events written long ago read the same as new ones:

* a date ``2026-03-05`` reads ``05-03-2026`` (the app's date format, ``filters.fmt_date``);
* an edit's ``planned_start: 2026-03-05 → 2026-04-01`` reads ``geplande start: 05-03-2026 →
  01-04-2026``; ids become names (profile, provider), amounts euros, codes their labels;
* ``categorie a`` reads the closure category's label, ``reden 37`` reads ``reden 37 – In
  verband met wijzigingsverzoek (omgezet)`` (an extension's ``reden 04`` is a change reason);
* ``vervolg op traject 12`` names that trajectory (profile and planned period), not its id.

``reason_label`` is the one way a reason code is shown anywhere (``code – meaning``): the
``reason`` template filter, the close forms' choice lists and the closure-rules table use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Flask, g, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from models import ClosureCategory, Domain, EventAction, Provider, SupportProfile, Trajectory
from workflows import trajectories as wf
from workflows.errors import N_

from .extensions import db
from .filters import domain_label, fmt_date, fmt_money, intensity_label, tr

ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
CHANGE = re.compile(r"^(?P<field>[a-z_]+): (?P<old>.*) → (?P<new>.*)$", re.S)
CATEGORY = re.compile(r"\bcategorie ([abcd])\b")
REASON = re.compile(r"\breden (\d{2})\b")
TRAJECTORY_REF = re.compile(r"\b(vervolg op traject|vervolgtraject) (\d+)\b")

# The fields an edit may change (``workflows.trajectories._apply``), as the form names them.
FIELD_LABELS = {
    "resident_id": N_("inwoner"),
    "request_id": N_("aanmelding"),
    "domain": N_("domein"),
    "profile_id": N_("profiel"),
    "intensity": N_("intensiteit"),
    "tariff_id": N_("tariefversie"),
    "provider_id": N_("aanbieder"),
    "subcontractor_id": N_("onderaannemer"),
    "need_type": N_("behoefte"),
    "price": N_("trajectprijs"),
    "price_reason": N_("reden afwijkende prijs"),
    "planned_start": N_("geplande start"),
    "planned_end": N_("geplande einddatum"),
    "decision_end": N_("einde beschikking"),
}


def reason_meanings() -> dict[tuple[Domain | None, str], str]:
    """The code lists, read once per request."""
    found = g.get("reason_meanings")
    if found is None:
        found = g.reason_meanings = wf.reason_meanings(db.session)
    return found


def reason_label(code: str | None, domain: Domain | str | None = None) -> str:
    """``37 – In verband met wijzigingsverzoek (omgezet)``: an end reason of the domain, or
    without a domain a change reason. An unknown code is shown as it is."""
    if not code:
        return "—"
    key = (Domain(domain) if domain else None, code)
    meaning = reason_meanings().get(key)
    return f"{code} – {meaning}" if meaning else code


def iso_dates_plain(text: str) -> str:
    return ISO_DATE.sub(lambda m: f"{m.group(3)}-{m.group(2)}-{m.group(1)}", text)


def _name(model: type[Any], raw: str) -> str:
    if not raw.isdecimal():
        return "—" if raw == "None" else raw
    found = db.session.get(model, int(raw))
    return found.name if found is not None else raw


def _money(raw: str) -> str:
    try:
        return fmt_money(Decimal(raw))
    except InvalidOperation:
        return raw


def _value(field: str, raw: str) -> str:
    """One value of an edit as the form shows it."""
    if raw in ("None", ""):
        return "—"
    shown: dict[str, Callable[[str], str]] = {
        "profile_id": lambda v: _name(SupportProfile, v),
        "provider_id": lambda v: _name(Provider, v),
        "subcontractor_id": lambda v: _name(Provider, v),
        "price": _money,
        "domain": domain_label,
        "intensity": intensity_label,
        "need_type": lambda v: {"blijvend": tr("Blijvend"), "eindig": tr("Eindig")}.get(v, v),
    }
    convert = shown.get(field)
    return convert(raw) if convert else iso_dates_plain(raw)


def _change(part: str) -> str:
    match = CHANGE.match(part)
    if match is None or match.group("field") not in FIELD_LABELS:
        return part
    field = match.group("field")
    label = tr(FIELD_LABELS[field])
    if field == "tariff_id":
        return _("andere tariefversie")
    return f"{label}: {_value(field, match.group('old'))} → {_value(field, match.group('new'))}"


def _trajectory_name(trajectory: Trajectory, number: str) -> str:
    """Another trajectory of the same resident by profile and planned period."""
    other = db.session.get(Trajectory, int(number))
    if other is None or other.resident_id != trajectory.resident_id:
        return _("een ander traject")
    return f"{other.profile.name} · {fmt_date(other.planned_start)} – {fmt_date(other.planned_end)}"


def plain_details(details: str | None, trajectory: Trajectory, action: str | None = None) -> str:
    """An event's stored details in plain Dutch (see the module's docstring)."""
    if not details:
        return ""
    text = "; ".join(_change(part) for part in details.split("; "))
    text = iso_dates_plain(text)
    text = CATEGORY.sub(
        lambda m: _("categorie") + " " + tr(wf.CLOSURE_LABELS[ClosureCategory(m.group(1))]), text
    )
    domain = None if action == EventAction.VERLENGD else trajectory.domain
    text = REASON.sub(lambda m: _("reden") + " " + reason_label(m.group(1), domain), text)
    return _named_trajectories(text, trajectory)


def _named_trajectories(text: str, trajectory: Trajectory) -> str:
    words = {"vervolg op traject": _("vervolg op"), "vervolgtraject": _("vervolgtraject")}
    return TRAJECTORY_REF.sub(
        lambda m: f"{words[m.group(1)]} {_trajectory_name(trajectory, m.group(2))}", text
    )


def plain_reason(reason: str | None, trajectory: Trajectory) -> str:
    """An event's reason: typed by a person, or written by a step (``omgezet naar
    vervolgtraject 12``); only dates and trajectory ids are put in words."""
    if not reason:
        return ""
    return _named_trajectories(iso_dates_plain(reason), trajectory)


def trajectory_link(trajectory: Trajectory | None, endpoint: str) -> Markup:
    """A link to a trajectory named by its profile, intensity and planned period."""
    if trajectory is None:
        return Markup("—")
    text = (
        f"{trajectory.profile.name} · {fmt_date(trajectory.planned_start)} – "
        f"{fmt_date(trajectory.planned_end)}"
    )
    return Markup('<a href="{}">{}</a>').format(
        url_for(endpoint, trajectory_id=trajectory.id), escape(text)
    )


def register(app: Flask) -> None:
    app.add_template_filter(reason_label, "reason")
    app.add_template_filter(plain_details, "plain_details")
    app.add_template_filter(plain_reason, "plain_reason")
    app.add_template_global(trajectory_link, "trajectory_link")
