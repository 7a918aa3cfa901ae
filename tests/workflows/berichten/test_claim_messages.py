"""Declarations by message (323 → 325), in both domains: R11 decides what may be claimed, one
claim per trajectory, every refusal names its code, and the 325 validates (JW325; the Wmo 325
against its twin in the iwmo namespaces)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Channel,
    Claim,
    ClaimState,
    ClosureCategory,
    Declaration,
    Domain,
    Intensity,
    MessageState,
    Trajectory,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.berichten import codes
from workflows.berichten.incoming import receive
from workflows.berichten.schemas import Schemas
from workflows.berichten.settings import SETTINGS_INFO, Settings
from workflows.berichten.store import errors_of, retour_of
from workflows.claims import ClaimPolicy, claimable_amount, decide_claim, submit_claim

from ...factories import TODAY, World, make_trajectory
from .care_builders import Prestatie, declaration
from .wmo_twins import twin_schemas

S = TrajectoryState


@pytest.fixture
def all_schemas(xsd_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Schemas:
    """The schemas with the Wmo retours' twins (``wmo_twins``); skipped without the folder."""
    return twin_schemas(xsd_dir, tmp_path_factory)


BOTH = pytest.mark.parametrize("domain", [Domain.WMO, Domain.JEUGD])


@pytest.fixture
def messaging(session: Session, world: World) -> World:
    for provider in (world.zorg_a, world.zorg_b):
        for contract in provider.contracts:
            contract.channel = Channel.BERICHTENVERKEER
    world.bg.code = "BG01"
    world.amb.code = "AMB1"
    session.flush()
    return world


def running(session: Session, world: World, domain: Domain) -> Trajectory:
    overrides: dict[str, object] = {}
    if domain == Domain.JEUGD:
        overrides = {
            "resident_id": world.child.id,
            "profile_id": world.amb.id,
            "intensity": Intensity.MIDDEL,
        }
    t = make_trajectory(session, world, S.ACTIEF, **overrides)
    session.flush()
    return t


PLAN = {Domain.WMO: "19", Domain.JEUGD: "31"}
EARLY = {Domain.WMO: "22", Domain.JEUGD: "33"}


def closed(
    session: Session, world: World, domain: Domain, *, ended: date, result: bool
) -> Trajectory:
    t = running(session, world, domain)
    wf.close(
        session,
        t,
        world.gids,
        care_end=ended,
        closure_category=ClosureCategory.A if result else ClosureCategory.D,
        end_reason_code=PLAN[domain] if result else EARLY[domain],
        result_achieved=result,
        today=ended,
    )
    session.flush()
    return t


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def line(t: Trajectory, amount: int, reference: str = "R1", **overrides: object) -> Prestatie:
    """A line for the whole toewijzing (planned start to planned end)."""
    values: dict[str, object] = {
        "reference": reference,
        "number": t.id,
        "category": t.profile.category_code,
        "code": t.profile.code,
        "start": t.planned_start,
        "end": min(t.planned_end, t.care_end or t.planned_end),
        "amount": amount,
    }
    values.update(overrides)
    return Prestatie(**values)  # type: ignore[arg-type]


def claim(
    session: Session,
    world: World,
    schemas: Schemas,
    t: Trajectory,
    lines: list[Prestatie],
    *,
    on: date,
    ident: str = "D1",
    number: str = "DEC1",
    provider=None,  # noqa: ANN001 - a Provider, Zorg A by default
    total: int | None = None,
):  # noqa: ANN201 - (message, answer)
    provider = provider or world.zorg_a
    body = declaration(
        t.domain,
        agb=provider.agb_code,
        ident=ident,
        dated=on,
        number=number,
        period=(t.planned_start - timedelta(days=40), on),
        bsn=t.resident.bsn,
        lines=lines,
        total=total,
    )
    message = receive(session, provider, body, on, schemas)
    session.flush()
    return message, retour_of(message)


