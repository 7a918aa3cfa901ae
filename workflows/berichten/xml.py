"""Reading and writing message XML safely.

Reading (``read``) refuses what could hurt before it looks at content: a body over
``MAX_MESSAGE_BYTES`` is refused unparsed, a document type declaration (DOCTYPE, hence every
entity, internal or external) is refused outright, and the parser itself resolves no entities,
loads no DTD, reads nothing from the network and keeps libxml2's limits on huge documents. Then
the header must say what the message is: its namespace names a known kind and domain, and its
BerichtCode agrees. Anything else raises ``Unreadable`` with a Dutch message for the transport.

Writing: ``message_root`` and ``add`` build elements in the message's namespace (``basis=True``:
the Basisschema's, for the parts of composite data types), ``serialize`` gives the bytes.
``part_of``/``find_part`` name a part of a message (``Client/StartProducten/StartProduct[2]``)
so an error can be stored and put back on the right element of a retour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from lxml import etree

from models import Domain

from ..errors import N_, DomainError
from . import codes

MAX_MESSAGE_BYTES = 5 * 1024 * 1024

Element = etree._Element


class Unreadable(DomainError):
    """The body is not a message this exchange can read (too large, not XML, a DOCTYPE, an
    unknown kind or a header without the facts every message carries). Nothing is stored."""


@dataclass(frozen=True)
class Incoming:
    """A read message: its parsed root and the header facts.

    A retour (302, 320) repeats the header of the message it answers, so its Afzender is the
    municipality and its Ontvanger the provider, and its own identification is the
    IdentificatieRetour (DagtekeningRetour); ``answers_identification`` is then the
    identification of the message it answers. ``provider_code``/``municipality_code`` read the
    right one of Afzender and Ontvanger for either.
    """

    root: Element
    domain: Domain
    kind: str
    code: str  # BerichtCode
    sender: str  # Afzender
    receiver: str  # Ontvanger
    identification: str  # this message's own identification (see above)
    dated_on: date  # and its date (Dagtekening, or DagtekeningRetour)
    answers_identification: str | None = None  # a retour: the answered message's

    @property
    def namespace(self) -> str:
        return codes.namespace(self.domain, self.kind)

    @property
    def is_retour(self) -> bool:
        return self.kind in codes.RETOUR_KINDS

    @property
    def provider_code(self) -> str:
        """The provider's AGB code as the message states it."""
        return self.receiver if self.is_retour else self.sender

    @property
    def municipality_code(self) -> str:
        return self.sender if self.is_retour else self.receiver

    @property
    def header(self) -> Element:
        found = self.root.find(f"{{{self.namespace}}}Header")
        assert found is not None  # ``read`` checked it
        return found


