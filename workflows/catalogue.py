"""The catalogue: which tariff applies on a date, which providers may deliver a profile, and
the beheerder's changes to it.

* Product categories are reference data (the iWmo/iJw code lists, inserted by the migrations):
  a profile takes one of them, and its domain follows from the category.
* A profile's code and category are fixed once a trajectory uses it: the statistics feed
  describes each trajectory by them.
* A profile's product code (``product_code``, the iStandaarden LDT_ProductCode: 1 to 5 letters
  or digits) is what the toewijzing (301) carries with the category; it is unique within its
  category. It may stay empty (a portal trajectory needs none), but a trajectory on the
  berichtenverkeer channel cannot be sent without it. It is fixed once a 301 carried it: the
  provider's system knows the toewijzing by it, and its claims name it.
* Tariff versions (``add_tariff``): a new version closes the version before it the day before
  it starts, and ends the day before the next one if it is put in between, so one version
  applies on any date. A version is refused when a trajectory already priced with another
  version of the same profile and intensity has its planned start in the period the new one
  would take over: each trajectory keeps the price it was agreed at, and that price stays the
  tariff of its planned start (R2).
* A profile may name the need type (R7: eindig or blijvend) a new trajectory with it starts
  with on the gids's form, ``need_type_default``; without one the form starts with
  ``DEFAULT_NEED_TYPE`` (``need_type_for``). The gids can always choose the other, and an
  existing trajectory's need type never follows a change of its profile or of the default.
* An imported profile can be merged into an existing one of the same domain: its trajectories,
  scaling requests and contracts move, the statistics feed follows, and it is removed.

Every change is written to the beheerder's change log (``config_log``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from models import (
    Contract,
    ContractRole,
    Domain,
    Intensity,
    Message,
    MessageDirection,
    NeedType,
    ProductCategory,
    ProfileIntensity,
    Provider,
    ScalingRequest,
    SupportProfile,
    Tariff,
    Trajectory,
    User,
)

from . import config_log
from .eligibility import contract_covers, periods_overlap
from .errors import N_, DomainError, NotFound, Problem
from .guards import require_beheerder
from .merging import finish_merge
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

PROFILE = "profiel"
TARIFF = "tarief"
PROFILE_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")
PRODUCT_CODE_RE = re.compile(r"[A-Za-z0-9]{1,5}")  # LDT_ProductCode: 1 to 5 characters
MAX_PRICE = Decimal("10000000")

HOUSEHOLD_HELP_INTENSITIES = frozenset({Intensity.LAAG, Intensity.ZWAAR})

# The need type a new trajectory starts with when its profile names none.
DEFAULT_NEED_TYPE = NeedType.EINDIG


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


def tariff_label(profile: SupportProfile, intensity: Intensity, valid_from: date) -> str:
    return f"Tarief {profile.code} {intensity.value} vanaf {config_log.shown(valid_from)}"


def _tariff_problems(
    price: Decimal | None,
    standard_duration_weeks: int | None,
    evaluation_interval_months: int | None,
    valid_from: date,
    valid_to: date | None,
) -> list[Problem]:
    problems: list[Problem] = []
    if price is None or not Decimal(0) <= price < MAX_PRICE:
        problems.append(Problem(N_("Vul een trajectprijs van 0 of meer in."), "price"))
    if standard_duration_weeks is None or not 1 <= standard_duration_weeks <= 520:
        problems.append(
            Problem(N_("De standaardduur is 1 tot en met 520 weken."), "standard_duration_weeks")
        )
    if evaluation_interval_months is None or not 1 <= evaluation_interval_months <= 24:
        problems.append(
            Problem(
                N_("Het evaluatie-interval is 1 tot en met 24 maanden."),
                "evaluation_interval_months",
            )
        )
    if valid_to is not None and valid_to < valid_from:
        problems.append(Problem(N_("De einddatum ligt vóór de ingangsdatum."), "valid_to"))
    return problems


def add_tariff(
    session: Session,
    profile: SupportProfile,
    intensity: Intensity,
    valid_from: date,
    price: Decimal,
    standard_duration_weeks: int,
    evaluation_interval_months: int,
    valid_to: date | None = None,
    *,
    actor: User | None = None,
) -> Tariff:
    """Add a tariff version (the rules are in the module docstring): the version before it is
    closed the day before, and without an end date of its own the new version ends the day
    before the next one. ``actor`` is the beheerder (None: the operator, from the command line);
    the change is logged either way."""
    if actor is not None:
        require_beheerder(actor)
    if intensity not in profile.allowed_intensities:
        raise DomainError(
            N_("Intensiteit %(intensity)s is niet toegestaan voor dit profiel."),
            field="intensity",
            intensity=intensity.value,
        )
    problems = _tariff_problems(
        price, standard_duration_weeks, evaluation_interval_months, valid_from, valid_to
    )
    if problems:
        raise DomainError.from_problems(problems)
    # Versions of one profile are changed one request at a time (a no-op on SQLite).
    session.execute(
        select(SupportProfile.id).where(SupportProfile.id == profile.id).with_for_update()
    )
    versions = sorted(
        (t for t in profile.tariffs if t.intensity == intensity), key=lambda t: t.valid_from
    )
    if any(t.valid_from == valid_from for t in versions):
        raise DomainError(
            N_("Er is al een tariefversie voor deze intensiteit die ingaat op %(day)s."),
            field="valid_from",
            day=valid_from.strftime("%d-%m-%Y"),
        )
    earlier = [t for t in versions if t.valid_from < valid_from]
    later = [t for t in versions if t.valid_from > valid_from]
    end = valid_to
    if later:
        limit = later[0].valid_from - timedelta(days=1)
        if end is not None and end > limit:
            raise DomainError(
                N_(
                    "De einddatum valt na de start van de volgende versie (%(day)s); laat de "
                    "einddatum leeg of kies een eerdere."
                ),
                field="valid_to",
                day=config_log.shown(later[0].valid_from),
            )
        end = end or limit
    used = _priced_in(session, [t.id for t in versions], valid_from, end)
    if used:
        raise DomainError(
            N_(
                "Deze versie zou gelden voor %(count)s traject(en) die al met een andere "
                "tariefversie zijn afgesproken (geplande start vanaf %(day)s). Trajecten houden "
                "hun afgesproken prijs; kies een ingangsdatum na hun geplande start."
            ),
            field="valid_from",
            count=used[0],
            day=config_log.shown(used[1]),
        )
    previous = earlier[-1] if earlier else None
    if previous is not None and (previous.valid_to is None or previous.valid_to >= valid_from):
        config_log.assign(
            session,
            actor,
            previous,
            TARIFF,
            tariff_label(profile, intensity, previous.valid_from),
            {"valid_to": valid_from - timedelta(days=1)},
        )
    tariff = Tariff(
        intensity=intensity,
        valid_from=valid_from,
        valid_to=end,
        price=price,
        standard_duration_weeks=standard_duration_weeks,
        evaluation_interval_months=evaluation_interval_months,
    )
    with refusing_duplicates(session):
        profile.tariffs.append(tariff)
        session.flush()
    config_log.record(
        session,
        actor,
        TARIFF,
        tariff.id,
        tariff_label(profile, intensity, valid_from),
        config_log.CREATED,
        {
            "valid_from": (None, valid_from),
            "valid_to": (None, end),
            "price": (None, price),
            "standard_duration_weeks": (None, standard_duration_weeks),
            "evaluation_interval_months": (None, evaluation_interval_months),
        },
    )
    return tariff


def _priced_in(
    session: Session, tariff_ids: list[int], start: date, end: date | None
) -> tuple[int, date] | None:
    """How many trajectories priced with one of these versions plan to start in the period,
    and the first planned start; None when there are none."""
    if not tariff_ids:
        return None
    query = select(func.count(), func.min(Trajectory.planned_start)).where(
        Trajectory.tariff_id.in_(tariff_ids), Trajectory.planned_start >= start
    )
    if end is not None:
        query = query.where(Trajectory.planned_start <= end)
    count, first = session.execute(query).one()
    return (int(count), first) if count else None


# --- categories and profiles ------------------------------------------------------------------


def categories(session: Session) -> Sequence[ProductCategory]:
    """The product categories of the code lists, by domain and code."""
    return session.scalars(
        select(ProductCategory).order_by(ProductCategory.domain, ProductCategory.code)
    ).all()


def profile_label(profile: SupportProfile) -> str:
    return f"Profiel {profile.code} {profile.name}"


def get_profile(session: Session, profile_id: int) -> SupportProfile:
    profile = session.get(SupportProfile, profile_id)
    if profile is None:
        raise NotFound(N_("Dit profiel bestaat niet."))
    return profile


def need_type_for(profile: SupportProfile | None) -> NeedType:
    """The need type a new trajectory with ``profile`` starts with on the form (R7)."""
    if profile is None or profile.need_type_default is None:
        return DEFAULT_NEED_TYPE
    return profile.need_type_default


def is_in_use(session: Session, profile: SupportProfile) -> bool:
    """Whether a trajectory uses the profile (then its code and category are fixed)."""
    return (
        session.scalar(select(Trajectory.id).where(Trajectory.profile_id == profile.id).limit(1))
        is not None
    )


def product_code_sent(session: Session, profile: SupportProfile) -> bool:
    """Whether a toewijzing (301) went out for a trajectory with the profile: then the
    provider's system knows the product by its code, and the code is fixed."""
    return (
        session.scalar(
            select(Message.id)
            .join(Trajectory, Trajectory.id == Message.trajectory_id)
            .where(
                Trajectory.profile_id == profile.id,
                Message.direction == MessageDirection.UIT,
                Message.kind == "301",
            )
            .limit(1)
        )
        is not None
    )


