"""Beheerder pages for the statistics: outlier months (with a reason), population figures per
year, API tokens for managers, the history import upload (the same all-or-nothing check as the
CLI) and the review of profiles and providers that an import created. No case content: the import
report names lines, columns and reasons, never a BSN or another personal value."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from models import ProductCategory, Role, User
from workflows import budgets as budget_wf
from workflows import catalogue
from workflows import providers as provider_wf
from workflows.paging import page_number
from workflows.stats import admin
from workflows.stats.history import apply_import, check_import, decode

from .. import clock
from ..auth.access import me
from ..extensions import db
from ..formtools import opts, run_step
from . import bp
from .forms import (
    ActionForm,
    BudgetForm,
    ImportForm,
    OutlierForm,
    PopulationForm,
    ReviewForm,
    TokenForm,
)


def _button_pressed() -> ActionForm:
    """The remove and revoke buttons post only their CSRF token (checked as for the account
    buttons; CSRFProtect has refused a missing one already)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return form


# --- outlier months ----------------------------------------------------------------------------


@bp.route("/uitschieters", methods=["GET", "POST"])
def outliers() -> str | Response:
    form = OutlierForm()
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: admin.add_outlier_month(
                db.session, me(), domain=form.domain.data, month=form.month.data,
                reason=form.reason.data,
            ),
            success=_("De maand is als uitschieter vastgelegd."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.outliers"))
        errors = step.general
    rows = admin.outlier_months(db.session, page=page_number(request.args.get("page")))
    return render_template("beheer/outliers.html", form=form, rows=rows, errors=errors)


@bp.post("/uitschieters/<int:outlier_id>/verwijderen")
def remove_outlier(outlier_id: int) -> Response:
    run_step(
        _button_pressed(),
        lambda: admin.remove_outlier_month(db.session, me(), outlier_id),
        success=_("De uitschieter is verwijderd."),
        flash_problems=True,
    )
    return redirect(url_for("beheer.outliers"))


# --- population figures ------------------------------------------------------------------------


@bp.route("/bevolking", methods=["GET", "POST"])
def population() -> str | Response:
    form = PopulationForm()
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: admin.set_population(
                db.session, me(), year=form.year.data or 0,
                inhabitants=form.inhabitants.count or 0, households=form.households.count or 0,
            ),
            success=_("De bevolkingscijfers zijn opgeslagen."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.population"))
        errors = step.general
    rows = admin.population_figures(db.session, page=page_number(request.args.get("page")))
    return render_template("beheer/population.html", form=form, rows=rows, errors=errors)


@bp.post("/bevolking/<int:year>/verwijderen")
def remove_population(year: int) -> Response:
    run_step(
        _button_pressed(),
        lambda: admin.remove_population(db.session, me(), year),
        success=_("De bevolkingscijfers van %(year)s zijn verwijderd.", year=year),
        flash_problems=True,
    )
    return redirect(url_for("beheer.population"))


# --- budgets -----------------------------------------------------------------------------------


def _category_choices() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(ProductCategory).order_by(ProductCategory.code))
    domain = {"wmo": "Wmo", "jeugd": _("Jeugd")}
    return [("", _("Kies een productcategorie"))] + [
        (c.code, f"{domain[c.domain.value]} · {c.code} {c.name}") for c in rows
    ]


@bp.route("/begroting", methods=["GET", "POST"])
def budgets() -> str | Response:
    """The yearly budget per product category: managers see it beside committed spend and a
    year-end forecast (the finance figure)."""
    form = BudgetForm()
    form.category_code.choices = opts(_category_choices())
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: budget_wf.set_budget(
                db.session, me(), year=form.year.data or 0,
                category_code=form.category_code.data or "", amount=form.amount.count or 0,
            ),
            success=_("De begroting is opgeslagen."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.budgets"))
        errors = step.general
    rows = budget_wf.budgets(db.session, page=page_number(request.args.get("page")))
    return render_template("beheer/budgets.html", form=form, rows=rows, errors=errors)


@bp.post("/begroting/<int:budget_id>/verwijderen")
def remove_budget(budget_id: int) -> Response:
    run_step(
        _button_pressed(),
        lambda: budget_wf.remove_budget(db.session, me(), budget_id),
        success=_("De begroting is verwijderd."),
        flash_problems=True,
    )
    return redirect(url_for("beheer.budgets"))


# --- API tokens --------------------------------------------------------------------------------


@bp.route("/api-tokens", methods=["GET", "POST"])
def tokens() -> str | Response:
    form = TokenForm()
    form.user_id.choices = opts((u.id, f"{u.name} ({u.email})") for u in admin.managers(db.session))
    errors: list[str] = []
    new_token: str | None = None
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: admin.issue_token(
                db.session, me(), user_id=form.user_id.data or 0, name=form.name.data or ""
            ),
        )
        errors = step.general
        if step.ok:
            _row, new_token = step.value
            form = TokenForm(formdata=None)
            form.user_id.choices = opts(
                (u.id, f"{u.name} ({u.email})") for u in admin.managers(db.session)
            )
    rows = admin.api_tokens(db.session, page=page_number(request.args.get("page")))
    return render_template(
        "beheer/tokens.html", form=form, rows=rows, errors=errors, new_token=new_token
    )


@bp.post("/api-tokens/<int:token_id>/intrekken")
def revoke_token(token_id: int) -> Response:
    run_step(
        _button_pressed(),
        lambda: admin.revoke_token(db.session, me(), token_id, datetime.now(UTC)),
        success=_("Het token is ingetrokken."),
        flash_problems=True,
    )
    return redirect(url_for("beheer.tokens"))


# --- history import ----------------------------------------------------------------------------


def _gidsen() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.GIDS, User.active.is_(True)).order_by(User.name)
        )
    )


