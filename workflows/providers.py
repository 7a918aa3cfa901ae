"""Providers (*zorgaanbieders*) and their contracts, kept by the beheerder.

* A provider has a name and an AGB code of exactly eight digits (``eligibility.is_agb_code``, the
  rule the history import uses too), unique among providers, and fixed once a trajectory names
  the provider (claims and the statistics feed describe it by its code). It can be deactivated:
  it is then no longer offered for new trajectories (``catalogue.contracted_providers``), while
  its running trajectories go on unchanged.
* A contract lets a provider deliver one profile from a date to a date (inclusive; open-ended
  when empty), as main contractor (*hoofdaannemer*) or subcontractor (*onderaannemer*). Two
  contracts of the same provider for the same profile never overlap, whatever their role: on any
  day a provider is either main or subcontractor for a profile (R12), never both, so
  ``contract_covers`` answers one question per day.
* Ending a contract (giving it an end date) only limits new trajectories: a trajectory keeps the
  provider, price and dates it was agreed with.
* An imported provider (``Provider.imported``) can be merged into an existing one: its
  trajectories, claims, contracts, accounts and tasks move to the target, the feed rows follow,
  and the imported provider is removed.

Every change is written to the beheerder's change log (``config_log``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import (
    Channel,
    Claim,
    Contract,
    ContractRole,
    Provider,
    SupportProfile,
    Task,
    Trajectory,
    User,
)

from . import config_log
from .eligibility import is_agb_code, periods_overlap
from .errors import N_, DomainError, NotFound, Problem
from .guards import require_beheerder
from .merging import finish_merge
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

PROVIDER = "aanbieder"
CONTRACT = "contract"
NAME_MAX = 160


def provider_label(provider: Provider) -> str:
    return f"Aanbieder {provider.agb_code} {provider.name}"


def contract_label(contract: Contract) -> str:
    return (
        f"Contract {contract.provider.agb_code} {contract.provider.name} – "
        f"{contract.profile.code} ({contract.role.value})"
    )


def channel_of(session: Session, trajectory: Trajectory) -> Channel:
    """How the trajectory goes to its provider: the channel of the main provider's contract
    for the trajectory's profile on its planned start (the portal when there is none)."""
    contracts = session.scalars(
        select(Contract).where(
            Contract.provider_id == trajectory.provider_id,
            Contract.profile_id == trajectory.profile_id,
            Contract.role == ContractRole.HOOFDAANNEMER,
            Contract.valid_from <= trajectory.planned_start,
        )
    ).all()
    for contract in contracts:
        if contract.valid_to is None or contract.valid_to >= trajectory.planned_start:
            return contract.channel
    return Channel.PORTAAL


