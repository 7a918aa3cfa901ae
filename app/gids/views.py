from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from models import (
    OPEN_STATES,
    Aanmelding,
    AanmeldingOutcome,
    ContractRole,
    Domain,
    Household,
    Intensity,
    NeedType,
    Provider,
    Resident,
    SupportProfile,
    Tariff,
    Trajectory,
    TrajectoryState,
)
from workflows import closure_rules
from workflows import trajectories as wf
from workflows.aanmeldingen import (
    aanmeldingen_of,
    decide_aanmelding,
    get_aanmelding,
    register_aanmelding,
)
from workflows.berichten.answers import REFUSAL_REASONS, tell_in_onderzoek
from workflows.berichten.requests import requested_terms
from workflows.berichten.verzoeken import VERZOEK_STATE_LABELS, verzoek_of_aanmelding
from workflows.caseload import caseload as caseload_query
from workflows.caseload import markers
from workflows.catalogue import (
    DEFAULT_NEED_TYPE,
    active_profiles,
    contracted_providers,
    need_type_for,
    tariff_on,
)
from workflows.dates import jeugd_decision_end
from workflows.eligibility import is_plausible, planned_end_default
from workflows.errors import N_, DomainError
from workflows.inbox import new_handovers
from workflows.message_overview import trajectory_messages
from workflows.paging import page_number
from workflows.residents import (
    ResidentInput,
    add_resident,
    get_resident,
    may_change,
    search_residents,
)
from workflows.transitions import STATE_LABELS, Action, allowed_actions

from .. import clock
from ..auth.access import me
from ..bsn_display import shown_bsn
from ..extensions import db
from ..filters import fmt_date, fmt_money, intensity_label
from ..formtools import not_possible, opts, run_step, step_not_possible, whole_number
from ..loaders import closing_choices, own_trajectory, refusal_choices, wijk_choices
from . import bp
from .forms import (
    END_MOVES,
    END_STAYS,
    MAX_RESULTS,
    AanmeldingForm,
    CaseloadFilterForm,
    CloseForm,
    DecideAanmeldingForm,
    ExtendDecisionForm,
    InOnderzoekForm,
    ProposeForm,
    ReasonForm,
    ResidentForm,
    TrajectoryForm,
)

# --- caseload -------------------------------------------------------------------------------


def _search_text() -> str:
    """The name or BSN searched for. Only ever sent in a POST body: personal data never goes
    into a URL (browser history, proxy and server logs). A ``q`` in a query string is ignored."""
    return (request.form.get("q") or "")[:100] if request.method == "POST" else ""


@bp.route("/", methods=["GET", "POST"])
def caseload() -> str:
    values = request.form if request.method == "POST" else request.args
    form = CaseloadFilterForm(values)
    form.state.choices = opts(
        [("open", _("Alle lopende")), ("alle", _("Alle statussen"))]
        + [(s.value, label) for s, label in _state_choices()]
    )
    state_value = values.get("state") or "open"
    if state_value == "open":
        states: tuple[TrajectoryState, ...] = OPEN_STATES
    elif state_value == "alle":
        states = tuple(TrajectoryState)
    elif state_value in {s.value for s in TrajectoryState}:
        states = (TrajectoryState(state_value),)
    else:
        abort(400)
    form.state.data = state_value
    domain_value = values.get("domain") or ""
    if domain_value and domain_value not in {d.value for d in Domain}:
        abort(400)
    query_text = _search_text()
    form.q.data = query_text
    page = caseload_query(
        db.session,
        me(),
        search=query_text,
        states=states,
        domain=Domain(domain_value) if domain_value else None,
        page=page_number(values.get("page")),
    )
    rows = [(trajectory, markers(trajectory, clock.today())) for trajectory in page.items]
    handovers, handover_total = new_handovers(db.session, me())
    return render_template(
        "gids/caseload.html",
        form=form,
        page=page,
        rows=rows,
        handovers=handovers,
        handover_total=handover_total,
        today=clock.today(),
        search={"q": query_text, "state": state_value, "domain": domain_value},
    )


