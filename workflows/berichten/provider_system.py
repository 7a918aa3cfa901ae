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
    client: etree._Element  # the Client element, to copy the client's details from
    products: tuple[Product, ...]
    body: bytes


def _child(parent: etree._Element, *path: str) -> etree._Element | None:
    return parent.find("/".join(f"{{*}}{step}" for step in path))


def _text(parent: etree._Element, *path: str) -> str | None:
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


class _Writer:
    """Builds one message (``xml.message_root``/``xml.add``); the parts of a composite data type
    (CDT_…) live in the Basisschema's namespace (``part``)."""

    def __init__(self, domain: Domain, kind: str) -> None:
        self.domain = domain
        self.kind = kind
        self.namespace = codes.namespace(domain, kind)
        self.basis = codes.basis_namespace(domain)
        self.root = xml.message_root(domain, kind)

    @staticmethod
    def element(parent: etree._Element, name: str, text: str | int | date | None = None) -> etree._Element:
        return xml.add(parent, name, text)

    @staticmethod
    def part(parent: etree._Element, name: str, text: str | int | date | None = None) -> etree._Element:
        """A part of a composite data type."""
        return xml.add(parent, name, text, basis=True)

    def header(self, *, sender: str, receiver: str, identification: str, today: date) -> None:
        header = self.element(self.root, "Header")
        self.element(header, "BerichtCode", codes.BERICHT_CODES[(self.domain, self.kind)])
        self.element(header, "BerichtVersie", codes.BERICHT_VERSIE)
        self.element(header, "BerichtSubversie", codes.BERICHT_SUBVERSIE)
        self.element(header, "Afzender", sender)
        self.element(header, "Ontvanger", receiver)
        dated = self.element(header, "BerichtIdentificatie")
        self.part(dated, "Identificatie", identification)
        self.part(dated, "Dagtekening", today)
        self.xsd_version(header, "XsdVersie")

    def xsd_version(self, parent: etree._Element, name: str) -> None:
        basis, message = codes.XSD_VERSIONS[self.domain]
        version = self.element(parent, name)
        self.part(version, "BasisschemaXsdVersie", basis)
        self.part(version, "BerichtXsdVersie", message)

    def copy(self, parent: etree._Element, source: etree._Element, names: Iterable[str]) -> None:
        """Copy the children called ``names`` of ``source`` (deep), in the order given; absent
        ones are skipped."""
        for name in names:
            found = _child(source, name)
            if found is not None:
                parent.append(self.renamed(found))

    def renamed(self, source: etree._Element) -> etree._Element:
        """A deep copy of ``source`` from another message: its message-namespace elements move
        to this message's namespace, the Basisschema parts stay where they are."""
        qname = etree.QName(source)
        namespace = self.basis if qname.namespace == self.basis else self.namespace
        made = etree.Element(f"{{{namespace}}}{qname.localname}")
        made.text = source.text
        for child in source:
            if isinstance(child.tag, str):
                made.append(self.renamed(child))
        return made

    def product(self, parent: etree._Element, product: Product) -> None:
        element = self.element(parent, "Product")
        self.part(element, "Categorie", product.category)
        if product.code is not None:
            self.part(element, "Code", product.code)

    def bytes(self) -> bytes:
        return xml.serialize(self.root)


def _short_name(writer: _Writer, parent: etree._Element, client: etree._Element) -> None:
    """CDT_VerkorteNaam from the 301's CDT_VolledigeNaam."""
    name = writer.element(parent, "Naam")
    source = _child(client, "Naam")
    assert source is not None
    writer.copy(name, source, ("Geslachtsnaam", "Voornamen", "Voorletters"))


