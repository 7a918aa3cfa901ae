"""Beheerder pages: the catalogue (profiles, intensities, tariff versions) and providers with
their contracts. No case content. Read-only in this release: changes go through migrations and
the CLI until the maintenance screens are built."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Contract, Provider, Role, SupportProfile

from ..auth.access import role_required
from ..extensions import db

bp = Blueprint("beheer", __name__)


@bp.get("/")
@role_required(Role.BEHEERDER)
def index() -> str:
    profiles = db.session.scalars(
        select(SupportProfile)
        .options(selectinload(SupportProfile.tariffs), selectinload(SupportProfile.intensities))
        .order_by(SupportProfile.domain, SupportProfile.code)
    ).all()
    return render_template("beheer/index.html", profiles=profiles)


@bp.get("/aanbieders")
@role_required(Role.BEHEERDER)
def providers() -> str:
    rows = db.session.scalars(
        select(Provider)
        .options(selectinload(Provider.contracts).selectinload(Contract.profile))
        .order_by(Provider.name)
    ).all()
    return render_template("beheer/providers.html", providers=rows)
