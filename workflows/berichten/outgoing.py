"""Messages the municipality sends: the toewijzing (301) and the retours (306, 308, 316, 318).

**The 301.** A trajectory whose channel is ``berichtenverkeer`` (``providers.channel_of``) gets a
301 when the gids sends it (the decision); its changes follow the way it went: a trajectory that
had a 301 gets one for every change (extension 04, cancellation 13, the end before a scaling
follow-up 05), a portal trajectory gets none. The trajectory's own ToegewezenProduct comes
first; the client's other current toewijzingen at the same provider (same domain) follow as the
provider's system last received them, as the standard asks of every 301 (``current_products``):

* ReferentieAanbieder: the provider's reference when the toewijzing grants its 315 or 317
  (``verzoeken.reference_for_toewijzing``), else left out.
* ToewijzingNummer = the trajectory's id; Toewijzingsdatum = the decision date (a change: the
  day of the change) and Toewijzingstijd = the time the message was made (municipality's zone).
* Product: Categorie = the profile's product category, Code = the profile's product code
  (``SupportProfile.product_code``, kept by the beheerder); Omvang = the price in eurocents,
  Eenheid 83 (euro's), Frequentie 6 (totaal binnen geldigheidsduur): the outputgericht
  trajectory variant. A profile without a product code cannot go as a message
  (``require_product_code``): sending such a trajectory is refused, naming what the beheerder
  must fill in.
* Ingangsdatum = the planned start, Einddatum = the planned end (``end``: another one; a
  cancellation 13 ends on the Ingangsdatum, as the standard asks of a removed toewijzing).
* Client: Bsn, Geboortedatum, Naam (family name with a leading lower-case prefix as Voorvoegsel,
  given name as Voornamen, NaamGebruik 1 eigen naam) and one Contact (Soort 01 BRP-adres) with
  what the resident's record holds: street (24 characters at most, the standard's length),
  house number, letter and addition, postcode, phone (Landnummer 0031). **Geslacht is always 0
  (onbekend)**: the resident's record does not hold it and the standard requires the element.

**Retours.** ``retour`` answers an incoming message: the message itself in the retour's
namespace, with IdentificatieRetour/DagtekeningRetour/XsdVersieRetour in its header and a
RetourCodes on every part (0200 fine, 0233 not judged, or the error's code). A refusal of the
header (0001 and the codes that refused it) is a retour with only the header.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Channel,
    Domain,
    Message,
    MessageDirection,
    MessageState,
    Resident,
    SupportProfile,
    Trajectory,
)

from ..clock import zone
from ..errors import N_, DomainError
from ..providers import channel_of
from . import codes
from .schemas import Schemas
from .settings import settings_of
from .store import PartError, is_error, known_to_provider, queue_outgoing
from .verzoeken import reference_for_toewijzing
from .xml import (
    Element,
    Incoming,
    add,
    find_part,
    local_name,
    message_root,
    parse,
    parse_date,
    text_of,
)

# "Stationsstraat 12", "Dorpsstraat 3a", "Kerkweg 7 bis", "De Rede 1-3"
_ADDRESS = re.compile(
    r"^(?P<street>.*?\S)\s+(?P<number>\d{1,5})\s*(?P<letter>[A-Za-z])?"
    r"(?:\s*[-/]?\s*(?P<addition>[0-9A-Za-z]{1,4}))?$"
)
_PREFIX_WORD = re.compile(r"^(?:[a-z']+)$")
STREET_MAX = 24
PREFIX_MAX = 10
COUNTRY_PHONE_CODE = "0031"


def header(
    root: Element,
    domain: Domain,
    kind: str,
    *,
    sender: str,
    receiver: str,
    identification: str,
    dated_on: date,
    schemas: Schemas,
) -> Element:
    """The header every message starts with."""
    head = add(root, "Header")
    add(head, "BerichtCode", codes.BERICHT_CODES[(domain, kind)])
    add(head, "BerichtVersie", codes.BERICHT_VERSIE)
    add(head, "BerichtSubversie", codes.BERICHT_SUBVERSIE)
    add(head, "Afzender", sender)
    add(head, "Ontvanger", receiver)
    ident = add(head, "BerichtIdentificatie")
    add(ident, "Identificatie", identification, basis=True)
    add(ident, "Dagtekening", dated_on, basis=True)
    xsd_versions(add(head, "XsdVersie"), domain, kind, schemas)
    return head


def xsd_versions(parent: Element, domain: Domain, kind: str, schemas: Schemas) -> None:
    basis, message = schemas.versions(domain, kind)
    add(parent, "BasisschemaXsdVersie", basis, basis=True)
    add(parent, "BerichtXsdVersie", message, basis=True)


def local_time(zone_name: str, moment: datetime | None = None) -> str:
    """The time of day in the municipality's zone, as LDT_Tijd wants it (no zone)."""
    local = zone(zone_name)
    return (moment or datetime.now(local)).astimezone(local).strftime("%H:%M:%S")