def _product_code(
    session: Session,
    product_code: str | None,
    category_code: str | None,
    own_id: int | None,
    problems: list[Problem],
) -> str | None:
    """The checked product code (None: empty); a problem is appended when it is not one."""
    cleaned = clean_text(product_code)
    if cleaned is None:
        return None
    if not PRODUCT_CODE_RE.fullmatch(cleaned):
        problems.append(
            Problem(
                N_("Een productcode heeft 1 tot en met 5 tekens: letters en cijfers."),
                "product_code",
            )
        )
    elif category_code:
        other = session.scalar(
            select(SupportProfile.id).where(
                SupportProfile.category_code == category_code,
                SupportProfile.product_code == cleaned,
            )
        )
        if other is not None and other != own_id:
            problems.append(duplicate("uq_support_profiles_product_code"))
    return cleaned


def _profile_fields(
    session: Session,
    code: str | None,
    name: str | None,
    category_code: str | None,
    intensities: Iterable[Intensity],
    need_type_default: str | None,
    product_code: str | None = None,
    *,
    own_id: int | None = None,
) -> tuple[str, str, ProductCategory, NeedType | None, str | None]:
    """The checked fields of a profile. ``need_type_default`` is a need type's code, or empty
    or None for none; ``product_code`` empty or None for none."""
    problems: list[Problem] = []
    cleaned_code = clean_text(code) or ""
    label = clean_text(name) or ""
    if not cleaned_code:
        problems.append(Problem(N_("Vul de code van het profiel in."), "code"))
    elif not PROFILE_CODE_RE.fullmatch(cleaned_code):
        problems.append(
            Problem(
                N_(
                    "Een profielcode heeft hoogstens 20 tekens: letters, cijfers, punt, "
                    "liggend streepje of koppelteken."
                ),
                "code",
            )
        )
    else:
        other = session.scalar(select(SupportProfile.id).where(SupportProfile.code == cleaned_code))
        if other is not None and other != own_id:
            problems.append(duplicate("uq_support_profiles_code"))
    if not label:
        problems.append(Problem(N_("Geef de naam van het profiel."), "name"))
    elif len(label) > 160:
        problems.append(Problem(N_("De naam is langer dan 160 tekens."), "name"))
    category = session.get(ProductCategory, category_code) if category_code else None
    if category is None:
        problems.append(Problem(N_("Kies een productcategorie uit de codelijst."), "category_code"))
    cleaned_product_code = _product_code(
        session, product_code, category.code if category else None, own_id, problems
    )
    if not list(intensities):
        problems.append(Problem(N_("Kies ten minste één intensiteit."), "intensities"))
    need_type: NeedType | None = None
    if need_type_default in {n.value for n in NeedType}:
        need_type = NeedType(need_type_default)
    elif need_type_default:
        problems.append(
            Problem(N_("Kies eindig, blijvend of geen standaard."), "need_type_default")
        )
    if problems:
        raise DomainError.from_problems(problems)
    assert category is not None
    return cleaned_code, label, category, need_type, cleaned_product_code