def _state_choices() -> list[tuple[TrajectoryState, str]]:
    return [(s, _(STATE_LABELS[s])) for s in TrajectoryState]


# --- residents and households ----------------------------------------------------------------


@bp.route("/inwoners", methods=["GET", "POST"])
def residents() -> str:
    query_text = _search_text().strip()
    page = search_residents(
        db.session, query_text, page=page_number(request.form.get("page")), per_page=25
    )
    return render_template("gids/residents.html", q=query_text, page=page)


@bp.route("/inwoners/nieuw", methods=["GET", "POST"])
def new_resident() -> str | Response:
    form = ResidentForm()
    form.wijk_id.choices = wijk_choices()
    general: list[str] = []
    if form.validate_on_submit():
        assert form.birth_date.data is not None
        data = ResidentInput(
            bsn=form.bsn.data or "",
            given_name=form.given_name.data or "",
            family_name=form.family_name.data or "",
            birth_date=form.birth_date.data,
            address=form.address.data,
            postcode=form.postcode.data,
            wijk_id=form.wijk_id.data,
            phone=form.phone.data,
            household_member_bsn=form.household_member_bsn.data,
        )
        step = run_step(form, lambda: add_resident(db.session, data, me(), clock.today()))
        if step.ok:
            resident = step.value
            flash(_("Inwoner %(name)s is geregistreerd.", name=resident.full_name), "success")
            return redirect(url_for("gids.resident", resident_id=resident.id))
        general = step.general
    return render_template("gids/resident_form.html", form=form, general=general)


@bp.get("/inwoners/<int:resident_id>")
def resident(resident_id: int) -> str:
    person = get_resident(db.session, resident_id)
    household = db.session.get(
        Household,
        person.household_id,
        options=[
            selectinload(Household.members)
            .selectinload(Resident.trajectories)
            .selectinload(Trajectory.profile),
            selectinload(Household.members)
            .selectinload(Resident.trajectories)
            .selectinload(Trajectory.provider),
        ],
    )
    assert household is not None
    jeugd_end = jeugd_decision_end(person.birth_date)
    return render_template(
        "gids/resident.html",
        person=person,
        show_bsn=shown_bsn(person.id),
        household=household,
        today=clock.today(),
        jeugd_end=jeugd_end,
        markers=markers,
        may_change=may_change(household, me()),
    )


# --- requests (aanmeldingen) -----------------------------------------------------------------


@bp.get("/aanmeldingen")
def requests() -> str:
    show = "alle" if request.args.get("toon") == "alle" else "open"
    outcome = AanmeldingOutcome.IN_BEHANDELING if show == "open" else None
    page = aanmeldingen_of(db.session, me(), outcome, page=page_number(request.args.get("page")))
    return render_template("gids/requests.html", page=page, show=show)


@bp.route("/inwoners/<int:resident_id>/aanmelding", methods=["GET", "POST"])
def new_request(resident_id: int) -> str | Response:
    person = get_resident(db.session, resident_id)
    form = AanmeldingForm()
    if request.method == "GET":
        form.request_date.data = clock.today()
    general: list[str] = []
    if form.validate_on_submit():
        request_date = form.request_date.data
        assert request_date is not None
        step = run_step(
            form,
            lambda: register_aanmelding(
                db.session,
                person,
                me(),
                request_date=request_date,
                domain=Domain(form.domain.data),
                question=form.question.data or "",
                today=clock.today(),
            ),
            success=_("De aanmelding is geregistreerd."),
        )
        if step.ok:
            return redirect(url_for("gids.request_detail", request_id=step.value.id))
        general = step.general
    return render_template("gids/request_form.html", form=form, person=person, general=general)


