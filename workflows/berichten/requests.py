"""The providers' requests by message: 315 *verzoek om toewijzing*, 317 *verzoek om wijziging*,
and 320, the provider's retour of our 319 answer.

**315**: every requested product (``AangevraagdProduct``) becomes an aanmelding the gids decides
(``aanmeldingen.register_aanmelding``) and a ``Verzoek`` keeping what was asked. The resident is
found by BSN; an unknown BSN (valid by the 11-proef) is registered from the message's client data,
since a provider's referral is often the municipality's first contact. The aanmelding goes to
the gids of the resident's household when that gids is an active gids, else to the active gids
with the least open work (open aanmeldingen plus open trajectories; the lowest id on a tie). Its
question names the provider, its reference and what was asked, so the gids sees it in the
existing pages; the Verwijzer goes to the aanmelding's referrer.
Refused at once, without the gids (a 319 afgewezen right after the 316): a Jeugd client aged 18
or older on the day of receipt (reden 9, leeftijdsgrens), and a resident who moved out or died
(reden 5, andere gemeente).

**317**: a request to change one running toewijzing becomes a scaling request
(``scaling.request_scaling``, by the provider's system actor) the gids decides. The standard's
rules across messages, each with its retour code on the failing part (the whole message refused):
every ``TeWijzigenProduct`` is a current toewijzing of *this* provider for this client (9351;
another provider's number gets exactly the answer of an unknown number), every
``OngewijzigdProduct`` too (9350), the request names all current toewijzingen of the client with
this provider (9349), no request is open for them (9374), a desired start on or before the
message date is the toewijzing's own start (9357), and the reference is new (9359 when a 301 was
sent with it, 9360 when a 319 was, 9347 otherwise). A valid request the catalogue cannot express
is refused at once with a 319:

* only ``NieuweProducten`` (no product to change): reden 1, *geen wijziging, maar nieuwe aanvraag*;
* more than one product to change or to add, a change of only the end date (the result decides
  the end, R1; the gids extends a decision herself), an ``Omvang`` that is not the tariff of an
  intensity (outputgericht: ``Volume`` in eurocents, ``Eenheid`` 83, ``Frequentie`` 6), or what
  ``request_scaling`` refuses: reden 4, *past niet binnen contract*;
* a new product that is no active profile of the domain, or one the provider has no contract
  for: reden 3, *geen contract*.

**320**: marks our 319 it answers *bevestigd* or *afgekeurd* (with its codes); nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    OPEN_STATES as OPEN_TRAJECTORY_STATES,
)
from models import (
    Aanmelding,
    AanmeldingOutcome,
    ContractRole,
    Domain,
    Intensity,
    Message,
    MessageState,
    Provider,
    ReferrerType,
    Resident,
    Role,
    ScalingRequest,
    SubmissionState,
    SupportProfile,
    Tariff,
    Trajectory,
    TrajectoryState,
    User,
    Verzoek,
    VerzoekState,
)

from ..aanmeldingen import register_aanmelding
from ..bsn import is_valid_bsn
from ..catalogue import has_contract, tariff_on
from ..eligibility import jeugd_age_problems
from ..errors import N_, DomainError
from ..residents import ResidentInput, add_resident
from ..scaling import request_scaling
from ..trajectories import get_trajectory
from . import answers, codes
from .actor import system_actor
from .outgoing import cents
from .schemas import Schemas
from .store import PartError, outgoing_by_identification, set_errors
from .toewijzingen import NO_EARLIER_MESSAGE, retour_codes
from .verzoeken import OPEN_STATES, open_verzoek_of_aanmelding, reference_code
from .xml import Incoming, part_of

EURO_UNIT = "83"  # LDT_Eenheid: euro's
TOTAL_FREQUENCY = "6"  # LDT_Frequentie: totaal binnen geldigheidsduur toewijzing
# The toewijzingen a 317 may change: sent to the provider and not ended.
CURRENT_STATES = (
    TrajectoryState.VOORGESTELD,
    TrajectoryState.GEACCEPTEERD,
    TrajectoryState.ACTIEF,
)
UNKNOWN_NAME = "(onbekend)"


# --- reading ----------------------------------------------------------------------------------


# Any namespace: the parts of composite data types (Product, Omvang, Naam) are the Basisschema's.
def _child(element: etree._Element, name: str) -> etree._Element | None:
    return element.find(f"{{*}}{name}")


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return list(element.iterfind(f"{{*}}{name}"))


def _text(element: etree._Element | None, *path: str) -> str | None:
    for name in path:
        if element is None:
            return None
        element = _child(element, name)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _date(element: etree._Element | None, *path: str) -> date | None:
    raw = _text(element, *path)
    return date.fromisoformat(raw) if raw else None


def _int(element: etree._Element | None, *path: str) -> int | None:
    raw = _text(element, *path)
    return int(raw) if raw else None


@dataclass
class Omvang:
    volume: int
    unit: str
    frequency: str


def _omvang(element: etree._Element) -> Omvang | None:
    volume = _int(element, "Omvang", "Volume")
    unit = _text(element, "Omvang", "Eenheid")
    frequency = _text(element, "Omvang", "Frequentie")
    if volume is None or unit is None or frequency is None:
        return None
    return Omvang(volume, unit, frequency)


@dataclass
class RequestedProduct:
    """A 315's ``AangevraagdProduct``."""

    element: etree._Element
    reference: str
    category: str | None
    code: str | None
    start: date
    end: date | None
    omvang: Omvang | None
    referrer_type: str | None
    referrer_name: str | None
    comment: str | None