def create_profile(
    session: Session,
    actor: User,
    *,
    code: str | None,
    name: str | None,
    category_code: str | None,
    intensities: Iterable[Intensity],
    need_type_default: str | None = None,
    product_code: str | None = None,
) -> SupportProfile:
    """A new, active profile without tariffs (the page marks it until a version is added).
    ``need_type_default``: a need type's code, or empty/None for none; ``product_code``: the
    iStandaarden product code, or empty/None for none yet."""
    require_beheerder(actor)
    wanted = list(intensities)
    cleaned_code, label, category, need_type, cleaned_product_code = _profile_fields(
        session, code, name, category_code, wanted, need_type_default, product_code
    )
    profile = SupportProfile(
        code=cleaned_code,
        name=label,
        domain=category.domain,
        category_code=category.code,
        product_code=cleaned_product_code,
        active=True,
        imported=False,
        need_type_default=need_type,
    )
    with refusing_duplicates(session):
        session.add(profile)
        session.flush()
    set_allowed_intensities(session, profile, wanted)
    config_log.record(
        session,
        actor,
        PROFILE,
        profile.id,
        profile_label(profile),
        config_log.CREATED,
        {
            "code": (None, cleaned_code),
            "name": (None, label),
            "domain": (None, category.domain),
            "category_code": (None, category.code),
            "product_code": (None, cleaned_product_code),
            "intensities": (None, profile.allowed_intensities),
            "active": (None, True),
            "need_type_default": (None, need_type),
        },
    )
    return profile