@bp.route("/aanmeldingen/<int:request_id>", methods=["GET", "POST"])
def request_detail(request_id: int) -> str | Response:
    item = get_aanmelding(db.session, request_id, for_update=request.method == "POST")
    verzoek = verzoek_of_aanmelding(db.session, item)
    form = DecideAanmeldingForm()
    form.refusal_code.choices = refusal_choices()
    general: list[str] = []
    if form.validate_on_submit():
        if item.gids_id != me().id:
            abort(403)
        step = run_step(
            form,
            lambda: decide_aanmelding(
                db.session,
                item,
                me(),
                outcome=AanmeldingOutcome(form.outcome.data),
                reason=form.reason.data,
                today=clock.today(),
                refusal_code=form.refusal_code.data or None,
            ),
            success=_("De uitkomst is vastgelegd."),
        )
        if step.ok:
            return redirect(url_for("gids.request_detail", request_id=item.id))
        general = step.general
    return render_template(
        "gids/request.html",
        item=item,
        form=form,
        general=general,
        verzoek=verzoek,
        in_onderzoek_form=InOnderzoekForm(),
        verzoek_label=VERZOEK_STATE_LABELS,
        refusal_meanings=REFUSAL_REASONS,
    )


@bp.post("/aanmeldingen/<int:request_id>/in-onderzoek")
def request_in_onderzoek(request_id: int) -> Response:
    """The gids tells the provider that asked (315) that its request is being looked into."""
    item = get_aanmelding(db.session, request_id, for_update=True)
    form = InOnderzoekForm()
    if form.validate_on_submit():
        if item.gids_id != me().id:
            abort(403)
        run_step(
            None,
            lambda: tell_in_onderzoek(db.session, item, me(), clock.today()),
            success=_("De aanbieder krijgt bericht dat de aanvraag in onderzoek is."),
            flash_problems=True,
        )
    return redirect(url_for("gids.request_detail", request_id=item.id))


# --- trajectories ----------------------------------------------------------------------------


def _profile_choices() -> list[SelectChoice]:
    choices = opts([("", _("— kies een profiel —"))])
    for p in active_profiles(db.session):
        group = "Wmo" if p.domain == Domain.WMO else _("Jeugd")
        choices += opts([(p.id, f"{p.name} ({p.code})")], optgroup=group)
    return choices


@dataclass
class CataloguePreview:
    """What the trajectory form shows for a profile, intensity and planned start: the tariff and
    the planned end at its standard duration, the providers contracted on that day, and the need
    type a new trajectory with the profile starts with."""

    profile: SupportProfile | None
    day: date
    need_type: NeedType = DEFAULT_NEED_TYPE
    tariff: Tariff | None = None
    planned_end: date | None = None
    providers: Sequence[Provider] = ()
    subcontractors: Sequence[Provider] = ()


def catalogue_preview(
    profile_id: object, intensity: object, day: date, person: Resident
) -> CataloguePreview:
    """The one reckoning behind the form's 'Tarief en aanbieders tonen' button and the live
    update of the script (``tariff_preview``): ``workflows.catalogue.tariff_on`` and
    ``contracted_providers`` on the planned start."""
    profile = db.session.get(SupportProfile, profile_id) if isinstance(profile_id, int) else None
    if profile is None:
        return CataloguePreview(profile=None, day=day)
    subs = {
        p.id: p
        for role in (ContractRole.ONDERAANNEMER, ContractRole.HOOFDAANNEMER)
        for p in contracted_providers(db.session, profile.id, day, role)
    }
    preview = CataloguePreview(
        profile=profile,
        day=day,
        need_type=need_type_for(profile),
        providers=contracted_providers(db.session, profile.id, day),
        subcontractors=sorted(subs.values(), key=lambda p: p.name),
    )
    if intensity in {i.value for i in Intensity} and Intensity(intensity) in (
        profile.allowed_intensities
    ):
        preview.tariff = tariff_on(db.session, profile.id, Intensity(intensity), day)
        if preview.tariff is not None:
            preview.planned_end = planned_end_default(
                profile.domain, person.birth_date, day, preview.tariff.standard_duration_weeks
            )
    return preview