@dataclass
class Client315:
    element: etree._Element
    bsn: str
    birth_date: date
    family_name: str
    given_name: str
    comment: str | None
    products: list[RequestedProduct] = field(default_factory=list)


def read_315(root: etree._Element) -> Client315:
    client = _child(root, "Client")
    assert client is not None  # the schema requires it; xml.read checked the shape
    naam = _child(client, "Naam")
    prefix = _text(naam, "Geslachtsnaam", "Voorvoegsel")
    family = _text(naam, "Geslachtsnaam", "Achternaam") or UNKNOWN_NAME
    given = _text(naam, "Voornamen") or _text(naam, "Voorletters") or UNKNOWN_NAME
    birth = _date(client, "Geboortedatum", "Datum")
    assert birth is not None
    parsed = Client315(
        element=client,
        bsn=_text(client, "Bsn") or "",
        birth_date=birth,
        family_name=f"{prefix} {family}" if prefix else family,
        given_name=given,
        comment=_text(client, "Commentaar"),
    )
    products = _child(client, "AangevraagdeProducten")
    for item in _children(products, "AangevraagdProduct") if products is not None else []:
        start = _date(item, "ToewijzingIngangsdatum")
        assert start is not None
        parsed.products.append(
            RequestedProduct(
                element=item,
                reference=_text(item, "ReferentieAanbieder") or "",
                category=_text(item, "Product", "Categorie"),
                code=_text(item, "Product", "Code"),
                start=start,
                end=_date(item, "ToewijzingEinddatum"),
                omvang=_omvang(item),
                referrer_type=_text(item, "Verwijzer", "Type"),
                referrer_name=_text(item, "Verwijzer", "Naam"),
                comment=_text(item, "Commentaar"),
            )
        )
    return parsed


@dataclass
class ProductChange:
    """A 317's ``TeWijzigenProduct`` (``number`` set) or ``NieuwProduct`` (``category`` set)."""

    element: etree._Element
    number: int | None
    category: str | None
    code: str | None
    start: date
    end: date | None
    omvang: Omvang | None


@dataclass
class Request317:
    client: etree._Element
    verzoek: etree._Element
    bsn: str
    reference: str
    reason: str | None
    unchanged: list[tuple[etree._Element, int]]
    changed: list[ProductChange]
    new: list[ProductChange]


def _change(item: etree._Element, *, number: int | None) -> ProductChange:
    start = _date(item, "GewensteIngangsdatum")
    assert start is not None
    return ProductChange(
        element=item,
        number=number,
        category=_text(item, "Product", "Categorie"),
        code=_text(item, "Product", "Code"),
        start=start,
        end=_date(item, "Einddatum"),
        omvang=_omvang(item),
    )


