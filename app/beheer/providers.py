"""Providers and their contracts for the beheerder: the list with a form for a new provider,
and per provider its details (name, AGB code, active) and contracts per profile (add one, change
its dates or end it). The rules are in ``workflows.providers``; every change is logged there."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from models import Channel, Contract, ContractRole, Provider, SupportProfile
from workflows import providers as wf
from workflows.message_tokens import tokens_of
from workflows.paging import page_number, paginate_objects

from ..auth.access import me
from ..extensions import db
from ..formtools import MAX_ID, opts, run_step
from . import bp
from .catalogue_forms import (
    ContractChannelForm,
    ContractDatesForm,
    ContractForm,
    ProviderEditForm,
    ProviderForm,
)
from .forms import MessageTokenForm

PROVIDERS_PER_PAGE = 20


def _provider(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id) if provider_id <= MAX_ID else None
    if provider is None:
        abort(404)
    return provider


def _role(raw: str | None) -> ContractRole | None:
    return ContractRole(raw) if raw in {r.value for r in ContractRole} else None


def _channel(raw: str | None) -> Channel | None:
    return Channel(raw) if raw in {c.value for c in Channel} else None


@bp.route("/aanbieders", methods=["GET", "POST"])
def providers() -> str | tuple[str, int] | Response:
    form = ProviderForm()
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: wf.create_provider(
                db.session, me(), name=form.name.data, agb_code=form.agb_code.data
            ),
            success=_("De aanbieder is toegevoegd. Voeg nu de contracten toe."),
        )
        if step.ok:
            return redirect(url_for("beheer.provider", provider_id=step.value.id))
        errors = step.general
    page = paginate_objects(
        db.session,
        select(Provider)
        .options(selectinload(Provider.contracts).selectinload(Contract.profile))
        .order_by(Provider.name, Provider.id),
        page=page_number(request.args.get("page")),
        per_page=PROVIDERS_PER_PAGE,
    )
    return render_template("beheer/providers.html", providers=page, form=form, errors=errors)


def _profile_choices(form: ContractForm) -> None:
    profiles = db.session.scalars(
        select(SupportProfile).order_by(SupportProfile.domain, SupportProfile.code)
    ).all()
    form.profile_id.choices = opts(
        [(None, _("Kies een profiel")), *((p.id, f"{p.code} · {p.name}") for p in profiles)]
    )


def provider_page(
    provider: Provider,
    form: ProviderEditForm | None = None,
    contract_form: ContractForm | None = None,
    errors: list[str] | None = None,
    dates_forms: dict[int, ContractDatesForm] | None = None,
    *,
    channel_forms: dict[int, ContractChannelForm] | None = None,
    token_form: MessageTokenForm | None = None,
    new_token: str | None = None,
) -> str:
    """The provider's page; the forms given are refused ones to show again with their input.
    ``new_token``: a gateway token just issued, shown this once."""
    form = form or ProviderEditForm(formdata=None, obj=provider)
    contract_form = contract_form or ContractForm(formdata=None, prefix="nieuw")
    _profile_choices(contract_form)
    contracts = db.session.scalars(
        select(Contract)
        .where(Contract.provider_id == provider.id)
        .options(selectinload(Contract.profile))
        .order_by(Contract.valid_from, Contract.id)
    ).all()
    dates_forms = dates_forms or {}
    rows = [
        (
            contract,
            dates_forms.get(contract.id)
            or ContractDatesForm(
                formdata=None,
                prefix=f"c{contract.id}",
                valid_from=contract.valid_from,
                valid_to=contract.valid_to,
            ),
        )
        for contract in contracts
    ]
    channel_forms = channel_forms or {}
    channels = {
        contract.id: channel_forms.get(contract.id)
        or ContractChannelForm(
            formdata=None, prefix=f"k{contract.id}", channel=contract.channel.value
        )
        for contract in contracts
    }
    return render_template(
        "beheer/provider.html",
        provider=provider,
        form=form,
        contract_form=contract_form,
        rows=rows,
        channels=channels,
        errors=errors or [],
        running=wf.trajectory_count(db.session, provider.id),
        token_form=token_form or MessageTokenForm(formdata=None, prefix="token"),
        tokens=tokens_of(db.session, provider.id),
        new_token=new_token,
    )


@bp.route("/aanbieders/<int:provider_id>", methods=["GET", "POST"])
def provider(provider_id: int) -> str | Response:
    provider = _provider(provider_id)
    form = ProviderEditForm(obj=provider if request.method == "GET" else None)
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: wf.update_provider(
                db.session, me(), provider, name=form.name.data, agb_code=form.agb_code.data,
                active=bool(form.active.data),
            ),
            success=_("De aanbieder is opgeslagen."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.provider", provider_id=provider_id))
        errors = step.general
    contract_form = ContractForm(formdata=None, prefix="nieuw")
    return provider_page(provider, form, contract_form, errors)


@bp.post("/aanbieders/<int:provider_id>/contracten")
def add_contract(provider_id: int) -> str | Response:
    provider = _provider(provider_id)
    contract_form = ContractForm(prefix="nieuw")
    errors: list[str] = []
    if contract_form.validate_on_submit():
        step = run_step(
            contract_form,
            lambda: wf.add_contract(
                db.session, me(), provider, profile_id=contract_form.profile_id.data or None,
                role=_role(contract_form.role.data), valid_from=contract_form.valid_from.data,
                valid_to=contract_form.valid_to.data,
                channel=_channel(contract_form.channel.data) or Channel.PORTAAL,
            ),
            success=_("Het contract is toegevoegd."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.provider", provider_id=provider_id))
        errors = step.general
    provider = _provider(provider_id)
    return provider_page(
        provider, ProviderEditForm(formdata=None, obj=provider), contract_form, errors
    )


@bp.post("/contracten/<int:contract_id>")
def contract_dates(contract_id: int) -> str | Response:
    contract = db.session.get(Contract, contract_id) if contract_id <= MAX_ID else None
    if contract is None:
        abort(404)
    provider_id = contract.provider_id
    form = ContractDatesForm(prefix=f"c{contract_id}")
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: wf.change_contract_dates(
                db.session, me(), contract, valid_from=form.valid_from.data,
                valid_to=form.valid_to.data,
            ),
            success=_("Het contract is gewijzigd. Lopende trajecten blijven zoals ze zijn."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.provider", provider_id=provider_id))
        errors = step.general
    provider = _provider(provider_id)
    return provider_page(
        provider,
        ProviderEditForm(formdata=None, obj=provider),
        ContractForm(formdata=None, prefix="nieuw"),
        errors,
        {contract_id: form},
    )


@bp.post("/contracten/<int:contract_id>/kanaal")
def contract_channel(contract_id: int) -> str | Response:
    """Berichtenverkeer or portaal for one contract (``workflows.providers``, logged)."""
    contract = db.session.get(Contract, contract_id) if contract_id <= MAX_ID else None
    if contract is None:
        abort(404)
    provider_id = contract.provider_id
    form = ContractChannelForm(prefix=f"k{contract_id}")
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: wf.change_contract_channel(
                db.session, me(), contract, _channel(form.channel.data)
            ),
            success=_("Het kanaal van het contract is opgeslagen. Trajecten die al verstuurd "
                      "zijn, blijven zoals ze gingen."),
        )  # fmt: skip
        if step.ok:
            return redirect(url_for("beheer.provider", provider_id=provider_id))
        errors = step.general
    return provider_page(_provider(provider_id), errors=errors, channel_forms={contract_id: form})