def _prepare(form: TrajectoryForm, person: Resident) -> CataloguePreview:
    """Fill the choice lists from what is typed so far and work out the tariff preview.

    Without JavaScript the page is re-rendered by the 'Tarief en aanbieders tonen' button; with
    it, static/trajectory-form.js asks ``tariff_preview`` as profile, intensity or start change.
    The provider list holds only providers contracted for the chosen profile on the planned start.
    """
    form.profile_id.choices = _profile_choices()
    preview = catalogue_preview(
        form.profile_id.data,
        form.intensity.data,
        form.planned_start.data or clock.today(),
        person,
    )
    if preview.profile is None:
        form.provider_id.choices = opts([("", _("— kies eerst een profiel —"))])
        form.subcontractor_id.choices = opts([("", _("Geen"))])
        return preview
    form.provider_id.choices = opts(
        [("", _("— kies een aanbieder —"))] + [(p.id, provider_label(p)) for p in preview.providers]
    )
    form.subcontractor_id.choices = opts(
        [("", _("Geen"))] + [(p.id, p.name) for p in preview.subcontractors]
    )
    return preview


def _parse_day(raw: str) -> date | None:
    """A date as the browser's date field sends it (jjjj-mm-dd) or as typed (dd-mm-jjjj)."""
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(raw.strip(), pattern).date()
        except ValueError:
            continue
        return day if is_plausible(day) else None
    return None


def provider_label(provider: Provider) -> str:
    return f"{provider.name} (AGB {provider.agb_code})"


@bp.get("/tarief")
def tariff_preview() -> tuple[Response, int] | Response:
    """The tariff and contracted providers for ``profiel``, ``intensiteit`` and ``start``
    (dd-mm-jjjj or jjjj-mm-dd) of resident ``inwoner``, as JSON for the trajectory form's script.
    Bad input: 400 with a Dutch message; only for a gids (the access table)."""
    args = request.args
    profile_id = whole_number(args.get("profiel"))
    resident_id = whole_number(args.get("inwoner"))
    day = _parse_day(args.get("start", ""))
    intensity = args.get("intensiteit", "")
    problems = []
    if profile_id is None:
        problems.append(_("Kies een ondersteuningsprofiel."))
    if intensity and intensity not in {i.value for i in Intensity}:
        problems.append(_("Kies een geldige intensiteit."))
    if day is None:
        problems.append(_("Vul een geldige geplande startdatum in (dd-mm-jjjj)."))
    if resident_id is None:
        problems.append(_("De inwoner ontbreekt."))
    if problems or day is None:
        return jsonify({"fout": " ".join(problems)}), 400
    person = db.session.get(Resident, resident_id)
    if person is None:
        return jsonify({"fout": _("Inwoner niet gevonden.")}), 404
    preview = catalogue_preview(profile_id, intensity, day, person)
    if preview.profile is None:
        return jsonify({"fout": _("Dit ondersteuningsprofiel bestaat niet.")}), 400
    tariff = preview.tariff
    return jsonify(
        {
            "datum": fmt_date(day),
            "tarief": None
            if tariff is None
            else {
                "prijs": fmt_money(tariff.price),
                "bedrag": f"{tariff.price:.2f}",
                "weken": tariff.standard_duration_weeks,
                "evaluatie_maanden": tariff.evaluation_interval_months,
                "geplande_einddatum": fmt_date(preview.planned_end),
                "tekst": tariff_text(preview),
            },
            "toegestane_intensiteiten": [i.value for i in preview.profile.allowed_intensities],
            "behoefte": preview.need_type.value,
            "melding": None if tariff is not None else no_tariff_text(preview),
            "aanbieders": [{"id": p.id, "naam": provider_label(p)} for p in preview.providers],
            "onderaannemers": [{"id": p.id, "naam": p.name} for p in preview.subcontractors],
        }
    )


