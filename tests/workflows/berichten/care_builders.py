"""Incoming 305, 307 and 323 messages as a provider's client system sends them, for the tests of
``workflows.berichten.care`` and ``workflows.berichten.claims``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import Domain
from workflows.berichten.outgoing import header
from workflows.berichten.schemas import NO_SCHEMAS
from workflows.berichten.xml import Element, add, message_root, serialize

MUNICIPALITY = "0303"


def _header(root: Element, domain: Domain, kind: str, agb: str, ident: str, dated: date) -> None:
    header(
        root,
        domain,
        kind,
        sender=agb,
        receiver=MUNICIPALITY,
        identification=ident,
        dated_on=dated,
        schemas=NO_SCHEMAS,
    )


@dataclass
class Care:
    """One StartProduct (``end``/``reason`` None) or StopProduct."""

    number: int | str | None
    begin: date
    category: str | None = None
    code: str | None = None
    assigned_from: date | None = None
    end: date | None = None
    reason: str | None = None
    status: str = "1"


def care_message(
    kind: str,
    domain: Domain,
    *,
    agb: str,
    ident: str,
    dated: date,
    bsn: str,
    products: list[Care],
) -> bytes:
    """A 305 (start) or 307 (stop) of one client."""
    root = message_root(domain, kind)
    _header(root, domain, kind, agb, ident, dated)
    client = add(root, "Client")
    add(client, "Bsn", bsn)
    born = add(client, "Geboortedatum")
    add(born, "Datum", date(1950, 5, 5), basis=True)
    add(client, "Geslacht", "0")
    name = add(client, "Naam")
    family = add(name, "Geslachtsnaam", basis=True)
    add(family, "Achternaam", "Vries", basis=True)
    stop = kind == "307"
    group = add(client, "StopProducten" if stop else "StartProducten")
    for item in products:
        product = add(group, "StopProduct" if stop else "StartProduct")
        if item.number is not None:
            add(product, "ToewijzingNummer", item.number)
        if item.category is not None:
            named = add(product, "Product")
            add(named, "Categorie", item.category, basis=True)
            if item.code is not None:
                add(named, "Code", item.code, basis=True)
        if item.assigned_from is not None:
            add(product, "ToewijzingIngangsdatum", item.assigned_from)
        add(product, "Begindatum", item.begin)
        if stop:
            add(product, "RedenBeeindiging", item.reason or "")
            add(product, "Einddatum", item.end or item.begin)
        add(product, "StatusAanlevering", item.status)
    return serialize(root)


@dataclass
class Prestatie:
    reference: str
    number: int | str
    category: str
    code: str
    start: date
    end: date
    amount: int  # cents
    unit: str = "83"
    volume: int | None = None  # default: the amount
    rate: int | None = None
    credit: bool = False
    previous: str | None = None
    bsn: str | None = None  # default: the declaration's client


def declaration(
    domain: Domain,
    *,
    agb: str,
    ident: str,
    dated: date,
    number: str,
    period: tuple[date, date],
    bsn: str,
    lines: list[Prestatie],
    total: int | None = None,
) -> bytes:
    """A 323: the lines grouped per client in the order they first appear."""
    root = message_root(domain, "323")
    _header(root, domain, "323", agb, ident, dated)
    body = add(root, "Declaratie")
    add(body, "DeclaratieNummer", number)
    span = add(body, "DeclaratiePeriode")
    add(span, "Begindatum", period[0], basis=True)
    add(span, "Einddatum", period[1], basis=True)
    add(body, "DeclaratieDagtekening", dated)
    signed = sum(-p.amount if p.credit else p.amount for p in lines) if total is None else total
    amount = add(body, "TotaalIngediendBedrag")
    add(amount, "TotaalBedrag", abs(signed), basis=True)
    add(amount, "DebetCredit", "C" if signed < 0 else "D", basis=True)
    clients = add(body, "Clienten")
    by_client: dict[str, list[Prestatie]] = {}
    for line in lines:
        by_client.setdefault(line.bsn or bsn, []).append(line)
    for client_bsn, client_lines in by_client.items():
        client = add(clients, "Client")
        add(client, "Bsn", client_bsn)
        prestaties = add(client, "Prestaties")
        for line in client_lines:
            prestatie = add(prestaties, "Prestatie")
            reference = add(prestatie, "ProductReferentie")
            add(reference, "ReferentieNummer", line.reference, basis=True)
            if line.previous is not None:
                add(reference, "VorigReferentieNummer", line.previous, basis=True)
            add(prestatie, "ToewijzingNummer", line.number)
            add(prestatie, "ProductCategorie", line.category)
            add(prestatie, "ProductCode", line.code)
            span = add(prestatie, "ProductPeriode")
            add(span, "Begindatum", line.start, basis=True)
            add(span, "Einddatum", line.end, basis=True)
            add(prestatie, "GeleverdVolume", line.amount if line.volume is None else line.volume)
            add(prestatie, "Eenheid", line.unit)
            if line.rate is not None:
                add(prestatie, "ProductTarief", line.rate)
            paid = add(prestatie, "IngediendBedrag")
            add(paid, "Bedrag", line.amount, basis=True)
            add(paid, "DebetCredit", "C" if line.credit else "D", basis=True)
    return serialize(root)