def line_codes(answer: bytes) -> list[list[str]]:
    root = etree.fromstring(answer)
    return [
        [c.text or "" for c in p.findall("{*}RetourCodes/{*}RetourCode")]
        for p in root.iter("{*}Prestatie")
    ]


def answer_codes(answer: bytes) -> list[str]:
    root = etree.fromstring(answer)
    return [
        c.text or "" for c in root.findall("{*}DeclaratieAntwoord/{*}RetourCodes/{*}RetourCode")
    ]


def granted(answer: bytes) -> int:
    root = etree.fromstring(answer)
    found = root.find("{*}DeclaratieAntwoord/{*}TotaalToegekendBedrag/{*}TotaalBedrag")
    assert found is not None and found.text is not None
    return int(found.text)


def claims_of(session: Session, t: Trajectory) -> list[Claim]:
    return list(session.scalars(select(Claim).where(Claim.trajectory_id == t.id)))


# --- what may be claimed (R11) -------------------------------------------------------------------


@BOTH
def test_a_closed_trajectory_with_its_result_is_claimed_at_the_full_price(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, domain, ended=ended, result=True)
    message, answer = claim(session, messaging, all_schemas, t, [line(t, cents(t.price))],
                            on=ended)  # fmt: skip
    assert message.state == MessageState.VERWERKT and message.errors is None
    assert answer is not None and answer.kind == "325" and answer.trajectory_id == t.id
    assert line_codes(answer.body) == [["8001"]]
    assert answer_codes(answer.body) == ["8001"]
    assert granted(answer.body) == cents(t.price)
    [made] = claims_of(session, t)
    assert made.amount == t.price and made.state == ClaimState.INGEDIEND
    assert made.submitted_by.name == "Berichtenverkeer Zorg A"
    root = etree.fromstring(answer.body)
    assert etree.QName(root).namespace == codes.namespace(domain, "325")
    assert all_schemas.available(domain, "325") and all_schemas.errors(domain, "325", root) == []
    assert root.find("{*}Header/{*}DeclaratieIdentificatie") is not None


@BOTH
def test_an_early_end_without_the_result_is_claimed_pro_rata_and_no_more(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    ended = date(2027, 1, 8)
    t = closed(session, messaging, domain, ended=ended, result=False)
    allowed, _basis = claimable_amount(t)
    assert Decimal(0) < allowed < t.price
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, cents(allowed) + 1)], on=ended)
    assert answer is not None and line_codes(answer.body) == [["9321"]]
    assert granted(answer.body) == 0 and claims_of(session, t) == []
    again = [line(t, cents(allowed), "R2")]
    _m, answer = claim(session, messaging, all_schemas, t, again, on=ended, ident="D2", number="D2")
    assert answer is not None and line_codes(answer.body) == [["8001"]]
    [made] = claims_of(session, t)
    assert made.amount == allowed


@BOTH
def test_after_the_term_the_result_is_paid_at_the_price_and_nothing_extra(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = running(session, messaging, domain)
    late = t.planned_end + timedelta(days=30)
    wf.close(session, t, messaging.gids, care_end=late, closure_category=ClosureCategory.A,
             end_reason_code=PLAN[domain], result_achieved=True, today=late)  # fmt: skip
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, cents(t.price) + 100)],
                       on=late, ident="D1", number="DEC1")  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["9321"]]
    _m, answer = claim(session, messaging, all_schemas, t,
                       [line(t, cents(t.price), "R2", end=late)], on=late, ident="D2",
                       number="DEC2")  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["9308"]]  # past the toewijzing
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, cents(t.price), "R3")],
                       on=late, ident="D3", number="DEC3")  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["8001"]]
    assert [c.amount for c in claims_of(session, t)] == [t.price]