def tariff_text(preview: CataloguePreview) -> str:
    """The tariff line of the form, as the template writes it, for the script to show."""
    assert preview.tariff is not None
    tariff = preview.tariff
    return (
        " · ".join(
            [
                _("Tarief: %(price)s", price=fmt_money(tariff.price)),
                ngettext(
                    "standaardduur: %(num)s week",
                    "standaardduur: %(num)s weken",
                    tariff.standard_duration_weeks,
                ),
                _("evaluatie: elke %(n)s maanden", n=tariff.evaluation_interval_months),
            ]
        )
        + ". "
        + _("Geplande einddatum bij de standaardduur: %(day)s.", day=fmt_date(preview.planned_end))
    )


def no_tariff_text(preview: CataloguePreview) -> str:
    assert preview.profile is not None
    allowed = ", ".join(intensity_label(i) for i in preview.profile.allowed_intensities)
    return (
        _("Toegestane intensiteiten voor dit profiel")
        + f": {allowed}. "
        + _("Voor deze keuze is op de geplande startdatum geen tarief.")
    )


def _input(form: TrajectoryForm, resident_id: int, request_id: int | None) -> wf.TrajectoryInput:
    assert form.planned_start.data is not None
    return wf.TrajectoryInput(
        resident_id=resident_id,
        profile_id=int(form.profile_id.data or 0),
        intensity=Intensity(form.intensity.data),
        provider_id=int(form.provider_id.data or 0),
        need_type=NeedType(form.need_type.data),
        planned_start=form.planned_start.data,
        planned_end=form.planned_end.data,
        price=form.price.amount,
        price_reason=form.price_reason.data,
        subcontractor_id=form.subcontractor_id.data,
        request_id=request_id,
        results=[
            wf.ResultInput(**{k: v for k, v in entry.data.items() if k != "csrf_token"})
            for entry in form.results
        ],
    )


def _follow_profile_need_type(form: TrajectoryForm, preview: CataloguePreview) -> None:
    """On a new trajectory, the need type follows the chosen profile's default while the gids
    has not chosen one: while it still equals the one the page preselected (``need_type_preset``;
    static/trajectory-form.js applies the same rule when the profile changes)."""
    preset = form.need_type_preset.data
    if preset and form.need_type.data == preset:
        form.need_type.data = preview.need_type.value
        form.need_type_preset.data = preview.need_type.value


def _handle_trajectory_form(
    form: TrajectoryForm, person: Resident, request_id: int | None, trajectory: Trajectory | None
) -> str | Response | tuple[str, int]:
    general: list[str] = []
    status = 200
    refreshed = False
    if request.method == "POST" and form.add_result.data:
        if len(form.results) < MAX_RESULTS:
            form.results.append_entry()
    elif request.method == "POST" and form.refresh.data:
        # re-render with the tariff and the provider list for what was chosen
        refreshed = True
    elif form.validate_on_submit():
        editing = trajectory

        def save() -> Trajectory:
            data = _input(form, person.id, request_id)
            if editing is None:
                return wf.create_trajectory(db.session, data, me(), today=clock.today())
            choice = form.end_shift.data
            if wf.start_moved_end_kept(editing, data) and choice not in (END_MOVES, END_STAYS):
                raise DomainError(
                    N_(
                        "De geplande start verschuift: kies of de geplande einddatum meeschuift "
                        "of blijft staan."
                    ),
                    field="end_shift",
                )
            wf.update_trajectory(
                db.session,
                editing,
                data,
                me(),
                expected_version=_version(form),
                today=clock.today(),
                end_follows_start=choice == END_MOVES,
            )
            return editing

        step = run_step(
            form,
            save,
            success=_("Het traject is opgeslagen als concept.")
            if editing is None
            else _("De wijzigingen zijn opgeslagen."),
            # Someone else saved first (another gids, or this gids in another tab): nothing is
            # overwritten, and what was typed stays on the page to compare and send again.
            conflict=_(
                "Iemand anders heeft dit traject intussen gewijzigd. Uw wijzigingen zijn niet "
                "opgeslagen en er is niets overschreven. Uw invoer staat hieronder; open het "
                "traject opnieuw om de nieuwe stand te zien."
            ),
        )
        if step.ok:
            return redirect(url_for("gids.trajectory", trajectory_id=step.value.id))
        general, status = step.general, step.status
    preview = _prepare(form, person)
    if trajectory is None and refreshed:
        _follow_profile_need_type(form, preview)
    page = render_template(
        "gids/trajectory_form.html",
        form=form,
        person=person,
        trajectory=trajectory,
        preview=preview,
        tariff_line=tariff_text(preview) if preview.tariff else None,
        no_tariff=no_tariff_text(preview) if preview.profile and not preview.tariff else None,
        general=general,
        request_id=request_id,
    )
    return (page, status) if status != 200 else page