@bp.route("/import", methods=["GET", "POST"])
def history_import() -> tuple[str, int] | Response:
    form = ImportForm()
    gidsen = _gidsen()
    form.gids_id.choices = opts((g.id, g.name) for g in gidsen)
    problems: list[tuple[int, str | None, str]] = []
    if form.validate_on_submit():
        gids = next((g for g in gidsen if g.id == form.gids_id.data), None)
        text = decode(form.file.data.read())
        if gids is None:
            form.gids_id.errors = [_("Kies een gids.")]
        elif text is None:
            problems = [(0, None, _("Het bestand is geen UTF-8-tekst."))]
        else:
            check = check_import(
                db.session, text, clock.today(), create_missing=bool(form.create_missing.data)
            )
            problems = [(p.line, p.column, _(p.message, **p.params)) for p in check.problems]
            if check.ok:
                # The file's problems are shown in a table by line, none at a field of the form.
                step = run_step(
                    None, lambda: apply_import(db.session, check, gids, clock.today(), by=me())
                )
                if not step.ok:
                    problems = [(0, None, message) for message in step.general]
                else:
                    result = step.value
                    flash(
                        _(
                            "Import gelukt: %(created)s nieuwe, %(updated)s bijgewerkte en "
                            "%(unchanged)s ongewijzigde trajecten, %(residents)s nieuwe "
                            "inwoners, %(profiles)s nieuwe profielen en %(providers)s nieuwe "
                            "aanbieders.",
                            created=result.created,
                            updated=result.updated,
                            unchanged=result.unchanged,
                            residents=result.new_residents,
                            profiles=result.new_profiles,
                            providers=result.new_providers,
                        ),
                        "success",
                    )
                    return redirect(url_for("beheer.history_import"))
    status = 400 if problems or form.errors else 200
    return render_template("beheer/import.html", form=form, problems=problems), status


# --- review of imported profiles and providers ---------------------------------------------------


@bp.get("/geimporteerd")
def imported() -> str:
    profiles, providers = admin.imported_for_review(
        db.session,
        profiles_page=page_number(request.args.get("profielen")),
        providers_page=page_number(request.args.get("aanbieders")),
    )
    return render_template(
        "beheer/imported.html",
        profiles=profiles,
        providers=providers,
        form=ReviewForm(),
        profile_targets=catalogue.merge_targets_by_domain(db.session),
        provider_targets=provider_wf.merge_targets(db.session),
    )


@bp.post("/geimporteerd/<any(profiel, aanbieder):kind>/<int:item_id>")
def review_imported(kind: str, item_id: int) -> Response:
    form = ReviewForm()
    if form.validate_on_submit():
        run_step(
            form,
            lambda: admin.review_imported(
                db.session, me(), kind=kind, item_id=item_id, name=form.name.data or "",
                active=bool(form.active.data),
            ),
            success=_("Beoordeeld en opgeslagen."),
            flash_problems=True,
        )  # fmt: skip
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("beheer.imported"))
