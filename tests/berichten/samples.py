"""Messages as a provider's client system would send them, built for tests with the exchange's
own element helpers: a start of care (305) and the 302 answering one of our 301s."""

from __future__ import annotations

from datetime import date

from models import Domain, Message
from workflows.berichten import codes
from workflows.berichten.outgoing import header, retour_root
from workflows.berichten.schemas import NO_SCHEMAS, Schemas
from workflows.berichten.store import PartError
from workflows.berichten.xml import add, message_root, read, serialize


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
__all__ = ["PRODUCT", "CLIENT", "answer", "start_of_care", "codes"]