@bp.route("/inwoners/<int:resident_id>/trajecten/nieuw", methods=["GET", "POST"])
def new_trajectory(resident_id: int) -> str | Response | tuple[str, int]:
    person = get_resident(db.session, resident_id)
    request_id: int | None = None
    raw_request = request.args.get("aanmelding", "")
    if raw_request:
        if not raw_request.isdecimal():
            abort(400)
        number = whole_number(raw_request)
        if number is None:
            abort(404)  # too large to be a request's id
        linked = get_aanmelding(db.session, number)
        if linked.resident_id != person.id:
            abort(404)
        request_id = linked.id
    form = TrajectoryForm()
    if request.method == "GET":
        form.planned_start.data = clock.today()
        if request_id is not None:
            _preselect_requested(form, get_aanmelding(db.session, request_id))
    return _handle_trajectory_form(form, person, request_id, None)


def _preselect_requested(form: TrajectoryForm, aanmelding: Aanmelding) -> None:
    """An aanmelding from a provider's 315: the form starts with what was asked (the provider,
    and the profile, intensity and period where the catalogue matches); the gids decides."""
    terms = requested_terms(db.session, aanmelding)
    if terms is None:
        return
    form.provider_id.data = terms.provider_id
    if terms.profile_id is not None:
        form.profile_id.data = terms.profile_id
    if terms.intensity is not None:
        form.intensity.data = terms.intensity.value
    if terms.planned_start > clock.today():
        form.planned_start.data = terms.planned_start
    if terms.planned_end is not None and terms.planned_end >= form.planned_start.data:
        form.planned_end.data = terms.planned_end


@bp.route("/trajecten/<int:trajectory_id>/wijzigen", methods=["GET", "POST"])
def edit_trajectory(trajectory_id: int) -> str | Response | tuple[str, int]:
    trajectory = own_trajectory(trajectory_id)
    if Action.EDIT not in allowed_actions(trajectory.state):
        flash(_("Een traject met deze status kan niet meer worden gewijzigd."), "error")
        return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
    if request.method == "GET":
        form = TrajectoryForm(
            data={
                "profile_id": trajectory.profile_id,
                "intensity": trajectory.intensity.value,
                "planned_start": trajectory.planned_start,
                "provider_id": trajectory.provider_id,
                "subcontractor_id": trajectory.subcontractor_id,
                "need_type": trajectory.need_type.value,
                "planned_end": trajectory.planned_end,
                "price": f"{trajectory.price:.2f}".replace(".", ","),
                "price_reason": trajectory.price_reason or "",
                "results": [
                    {
                        "description": r.description,
                        "measure": r.measure or "",
                        "gas_minus2": r.gas_minus2 or "",
                        "gas_minus1": r.gas_minus1 or "",
                        "gas_zero": r.gas_zero or "",
                        "gas_plus1": r.gas_plus1 or "",
                        "gas_plus2": r.gas_plus2 or "",
                    }
                    for r in trajectory.results
                ],
                "version": str(trajectory.version),
            }
        )
    else:
        form = TrajectoryForm()
    form.need_type_preset.data = ""  # an edit keeps the trajectory's need type
    return _handle_trajectory_form(form, trajectory.resident, trajectory.request_id, trajectory)


