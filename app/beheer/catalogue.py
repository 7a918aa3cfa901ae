"""The catalogue for the beheerder: a new support profile, a profile's details (name, product
category from the code lists, allowed intensities, active) and its tariff versions (price,
standard duration, evaluation interval, each valid from a date), and merging a profile or
provider that a history import added into an existing one. The rules are in
``workflows.catalogue`` and ``workflows.providers``; every change is logged there."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from models import Intensity, SupportProfile, Trajectory
from workflows import catalogue as wf
from workflows import providers as provider_wf

from ..auth.access import me
from ..extensions import db
from ..formtools import MAX_ID, opts, run_step
from ..gids.forms import NEED_TYPE_PAIRS
from . import bp
from .catalogue_forms import INTENSITY_CHOICES, MergeForm, ProfileEditForm, ProfileForm, TariffForm


def _profile(profile_id: int) -> SupportProfile:
    profile = db.session.get(SupportProfile, profile_id) if profile_id <= MAX_ID else None
    if profile is None:
        abort(404)
    return profile


def _intensities(raw: list[str] | None) -> list[Intensity]:
    values = {i.value: i for i in Intensity}
    return [values[v] for v in raw or [] if v in values]


def _category_choices(form: ProfileForm) -> None:
    form.category_code.choices = opts(
        [
            (None, _("Kies een productcategorie")),
            *(
                (c.code, f"{c.code} · {c.name} ({c.domain.value})")
                for c in wf.categories(db.session)
            ),
        ]
    )


@bp.route("/profielen/nieuw", methods=["GET", "POST"])
def new_profile() -> str | Response:
    form = ProfileForm()
    _category_choices(form)
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: wf.create_profile(
                db.session, me(), code=form.code.data, name=form.name.data,
                category_code=form.category_code.data or None,
                intensities=_intensities(form.intensities.data),
                need_type_default=form.need_type_default.data,
                product_code=form.product_code.data or "",
            ),
            success=_("Het profiel is toegevoegd. Voeg nu de tarieven toe."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.profile", profile_id=step.value.id))
        errors = step.general
    return render_template(
        "beheer/profile_new.html", form=form, errors=errors, need_type_hint=_need_type_hint()
    )


def _need_type_hint() -> str:
    general = dict(NEED_TYPE_PAIRS)[wf.DEFAULT_NEED_TYPE.value]
    return _(
        "De gids ziet dit voorgekozen bij een nieuw traject met dit profiel en kan het andere "
        "kiezen; bestaande trajecten houden hun keuze. Zonder standaard: %(general)s.",
        general=general,
    )


def _profile_page(
    profile: SupportProfile, form: ProfileEditForm, tariff_form: TariffForm, errors: list[str]
) -> str:
    _category_choices(form)
    allowed = {i.value for i in profile.allowed_intensities}
    tariff_form.intensity.choices = opts([c for c in INTENSITY_CHOICES if c[0] in allowed])
    used = set(
        db.session.scalars(
            select(Trajectory.tariff_id)
            .where(Trajectory.profile_id == profile.id, Trajectory.tariff_id.is_not(None))
            .distinct()
        )
    )
    return render_template(
        "beheer/profile.html",
        profile=profile,
        form=form,
        tariff_form=tariff_form,
        errors=errors,
        missing=wf.missing_tariffs(profile),
        in_use=wf.is_in_use(db.session, profile),
        code_sent=wf.product_code_sent(db.session, profile),
        used=used,
        need_type_hint=_need_type_hint(),
    )


def _profile_form(profile: SupportProfile) -> ProfileEditForm:
    return ProfileEditForm(
        formdata=None,
        code=profile.code,
        name=profile.name,
        category_code=profile.category_code,
        product_code=profile.product_code or "",
        intensities=[i.value for i in profile.allowed_intensities],
        active=profile.active,
        need_type_default=profile.need_type_default.value if profile.need_type_default else "",
    )


@bp.route("/profielen/<int:profile_id>", methods=["GET", "POST"])
def profile(profile_id: int) -> str | Response:
    profile = _profile(profile_id)
    form = ProfileEditForm() if request.method == "POST" else _profile_form(profile)
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: wf.update_profile(
                db.session, me(), profile, code=form.code.data, name=form.name.data,
                category_code=form.category_code.data or None,
                intensities=_intensities(form.intensities.data), active=bool(form.active.data),
                need_type_default=form.need_type_default.data,
                product_code=form.product_code.data or "",
            ),
            success=_("Het profiel is opgeslagen."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.profile", profile_id=profile_id))
        errors = step.general
        profile = _profile(profile_id)
    return _profile_page(profile, form, TariffForm(formdata=None, prefix="tarief"), errors)


@bp.post("/profielen/<int:profile_id>/tarieven")
def add_tariff(profile_id: int) -> str | Response:
    profile = _profile(profile_id)
    tariff_form = TariffForm(prefix="tarief")
    errors: list[str] = []
    if tariff_form.validate_on_submit():
        intensity = _intensities([tariff_form.intensity.data or ""])
        if not intensity:
            tariff_form.intensity.errors = [_("Kies een intensiteit.")]
            errors = []
        else:
            step = run_step(
                tariff_form,
                lambda: wf.add_tariff(
                    db.session, profile, intensity[0], tariff_form.valid_from.data,  # type: ignore[arg-type]
                    tariff_form.price.amount,  # type: ignore[arg-type]
                    tariff_form.standard_duration_weeks.data,  # type: ignore[arg-type]
                    tariff_form.evaluation_interval_months.data,  # type: ignore[arg-type]
                    tariff_form.valid_to.data, actor=me(),
                ),
                success=_("De tariefversie is toegevoegd."),
            )  # fmt: skip
            if step.ok:
                return redirect(url_for("beheer.profile", profile_id=profile_id))
            errors = step.general
            profile = _profile(profile_id)
    return _profile_page(profile, _profile_form(profile), tariff_form, errors)


@bp.post("/geimporteerd/<any(profiel, aanbieder):kind>/<int:item_id>/samenvoegen")
def merge_imported(kind: str, item_id: int) -> Response:
    form = MergeForm()
    if form.validate_on_submit():
        target = form.target.data or None
        merge = wf.merge_profile if kind == "profiel" else provider_wf.merge_provider
        step = run_step(
            form,
            lambda: merge(db.session, me(), item_id, target),
            flash_problems=True,
        )
        if step.ok:
            flash(_("Samengevoegd: %(n)s trajecten zijn verplaatst.", n=step.value), "success")
    else:
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
    return redirect(url_for("beheer.imported"))