def cents(amount: Decimal) -> int:
    """A price in whole eurocents (LDT_Volume, LDT_Budget)."""
    return int((amount * 100).to_integral_value())


# --- the client ------------------------------------------------------------------------------


def split_family_name(family_name: str) -> tuple[str | None, str]:
    """("van der", "Berg") from "van der Berg": leading lower-case words are the prefix."""
    words = family_name.split()
    lead = 0
    while lead < len(words) - 1 and _PREFIX_WORD.match(words[lead]):
        lead += 1
    prefix = " ".join(words[:lead])
    if not prefix or len(prefix) > PREFIX_MAX:
        return None, family_name.strip()
    return prefix, " ".join(words[lead:])


def client(root: Element, resident: Resident) -> Element:
    """Client with Bsn, Geboortedatum, Geslacht (0), Naam; Contactgegevens follow later."""
    person = add(root, "Client")
    add(person, "Bsn", resident.bsn)
    born = add(person, "Geboortedatum")
    add(born, "Datum", resident.birth_date, basis=True)
    add(person, "Geslacht", codes.GESLACHT_ONBEKEND)
    name = add(person, "Naam")
    family = add(name, "Geslachtsnaam", basis=True)
    prefix, surname = split_family_name(resident.family_name)
    add(family, "Achternaam", surname, basis=True)
    if prefix:
        add(family, "Voorvoegsel", prefix, basis=True)
    if resident.given_name.strip():
        add(name, "Voornamen", resident.given_name.strip(), basis=True)
    add(name, "NaamGebruik", codes.NAAMGEBRUIK_EIGEN, basis=True)
    return person


def contact(parent: Element, resident: Resident) -> Element:
    """The resident's BRP address and phone as one Contact (Soort 01)."""
    found = add(parent, "Contact")
    add(found, "Soort", codes.ADRES_BRP)
    street, number, letter, addition = split_address(resident.address)
    if street or number is not None or resident.postcode:
        address = add(found, "Adres")
        if number is not None:
            house = add(address, "Huis", basis=True)
            add(house, "Huisnummer", number, basis=True)
            if letter:
                add(house, "Huisletter", letter, basis=True)
            if addition:
                add(house, "HuisnummerToevoeging", addition, basis=True)
        if resident.postcode:
            add(address, "Postcode", resident.postcode, basis=True)
        if street:
            add(address, "Straatnaam", street[:STREET_MAX].strip(), basis=True)
    if resident.phone:
        phones = add(found, "Telefoon")
        first = add(phones, "Telefoon01", basis=True)
        add(first, "Telefoonnummer", resident.phone, basis=True)
        add(first, "Landnummer", COUNTRY_PHONE_CODE, basis=True)
    return found


def split_address(address: str | None) -> tuple[str | None, int | None, str | None, str | None]:
    """(street, house number, letter, addition) from "Stationsstraat 12a"; the whole text as
    the street when no number can be read."""
    if not address or not address.strip():
        return None, None, None, None
    match = _ADDRESS.match(address.strip())
    if match is None:
        return address.strip(), None, None, None
    return (
        match.group("street"),
        int(match.group("number")),
        match.group("letter"),
        match.group("addition"),
    )


# --- the toewijzing --------------------------------------------------------------------------


def require_product_code(session: Session, trajectory: Trajectory) -> None:
    """Refuse a trajectory that would go as a message (the ``berichtenverkeer`` channel) while
    its profile has no product code: the 301 must carry one. The code is read as a column, so
    the check loads no profile into the session."""
    code = session.scalar(
        select(SupportProfile.product_code).where(SupportProfile.id == trajectory.profile_id)
    )
    if code:
        return
    if channel_of(session, trajectory) != Channel.BERICHTENVERKEER:
        return
    raise DomainError(
        N_(
            "Dit traject gaat als toewijzing (301) naar het systeem van %(provider)s, maar "
            "profiel %(profile)s heeft geen productcode. Vraag de beheerder de productcode in "
            "te vullen bij het profiel in de catalogus (Beheer › Catalogus)."
        ),
        field="profile_id",
        provider=trajectory.provider.name,
        profile=trajectory.profile.code,
    )