def read_317(root: etree._Element) -> Request317:
    client = _child(root, "Client")
    assert client is not None
    verzoek = _child(client, "Verzoek")
    assert verzoek is not None
    unchanged = [
        (item, _int(item, "ToewijzingNummer") or 0)
        for group in _children(verzoek, "OngewijzigdeProducten")
        for item in _children(group, "OngewijzigdProduct")
    ]
    changed = [
        _change(item, number=_int(item, "ToewijzingNummer") or 0)
        for group in _children(verzoek, "TeWijzigenProducten")
        for item in _children(group, "TeWijzigenProduct")
    ]
    new = [
        _change(item, number=None)
        for group in _children(verzoek, "NieuweProducten")
        for item in _children(group, "NieuwProduct")
    ]
    return Request317(
        client=client,
        verzoek=verzoek,
        bsn=_text(client, "Bsn") or "",
        reference=_text(verzoek, "ReferentieAanbieder") or "",
        reason=_text(verzoek, "RedenVerzoek"),
        unchanged=unchanged,
        changed=changed,
        new=new,
    )


# --- shared rules -----------------------------------------------------------------------------


def _lock_provider(session: Session, provider: Provider) -> None:
    """One provider's requests take turns: the checks across messages (a reference used once,
    one open request) then see what an earlier message of the same moment did. FOR NO KEY
    UPDATE: the message row already holds a key-share lock on the provider (its foreign key),
    which a plain FOR UPDATE would wait for in both transactions at once."""
    session.execute(
        select(Provider.id).where(Provider.id == provider.id).with_for_update(key_share=True)
    )


def _verzoek(
    message: Message, provider: Provider, domain: Domain, kind: str, reference: str
) -> Verzoek:
    return Verzoek(
        kind=kind,
        domain=domain,
        provider_id=provider.id,
        provider=provider,
        reference=reference,
        message_id=message.id,
        state=VerzoekState.OPEN,
    )


def _tariff_by_volume(
    session: Session, profile: SupportProfile, omvang: Omvang | None, day: date
) -> Tariff | None:
    """The tariff of the profile on ``day`` whose price is the requested volume (outputgericht:
    eurocents, Eenheid 83, Frequentie 6); None when no intensity has that price."""
    if omvang is None or omvang.unit != EURO_UNIT or omvang.frequency != TOTAL_FREQUENCY:
        return None
    for intensity in Intensity:
        tariff = tariff_on(session, profile.id, intensity, day)
        if tariff is not None and cents(tariff.price) == omvang.volume:
            return tariff
    return None


