"""Loading what a screen works on, with the need-to-know check that belongs to it, and the
choices its forms offer — one copy for the gids's and the provider's screens.

A gids may look any trajectory up but only the responsible gids changes it (403). A provider
user sees only the trajectories its organisation is named on (404 for any other), and of those
only the main contractor acts (403); a subcontractor reads. A trajectory loaded for a change is
locked (``FOR UPDATE``) so two requests do not both pass a step's guard.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from models import ClosureCategory, Domain, Trajectory, Wijk
from workflows import trajectories as wf
from workflows.berichten.answers import GIDS_REFUSAL, REFUSAL_REASONS
from workflows.caseload import provider_sees
from workflows.catalogue import active_profiles
from workflows.claims import claim_of
from workflows.closure import care_requests
from workflows.evaluations import interval_months, is_overdue

from . import clock
from .auth.access import me
from .extensions import db
from .formtools import opts
from .gids.forms import ClosingForm
from .progress import progress_figures
from .timeline import reason_label


def own_trajectory(trajectory_id: int) -> Trajectory:
    """The gids's trajectory; for a POST locked, and only for its responsible gids (else 403)."""
    trajectory = wf.get_trajectory(db.session, trajectory_id, for_update=request.method == "POST")
    if trajectory.gids_id != me().id:
        abort(403)
    return trajectory


def visible_trajectory(trajectory_id: int, for_update: bool = False) -> Trajectory:
    """A trajectory the provider user's organisation is named on (else 404)."""
    trajectory = wf.get_trajectory(db.session, trajectory_id, for_update=for_update)
    if not provider_sees(me(), trajectory):
        abort(404)
    return trajectory


def actionable_trajectory(trajectory_id: int) -> Trajectory:
    """Load for a change (row locked). Only the main contractor acts; a subcontractor reads."""
    trajectory = visible_trajectory(trajectory_id, for_update=True)
    if trajectory.provider_id != me().provider_id:
        abort(403)
    return trajectory


def provider_trajectory(trajectory_id: int) -> Trajectory:
    """Visible for a GET; for a POST locked, and only for the main contractor (else 403)."""
    if request.method == "POST":
        return actionable_trajectory(trajectory_id)
    return visible_trajectory(trajectory_id)


def running_care(trajectory: Trajectory) -> dict[str, Any]:
    """What a trajectory page shows about running care, the gids's and the provider's alike:
    the evaluations, the interval, the open scaling requests and end-of-care reports, the claim."""
    asked = care_requests(db.session, trajectory)
    return {
        "evaluations": trajectory.evaluations,
        "interval": interval_months(trajectory),
        "scaling_requests": asked.scaling_requests,
        "reports": asked.reports,
        "claim": claim_of(db.session, trajectory),
        "today": clock.today(),
        "is_overdue": is_overdue,
        "progress": progress_figures(trajectory),
    }


def profile_choices(trajectory: Trajectory) -> list[SelectChoice]:
    """The active support profiles of the trajectory's domain, to scale or convert to."""
    return opts(
        (p.id, f"{p.name} ({p.code})")
        for p in active_profiles(db.session)
        if p.domain == trajectory.domain
    )


def refusal_choices() -> list[SelectChoice]:
    """The RedenAfwijzingVerzoek codes a gids may give a provider's request (315, 317)."""
    default = _(
        "Standaard: %(code)s %(meaning)s",
        code=GIDS_REFUSAL,
        meaning=_(REFUSAL_REASONS[GIDS_REFUSAL]),
    )
    return opts(
        [("", default)] + [(code, f"{code} {_(text)}") for code, text in REFUSAL_REASONS.items()]
    )


def closing_choices(form: ClosingForm, domain: Domain) -> None:
    """Fill a closing form's categories and the domain's end reasons (``ClosingForm``)."""
    form.closure_category.choices = opts(
        (c.value, _(wf.CLOSURE_LABELS[c])) for c in ClosureCategory
    )
    form.end_reason_code.choices = opts(
        [("", _("— kies een reden —"))]
        + [(r.code, reason_label(r.code, domain)) for r in wf.end_reasons(db.session, domain)]
    )


def wijk_choices() -> list[SelectChoice]:
    """The wijken and kernen to place a resident in, by name, after "unknown"."""
    wijken = db.session.scalars(select(Wijk).order_by(Wijk.name))
    return opts([("", _("— onbekend —")), *((w.id, w.name) for w in wijken)])