def _client(writer: _Writer, toewijzing: Toewijzing) -> etree._Element:
    client = writer.element(writer.root, "Client")
    writer.copy(client, toewijzing.client, ("Bsn", "Geboortedatum", "Geslacht"))
    _short_name(writer, client, toewijzing.client)
    return client


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
    toewijzing: Toewijzing, product: Product, *, identification: str, today: date, begin: date
) -> bytes:
    """A 305: delivery of ``product`` started on ``begin``."""
    writer = _Writer(toewijzing.domain, "305")
    writer.header(
        sender=toewijzing.agb_code,
        receiver=toewijzing.municipality,
        identification=identification,
        today=today,
    )
    client = _client(writer, toewijzing)
    started = writer.element(writer.element(client, "StartProducten"), "StartProduct")
    writer.element(started, "ToewijzingNummer", product.number)
    writer.product(started, product)
    writer.element(started, "ToewijzingIngangsdatum", product.start)
    writer.element(started, "Begindatum", begin)
    writer.element(started, "StatusAanlevering", FIRST_DELIVERY)
    return writer.bytes()


def stop_zorg(
    toewijzing: Toewijzing,
    product: Product,
    *,
    identification: str,
    today: date,
    begin: date,
    end: date,
    reason: str,
) -> bytes:
    """A 307: delivery of ``product`` (started on ``begin``) ended on ``end`` for ``reason``
    (RedenBeeindiging, the domain's code list)."""
    writer = _Writer(toewijzing.domain, "307")
    writer.header(
        sender=toewijzing.agb_code,
        receiver=toewijzing.municipality,
        identification=identification,
        today=today,
    )
    client = _client(writer, toewijzing)
    stopped = writer.element(writer.element(client, "StopProducten"), "StopProduct")
    writer.element(stopped, "ToewijzingNummer", product.number)
    writer.product(stopped, product)
    writer.element(stopped, "ToewijzingIngangsdatum", product.start)
    writer.element(stopped, "Begindatum", begin)
    writer.element(stopped, "RedenBeeindiging", reason)
    writer.element(stopped, "Einddatum", end)
    writer.element(stopped, "StatusAanlevering", FIRST_DELIVERY)
    return writer.bytes()


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
    period: tuple[date, date],
    amount: int,
) -> bytes:
    """A 323 with one line: ``product`` delivered over ``period``, outputgericht (Eenheid 83:
    the volume is the amount in eurocents at a tariff of one cent), ``amount`` eurocents claimed.
    ``number`` is the DeclaratieNummer, ``reference`` the line's ProductReferentie."""
    writer = _Writer(toewijzing.domain, "323")
    writer.header(
        sender=toewijzing.agb_code,
        receiver=toewijzing.municipality,
        identification=identification,
        today=today,
    )
    declaration = writer.element(writer.root, "Declaratie")
    writer.element(declaration, "DeclaratieNummer", number)
    _period(writer, declaration, "DeclaratiePeriode", period)
    writer.element(declaration, "DeclaratieDagtekening", today)
    total = writer.element(declaration, "TotaalIngediendBedrag")
    writer.part(total, "TotaalBedrag", amount)
    writer.part(total, "DebetCredit", DEBIT)
    client = writer.element(writer.element(declaration, "Clienten"), "Client")
    writer.element(client, "Bsn", toewijzing.bsn)
    line = writer.element(writer.element(client, "Prestaties"), "Prestatie")
    writer.part(writer.element(line, "ProductReferentie"), "ReferentieNummer", reference)
    writer.element(line, "ToewijzingNummer", product.number)
    writer.element(line, "ProductCategorie", product.category)
    writer.element(line, "ProductCode", product.code or product.category)
    _period(writer, line, "ProductPeriode", period)
    writer.element(line, "GeleverdVolume", amount)
    writer.element(line, "Eenheid", codes.EENHEID_EURO)
    writer.element(line, "ProductTarief", 1)
    claimed = writer.element(line, "IngediendBedrag")
    writer.part(claimed, "Bedrag", amount)
    writer.part(claimed, "DebetCredit", DEBIT)
    return writer.bytes()


def _period(writer: _Writer, parent: etree._Element, name: str, period: tuple[date, date]) -> None:
    element = writer.element(parent, name)
    writer.part(element, "Begindatum", period[0])
    writer.part(element, "Einddatum", period[1])
