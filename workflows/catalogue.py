"""Catalogue look-ups: which tariff applies on a date, which providers may deliver a profile."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import (
    Contract,
    ContractRole,
    Domain,
    Intensity,
    ProfileIntensity,
    Provider,
    SupportProfile,
    Tariff,
)

from .eligibility import contract_covers
from .errors import N_, DomainError

HOUSEHOLD_HELP_INTENSITIES = frozenset({Intensity.LAAG, Intensity.ZWAAR})


def tariff_on(session: Session, profile_id: int, intensity: Intensity, day: date) -> Tariff | None:
    """R2/R5: the tariff version for profile × intensity valid on ``day`` (latest start wins)."""
    return session.scalars(
        select(Tariff)
        .where(
            Tariff.profile_id == profile_id,
            Tariff.intensity == intensity,
            Tariff.valid_from <= day,
            or_(Tariff.valid_to.is_(None), Tariff.valid_to >= day),
        )
        .order_by(Tariff.valid_from.desc())
        .limit(1)
    ).first()


def contracted_providers(
    session: Session,
    profile_id: int,
    day: date,
    role: ContractRole = ContractRole.HOOFDAANNEMER,
) -> Sequence[Provider]:
    """Active providers holding a contract in ``role`` for the profile on ``day``, by name.
    A profile has a few dozen contracts at most: they are read and tested with the one rule
    (``eligibility.contract_covers``) that ``has_contract`` and the history import use too."""
    periods: dict[int, list[tuple[date, date | None]]] = {}
    providers: dict[int, Provider] = {}
    for provider, valid_from, valid_to in session.execute(
        select(Provider, Contract.valid_from, Contract.valid_to)
        .join(Contract, Contract.provider_id == Provider.id)
        .where(
            Contract.profile_id == profile_id,
            Contract.role == role,
            Provider.active.is_(True),
        )
        .order_by(Provider.name, Provider.id)
    ):
        providers[provider.id] = provider
        periods.setdefault(provider.id, []).append((valid_from, valid_to))
    return [providers[pid] for pid, spans in periods.items() if contract_covers(spans, day)]


def has_contract(
    session: Session, provider_id: int, profile_id: int, day: date, role: ContractRole
) -> bool:
    """Whether the provider may deliver the profile on ``day``: the same rule as
    ``contracted_providers``, so an inactive provider fails the guard as it is not listed."""
    periods = session.execute(
        select(Contract.valid_from, Contract.valid_to)
        .join(Provider, Provider.id == Contract.provider_id)
        .where(
            Contract.provider_id == provider_id,
            Contract.profile_id == profile_id,
            Contract.role == role,
            Provider.active.is_(True),
        )
    ).all()
    return contract_covers(periods, day)


def active_profiles(session: Session, domain: Domain | None = None) -> Sequence[SupportProfile]:
    query = select(SupportProfile).where(SupportProfile.active.is_(True))
    if domain is not None:
        query = query.where(SupportProfile.domain == domain)
    return session.scalars(query.order_by(SupportProfile.domain, SupportProfile.name)).all()


def set_allowed_intensities(
    session: Session, profile: SupportProfile, intensities: Iterable[Intensity]
) -> None:
    """R5: each profile lists the intensities it allows; household help only Laag and Zwaar."""
    wanted = set(intensities)
    if not wanted:
        raise DomainError(N_("Kies ten minste één intensiteit."), field="intensities")
    if profile.is_household_help and not wanted <= HOUSEHOLD_HELP_INTENSITIES:
        raise DomainError(
            N_("Hulp bij het huishouden kent alleen de intensiteiten Laag en Zwaar."),
            field="intensities",
        )
    profile.intensities = [ProfileIntensity(intensity=i) for i in sorted(wanted)]
    session.flush()


def add_tariff(
    session: Session,
    profile: SupportProfile,
    intensity: Intensity,
    valid_from: date,
    price: Decimal,
    standard_duration_weeks: int,
    evaluation_interval_months: int,
    valid_to: date | None = None,
) -> Tariff:
    """Add a tariff version; the previous open version for the same intensity is closed the day
    before, so exactly one version applies on any date."""
    if intensity not in profile.allowed_intensities:
        raise DomainError(
            N_("Intensiteit %(intensity)s is niet toegestaan voor dit profiel."),
            field="intensity",
            intensity=intensity.value,
        )
    if any(t.intensity == intensity and t.valid_from == valid_from for t in profile.tariffs):
        raise DomainError(
            N_("Er is al een tariefversie voor deze intensiteit die ingaat op %(day)s."),
            field="valid_from",
            day=valid_from.strftime("%d-%m-%Y"),
        )
    for previous in profile.tariffs:
        if (
            previous.intensity == intensity
            and previous.valid_to is None
            and previous.valid_from < valid_from
        ):
            previous.valid_to = valid_from - timedelta(days=1)
    tariff = Tariff(
        intensity=intensity,
        valid_from=valid_from,
        valid_to=valid_to,
        price=price,
        standard_duration_weeks=standard_duration_weeks,
        evaluation_interval_months=evaluation_interval_months,
    )
    profile.tariffs.append(tariff)
    session.flush()
    return tariff
