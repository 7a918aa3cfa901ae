"""Messages as a provider's client system would send them, built for tests with the exchange's
own element helpers: start and end of care (305, 307), a request for a toewijzing (315) or a
change (317), and the 302 answering one of our 301s. Each is valid against its JW/WMO schema."""

from __future__ import annotations

from datetime import date

from models import Domain, Message
from workflows.berichten import codes
from workflows.berichten.outgoing import header, retour_root
from workflows.berichten.schemas import NO_SCHEMAS, Schemas
from workflows.berichten.store import PartError
from workflows.berichten.xml import Element, add, message_root, read, serialize


def start_of_care(
    *,
    domain: Domain = Domain.WMO,
    agb: str = "12345678",
    municipality: str = "0303",
    identification: str = "S1",
    dated_on: date = date(2026, 11, 2),
    assignment: int = 1,
    begins_on: date = date(2026, 11, 9),
    bsn: str = "111222333",
    code: str | None = None,
    schemas: Schemas = NO_SCHEMAS,
) -> bytes:
    """A 305 with one StartProduct (``code``: another BerichtCode, for a wrong one)."""
    root = message_root(domain, "305")
    head = header(
        root,
        domain,
        "305",
        sender=agb,
        receiver=municipality,
        identification=identification,
        dated_on=dated_on,
        schemas=schemas,
    )
    if code is not None:
        head[0].text = code
    person = add(root, "Client")
    add(person, "Bsn", bsn)
    born = add(person, "Geboortedatum")
    add(born, "Datum", date(1950, 5, 5), basis=True)
    add(person, "Geslacht", "0")
    name = add(person, "Naam")
    family = add(name, "Geslachtsnaam", basis=True)
    add(family, "Achternaam", "Vries", basis=True)
    products = add(person, "StartProducten")
    product = add(products, "StartProduct")
    add(product, "ToewijzingNummer", assignment)
    add(product, "Begindatum", begins_on)
    add(product, "StatusAanlevering", "1")
    return serialize(root)


def _request(
    domain: Domain, kind: str, agb: str, municipality: str, identification: str, dated_on: date
) -> tuple[Element, Element]:
    root = message_root(domain, kind)
    header(
        root,
        domain,
        kind,
        sender=agb,
        receiver=municipality,
        identification=identification,
        dated_on=dated_on,
        schemas=NO_SCHEMAS,
    )
    return root, add(root, "Client")


def _person(person: Element, bsn: str) -> None:
    add(person, "Bsn", bsn)
    born = add(person, "Geboortedatum")
    add(born, "Datum", date(1950, 5, 5), basis=True)
    add(person, "Geslacht", "0")
    name = add(person, "Naam")
    family = add(name, "Geslachtsnaam", basis=True)
    add(family, "Achternaam", "Vries", basis=True)


def end_of_care(
    *,
    domain: Domain = Domain.JEUGD,
    agb: str = "12345678",
    municipality: str = "0303",
    identification: str = "E1",
    dated_on: date = date(2026, 11, 2),
    assignment: int = 1,
    begins_on: date = date(2026, 11, 2),
    ends_on: date = date(2026, 11, 2),
    reason: str = "31",
    bsn: str = "111222333",
) -> bytes:
    """A 307 with one StopProduct."""
    root, person = _request(domain, "307", agb, municipality, identification, dated_on)
    _person(person, bsn)
    product = add(add(person, "StopProducten"), "StopProduct")
    add(product, "ToewijzingNummer", assignment)
    add(product, "Begindatum", begins_on)
    add(product, "RedenBeeindiging", reason)
    add(product, "Einddatum", ends_on)
    add(product, "StatusAanlevering", "1")
    return serialize(root)


def request_for_care(
    *,
    domain: Domain = Domain.JEUGD,
    agb: str = "12345678",
    municipality: str = "0303",
    identification: str = "V1",
    dated_on: date = date(2026, 11, 2),
    reference: str = "REF1",
    category: str = "45",
    begins_on: date = date(2026, 11, 9),
    referrer_type: str = "02",
    referrer_name: str | None = "Huisarts Jansen",
    bsn: str = "123456782",
) -> bytes:
    """A 315 with one AangevraagdProduct and its Verwijzer."""
    root, person = _request(domain, "315", agb, municipality, identification, dated_on)
    _person(person, bsn)
    product = add(add(person, "AangevraagdeProducten"), "AangevraagdProduct")
    add(product, "ReferentieAanbieder", reference)
    coded = add(product, "Product")
    add(coded, "Categorie", category, basis=True)
    add(product, "ToewijzingIngangsdatum", begins_on)
    referrer = add(product, "Verwijzer")  # required in both domains' 315
    add(referrer, "Type", referrer_type, basis=True)
    if referrer_name:
        add(referrer, "Naam", referrer_name, basis=True)
    return serialize(root)


def request_for_change(
    *,
    domain: Domain = Domain.JEUGD,
    agb: str = "12345678",
    municipality: str = "0303",
    identification: str = "W1",
    dated_on: date = date(2026, 11, 2),
    reference: str = "REF2",
    unchanged: tuple[int, ...] = (),
    changed: tuple[tuple[int, date, date], ...] = ((1, date(2026, 11, 9), date(2027, 6, 30)),),
    bsn: str = "123456782",
) -> bytes:
    """A 317: unchanged toewijzingen by number, changed ones with (number, wished start, end)."""
    root, person = _request(domain, "317", agb, municipality, identification, dated_on)
    add(person, "Bsn", bsn)
    request = add(person, "Verzoek")
    add(request, "ReferentieAanbieder", reference)
    add(request, "RedenVerzoek", "1")
    if unchanged:
        holder = add(request, "OngewijzigdeProducten")
        for number in unchanged:
            add(add(holder, "OngewijzigdProduct"), "ToewijzingNummer", number)
    if changed:
        holder = add(request, "TeWijzigenProducten")
        for number, start, end in changed:
            product = add(holder, "TeWijzigenProduct")
            add(product, "ToewijzingNummer", number)
            add(product, "GewensteIngangsdatum", start)
            add(product, "Einddatum", end)
    return serialize(root)


def answer(
    toewijzing: Message,
    *,
    errors: list[PartError] | None = None,
    identification: str = "R1",
    dated_on: date = date(2026, 11, 2),
    schemas: Schemas = NO_SCHEMAS,
) -> bytes:
    """The provider's 302 on our 301: every part 0200, or the ``errors`` on their parts."""
    parsed = read(toewijzing.body)
    root = retour_root(
        parsed, errors or [], identification=identification, today=dated_on, schemas=schemas
    )
    return serialize(root)


PRODUCT = "Client/ToegewezenProducten/ToegewezenProduct"
CLIENT = "Client"
__all__ = [
    "PRODUCT",
    "CLIENT",
    "answer",
    "codes",
    "end_of_care",
    "request_for_care",
    "request_for_change",
    "start_of_care",
]
