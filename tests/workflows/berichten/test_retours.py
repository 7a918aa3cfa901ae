"""The generic retour: every request kind's retour meets its schema, with and without errors,
and puts each code on the part it belongs to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from models import Domain
from tests.berichten.samples import end_of_care, request_for_care, request_for_change, start_of_care
from workflows.berichten import codes
from workflows.berichten.outgoing import retour_root
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import PartError
from workflows.berichten.xml import find_part, read, serialize, text_of

SAMPLES: dict[str, tuple[Callable[..., bytes], str]] = {
    "305": (start_of_care, "Client/StartProducten/StartProduct"),
    "307": (end_of_care, "Client/StopProducten/StopProduct"),
    "315": (request_for_care, "Client/AangevraagdeProducten/AangevraagdProduct"),
    "317": (request_for_change, "Client/Verzoek/TeWijzigenProducten/TeWijzigenProduct"),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("domain", [Domain.JEUGD, Domain.WMO])
def test_the_samples_meet_their_schemas(schemas: Schemas, kind: str, domain: Domain) -> None:
    make, _part = SAMPLES[kind]
    overrides = {"category": "02"} if kind == "315" and domain == Domain.WMO else {}
    parsed = read(make(domain=domain, **overrides))
    assert schemas.errors(domain, kind, parsed.root) == []


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_retour_without_errors_meets_its_schema_with_0200_on_every_part(
    schemas: Schemas, kind: str
) -> None:
    make, part = SAMPLES[kind]
    parsed = read(make(domain=Domain.JEUGD))
    retour_kind = codes.RETOUR_OF[kind]
    root = retour_root(parsed, [], identification="RET1", today=date(2026, 11, 2), schemas=schemas)
    assert schemas.errors(Domain.JEUGD, retour_kind, root) == []
    assert text_of(root, "Header/BerichtCode") == codes.BERICHT_CODES[(Domain.JEUGD, retour_kind)]
    assert text_of(root, "Header/IdentificatieRetour") == "RET1"
    found = find_part(root, part)
    assert found is not None and text_of(found, "RetourCodes/RetourCode") == codes.ACCEPTED
    assert text_of(root, "Client/RetourCodes/RetourCode") == codes.ACCEPTED
    assert read(serialize(root)).kind == retour_kind


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_retour_with_an_error_on_a_part_marks_that_part_and_leaves_the_rest_unjudged(
    schemas: Schemas, kind: str
) -> None:
    make, part = SAMPLES[kind]
    parsed = read(make(domain=Domain.JEUGD))
    errors = [PartError(codes.NO_ASSIGNMENT, part + "/ToewijzingNummer" if kind != "315" else part)]
    root = retour_root(
        parsed, errors, identification="RET2", today=date(2026, 11, 2), schemas=schemas
    )
    assert schemas.errors(Domain.JEUGD, codes.RETOUR_OF[kind], root) == []
    found = find_part(root, part)
    assert found is not None and text_of(found, "RetourCodes/RetourCode") == codes.NO_ASSIGNMENT
    assert text_of(root, "Client/RetourCodes/RetourCode") == codes.NOT_JUDGED


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_a_header_refusal_is_a_retour_with_only_the_header(schemas: Schemas, kind: str) -> None:
    make, _part = SAMPLES[kind]
    parsed = read(make(domain=Domain.JEUGD))
    errors = [PartError(codes.FUTURE_DATE, "Header")]
    root = retour_root(
        parsed, errors, identification="RET3", today=date(2026, 11, 2), schemas=schemas
    )
    assert schemas.errors(Domain.JEUGD, codes.RETOUR_OF[kind], root) == []
    assert root.find("{*}Client") is None
    found = [c.text for c in root.iterfind("{*}Header/{*}RetourCodes/{*}RetourCode")]
    assert found == [codes.TECHNICAL, codes.FUTURE_DATE]


def test_a_wmo_retour_takes_the_iwmo_namespace_and_its_code() -> None:
    parsed = read(end_of_care(domain=Domain.WMO))
    root = retour_root(
        parsed, [], identification="RET4", today=date(2026, 11, 2), schemas=Schemas(None)
    )
    assert root.tag == "{http://www.istandaarden.nl/iwmo/3_2/wmo308/schema}Bericht"
    assert text_of(root, "Header/BerichtCode") == "421"