@bp.get("/trajecten/<int:trajectory_id>")
def trajectory(trajectory_id: int) -> str:
    trajectory = wf.get_trajectory(db.session, trajectory_id)
    return _render_trajectory(trajectory)


def _render_trajectory(trajectory: Trajectory, **forms: Any) -> str:
    """The trajectory page; only the forms the page shows are made (the responsible gids's, for
    the steps the state allows). ``forms`` holds a refused form to show again with its input."""
    version = str(trajectory.version)
    allowed = allowed_actions(trajectory.state)
    mine = trajectory.gids_id == me().id
    can_extend = trajectory.state in wf.DECISION_OPEN_STATES and trajectory.decision_end is not None
    propose_form = forms.get("propose_form")
    if propose_form is None and mine and Action.PROPOSE in allowed:
        propose_form = ProposeForm(formdata=None, data={"version": version}, prefix="propose")
    cancel_form = forms.get("cancel_form")
    if cancel_form is None and mine and Action.CANCEL in allowed:
        cancel_form = ReasonForm(formdata=None, data={"version": version}, prefix="cancel")
    extend_form = forms.get("extend_form")
    if extend_form is None and mine and can_extend:
        extend_form = ExtendDecisionForm(formdata=None, data={"version": version}, prefix="extend")
    return render_template(
        "gids/trajectory.html",
        trajectory=trajectory,
        markers=markers(trajectory, clock.today()),
        allowed=allowed,
        mine=mine,
        propose_form=propose_form,
        cancel_form=cancel_form,
        extend_form=extend_form,
        can_extend=can_extend,
        messages=trajectory_messages(db.session, trajectory.id),
        general=forms.get("general", []),
    )


def _version(form: Any) -> int | None:
    return whole_number(form.version.data)


@bp.post("/trajecten/<int:trajectory_id>/versturen")
def propose(trajectory_id: int) -> str | Response:
    trajectory = own_trajectory(trajectory_id)
    form = ProposeForm(prefix="propose")
    if not form.validate_on_submit():
        abort(400)
    step = run_step(
        form,
        lambda: wf.propose(
            db.session, trajectory, me(), clock.today(), expected_version=_version(form)
        ),
        success=_("Het traject is naar %(provider)s verstuurd.", provider=trajectory.provider.name),
    )
    if not step.ok:
        trajectory = wf.get_trajectory(db.session, trajectory_id)
        return _render_trajectory(trajectory, general=step.general)
    return redirect(url_for("gids.trajectory", trajectory_id=trajectory_id))


@bp.post("/trajecten/<int:trajectory_id>/annuleren")
def cancel(trajectory_id: int) -> str | Response:
    trajectory = own_trajectory(trajectory_id)
    form = ReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        general = step_not_possible(trajectory, Action.CANCEL)
        return _render_trajectory(trajectory, cancel_form=form, general=general)
    step = run_step(
        form,
        lambda: wf.cancel(db.session, trajectory, me(), form.reason.data or "", _version(form)),
        success=_("Het traject is geannuleerd."),
    )
    if not step.ok:
        trajectory = wf.get_trajectory(db.session, trajectory_id)
        return _render_trajectory(trajectory, cancel_form=form, general=step.general)
    return redirect(url_for("gids.trajectory", trajectory_id=trajectory_id))