def _profile_by_product(
    session: Session, domain: Domain, category: str | None, code: str | None
) -> SupportProfile | None:
    """The active profile of the domain with the product's code (and category); without a code,
    the category's only active profile, if it has just one."""
    if code is None and category is None:
        return None
    found = session.scalars(
        select(SupportProfile)
        .where(
            SupportProfile.domain == domain,
            SupportProfile.active.is_(True),
            *([SupportProfile.code == code] if code else []),
            *([SupportProfile.category_code == category] if category else []),
        )
        .limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


# --- 315 ----------------------------------------------------------------------------------------


def choose_gids(session: Session, resident: Resident | None) -> User:
    """Who decides an aanmelding that came by message: the household's gids (the single contact)
    when that is an active gids; else the active gids with the least open work."""
    if resident is not None:
        contact = resident.household.gids
        if contact.active and contact.role == Role.GIDS:
            return contact
    open_aanmeldingen = (
        select(func.count(Aanmelding.id))
        .where(
            Aanmelding.gids_id == User.id,
            Aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING,
        )
        .scalar_subquery()
    )
    open_trajectories = (
        select(func.count(Trajectory.id))
        .where(Trajectory.gids_id == User.id, Trajectory.state.in_(OPEN_TRAJECTORY_STATES))
        .scalar_subquery()
    )
    least_loaded = session.scalars(
        select(User)
        .where(User.role == Role.GIDS, User.active.is_(True))
        .order_by((open_aanmeldingen + open_trajectories).asc(), User.id.asc())
        .limit(1)
    ).first()
    if least_loaded is None:
        raise DomainError(N_("Er is geen actieve gids om de aanmelding aan toe te wijzen."))
    return least_loaded


def describe_request(provider: Provider, product: RequestedProduct, profile: str | None) -> str:
    """The aanmelding's question: what the provider asked, for the gids to read."""
    lines = [
        f"Verzoek om toewijzing van {provider.name} (AGB {provider.agb_code}), "
        f"referentie {product.reference}.",
    ]
    if product.category or product.code:
        asked = f"Gevraagd product: categorie {product.category or '-'}"
        asked += f", code {product.code}" if product.code else ""
        lines.append(asked + (f" ({profile})." if profile else "."))
    period = f"Gevraagde periode: vanaf {product.start.strftime('%d-%m-%Y')}"
    if product.end:
        period += f" tot en met {product.end.strftime('%d-%m-%Y')}"
    lines.append(period + ".")
    if product.omvang is not None:
        if product.omvang.unit == EURO_UNIT:
            euros = Decimal(product.omvang.volume) / 100
            lines.append(f"Gevraagde omvang: € {euros:.2f}".replace(".", ",") + ".")
        else:
            lines.append(
                f"Gevraagde omvang: {product.omvang.volume} (eenheid {product.omvang.unit}, "
                f"frequentie {product.omvang.frequency})."
            )
    if product.comment:
        lines.append(f"Toelichting: {product.comment}")
    return "\n".join(lines)


def _resident_for(
    session: Session, client: Client315, today: date
) -> tuple[Resident | None, PartError | None]:
    resident = session.scalar(select(Resident).where(Resident.bsn == client.bsn))
    if resident is not None:
        return resident, None
    gids = choose_gids(session, None)
    try:
        resident = add_resident(
            session,
            ResidentInput(
                bsn=client.bsn,
                given_name=client.given_name,
                family_name=client.family_name,
                birth_date=client.birth_date,
            ),
            gids,
            today,
        )
    except DomainError as err:
        # Registered at the same moment by another provider's message: that is the resident.
        registered = session.scalar(select(Resident).where(Resident.bsn == client.bsn))
        if registered is not None:
            return registered, None
        return None, PartError(code="0001", part="Header", text=str(err))
    session.flush()
    return resident, None


def handle_315(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """A verzoek om toewijzing: the checks across messages, then an aanmelding per product."""
    _lock_provider(session, provider)
    domain = parsed.domain
    client = read_315(parsed.root)
    if not is_valid_bsn(client.bsn):
        return [
            PartError(
                code="0001",
                part="Header",
                text="Het BSN voldoet niet aan de elfproef.",
            )
        ]
    errors: list[PartError] = []
    seen: set[str] = set()
    for product in client.products:
        code = reference_code(session, provider, domain, product.reference)
        if code is None and product.reference in seen:
            code = "9347"
        seen.add(product.reference)
        if code is not None:
            errors.append(PartError(code=code, part=part_of(product.element)))
    if errors:
        return errors

    resident, problem = _resident_for(session, client, today)
    if problem is not None:
        return [problem]
    assert resident is not None
    gids = choose_gids(session, resident)
    for product in client.products:
        verzoek = _verzoek(message, provider, domain, "315", product.reference)
        verzoek.product_category = product.category
        verzoek.product_code = product.code
        verzoek.requested_start = product.start
        verzoek.requested_end = product.end
        if product.omvang is not None:
            verzoek.volume = product.omvang.volume
            verzoek.unit = product.omvang.unit
            verzoek.frequency = product.omvang.frequency
        session.add(verzoek)
        session.flush()
        _apply_315(session, verzoek, resident, gids, provider, product, today, schemas)
        if message.aanmelding is None and verzoek.aanmelding is not None:
            message.aanmelding = verzoek.aanmelding
    return []


def _apply_315(
    session: Session,
    verzoek: Verzoek,
    resident: Resident,
    gids: User,
    provider: Provider,
    product: RequestedProduct,
    today: date,
    schemas: Schemas,
) -> None:
    domain = verzoek.domain
    if resident.departed:
        answers.refuse(
            session,
            verzoek,
            code="5",
            text="De inwoner woont niet (meer) in de gemeente.",
            today=today,
            schemas=schemas,
        )
        return
    if domain == Domain.JEUGD and jeugd_age_problems(resident.birth_date, today, None):
        answers.refuse(
            session,
            verzoek,
            code="9",
            text="De jeugdige is op de dag van ontvangst 18 jaar of ouder.",
            today=today,
            schemas=schemas,
        )
        return
    profile = _profile_by_product(session, domain, product.category, product.code)
    aanmelding = register_aanmelding(
        session,
        resident,
        gids,
        request_date=today,
        domain=domain,
        question=describe_request(provider, product, profile.name if profile else None),
        today=today,
    )
    if product.referrer_type in {t.value for t in ReferrerType}:
        aanmelding.referrer_type = ReferrerType(product.referrer_type)
        aanmelding.referrer_name = product.referrer_name
    verzoek.aanmelding_id = aanmelding.id
    verzoek.aanmelding = aanmelding
    session.flush()


@dataclass(frozen=True)
class RequestedTerms:
    """What a 315 asked, as the new-trajectory form can preselect it (None where the catalogue
    does not match)."""

    provider_id: int
    profile_id: int | None
    intensity: Intensity | None
    planned_start: date
    planned_end: date | None


def requested_terms(session: Session, aanmelding: Aanmelding) -> RequestedTerms | None:
    """The terms a 315 asked for this aanmelding, while the request is open; else None."""
    verzoek = open_verzoek_of_aanmelding(session, aanmelding)
    if verzoek is None or verzoek.requested_start is None:
        return None
    profile = _profile_by_product(
        session, verzoek.domain, verzoek.product_category, verzoek.product_code
    )
    tariff = None
    if profile is not None and verzoek.volume is not None:
        tariff = _tariff_by_volume(
            session,
            profile,
            Omvang(verzoek.volume, verzoek.unit or "", verzoek.frequency or ""),
            verzoek.requested_start,
        )
    contracted = profile is not None and has_contract(
        session,
        verzoek.provider_id,
        profile.id,
        verzoek.requested_start,
        ContractRole.HOOFDAANNEMER,
    )
    return RequestedTerms(
        provider_id=verzoek.provider_id,
        profile_id=profile.id if profile is not None and contracted else None,
        intensity=tariff.intensity if tariff is not None and contracted else None,
        planned_start=verzoek.requested_start,
        planned_end=verzoek.requested_end,
    )


# --- 317 ----------------------------------------------------------------------------------------


def _current_toewijzingen(
    session: Session, provider: Provider, domain: Domain, bsn: str
) -> dict[int, Trajectory]:
    """The client's current toewijzingen with this provider in this domain, by number."""
    rows = session.scalars(
        select(Trajectory)
        .join(Resident, Resident.id == Trajectory.resident_id)
        .where(
            Resident.bsn == bsn,
            Trajectory.provider_id == provider.id,
            Trajectory.domain == domain,
            Trajectory.state.in_(CURRENT_STATES),
        )
    ).all()
    return {t.id: t for t in rows}


def _open_request_on(session: Session, trajectory_ids: Sequence[int]) -> bool:
    if not trajectory_ids:
        return False
    scaling = session.scalar(
        select(ScalingRequest.id).where(
            ScalingRequest.trajectory_id.in_(trajectory_ids),
            ScalingRequest.state == SubmissionState.INGEDIEND,
        )
    )
    verzoek = session.scalar(
        select(Verzoek.id).where(
            Verzoek.kind == "317",
            Verzoek.trajectory_id.in_(trajectory_ids),
            Verzoek.state.in_(OPEN_STATES),
        )
    )
    return scaling is not None or verzoek is not None


def handle_317(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """A verzoek om wijziging: the checks across messages, then a scaling request (or an
    immediate 319 when the catalogue cannot express it)."""
    _lock_provider(session, provider)
    domain = parsed.domain
    request = read_317(parsed.root)
    current = _current_toewijzingen(session, provider, domain, request.bsn)
    errors: list[PartError] = []
    code = reference_code(session, provider, domain, request.reference)
    if code is not None:
        errors.append(PartError(code=code, part=part_of(request.verzoek)))
    for element, number in request.unchanged:
        if number not in current:
            errors.append(PartError(code="9350", part=part_of(element)))
    for change in request.changed:
        trajectory = current.get(change.number or 0)
        if trajectory is None:
            errors.append(PartError(code="9351", part=part_of(change.element)))
        elif change.start <= parsed.dated_on and change.start != trajectory.planned_start:
            errors.append(PartError(code="9357", part=part_of(change.element)))
    named = {n for _e, n in request.unchanged} | {c.number for c in request.changed}
    if not errors and set(current) - named:
        errors.append(PartError(code="9349", part=part_of(request.verzoek)))
    if not errors and _open_request_on(session, [c.number or 0 for c in request.changed]):
        errors.append(PartError(code="9374", part=part_of(request.verzoek)))
    if errors:
        return errors

    verzoek = _verzoek(message, provider, domain, "317", request.reference)
    if len(request.changed) == 1:
        only = request.changed[0]
        trajectory = get_trajectory(session, only.number or 0, for_update=True)
        verzoek.trajectory_id = trajectory.id
        verzoek.trajectory = trajectory
        message.trajectory = trajectory
        target = request.new[0] if len(request.new) == 1 else only
        verzoek.product_category = target.category
        verzoek.product_code = target.code
        verzoek.requested_start = target.start
        verzoek.requested_end = target.end
        if target.omvang is not None:
            verzoek.volume = target.omvang.volume
            verzoek.unit = target.omvang.unit
            verzoek.frequency = target.omvang.frequency
    session.add(verzoek)
    session.flush()
    _apply_317(session, verzoek, request, provider, today, schemas)
    return []


def _apply_317(
    session: Session,
    verzoek: Verzoek,
    request: Request317,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> None:
    def refuse(code: str, text: str) -> None:
        answers.refuse(session, verzoek, code=code, text=text, today=today, schemas=schemas)

    if not request.changed:
        refuse("1", "Het verzoek wijzigt geen toegewezen product: dien een nieuwe aanvraag in.")
        return
    if len(request.changed) > 1 or len(request.new) > 1:
        refuse("4", "Per verzoek kan één toegewezen product worden omgezet.")
        return
    trajectory = verzoek.trajectory
    assert trajectory is not None
    start = today + timedelta(days=1)  # a granted scaling's follow-up starts the day after
    if request.new:
        new = request.new[0]
        profile = _profile_by_product(session, verzoek.domain, new.category, new.code)
        if profile is None or not has_contract(
            session, provider.id, profile.id, start, ContractRole.HOOFDAANNEMER
        ):
            refuse("3", "Voor het gevraagde product is er geen contract.")
            return
        omvang = new.omvang
    else:
        profile = trajectory.profile
        omvang = request.changed[0].omvang
        if omvang is None:
            refuse(
                "4",
                "Alleen de einddatum wijzigen kan niet: het resultaat bepaalt het einde; "
                "de gids verlengt een beschikking zelf.",
            )
            return
    tariff = _tariff_by_volume(session, profile, omvang, start)
    if tariff is None:
        refuse("4", "De gevraagde omvang is geen tarief van een intensiteit van het profiel.")
        return
    reason = f"Verzoek om wijziging van {provider.name}, referentie {verzoek.reference}"
    reason += f" (reden verzoek {request.reason})." if request.reason else "."
    try:
        scaling = request_scaling(
            session,
            trajectory,
            system_actor(session, provider),
            profile.id,
            tariff.intensity,
            reason,
            today,
        )
    except DomainError as err:
        refuse("4", str(err))
        return
    verzoek.scaling_request_id = scaling.id
    verzoek.scaling_request = scaling
    session.flush()


# --- 320 ----------------------------------------------------------------------------------------


def handle_320(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """The provider's retour of our 319 marks it *bevestigd* (only 0200/0233) or *afgekeurd*
    with its codes; nothing else changes. A 320 naming no 319 we sent this provider is refused
    (9063), as a 302 naming no 301."""
    original = (
        outgoing_by_identification(session, provider.id, "319", parsed.answers_identification)
        if parsed.answers_identification
        else None
    )
    if original is None:
        return [PartError(NO_EARLIER_MESSAGE, "Header")]
    message.answers = original
    message.trajectory = original.trajectory
    message.aanmelding = original.aanmelding
    errors = [e for e in retour_codes(parsed.root) if e.code not in codes.NO_ERROR_CODES]
    original.state = MessageState.AFGEKEURD if errors else MessageState.BEVESTIGD
    set_errors(original, errors)
    original.handled_at = message.created_at
    session.flush()
    return []
