"""The gids corrects residents and households: details, a move out of the municipality or a
death, another household, and handing a household over to another gids.

Need to know: any gids may look a resident up; only the household's gids changes its residents
(``workflows.residents.may_change``), anyone else gets 403 — the same rule as for trajectories.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Household, Resident
from workflows.departures import Departure, departure_plan, record_departure
from workflows.households import (
    get_household,
    gids_choices,
    hand_over_household,
    move_to_household,
)
from workflows.residents import (
    ResidentChanges,
    change_resident,
    get_resident,
    get_resident_for_change,
    may_change,
)

from .. import clock
from ..auth.access import me
from ..extensions import db
from ..formtools import opts, reject, run_step, whole_number
from ..loaders import wijk_choices
from . import bp
from .resident_forms import DepartureForm, HandOverForm, MoveHouseholdForm, ResidentChangeForm


def _conflict() -> str:
    return _(
        "De gegevens van deze inwoner zijn intussen door iemand anders gewijzigd. Uw wijziging "
        "is niet opgeslagen; hieronder staat wat u invulde. Bekijk de nieuwe stand en probeer "
        "het opnieuw."
    )


def changeable_resident(resident_id: int) -> Resident:
    """The resident, for the gids of its household only (else 403); for a POST locked."""
    if request.method == "POST":
        person = get_resident_for_change(db.session, resident_id)
    else:
        person = get_resident(db.session, resident_id)
    if not may_change(person.household, me()):
        abort(403)
    return person


def changeable_household(household_id: int) -> Household:
    household = get_household(db.session, household_id, for_update=request.method == "POST")
    if not may_change(household, me()):
        abort(403)
    return household


def _back(person: Resident) -> Response:
    return redirect(url_for("gids.resident", resident_id=person.id))


@bp.route("/inwoners/<int:resident_id>/wijzigen", methods=["GET", "POST"])
def edit_resident(resident_id: int) -> str | Response | tuple[str, int]:
    person = changeable_resident(resident_id)
    form = ResidentChangeForm(obj=None if request.method == "POST" else person)
    form.wijk_id.choices = wijk_choices()
    if request.method == "GET":
        form.version.data = str(person.version)
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        changes = ResidentChanges(
            given_name=form.given_name.data or "",
            family_name=form.family_name.data or "",
            address=form.address.data,
            postcode=form.postcode.data,
            wijk_id=form.wijk_id.data,
            phone=form.phone.data,
        )
        step = run_step(
            form,
            lambda: change_resident(
                db.session, person, changes, me(), whole_number(form.version.data)
            ),
            success=_("De gegevens van %(name)s zijn opgeslagen.", name=changes.given_name),
            conflict=_conflict(),
        )
        if step.ok:
            return _back(person)
        general, status = step.general, step.status
        person = get_resident(db.session, resident_id)
    page = render_template("gids/resident_edit.html", person=person, form=form, general=general)
    return page, status


@bp.route("/inwoners/<int:resident_id>/vertrek", methods=["GET", "POST"], endpoint="departure")
def record_departure_page(resident_id: int) -> str | Response | tuple[str, int]:
    """A move out of the municipality or a death. The first press shows what will end (the
    running trajectories with their closure, the open requests); the second records it and
    ends them (``workflows.departures``)."""
    person = changeable_resident(resident_id)
    if person.departed:
        flash(_("Voor deze inwoner is al een verhuizing of een overlijden vastgelegd."), "info")
        return _back(person)
    form = DepartureForm()
    if request.method == "GET":
        form.version.data = str(person.version)
    general: list[str] = []
    status = 200
    plan = None
    if form.validate_on_submit():
        assert form.on.data is not None
        kind = Departure(form.kind.data)
        continues = kind == Departure.VERHUISD and form.care_continues.data == "ja"
        if form.confirm.data:
            on = form.on.data
            step = run_step(
                form,
                lambda: record_departure(
                    db.session,
                    person,
                    me(),
                    kind=kind,
                    on=on,
                    care_continues=continues,
                    today=clock.today(),
                    expected_version=whole_number(form.version.data),
                ),
                conflict=_conflict(),
            )
            if step.ok:
                done = step.value
                flash(
                    _(
                        "Vastgelegd. %(ended)s traject(en) en %(requests)s aanmelding(en) zijn "
                        "beëindigd.",
                        ended=len(done.ends),
                        requests=len(done.requests),
                    ),
                    "success",
                )
                return _back(person)
            general, status = step.general, step.status
            person = get_resident(db.session, resident_id)
        else:
            plan = departure_plan(person, kind, form.on.data, care_continues=continues)
    page = render_template(
        "gids/departure.html", person=person, form=form, general=general, plan=plan
    )
    return page, status


@bp.route("/inwoners/<int:resident_id>/huishouden", methods=["GET", "POST"])
def move_household(resident_id: int) -> str | Response | tuple[str, int]:
    person = changeable_resident(resident_id)
    form = MoveHouseholdForm()
    if request.method == "GET":
        form.version.data = str(person.version)
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: move_to_household(
                db.session,
                person,
                me(),
                member_bsn=form.member_bsn.data,
                expected_version=whole_number(form.version.data),
            ),
            success=_("%(name)s is verhuisd naar het andere huishouden.", name=person.full_name),
            conflict=_conflict(),
        )
        if step.ok:
            return _back(person)
        general, status = step.general, step.status
        person = get_resident(db.session, resident_id)
    page = render_template(
        "gids/resident_household.html", person=person, form=form, general=general
    )
    return page, status


@bp.route(
    "/huishoudens/<int:household_id>/overdragen", methods=["GET", "POST"], endpoint="hand_over"
)
def hand_over_household_page(household_id: int) -> str | Response:
    household = changeable_household(household_id)
    form = HandOverForm()
    others = [g for g in gids_choices(db.session) if g.id != household.gids_id]
    form.gids_id.choices = opts([("", _("— kies een gids —")), *((g.id, g.name) for g in others)])
    general: list[str] = []
    if form.validate_on_submit():
        new_gids_id = form.gids_id.data
        step = run_step(form, lambda: hand_over_household(db.session, household, me(), new_gids_id))
        if step.ok:
            moved = step.value
            flash(
                _(
                    "Het huishouden is overgedragen, met %(trajectories)s traject(en), "
                    "%(requests)s aanmelding(en) en %(tasks)s taak/taken.",
                    trajectories=moved.trajectories,
                    requests=moved.requests,
                    tasks=moved.tasks,
                ),
                "success",
            )
            return redirect(url_for("gids.caseload"))
        general = step.general
        household = get_household(db.session, household_id)
    elif request.method == "POST" and not others:
        general = reject([_("Er is geen andere gids om aan over te dragen.")])
    return render_template("gids/hand_over.html", household=household, form=form, general=general)