def test_less_than_allowed_is_kept_as_asked(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    claim(session, messaging, all_schemas, t, [line(t, 150_000)], on=ended)
    [made] = claims_of(session, t)
    assert made.amount == Decimal("1500.00") and "minder dan" in made.basis


# --- refusals, each with its code ----------------------------------------------------------------


@BOTH
def test_a_running_trajectory_is_not_claimed_9326(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = running(session, messaging, domain)
    on = date(2026, 12, 1)
    message, answer = claim(session, messaging, all_schemas, t,
                            [line(t, 100_00, end=on)], on=on)  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["9326"]]
    assert message.state == MessageState.GEWEIGERD
    assert [e.code for e in errors_of(message)] == ["9326"]
    assert claims_of(session, t) == []


@BOTH
def test_another_providers_trajectory_gets_the_same_answer_as_a_number_that_does_not_exist(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    ended = date(2026, 12, 1)
    theirs = closed(session, messaging, domain, ended=ended, result=True)
    answers = []
    for ident, number in (("B1", theirs.id), ("B2", 999_999)):
        message, answer = claim(
            session, messaging, all_schemas, theirs,
            [line(theirs, cents(theirs.price), number=number)],
            on=ended, ident=ident, number=ident, provider=messaging.zorg_b,
        )  # fmt: skip
        assert answer is not None and message.trajectory_id is None
        answers.append((message, answer))
    (first, to_theirs), (second, to_nothing) = answers
    assert line_codes(to_theirs.body) == line_codes(to_nothing.body) == [["9338"]]

    def blank(body: bytes, number: int, ident: str) -> bytes:
        root = etree.fromstring(body)
        for element in root.iter():
            name = etree.QName(element).localname
            if name in ("Identificatie", "DeclaratieNummer") or (
                name == "ToewijzingNummer" and element.text == str(number)
            ):
                element.text = "X"
        return etree.tostring(root)

    assert blank(to_theirs.body, theirs.id, "B1") == blank(to_nothing.body, 999_999, "B2")
    assert [e.text for e in errors_of(first)] == [e.text for e in errors_of(second)]
    assert claims_of(session, theirs) == []


def test_one_claim_per_trajectory_9322_also_after_a_claim_on_the_portal(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    submit_claim(session, t, messaging.aanbieder_a, ended)
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, cents(t.price))], on=ended)
    assert answer is not None and line_codes(answer.body) == [["9322"]]
    assert len(claims_of(session, t)) == 1


def test_two_lines_for_one_trajectory_make_one_claim(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    message, answer = claim(session, messaging, all_schemas, t,
                            [line(t, 100_000, "R1"), line(t, 100_000, "R2")], on=ended)  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["8001"], ["9322"]]
    assert answer_codes(answer.body) == [codes.ACCEPTED]
    assert granted(answer.body) == 100_000
    assert message.state == MessageState.VERWERKT  # one line accepted; the other's code kept
    assert [e.code for e in errors_of(message)] == ["9322"]
    assert [c.amount for c in claims_of(session, t)] == [Decimal("1000.00")]


def test_a_declaration_number_used_before_gets_9333_and_its_lines_are_not_judged(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    first = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    claim(session, messaging, all_schemas, first, [line(first, 100_00)], on=ended, ident="D1")
    message, answer = claim(session, messaging, all_schemas, first,
                            [line(first, 100_00, "R9")], on=ended, ident="D2")  # fmt: skip
    assert answer is not None and answer_codes(answer.body) == ["9333"]
    assert line_codes(answer.body) == [[codes.NOT_JUDGED]]
    assert message.state == MessageState.GEWEIGERD
    assert session.scalar(select(func.count()).select_from(Declaration)) == 1


def test_a_reference_accepted_before_gets_8021(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    claim(session, messaging, all_schemas, t, [line(t, 100_00, "R1")], on=ended, ident="D1")
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, 100_00, "R1")], on=ended,
                       ident="D2", number="DEC2")  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["8021"]]


def test_a_withdrawn_toewijzing_gets_9384(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    t = make_trajectory(session, messaging, S.GEACCEPTEERD)
    wf.cancel(session, t, messaging.gids, "Inwoner ziet af van hulp", today=TODAY)
    session.flush()
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, 100_00)], on=date(2026, 12, 1))
    assert answer is not None and line_codes(answer.body) == [["9384"]]