def secure_parser() -> etree.XMLParser:
    """A parser that resolves no entities, loads no DTD, never touches the network and keeps
    libxml2's size limits (no ``huge_tree``)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def read_limited(stream: BinaryIO, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    """Read a transport's body, at most ``limit`` bytes: one byte more means too large, and the
    rest is never read."""
    body = stream.read(limit + 1)
    check_size(body, limit)
    return body


def check_size(body: bytes, limit: int = MAX_MESSAGE_BYTES) -> None:
    if len(body) > limit:
        raise Unreadable(
            N_("Het bericht is groter dan %(mb)s MB en is niet gelezen."), mb=limit // (1024 * 1024)
        )


def parse(body: bytes) -> Element:
    """The root of a well-formed document without a DOCTYPE, or ``Unreadable``."""
    check_size(body)
    if _DOCTYPE.search(body):
        raise Unreadable(N_("Een bericht mag geen DOCTYPE of entiteiten bevatten."))
    try:
        root = etree.fromstring(body, parser=secure_parser())
    except etree.XMLSyntaxError:
        raise Unreadable(N_("Het bericht is geen leesbare XML.")) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise Unreadable(N_("Een bericht mag geen DOCTYPE of entiteiten bevatten."))
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise Unreadable(N_("Een bericht mag geen DOCTYPE of entiteiten bevatten."))
    return root


def local_name(element: Element) -> str:
    return etree.QName(element).localname


def text_of(parent: Element, path: str) -> str | None:
    """The stripped text at ``path`` (local names separated by ``/``, any namespace)."""
    found = parent.find("/".join(f"{{*}}{step}" for step in path.split("/")))
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


def parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def read(body: bytes) -> Incoming:
    """Parse ``body`` safely and read its header (see the module's docstring)."""
    root = parse(body)
    tag = etree.QName(root)
    found = KIND_OF_NAMESPACE.get(tag.namespace or "")
    if tag.localname != "Bericht" or found is None:
        raise Unreadable(N_("Dit is geen iWmo- of iJw-bericht van release 3.2."))
    domain, kind = found
    header = root.find(f"{{{tag.namespace}}}Header")
    if header is None:
        raise Unreadable(N_("Het bericht heeft geen header."))
    code = text_of(header, "BerichtCode")
    if code != codes.BERICHT_CODES[(domain, kind)]:
        raise Unreadable(
            N_("De berichtcode %(code)s past niet bij het bericht."), code=code or "(leeg)"
        )
    sender = text_of(header, "Afzender")
    receiver = text_of(header, "Ontvanger")
    identification = text_of(header, "BerichtIdentificatie/Identificatie")
    dated_on = parse_date(text_of(header, "BerichtIdentificatie/Dagtekening"))
    answers: str | None = None
    if kind in codes.RETOUR_KINDS:
        answers = identification
        identification = text_of(header, "IdentificatieRetour")
        dated_on = parse_date(text_of(header, "DagtekeningRetour"))
    if not sender or not receiver or not identification or dated_on is None:
        raise Unreadable(
            N_("De header mist de afzender, de ontvanger, de identificatie of de dagtekening.")
        )
    if len(identification) > 12:
        raise Unreadable(N_("De identificatie van het bericht is langer dan 12 tekens."))
    return Incoming(
        root=root,
        domain=domain,
        kind=kind,
        code=code,
        sender=sender,
        receiver=receiver,
        identification=identification,
        dated_on=dated_on,
        answers_identification=answers,
    )


KIND_OF_NAMESPACE = codes.KIND_OF_NAMESPACE


# --- writing ---------------------------------------------------------------------------------


def message_root(domain: Domain, kind: str) -> Element:
    """An empty ``Bericht`` of ``kind`` with the customary prefixes."""
    return etree.Element(
        f"{{{codes.namespace(domain, kind)}}}Bericht",
        nsmap={
            codes.prefix(domain, kind): codes.namespace(domain, kind),
            codes.prefix(domain): codes.basis_namespace(domain),
        },
    )


def add(
    parent: Element, name: str, text: str | int | date | None = None, *, basis: bool = False
) -> Element:
    """A child ``name`` of ``parent`` in the parent's message namespace, or in the Basisschema's
    (``basis``: the parts of a composite data type such as Naam or Adres)."""
    qname = etree.QName(parent)
    namespace = qname.namespace or ""
    if basis:
        domain, _kind = KIND_OF_NAMESPACE.get(namespace, (None, None))
        if domain is not None:
            namespace = codes.basis_namespace(domain)
    child = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        child.text = text.isoformat() if isinstance(text, date) else str(text)
    return child


def serialize(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def part_of(element: Element) -> str:
    """A part's path from the root: local names, with a position where siblings share one."""
    steps: list[str] = []
    current: Element | None = element
    while current is not None and current.getparent() is not None:
        parent = current.getparent()
        assert parent is not None
        name = local_name(current)
        same = [c for c in parent if isinstance(c.tag, str) and local_name(c) == name]
        steps.append(f"{name}[{same.index(current) + 1}]" if len(same) > 1 else name)
        current = parent
    return "/".join(reversed(steps))


_STEP = re.compile(r"^(\w+)(?:\[(\d+)\])?$")


def find_part(root: Element, part: str) -> Element | None:
    """The element ``part_of`` named, or None."""
    current = root
    for step in part.split("/") if part else []:
        match = _STEP.match(step)
        if match is None:
            return None
        name, position = match.group(1), int(match.group(2) or 1)
        same = [c for c in current if isinstance(c.tag, str) and local_name(c) == name]
        if len(same) < position:
            return None
        current = same[position - 1]
    return current