@bp.route("/trajecten/<int:trajectory_id>/afsluiten", methods=["GET", "POST"])
def close(trajectory_id: int) -> str | Response:
    """Closing has its own page (category, reason, result — it cannot be undone), reached
    from the trajectory page; the trajectory page itself stays light to show (bench/load.py)."""
    trajectory = own_trajectory(trajectory_id)
    form = CloseForm(prefix="close")
    closing_choices(form, trajectory.domain)
    if request.method == "GET":
        refusal = not_possible(trajectory, Action.CLOSE)
        if refusal:
            flash(refusal, "error")
            return redirect(url_for("gids.trajectory", trajectory_id=trajectory.id))
        form.version.data = str(trajectory.version)
        return _render_close(trajectory, form)
    if not form.validate_on_submit():
        return _render_close(trajectory, form, step_not_possible(trajectory, Action.CLOSE))
    step = run_step(
        form,
        lambda: wf.close(
            db.session,
            trajectory,
            me(),
            **form.closing(),
            today=clock.today(),
            expected_version=_version(form),
        ),
        success=_("Het traject is afgesloten."),
    )
    if not step.ok:
        return _render_close(wf.get_trajectory(db.session, trajectory_id), form, step.general)
    return redirect(url_for("gids.trajectory", trajectory_id=trajectory_id))


def _render_close(trajectory: Trajectory, form: CloseForm, general: list[str] | None = None) -> str:
    return render_template(
        "gids/close.html",
        trajectory=trajectory,
        close_form=form,
        general=general or [],
        closure_rules=closure_rules.rows(trajectory.domain),
    )


@bp.post("/trajecten/<int:trajectory_id>/verlengen")
def extend_decision(trajectory_id: int) -> str | Response:
    """R6: extend the decision (*verlenging*) with a new end date and a reason."""
    trajectory = own_trajectory(trajectory_id)
    form = ExtendDecisionForm(prefix="extend")
    if not form.validate_on_submit():
        return _render_trajectory(trajectory, extend_form=form)
    new_end = form.new_end.data
    assert new_end is not None
    step = run_step(
        form,
        lambda: wf.extend_decision(
            db.session,
            trajectory,
            me(),
            new_end=new_end,
            reason=form.reason.data or "",
            today=clock.today(),
            expected_version=_version(form),
        ),
        success=_("De beschikking is verlengd tot %(day)s.", day=new_end.strftime("%d-%m-%Y")),
    )
    if not step.ok:
        trajectory = wf.get_trajectory(db.session, trajectory_id)
        return _render_trajectory(trajectory, extend_form=form, general=step.general)
    return redirect(url_for("gids.trajectory", trajectory_id=trajectory_id))


# --- PDF downloads (any gids may look a trajectory up, so any gids may download) ---------------


@bp.get("/trajecten/<int:trajectory_id>/trajectafspraken.pdf")
def trajectory_agreement_pdf(trajectory_id: int) -> Response:
    from ..pdf import TrajectoryAgreementPdf, send_personal_pdf

    trajectory = wf.get_trajectory(db.session, trajectory_id)
    return send_personal_pdf(
        TrajectoryAgreementPdf(trajectory, clock.today()), f"trajectafspraken-{trajectory.id}.pdf",
        object_type="traject", object_id=trajectory.id, resident_id=trajectory.resident_id,
    )  # fmt: skip


@bp.get("/evaluaties/<int:evaluation_id>/verslag.pdf")
def evaluation_report_pdf(evaluation_id: int) -> Response:
    from ..pdf import EvaluationReportPdf, send_personal_pdf, submitted_evaluation

    evaluation = submitted_evaluation(evaluation_id)
    document = EvaluationReportPdf(evaluation, clock.today())
    return send_personal_pdf(
        document, f"evaluatieverslag-{evaluation.id}.pdf", object_type="evaluatie",
        object_id=evaluation.id, resident_id=evaluation.trajectory.resident_id,
    )  # fmt: skip