def get_provider(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound(N_("Deze aanbieder bestaat niet."))
    return provider


def _provider_fields(
    session: Session, name: str | None, agb_code: str | None, *, own_id: int | None = None
) -> tuple[str, str]:
    """The cleaned name and AGB code, or every problem with them at its field."""
    problems: list[Problem] = []
    label = clean_text(name) or ""
    code = clean_text(agb_code) or ""
    if not label:
        problems.append(Problem(N_("Geef de naam van de aanbieder."), "name"))
    elif len(label) > NAME_MAX:
        problems.append(Problem(N_("De naam is langer dan 160 tekens."), "name"))
    if not code:
        problems.append(Problem(N_("Vul de AGB-code in."), "agb_code"))
    elif not is_agb_code(code):
        problems.append(Problem(N_("Een AGB-code bestaat uit precies 8 cijfers."), "agb_code"))
    else:
        other = session.scalar(select(Provider.id).where(Provider.agb_code == code))
        if other is not None and other != own_id:
            problems.append(duplicate("uq_providers_agb_code"))
    if problems:
        raise DomainError.from_problems(problems)
    return label, code


def create_provider(
    session: Session, actor: User, *, name: str | None, agb_code: str | None
) -> Provider:
    """A new, active provider without contracts. A second request with the same AGB code (a
    double submit) gets the same refusal as the check, and one provider exists."""
    require_beheerder(actor)
    label, code = _provider_fields(session, name, agb_code)
    provider = Provider(name=label, agb_code=code, active=True, imported=False)
    with refusing_duplicates(session):
        session.add(provider)
        session.flush()
    config_log.record(
        session,
        actor,
        PROVIDER,
        provider.id,
        provider_label(provider),
        config_log.CREATED,
        {"name": (None, label), "agb_code": (None, code), "active": (None, True)},
    )
    return provider


def update_provider(
    session: Session,
    actor: User,
    provider: Provider,
    *,
    name: str | None,
    agb_code: str | None,
    active: bool,
) -> dict[str, tuple[object, object]]:
    """Change the name, the AGB code or whether the provider is active (an inactive provider
    gets no new trajectories; running ones are not touched). Returns what changed."""
    require_beheerder(actor)
    label, code = _provider_fields(session, name, agb_code, own_id=provider.id)
    if code != provider.agb_code and trajectory_count(session, provider.id):
        raise DomainError(
            N_(
                "De AGB-code ligt vast zodra de aanbieder trajecten heeft: declaraties en "
                "statistiek noemen de aanbieder erbij."
            ),
            field="agb_code",
        )
    with refusing_duplicates(session):
        return config_log.assign(
            session,
            actor,
            provider,
            PROVIDER,
            provider_label(provider),
            {"name": label, "agb_code": code, "active": active},
        )


# --- contracts ------------------------------------------------------------------------------


def _contract_problems(
    session: Session,
    provider: Provider,
    profile: SupportProfile,
    valid_from: date | None,
    valid_to: date | None,
    *,
    own_id: int | None = None,
) -> list[Problem]:
    if valid_from is None:
        return [Problem(N_("Vul de datum in waarop het contract ingaat."), "valid_from")]
    if valid_to is not None and valid_to < valid_from:
        return [Problem(N_("De einddatum ligt vóór de ingangsdatum van het contract."), "valid_to")]
    for other in session.scalars(
        select(Contract).where(
            Contract.provider_id == provider.id, Contract.profile_id == profile.id
        )
    ):
        if other.id != own_id and periods_overlap(
            (valid_from, valid_to), (other.valid_from, other.valid_to)
        ):
            start = config_log.shown(other.valid_from)
            if other.valid_to is None:
                return [
                    Problem(
                        N_(
                            "Deze aanbieder heeft voor dit profiel al een contract vanaf "
                            "%(start)s zonder einddatum; contracten voor hetzelfde profiel mogen "
                            "elkaar niet overlappen."
                        ),
                        "valid_from",
                        {"start": start},
                    )
                ]
            return [
                Problem(
                    N_(
                        "Deze aanbieder heeft voor dit profiel al een contract van %(start)s "
                        "tot en met %(end)s; contracten voor hetzelfde profiel mogen elkaar "
                        "niet overlappen."
                    ),
                    "valid_from",
                    {"start": start, "end": config_log.shown(other.valid_to)},
                )
            ]
    return []


def add_contract(
    session: Session,
    actor: User,
    provider: Provider,
    *,
    profile_id: int | None,
    role: ContractRole | None,
    valid_from: date | None,
    valid_to: date | None,
    channel: Channel = Channel.PORTAAL,
) -> Contract:
    """A new contract; ``channel``: whether its trajectories go as iWmo/iJw messages
    (berichtenverkeer) or through the portal (``channel_of``)."""
    require_beheerder(actor)
    # Contract changes of one provider are serialised (before the overlap check), so two
    # requests cannot both pass it (the row lock is a no-op on SQLite, whose writers are serial).
    session.execute(select(Provider.id).where(Provider.id == provider.id).with_for_update())
    profile = session.get(SupportProfile, profile_id) if profile_id else None
    problems: list[Problem] = []
    if profile is None:
        problems.append(Problem(N_("Kies een profiel."), "profile_id"))
    if role is None:
        problems.append(Problem(N_("Kies hoofdaannemer of onderaannemer."), "role"))
    if profile is not None:
        problems += _contract_problems(session, provider, profile, valid_from, valid_to)
    if problems:
        raise DomainError.from_problems(problems)
    assert profile is not None and role is not None and valid_from is not None
    contract = Contract(
        provider=provider, profile=profile, role=role, valid_from=valid_from, valid_to=valid_to,
        channel=channel,
    )  # fmt: skip
    session.add(contract)
    session.flush()
    config_log.record(
        session,
        actor,
        CONTRACT,
        contract.id,
        contract_label(contract),
        config_log.CREATED,
        {
            "profile": (None, profile.code),
            "role": (None, role),
            "valid_from": (None, valid_from),
            "valid_to": (None, valid_to),
            "channel": (None, channel),
        },
    )
    return contract


def change_contract_channel(
    session: Session, actor: User, contract: Contract, channel: Channel | None
) -> dict[str, tuple[object, object]]:
    """Switch a contract between berichtenverkeer and the portal, logged on the Wijzigingen
    page. Trajectories sent before keep the way they went; the ones sent from now on follow the
    new channel (``channel_of`` is asked when a trajectory is sent)."""
    require_beheerder(actor)
    if channel is None:
        raise DomainError(N_("Kies berichtenverkeer of portaal."), field="channel")
    return config_log.assign(
        session, actor, contract, CONTRACT, contract_label(contract), {"channel": channel}
    )


def change_contract_dates(
    session: Session,
    actor: User,
    contract: Contract,
    *,
    valid_from: date | None,
    valid_to: date | None,
) -> dict[str, tuple[object, object]]:
    """Change a contract's period; giving an end date ends it. Trajectories are not touched:
    each keeps the provider, price and dates it was agreed with."""
    require_beheerder(actor)
    session.execute(
        select(Provider.id).where(Provider.id == contract.provider_id).with_for_update()
    )
    problems = _contract_problems(
        session, contract.provider, contract.profile, valid_from, valid_to, own_id=contract.id
    )
    if problems:
        raise DomainError.from_problems(problems)
    changes: dict[str, tuple[object, object]] = {
        name: (getattr(contract, name), value)
        for name, value in (("valid_from", valid_from), ("valid_to", valid_to))
        if getattr(contract, name) != value
    }
    for name, (_old, value) in changes.items():
        setattr(contract, name, value)
    session.flush()
    if changes:
        # Giving an open contract an end date is logged as an ending (``beeindigd``).
        old_end = changes["valid_to"][0] if "valid_to" in changes else contract.valid_to
        ended = old_end is None and valid_to is not None
        config_log.record(
            session,
            actor,
            CONTRACT,
            contract.id,
            contract_label(contract),
            config_log.ENDED if ended else config_log.CHANGED,
            changes,
        )
    return changes


# --- imported providers ---------------------------------------------------------------------


def merge_targets(session: Session) -> Sequence[Provider]:
    """The providers an imported one can be merged into: those not awaiting review."""
    return session.scalars(
        select(Provider).where(Provider.imported.is_(False)).order_by(Provider.name, Provider.id)
    ).all()


def merge_provider(session: Session, actor: User, imported_id: int, target_id: int | None) -> int:
    """Merge an imported provider into ``target``: its trajectories (as main or subcontractor),
    claims, contracts, accounts and tasks move to the target, the statistics feed follows in the
    same transaction, and the imported provider is removed. Returns how many trajectories
    moved. A contract that would overlap one the target holds refuses the merge (the beheerder
    ends one of them first)."""
    require_beheerder(actor)
    imported = session.get(Provider, imported_id)
    if imported is None or not imported.imported:
        raise NotFound(N_("Dit geïmporteerde gegeven bestaat niet (meer)."))
    target = session.get(Provider, target_id) if target_id else None
    if target is None or target.id == imported.id or target.imported:
        raise DomainError(N_("Kies de aanbieder waarin deze wordt samengevoegd."), field="target")
    for contract in imported.contracts:
        if _contract_problems(
            session, target, contract.profile, contract.valid_from, contract.valid_to
        ):
            raise DomainError(
                N_(
                    "Het contract voor profiel %(profile)s overlapt een contract van "
                    "%(target)s. Beëindig eerst een van beide."
                ),
                field="target",
                profile=contract.profile.code,
                target=target.name,
            )
    moved = [
        (row.id, row.resident_id)
        for row in session.execute(
            select(Trajectory.id, Trajectory.resident_id)
            .where(
                (Trajectory.provider_id == imported.id)
                | (Trajectory.subcontractor_id == imported.id)
            )
            .order_by(Trajectory.id)
        )
    ]
    session.flush()
    plain = {"synchronize_session": False}
    session.execute(
        update(Trajectory)
        .where(Trajectory.provider_id == imported.id)
        .values(provider_id=target.id, version=Trajectory.version + 1),
        execution_options=plain,
    )
    session.execute(
        update(Trajectory)
        .where(Trajectory.subcontractor_id == imported.id)
        .values(subcontractor_id=target.id, version=Trajectory.version + 1),
        execution_options=plain,
    )
    for model in (Claim, Task, User):
        session.execute(
            update(model).where(model.provider_id == imported.id).values(provider_id=target.id),
            execution_options=plain,
        )
    for contract in list(imported.contracts):
        contract.provider = target
    return finish_merge(
        session,
        actor,
        PROVIDER,
        moved,
        imported,
        provider_label(imported),
        target,
        provider_label(target),
        ("provider_agb", imported.agb_code, {"provider_agb": target.agb_code}),
    )


def trajectory_count(session: Session, provider_id: int) -> int:
    """Trajectories with the provider as main or as subcontractor."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Trajectory)
            .where(
                (Trajectory.provider_id == provider_id)
                | (Trajectory.subcontractor_id == provider_id)
            )
        )
        or 0
    )
