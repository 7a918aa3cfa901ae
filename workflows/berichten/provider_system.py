"""What a provider's client system writes: the 302 retour on a toewijzing (301), the start zorg
(305), the stop zorg (307) and the declaratie (323), in iJw 3.2 or iWmo 3.2.

The municipality never sends these; they exist for the provider simulator
(``workflows.berichten.simulator``), the benchmark and the tests, which must hand the one entry
point (``incoming.receive``) exactly what a real system would. Every builder starts from the
toewijzing as the provider received it (``read_toewijzing``): the client's details and the
product are copied from the 301, as a client system copies them from its own records.

Amounts in the standard are whole eurocents (``LDT_Bedrag``); an outputgericht toewijzing has
``Eenheid`` 83 (euro's) and its ``Volume`` holds the price in eurocents, so the declaratie has one
line with that volume, a product tariff of 1 (one cent per unit) and the price as its amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree

from models import Domain

from . import codes, outgoing, xml
from .schemas import Schemas

FIRST_DELIVERY = "1"  # StatusAanlevering: eerste aanlevering
DEBIT = "D"


@dataclass(frozen=True)
class Product:
    """One ToegewezenProduct of a toewijzing."""

    number: int  # ToewijzingNummer
    category: str
    code: str | None
    start: date  # Ingangsdatum
    end: date | None  # Einddatum
    change_reason: str | None  # RedenWijziging
    volume: int | None
    unit: str | None


@dataclass(frozen=True)
class Toewijzing:
    """A 301 as the provider's system reads it."""

    domain: Domain
    municipality: str  # Afzender
    agb_code: str  # Ontvanger
    identification: str
    dated_on: date
    bsn: str
    client: xml.Element  # the Client element, to copy the client's details from
    products: tuple[Product, ...]
    body: bytes


def _child(parent: xml.Element, *path: str) -> xml.Element | None:
    return parent.find("/".join(f"{{*}}{step}" for step in path))


def _text(parent: xml.Element, *path: str) -> str | None:
    return xml.text_of(parent, "/".join(path))


def _day(value: str | None) -> date | None:
    return xml.parse_date(value)


def read_toewijzing(body: bytes) -> Toewijzing:
    """Read a 301 (the municipality's own message, read with the same safe reader as every
    incoming one)."""
    message = xml.read(body)
    client = _child(message.root, "Client")
    if message.kind != "301" or client is None:
        raise ValueError("not a toewijzing")
    products = []
    for element in client.iterfind("{*}ToegewezenProducten/{*}ToegewezenProduct"):
        volume = _text(element, "Omvang", "Volume")
        products.append(
            Product(
                number=int(_text(element, "ToewijzingNummer") or 0),
                category=_text(element, "Product", "Categorie") or "",
                code=_text(element, "Product", "Code"),
                start=_day(_text(element, "Ingangsdatum")) or date.min,
                end=_day(_text(element, "Einddatum")),
                change_reason=_text(element, "RedenWijziging"),
                volume=int(volume) if volume is not None else None,
                unit=_text(element, "Omvang", "Eenheid"),
            )
        )
    return Toewijzing(
        domain=message.domain,
        municipality=message.sender,
        agb_code=message.receiver,
        identification=message.identification,
        dated_on=message.dated_on,
        bsn=_text(client, "Bsn") or "",
        client=client,
        products=tuple(products),
        body=body,
    )


# --- writing ------------------------------------------------------------------------------------

Element = xml.Element
add = xml.add


def _part(parent: Element, name: str, text: str | int | date | None = None) -> Element:
    """A part of a composite data type (CDT_…): in the Basisschema's namespace."""
    return add(parent, name, text, basis=True)


def _renamed(source: Element, namespace: str, basis: str) -> Element:
    """A deep copy of ``source`` from another message: its message-namespace elements move to
    ``namespace``, the Basisschema parts stay where they are."""
    qname = etree.QName(source)
    made = etree.Element(f"{{{basis if qname.namespace == basis else namespace}}}{qname.localname}")
    made.text = source.text
    for child in source:
        if isinstance(child.tag, str):
            made.append(_renamed(child, namespace, basis))
    return made


def _copy(parent: Element, source: Element, names: Iterable[str]) -> None:
    """Copy the children ``names`` of ``source`` (deep) into ``parent``, in the order given;
    absent ones are skipped."""
    namespace = etree.QName(parent).namespace or ""
    domain, _kind = codes.KIND_OF_NAMESPACE[namespace]
    for name in names:
        found = _child(source, name)
        if found is not None:
            parent.append(_renamed(found, namespace, codes.basis_namespace(domain)))


def _start(
    toewijzing: Toewijzing, kind: str, *, identification: str, today: date, schemas: Schemas
) -> Element:
    """A message from the provider to the municipality, with its header."""
    root = xml.message_root(toewijzing.domain, kind)
    outgoing.header(
        root,
        toewijzing.domain,
        kind,
        sender=toewijzing.agb_code,
        receiver=toewijzing.municipality,
        identification=identification,
        dated_on=today,
        schemas=schemas,
    )
    return root