def toewijzing(
    session: Session,
    trajectory: Trajectory,
    today: date,
    schemas: Schemas | None = None,
    *,
    change: str | None = None,
    end: date | None = None,
) -> Message | None:
    """Queue a 301 for ``trajectory`` (see the module's docstring), or None when it does not go
    as a message: a new toewijzing (``change`` None) only on the ``berichtenverkeer`` channel, a
    change (``change``: RedenWijziging 04, 05, 13...) only when the provider's system knows the
    toewijzing (a 301 went out that it did not reject)."""
    if change is None:
        if channel_of(session, trajectory) != Channel.BERICHTENVERKEER:
            return None
    elif not known_to_provider(session, trajectory.id):
        return None
    require_product_code(session, trajectory)
    settings = settings_of(session)
    schemas = schemas or settings.schemas
    domain = trajectory.domain
    provider = trajectory.provider
    decided_on = today if change else (trajectory.decision_date or today)
    # A toewijzing that grants a provider's request (315, 317) carries the request's reference.
    reference = reference_for_toewijzing(session, trajectory) if change is None else None
    # A removed toewijzing (13) ends on its Ingangsdatum.
    ends_on = (
        trajectory.planned_start if change == codes.DELETED else (end or trajectory.planned_end)
    )

    others = current_products(session, trajectory, today)

    def build(identification: str) -> Element:
        root = message_root(domain, "301")
        header(
            root,
            domain,
            "301",
            sender=settings.municipality_code,
            receiver=provider.agb_code,
            identification=identification,
            dated_on=today,
            schemas=schemas,
        )
        person = client(root, trajectory.resident)
        contact(add(person, "Contactgegevens"), trajectory.resident)
        products = add(person, "ToegewezenProducten")
        product = add(products, "ToegewezenProduct")
        add(product, "ToewijzingNummer", trajectory.id)
        if reference is not None:
            add(product, "ReferentieAanbieder", reference)
        profile = trajectory.profile
        coded = add(product, "Product")
        add(coded, "Categorie", profile.category_code, basis=True)
        add(coded, "Code", profile.product_code, basis=True)
        add(product, "Toewijzingsdatum", decided_on)
        add(product, "Toewijzingstijd", local_time(settings.timezone))
        add(product, "Ingangsdatum", trajectory.planned_start)
        add(product, "Einddatum", ends_on)
        if change:
            add(product, "RedenWijziging", change)
        size = add(product, "Omvang")
        add(size, "Volume", cents(trajectory.price), basis=True)
        add(size, "Eenheid", codes.EENHEID_EURO, basis=True)
        add(size, "Frequentie", codes.FREQUENTIE_TOTAAL, basis=True)
        for other in others:
            products.append(copy.deepcopy(other))
        return root

    return queue_outgoing(
        session,
        provider=provider,
        kind="301",
        domain=domain,
        dated_on=today,
        build=build,
        schemas=schemas,
        trajectory=trajectory,
    )


def current_products(session: Session, trajectory: Trajectory, today: date) -> list[Element]:
    """The client's other toewijzingen at this provider in this domain that are still current:
    each as the provider's system last received it (not rejected), unless it was removed (13)
    or ended before ``today``. The standard wants every 301 to carry all of them."""
    sent = session.scalars(
        select(Message)
        .join(Trajectory, Message.trajectory_id == Trajectory.id)
        .where(
            Message.direction == MessageDirection.UIT,
            Message.kind == "301",
            Message.provider_id == trajectory.provider_id,
            Message.domain == trajectory.domain,
            Message.state != MessageState.AFGEKEURD,
            Trajectory.resident_id == trajectory.resident_id,
        )
        .order_by(Message.id)
    ).all()
    latest: dict[str, Element] = {}
    for message in sent:
        for product in parse(message.body).iterfind(
            "{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct"
        ):
            latest[text_of(product, "ToewijzingNummer") or ""] = product
    latest.pop(str(trajectory.id), None)
    return [
        product
        for number, product in sorted(latest.items(), key=lambda item: int(item[0] or 0))
        if text_of(product, "RedenWijziging") != codes.DELETED
        and (parse_date(text_of(product, "Einddatum")) or today) >= today
    ]


# --- retours ---------------------------------------------------------------------------------


def is_class(element: Element, namespace: str) -> bool:
    """A part that carries RetourCodes in a retour: an element of the message's own namespace
    with children of that namespace, other than a list of one kind of part (StartProducten,
    Contactgegevens) and other than the header's parts."""
    if not isinstance(element.tag, str) or etree.QName(element).namespace != namespace:
        return False
    own = [c for c in element if isinstance(c.tag, str) and etree.QName(c).namespace == namespace]
    if not own:
        return False
    names = {local_name(c) for c in own}
    is_list = len(names) == 1 and len(own) == len(element) and all(len(c) for c in own)
    return not is_list