def update_profile(
    session: Session,
    actor: User,
    profile: SupportProfile,
    *,
    code: str | None,
    name: str | None,
    category_code: str | None,
    intensities: Iterable[Intensity],
    active: bool,
    need_type_default: str | None,
    product_code: str | None = None,
) -> None:
    """Change a profile: name, allowed intensities, active, need type default; its code and
    category only while no trajectory uses it; its product code only while no 301 carried it.
    The need type default applies to trajectories made from now on; existing ones keep their
    need type. ``product_code`` None keeps the profile's; empty clears it."""
    require_beheerder(actor)
    if product_code is None:
        product_code = profile.product_code
    wanted = list(intensities)
    cleaned_code, label, category, need_type, cleaned_product_code = _profile_fields(
        session,
        code,
        name,
        category_code,
        wanted,
        need_type_default,
        product_code,
        own_id=profile.id,
    )
    if (cleaned_code, category.code) != (profile.code, profile.category_code) and is_in_use(
        session, profile
    ):
        field = "code" if cleaned_code != profile.code else "category_code"
        raise DomainError(
            N_(
                "Code en categorie liggen vast zodra een traject dit profiel gebruikt: de "
                "statistiek beschrijft trajecten ermee."
            ),
            field=field,
        )
    if cleaned_product_code != profile.product_code and product_code_sent(session, profile):
        raise DomainError(
            N_(
                "De productcode ligt vast: een toewijzing (301) met deze code is al naar een "
                "aanbieder verstuurd."
            ),
            field="product_code",
        )
    label_before = profile_label(profile)
    before = profile.allowed_intensities
    with refusing_duplicates(session):
        config_log.assign(
            session,
            actor,
            profile,
            PROFILE,
            label_before,
            {
                "code": cleaned_code,
                "name": label,
                "category_code": category.code,
                "product_code": cleaned_product_code,
                "domain": category.domain,
                "active": active,
                "need_type_default": need_type,
            },
        )
    set_allowed_intensities(session, profile, wanted)
    config_log.record(
        session,
        actor,
        PROFILE,
        profile.id,
        label_before,
        config_log.CHANGED,
        {"intensities": (before, profile.allowed_intensities)},
    )


def profiles_without_tariffs(session: Session) -> Sequence[SupportProfile]:
    """Active profiles with an allowed intensity that has no tariff version valid on or after
    any date: the trajectory form cannot price them."""
    return [
        p
        for p in session.scalars(
            select(SupportProfile)
            .where(SupportProfile.active.is_(True))
            .order_by(SupportProfile.code)
        )
        if missing_tariffs(p)
    ]