def _client(root: Element, toewijzing: Toewijzing) -> Element:
    """The client as the 305 and 307 name it: Bsn, Geboortedatum, Geslacht and the short name
    (CDT_VerkorteNaam) from the toewijzing's full one."""
    client = add(root, "Client")
    _copy(client, toewijzing.client, ("Bsn", "Geboortedatum", "Geslacht"))
    name = add(client, "Naam")
    source = _child(toewijzing.client, "Naam")
    assert source is not None
    _copy(name, source, ("Geslachtsnaam", "Voornamen", "Voorletters"))
    return client


def _product(parent: Element, product: Product) -> None:
    element = add(parent, "Product")
    _part(element, "Categorie", product.category)
    if product.code is not None:
        _part(element, "Code", product.code)


def retour_302(
    toewijzing: Toewijzing, *, identification: str, today: date, schemas: Schemas
) -> bytes:
    """The retour on a toewijzing without remarks: the 301 returned as it came, in the 302's
    namespace, with the retour's own identification and RetourCode 0200 on every class — built
    as the municipality builds its own retours (``outgoing.retour_root``)."""
    root = outgoing.retour_root(
        xml.read(toewijzing.body), [], identification=identification, today=today, schemas=schemas
    )
    return xml.serialize(root)


def start_zorg(
    toewijzing: Toewijzing,
    product: Product,
    *,
    identification: str,
    today: date,
    begin: date,
    schemas: Schemas,
) -> bytes:
    """A 305: delivery of ``product`` started on ``begin``."""
    root = _start(toewijzing, "305", identification=identification, today=today, schemas=schemas)
    client = _client(root, toewijzing)
    started = add(add(client, "StartProducten"), "StartProduct")
    add(started, "ToewijzingNummer", product.number)
    _product(started, product)
    add(started, "ToewijzingIngangsdatum", product.start)
    add(started, "Begindatum", begin)
    add(started, "StatusAanlevering", FIRST_DELIVERY)
    return xml.serialize(root)


def stop_zorg(
    toewijzing: Toewijzing,
    product: Product,
    *,
    identification: str,
    today: date,
    begin: date,
    end: date,
    reason: str,
    schemas: Schemas,
) -> bytes:
    """A 307: delivery of ``product`` (started on ``begin``) ended on ``end`` for ``reason``
    (RedenBeeindiging, the domain's code list)."""
    root = _start(toewijzing, "307", identification=identification, today=today, schemas=schemas)
    client = _client(root, toewijzing)
    stopped = add(add(client, "StopProducten"), "StopProduct")
    add(stopped, "ToewijzingNummer", product.number)
    _product(stopped, product)
    add(stopped, "ToewijzingIngangsdatum", product.start)
    add(stopped, "Begindatum", begin)
    add(stopped, "RedenBeeindiging", reason)
    add(stopped, "Einddatum", end)
    add(stopped, "StatusAanlevering", FIRST_DELIVERY)
    return xml.serialize(root)


def cents(amount: Decimal) -> int:
    """Euro to whole eurocents (``LDT_Bedrag``)."""
    return int((amount * 100).to_integral_value())


def declaratie(
    toewijzing: Toewijzing,
    product: Product,
    *,
    identification: str,
    today: date,
    number: str,
    reference: str,
    product_code: str,
    period: tuple[date, date],
    amount: int,
    schemas: Schemas,
) -> bytes:
    """A 323 with one line: ``product`` delivered over ``period``, outputgericht (Eenheid 83:
    the volume is the amount in eurocents at a tariff of one cent), ``amount`` eurocents
    claimed. ``number`` is the DeclaratieNummer, ``reference`` the line's ProductReferentie,
    ``product_code`` its ProductCode (required, also when the toewijzing named only the
    category)."""
    root = _start(toewijzing, "323", identification=identification, today=today, schemas=schemas)
    declaration = add(root, "Declaratie")
    add(declaration, "DeclaratieNummer", number)
    _period(declaration, "DeclaratiePeriode", period)
    add(declaration, "DeclaratieDagtekening", today)
    total = add(declaration, "TotaalIngediendBedrag")
    _part(total, "TotaalBedrag", amount)
    _part(total, "DebetCredit", DEBIT)
    client = add(add(declaration, "Clienten"), "Client")
    add(client, "Bsn", toewijzing.bsn)
    line = add(add(client, "Prestaties"), "Prestatie")
    _part(add(line, "ProductReferentie"), "ReferentieNummer", reference)
    add(line, "ToewijzingNummer", product.number)
    add(line, "ProductCategorie", product.category)
    add(line, "ProductCode", product_code)
    _period(line, "ProductPeriode", period)
    add(line, "GeleverdVolume", amount)
    add(line, "Eenheid", codes.EENHEID_EURO)
    add(line, "ProductTarief", 1)
    claimed = add(line, "IngediendBedrag")
    _part(claimed, "Bedrag", amount)
    _part(claimed, "DebetCredit", DEBIT)
    return xml.serialize(root)


def _period(parent: Element, name: str, period: tuple[date, date]) -> None:
    element = add(parent, name)
    _part(element, "Begindatum", period[0])
    _part(element, "Einddatum", period[1])
