"""Incoming 315 / 317 / 320 messages for the tests, built as a provider's system would send them
(valid against the XSDs of the iStandaarden 3.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

from models import Domain
from workflows.berichten import codes
from workflows.berichten.xml import Element, add, message_root, serialize

MUNICIPALITY = "0303"


def _header(
    root: Element, domain: Domain, kind: str, agb: str, identification: str, dated_on: date
) -> Element:
    header = add(root, "Header")
    add(header, "BerichtCode", codes.BERICHT_CODES[(domain, kind)])
    add(header, "BerichtVersie", codes.BERICHT_VERSIE)
    add(header, "BerichtSubversie", codes.BERICHT_SUBVERSIE)
    add(header, "Afzender", agb)
    add(header, "Ontvanger", MUNICIPALITY)
    ident = add(header, "BerichtIdentificatie")
    add(ident, "Identificatie", identification, basis=True)
    add(ident, "Dagtekening", dated_on, basis=True)
    _versions(add(header, "XsdVersie"), domain)
    return header


def _versions(parent: Element, domain: Domain) -> None:
    basis, message = codes.XSD_VERSIONS[domain]
    add(parent, "BasisschemaXsdVersie", basis, basis=True)
    add(parent, "BerichtXsdVersie", message, basis=True)


def _omvang(parent: Element, euros: int | None) -> None:
    if euros is None:
        return
    omvang = add(parent, "Omvang")
    add(omvang, "Volume", euros * 100, basis=True)
    add(omvang, "Eenheid", "83", basis=True)
    add(omvang, "Frequentie", "6", basis=True)


def _product(parent: Element, category: str | None, code: str | None) -> None:
    if category is None:
        return
    product = add(parent, "Product")
    add(product, "Categorie", category, basis=True)
    if code:
        add(product, "Code", code, basis=True)


@dataclass
class Product:
    """An AangevraagdProduct; the default asks Jeugdhulp ambulant (JZ-AMB would be no product
    code: the tests' catalogue uses short codes) for € 6.200 (middel from 2021)."""

    reference: str
    category: str | None = "45"
    code: str | None = "AMB"
    start: date = date(2026, 11, 16)
    end: date | None = None
    euros: int | None = 6200
    referrer_type: str = "02"
    referrer_name: str | None = "Huisarts Pietersen"


def message_315(
    domain: Domain,
    agb: str,
    *,
    products: list[Product],
    identification: str = "315-1",
    dated_on: date = date(2026, 11, 2),
    bsn: str = "123456782",
    birth_date: date = date(2012, 2, 29),
    family_name: str = "Jansen",
    prefix: str | None = None,
    given_names: str | None = "Bram",
) -> bytes:
    root = message_root(domain, "315")
    _header(root, domain, "315", agb, identification, dated_on)
    client = add(root, "Client")
    add(client, "Bsn", bsn)
    geboorte = add(client, "Geboortedatum")
    add(geboorte, "Datum", birth_date, basis=True)
    add(client, "Geslacht", "1")
    naam = add(client, "Naam")
    geslachtsnaam = add(naam, "Geslachtsnaam", basis=True)
    add(geslachtsnaam, "Achternaam", family_name, basis=True)
    if prefix:
        add(geslachtsnaam, "Voorvoegsel", prefix, basis=True)
    if given_names:
        add(naam, "Voornamen", given_names, basis=True)
    group = add(client, "AangevraagdeProducten")
    for p in products:
        item = add(group, "AangevraagdProduct")
        add(item, "ReferentieAanbieder", p.reference)
        _product(item, p.category, p.code)
        add(item, "ToewijzingIngangsdatum", p.start)
        if p.end:
            add(item, "ToewijzingEinddatum", p.end)
        _omvang(item, p.euros)
        verwijzer = add(item, "Verwijzer")
        add(verwijzer, "Type", p.referrer_type, basis=True)
        if p.referrer_name:
            add(verwijzer, "Naam", p.referrer_name, basis=True)
    return serialize(root)


@dataclass
class Change:
    """A TeWijzigenProduct."""

    number: int
    start: date = date(2026, 11, 16)
    end: date | None = None
    euros: int | None = None


@dataclass
class New:
    """A NieuwProduct."""

    category: str
    code: str
    start: date = date(2026, 11, 16)
    euros: int | None = None


def message_317(
    domain: Domain,
    agb: str,
    *,
    reference: str,
    identification: str = "317-1",
    dated_on: date = date(2026, 11, 2),
    bsn: str = "111222333",
    unchanged: tuple[int, ...] = (),
    changed: tuple[Change, ...] = (),
    new: tuple[New, ...] = (),
) -> bytes:
    root = message_root(domain, "317")
    _header(root, domain, "317", agb, identification, dated_on)
    client = add(root, "Client")
    add(client, "Bsn", bsn)
    verzoek = add(client, "Verzoek")
    add(verzoek, "ReferentieAanbieder", reference)
    add(verzoek, "RedenVerzoek", "1")
    if unchanged:
        group = add(verzoek, "OngewijzigdeProducten")
        for number in unchanged:
            add(add(group, "OngewijzigdProduct"), "ToewijzingNummer", number)
    if changed:
        group = add(verzoek, "TeWijzigenProducten")
        for c in changed:
            item = add(group, "TeWijzigenProduct")
            add(item, "ToewijzingNummer", c.number)
            add(item, "GewensteIngangsdatum", c.start)
            if c.end:
                add(item, "Einddatum", c.end)
            _omvang(item, c.euros)
    if new:
        group = add(verzoek, "NieuweProducten")
        for n in new:
            item = add(group, "NieuwProduct")
            _product(item, n.category, n.code)
            add(item, "GewensteIngangsdatum", n.start)
            _omvang(item, n.euros)
    return serialize(root)


def message_320(
    domain: Domain,
    answered: bytes,
    *,
    identification: str = "320-1",
    dated_on: date = date(2026, 11, 2),
    codes_: tuple[str, ...] = ("0200",),
) -> bytes:
    """The provider's retour of our 319 ``answered``: its header (naming our 319's
    identification) and Antwoord in the 320's namespace, the retour's own identification, and
    ``codes_`` on the Antwoord."""
    root = etree.fromstring(answered)
    old = etree.QName(root).namespace
    new = codes.namespace(domain, "320")
    for element in root.iter():
        if etree.QName(element).namespace == old:
            element.tag = f"{{{new}}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(root, top_nsmap={None: new})
    header = root.find(f"{{{new}}}Header")
    assert header is not None
    header[0].text = codes.BERICHT_CODES[(domain, "320")]
    position = list(header).index(header.find(f"{{{new}}}XsdVersie")) + 1
    made = [
        etree.Element(f"{{{new}}}{name}")
        for name in ("IdentificatieRetour", "DagtekeningRetour", "XsdVersieRetour")
    ]
    made[0].text = identification
    made[1].text = dated_on.isoformat()
    _versions(made[2], domain)
    for offset, element in enumerate(made):
        header.insert(position + offset, element)
    antwoord = root.find(f"{{{new}}}Antwoord")
    assert antwoord is not None
    retour = add(antwoord, "RetourCodes")
    for code in codes_:
        add(retour, "RetourCode", code)
    return serialize(root)