def _class_of(element: Element, namespace: str) -> Element | None:
    current: Element | None = element
    while current is not None and not is_class(current, namespace):
        current = current.getparent()
    return current


def retour_root(
    parsed: Incoming,
    errors: Sequence[PartError],
    *,
    identification: str,
    today: date,
    schemas: Schemas,
) -> Element:
    """The retour of ``parsed`` (see the module's docstring). ``errors`` name their parts with
    ``xml.part_of``; an error on the header ("" or "Header") refuses the message as a whole."""
    domain = parsed.domain
    kind = codes.RETOUR_OF[parsed.kind]
    old, new = parsed.namespace, codes.namespace(domain, kind)
    copied = copy.deepcopy(parsed.root)
    originals = dict(zip(copied.iter(), parsed.root.iter(), strict=True))
    for element in copied.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == old:
            element.tag = f"{{{new}}}{local_name(element)}"
        # Pretty printing lays the retour out afresh.
        if element.tail is not None and not element.tail.strip():
            element.tail = None
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
    # A new root declares the retour's prefixes; the parts move into it.
    root = message_root(domain, kind)
    root.extend(list(copied))
    etree.cleanup_namespaces(root)
    head = root.find(f"{{{new}}}Header")
    assert head is not None  # ``xml.read`` found it
    code = head.find(f"{{{new}}}BerichtCode")
    assert code is not None
    code.text = codes.BERICHT_CODES[(domain, kind)]
    for stray in head.findall(f"{{{new}}}RetourCodes"):
        head.remove(stray)
    xsd = head.find(f"{{{new}}}XsdVersie")  # required by every schema; ``read`` does not check it
    position = list(head).index(xsd) + 1 if xsd is not None else len(head)
    additions = [
        _made("IdentificatieRetour", new, identification),
        _made("DagtekeningRetour", new, today.isoformat()),
    ]
    versions = _made("XsdVersieRetour", new)
    xsd_versions(versions, domain, kind, schemas)
    additions.append(versions)
    for offset, element in enumerate(additions):
        head.insert(position + offset, element)

    refusing = [e for e in errors if e.part in ("", "Header")]
    if refusing:
        _retour_codes(head, [codes.TECHNICAL, *(e.code for e in refusing)])
        for child in [c for c in root if c is not head]:
            root.remove(child)
        return root

    by_part: dict[Element, list[str]] = {}
    for error in errors:
        target = find_part(parsed.root, error.part)
        found = _class_of(target, old) if target is not None else None
        if found is not None:
            by_part.setdefault(found, []).append(error.code)
    refused = any(is_error(e) for e in errors)
    for element in list(root.iter()):
        original = originals.get(element)
        if (
            original is None
            or original.getparent() is None
            or local_name(original) == "Header"
            or _inside(original, "Header")
            or not is_class(original, old)
        ):
            continue
        found_codes = by_part.get(original)
        if not found_codes:
            found_codes = [codes.NOT_JUDGED if refused else codes.ACCEPTED]
        _retour_codes(element, found_codes)
    return root


def _inside(element: Element, name: str) -> bool:
    parent = element.getparent()
    while parent is not None:
        if local_name(parent) == name:
            return True
        parent = parent.getparent()
    return False


def _made(name: str, namespace: str, text: str | None = None) -> Element:
    element = etree.Element(f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def _retour_codes(parent: Element, found: Sequence[str]) -> None:
    unique = list(dict.fromkeys(found))
    holder = add(parent, "RetourCodes")
    for code in unique:
        add(holder, "RetourCode", code)


def retour(
    session: Session,
    incoming: Message,
    parsed: Incoming,
    errors: Sequence[PartError],
    schemas: Schemas,
    today: date,
) -> Message:
    """Queue the retour of ``incoming`` (306, 308, 316, 318; the 325 too when its builder
    uses this) for the provider that sent it."""
    kind = codes.RETOUR_OF[parsed.kind]
    return queue_outgoing(
        session,
        provider=incoming.provider,
        kind=kind,
        domain=parsed.domain,
        dated_on=today,
        build=lambda identification: retour_root(
            parsed, errors, identification=identification, today=today, schemas=schemas
        ),
        schemas=schemas,
        trajectory=incoming.trajectory,
        aanmelding=incoming.aanmelding,
        answers=incoming,
    )