def test_a_concept_cancelled_before_any_toewijzing_is_unknown_9338(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    t = make_trajectory(session, messaging, S.GEANNULEERD)
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, 100_00)], on=date(2026, 12, 1))
    assert answer is not None and line_codes(answer.body) == [["9338"]]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"category": "07"}, ["9339"]),
        ({"code": "XX1"}, ["9340"]),
        ({"unit": "04", "volume": 10, "rate": 5000, "amount": 60000}, ["9341", "9346"]),
        ({"bsn": "123456782"}, ["8187"]),
        ({"start": date(2026, 11, 2)}, ["9307"]),
    ],
)
def test_a_line_that_does_not_fit_its_toewijzing_names_its_codes(
    session: Session,
    messaging: World,
    all_schemas: Schemas,
    overrides: dict[str, object],
    expected: list[str],
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    values = dict(overrides)
    amount = int(values.pop("amount", 100_00))  # type: ignore[call-overload]
    _m, answer = claim(session, messaging, all_schemas, t, [line(t, amount, **values)], on=ended)
    assert answer is not None and line_codes(answer.body) == [expected]
    assert claims_of(session, t) == []


def test_a_credit_line_without_its_debit_gets_8017_and_after_approval_9385(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    _m, answer = claim(session, messaging, all_schemas, t,
                       [line(t, 100_00, "C1", credit=True, previous="R1")], on=ended,
                       ident="D1", number="DEC1")  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["8017"]]
    claim(session, messaging, all_schemas, t, [line(t, 100_00, "R1")], on=ended, ident="D2",
          number="DEC2")  # fmt: skip
    [made] = claims_of(session, t)
    decide_claim(session, made, messaging.gids, approve=True, reason=None, today=ended)
    _m, answer = claim(session, messaging, all_schemas, t,
                       [line(t, 100_00, "C2", credit=True, previous="R1")], on=ended,
                       ident="D3", number="DEC3")  # fmt: skip
    assert answer is not None and line_codes(answer.body) == [["9385"]]
    assert made.state == ClaimState.GOEDGEKEURD and made.amount == Decimal("100.00")


def test_totals_that_do_not_add_up_refuse_the_declaration_with_only_a_header(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    message, answer = claim(session, messaging, all_schemas, t, [line(t, 100_00)], on=ended,
                            total=1)  # fmt: skip
    assert message.state == MessageState.GEWEIGERD
    assert answer is not None
    root = etree.fromstring(answer.body)
    assert [c.text for c in root.findall("{*}Header/{*}RetourCodes/{*}RetourCode")] == ["0001"]
    assert root.find("{*}DeclaratieAntwoord") is None
    assert claims_of(session, t) == []


def test_the_same_323_twice_makes_one_claim_and_gets_the_same_answer(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2026, 12, 1)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=True)
    first, answer = claim(session, messaging, all_schemas, t, [line(t, 100_00)], on=ended)
    again, same = claim(session, messaging, all_schemas, t, [line(t, 100_00)], on=ended)
    assert again.id == first.id and same is not None and answer is not None
    assert same.body == answer.body
    assert len(claims_of(session, t)) == 1


def test_the_municipalitys_policy_nothing_without_the_result_holds_for_messages_too(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    ended = date(2027, 1, 8)
    t = closed(session, messaging, Domain.WMO, ended=ended, result=False)
    before = session.info.get(SETTINGS_INFO)
    session.info[SETTINGS_INFO] = Settings(schemas=all_schemas, claim_policy=ClaimPolicy.NIETS)
    try:
        _m, answer = claim(session, messaging, all_schemas, t, [line(t, 1)], on=ended)
    finally:
        session.info[SETTINGS_INFO] = before
    assert answer is not None and line_codes(answer.body) == [["9321"]]
    assert claims_of(session, t) == []
