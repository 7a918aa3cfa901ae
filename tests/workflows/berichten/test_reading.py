"""Reading a message refuses what could hurt, before looking at what it says."""

from __future__ import annotations

import io
from datetime import date

import pytest
from lxml import etree

from models import Domain
from tests.berichten.samples import start_of_care
from workflows.berichten import xml
from workflows.berichten.xml import MAX_MESSAGE_BYTES, Unreadable, read, read_limited

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Bericht [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo305/schema"><Header>&xxe;</Header></Bericht>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo305/schema">&lol9;</Bericht>
"""


def test_a_well_formed_305_is_read_with_its_header() -> None:
    parsed = read(start_of_care(identification="ABC", dated_on=date(2026, 11, 1)))
    assert (parsed.domain, parsed.kind, parsed.code) == (Domain.WMO, "305", "418")
    assert (parsed.sender, parsed.receiver) == ("12345678", "0303")
    assert (parsed.identification, parsed.dated_on) == ("ABC", date(2026, 11, 1))
    assert parsed.provider_code == "12345678" and parsed.municipality_code == "0303"


@pytest.mark.parametrize("body", [XXE, LAUGHS], ids=["external entity", "billion laughs"])
def test_a_doctype_or_entity_is_refused_unexpanded(body: bytes) -> None:
    with pytest.raises(Unreadable, match="DOCTYPE"):
        read(body)


def test_the_parser_itself_expands_nothing_and_reads_no_file() -> None:
    """Even without the DOCTYPE refusal in front of it, the parser keeps the entity unresolved:
    /etc/passwd never enters the document."""
    root = etree.fromstring(XXE, parser=xml.secure_parser())
    assert b"root:" not in etree.tostring(root)


def test_a_doctype_hidden_in_another_encoding_is_refused_too() -> None:
    with pytest.raises(Unreadable):
        read(
            XXE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
            .decode()
            .encode("utf-16")
        )


def test_a_body_over_the_limit_is_refused_before_parsing() -> None:
    body = b"<" + b"a" * (50 * 1024 * 1024)  # 50 MB, made once
    with pytest.raises(Unreadable, match="groter dan 5 MB"):
        read(body)
    with pytest.raises(Unreadable, match="groter dan 5 MB"):
        read_limited(io.BytesIO(body))


def test_a_stream_is_read_no_further_than_the_limit() -> None:
    stream = io.BytesIO(b"x" * (MAX_MESSAGE_BYTES + 10))
    with pytest.raises(Unreadable):
        read_limited(stream)
    assert stream.tell() == MAX_MESSAGE_BYTES + 1


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml at all", b'{"json": true}', b"<Bericht><unclosed></Bericht>", b"\xff\xfe\x00"],
)
def test_what_is_not_xml_is_refused(body: bytes) -> None:
    with pytest.raises(Unreadable):
        read(body)


def test_a_document_of_another_namespace_is_refused() -> None:
    with pytest.raises(Unreadable, match="geen iWmo- of iJw-bericht"):
        read(b"<Bericht xmlns='urn:other'><Header/></Bericht>")


def test_a_berichtcode_that_does_not_fit_the_message_is_refused() -> None:
    with pytest.raises(Unreadable, match="berichtcode 999"):
        read(start_of_care(code="999"))
    with pytest.raises(Unreadable, match="berichtcode 438"):
        read(start_of_care(code="438"))  # the Jeugd code in a Wmo 305


def test_a_header_without_its_facts_is_refused() -> None:
    body = start_of_care().replace(b"<wmo305:Afzender>12345678</wmo305:Afzender>", b"")
    with pytest.raises(Unreadable, match="mist de afzender"):
        read(body)


def test_a_part_is_named_and_found_again() -> None:
    root = read(start_of_care()).root
    product = root.find("{*}Client/{*}StartProducten/{*}StartProduct")
    assert product is not None
    part = xml.part_of(product)
    assert part == "Client/StartProducten/StartProduct"
    assert xml.find_part(root, part) is product
    assert xml.find_part(root, "Client/Nothing") is None
