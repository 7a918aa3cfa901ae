"""Shared steps of the request tests (315/317/319/320): a municipality whose catalogue uses
product codes (at most five characters), receiving, and checking what went out."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Domain, Message, MessageDirection, Provider, Verzoek
from tests.factories import TODAY, World
from workflows.berichten import codes
from workflows.berichten.incoming import receive
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import retour_of
from workflows.berichten.xml import read, text_of

PRODUCT_CODES = {"hh": "WHH", "bg": "WBG", "amb": "AMB"}


def with_product_codes(session: Session, world: World) -> World:
    world.hh.code, world.bg.code, world.amb.code = PRODUCT_CODES.values()
    session.flush()
    return world


def receive_ok(
    session: Session, provider: Provider, body: bytes, schemas: Schemas, today=TODAY
) -> tuple[Message, Message | None]:
    message = receive(session, provider, body, today, schemas)
    return message, retour_of(message)


def valid(schemas: Schemas, message: Message) -> None:
    """The message meets its schema; a Wmo retour (no schema in the set) is checked as its
    Jeugd twin, after its own namespace was checked."""
    root = etree.fromstring(message.body)
    domain, kind = message.domain, message.kind
    assert etree.QName(root).namespace == codes.namespace(domain, kind)
    if not schemas.available(domain, kind):
        assert domain == Domain.WMO
        root = jeugd_twin(root, kind)
        domain = Domain.JEUGD
    assert schemas.available(domain, kind)
    problems = schemas.errors(domain, kind, root)
    assert problems == [], problems


def jeugd_twin(root: etree._Element, kind: str) -> etree._Element:
    """A Wmo message rewritten into the iJw namespaces, BerichtCode, XSD versions and a Jeugd
    product category: the structure is the same, the code lists differ."""
    twin = etree.fromstring(etree.tostring(root))
    spaces = {
        codes.namespace(Domain.WMO, kind): codes.namespace(Domain.JEUGD, kind),
        codes.basis_namespace(Domain.WMO): codes.basis_namespace(Domain.JEUGD),
    }
    for element in twin.iter():
        name = etree.QName(element)
        if name.namespace in spaces:
            element.tag = f"{{{spaces[name.namespace]}}}{name.localname}"
    etree.cleanup_namespaces(twin)
    basis, message = codes.XSD_VERSIONS[Domain.JEUGD]
    for element in twin.iter():
        local = etree.QName(element).localname
        if local == "BerichtCode":
            element.text = codes.BERICHT_CODES[(Domain.JEUGD, kind)]
        elif local == "BasisschemaXsdVersie":
            element.text = basis
        elif local == "BerichtXsdVersie":
            element.text = message
        elif local == "Categorie":
            element.text = "45"  # the Wmo categories are not in the iJw list
    return twin


def retour_codes(message: Message, part: str) -> list[str]:
    """The RetourCodes of ``part`` (a path of local names) in a stored retour."""
    root = read(message.body).root
    found = root.find("/".join(f"{{*}}{step}" for step in [*part.split("/"), "RetourCodes"]))
    assert found is not None, part
    return [(c.text or "") for c in found]


def outgoing_of_kind(session: Session, provider: Provider, kind: str) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.provider_id == provider.id,
                Message.direction == MessageDirection.UIT,
                Message.kind == kind,
            )
            .order_by(Message.id)
        )
    )


def answer_of(message: Message) -> tuple[str | None, str | None, str | None]:
    """A 319's (ReferentieAanbieder, VerzoekAntwoord, RedenAfwijzingVerzoek)."""
    root = read(message.body).root
    return (
        text_of(root, "Antwoord/ReferentieAanbieder"),
        text_of(root, "Antwoord/VerzoekAntwoord"),
        text_of(root, "Antwoord/RedenAfwijzingVerzoek"),
    )


def verzoeken(session: Session) -> list[Verzoek]:
    return list(session.scalars(select(Verzoek).order_by(Verzoek.id)))