def missing_tariffs(profile: SupportProfile) -> list[Intensity]:
    """The allowed intensities of the profile that have no tariff version at all."""
    priced = {t.intensity for t in profile.tariffs}
    return [i for i in profile.allowed_intensities if i not in priced]


# --- imported profiles --------------------------------------------------------------------


def merge_targets_by_domain(session: Session) -> dict[Domain, list[SupportProfile]]:
    """Per domain, the profiles an imported profile of that domain can be merged into."""
    targets: dict[Domain, list[SupportProfile]] = {domain: [] for domain in Domain}
    for profile in session.scalars(
        select(SupportProfile)
        .where(SupportProfile.imported.is_(False))
        .order_by(SupportProfile.code)
    ):
        targets[profile.domain].append(profile)
    return targets


def merge_profile(session: Session, actor: User, imported_id: int, target_id: int | None) -> int:
    """Merge an imported profile into ``target`` (same domain): its trajectories, scaling
    requests and contracts move to the target, the statistics feed follows in the same
    transaction, and the imported profile is removed. Returns how many trajectories moved."""
    require_beheerder(actor)
    imported = session.get(SupportProfile, imported_id)
    if imported is None or not imported.imported:
        raise NotFound(N_("Dit geïmporteerde gegeven bestaat niet (meer)."))
    target = session.get(SupportProfile, target_id) if target_id else None
    if target is None or target.id == imported.id or target.imported:
        raise DomainError(N_("Kies het profiel waarin dit wordt samengevoegd."), field="target")
    if target.domain != imported.domain:
        raise DomainError(
            N_("Samenvoegen kan alleen met een profiel van hetzelfde domein."), field="target"
        )
    used = set(
        session.scalars(
            select(Trajectory.intensity).where(Trajectory.profile_id == imported.id).distinct()
        )
    )
    not_allowed = sorted(i.value for i in used - set(target.allowed_intensities))
    if not_allowed:
        raise DomainError(
            N_(
                "Profiel %(target)s staat intensiteit %(intensity)s niet toe, die trajecten "
                "van dit profiel hebben."
            ),
            field="target",
            target=target.code,
            intensity=", ".join(not_allowed),
        )
    tariff_ids = [t.id for t in imported.tariffs]
    if tariff_ids and session.scalar(
        select(Trajectory.id).where(Trajectory.tariff_id.in_(tariff_ids)).limit(1)
    ):
        raise DomainError(
            N_(
                "Trajecten zijn geprijsd met tariefversies van dit profiel; neem het op in de "
                "catalogus in plaats van het samen te voegen."
            ),
            field="target",
        )
    for contract in imported.contracts:
        for other in target.contracts:
            if other.provider_id == contract.provider_id and periods_overlap(
                (contract.valid_from, contract.valid_to), (other.valid_from, other.valid_to)
            ):
                raise DomainError(
                    N_(
                        "Het contract van %(provider)s overlapt een contract voor %(target)s. "
                        "Beëindig eerst een van beide."
                    ),
                    field="target",
                    provider=contract.provider.name,
                    target=target.code,
                )
    moved = [
        (row.id, row.resident_id)
        for row in session.execute(
            select(Trajectory.id, Trajectory.resident_id)
            .where(Trajectory.profile_id == imported.id)
            .order_by(Trajectory.id)
        )
    ]
    session.flush()
    plain = {"synchronize_session": False}
    session.execute(
        update(Trajectory)
        .where(Trajectory.profile_id == imported.id)
        .values(profile_id=target.id, version=Trajectory.version + 1),
        execution_options=plain,
    )
    session.execute(
        update(ScalingRequest)
        .where(ScalingRequest.new_profile_id == imported.id)
        .values(new_profile_id=target.id),
        execution_options=plain,
    )
    for contract in list(imported.contracts):
        contract.profile = target
    return finish_merge(
        session,
        actor,
        PROFILE,
        moved,
        imported,
        profile_label(imported),
        target,
        profile_label(target),
        (
            "profile_code",
            imported.code,
            {"profile_code": target.code, "category_code": target.category_code},
        ),
    )
