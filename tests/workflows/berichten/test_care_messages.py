"""Start and stop of care by message (305 → 306, 307 → 308), in both domains, through the one
entry point ``incoming.receive``. Every retour is validated when it is queued: against the JW
schema, and for Wmo against the JW twin in the iwmo namespaces (``wmo_twins``)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Channel,
    ClosureCategory,
    Domain,
    EndOfCareReport,
    Intensity,
    MessageState,
    SubmissionState,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.berichten import codes
from workflows.berichten.incoming import receive
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import errors_of, retour_of
from workflows.closure import confirm_end_of_care, open_report

from ...factories import World, make_trajectory
from .care_builders import Care, care_message
from .wmo_twins import twin_schemas

S = TrajectoryState


@pytest.fixture
def all_schemas(xsd_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Schemas:
    """The schemas with the Wmo retours' twins (``wmo_twins``); skipped without the folder."""
    return twin_schemas(xsd_dir, tmp_path_factory)


RECEIVED = date(2026, 11, 16)  # the day the messages arrive (TODAY of the factories: 11-02)
STARTED = date(2026, 11, 10)  # within the toewijzing (planned start 11-09)


@pytest.fixture
def messaging(session: Session, world: World) -> World:
    """Zorg A and Zorg B exchange messages; the profiles have product codes (five characters at
    most), so the 301 names the code and a 305 can name another."""
    for provider in (world.zorg_a, world.zorg_b):
        for contract in provider.contracts:
            contract.channel = Channel.BERICHTENVERKEER
    world.bg.code = "BG01"
    world.amb.code = "AMB1"
    session.flush()
    return world


def trajectory(
    session: Session, world: World, domain: Domain, state: TrajectoryState, **overrides: object
) -> Trajectory:
    """Anna's Wmo begeleiding or Bram's Jeugd ambulant with Zorg A, driven to ``state``."""
    if domain == Domain.JEUGD:
        overrides = {
            "resident_id": world.child.id,
            "profile_id": world.amb.id,
            "intensity": Intensity.MIDDEL,
            **overrides,
        }
    t = make_trajectory(session, world, state, **overrides)
    session.flush()
    return t


def bsn_of(t: Trajectory) -> str:
    return t.resident.bsn


def send(
    session: Session,
    world: World,
    schemas: Schemas,
    kind: str,
    t: Trajectory | None,
    products: list[Care],
    *,
    domain: Domain | None = None,
    ident: str = "M1",
    dated: date = RECEIVED,
    agb: str | None = None,
    bsn: str | None = None,
    provider=None,  # noqa: ANN001 - a Provider, Zorg A by default
):  # noqa: ANN201 - (message, retour)
    provider = provider or world.zorg_a
    body = care_message(
        kind,
        domain or (t.domain if t is not None else Domain.WMO),
        agb=agb or provider.agb_code,
        ident=ident,
        dated=dated,
        bsn=bsn or (bsn_of(t) if t is not None else world.adult.bsn),
        products=products,
    )
    message = receive(session, provider, body, RECEIVED, schemas)
    session.flush()
    return message, retour_of(message)


def product_codes(retour_body: bytes, item: str) -> list[list[str]]:
    """The RetourCodes of every StartProduct/StopProduct in a retour, in order."""
    root = etree.fromstring(retour_body)
    return [
        [c.text or "" for c in product.findall("{*}RetourCodes/{*}RetourCode")]
        for product in root.iter(f"{{*}}{item}")
    ]


def header_codes(retour_body: bytes) -> list[str]:
    root = etree.fromstring(retour_body)
    return [c.text or "" for c in root.findall("{*}Header/{*}RetourCodes/{*}RetourCode")]


def events(session: Session, t: Trajectory) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(TrajectoryEvent)
            .where(TrajectoryEvent.trajectory_id == t.id)
        )
        or 0
    )


BOTH = pytest.mark.parametrize("domain", [Domain.WMO, Domain.JEUGD])


# --- 305 start zorg ----------------------------------------------------------------------------


@BOTH
def test_a_305_starts_care_as_the_providers_system_and_every_part_of_the_306_says_0200(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.GEACCEPTEERD)
    message, retour = send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)])
    assert message.state == MessageState.VERWERKT
    assert t.state == S.ACTIEF and t.care_start == STARTED
    last = t.events[-1]
    assert last.action == "zorg_starten" and last.user.name == "Berichtenverkeer Zorg A"
    assert retour is not None and retour.kind == "306" and retour.trajectory_id == t.id
    assert header_codes(retour.body) == []
    assert product_codes(retour.body, "StartProduct") == [[codes.ACCEPTED]]
    root = etree.fromstring(retour.body)
    assert etree.QName(root).namespace == codes.namespace(domain, "306")
    # validated when queued; said here too (Wmo: the JW306 twin in the iwmo namespaces)
    assert all_schemas.available(domain, "306") and all_schemas.errors(domain, "306", root) == []


@BOTH
def test_a_305_on_a_trajectory_still_voorgesteld_accepts_it_first(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.VOORGESTELD)
    send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)])
    assert t.state == S.ACTIEF
    assert [e.action for e in t.events[-2:]] == ["accepteren", "zorg_starten"]


def _without_identity(body: bytes, number: str) -> bytes:
    """A retour with what names this message or trajectory blanked: identifications, dates of
    the retour, the ToewijzingNummer asked for."""
    text = body.decode()
    text = re.sub(r"(<[^>]*Identificatie[^>]*>)[^<]*", r"\1", text)
    text = re.sub(r"(<[^>]*IdentificatieRetour>)[^<]*", r"\1", text)
    return text.replace(f"ToewijzingNummer>{number}<", "ToewijzingNummer>N<").encode()


@BOTH
@pytest.mark.parametrize("kind", ["305", "307"])
def test_another_providers_trajectory_gets_the_same_answer_as_a_number_that_does_not_exist(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain, kind: str
) -> None:
    """Zorg B names Zorg A's trajectory: the retour is byte for byte the one a nonexistent
    number gets (9019), and nothing of Zorg A's trajectory changes."""
    theirs = trajectory(session, messaging, domain, S.ACTIEF if kind == "307" else S.GEACCEPTEERD)
    before = events(session, theirs)
    unknown = 999_999
    care = dict(end=RECEIVED, reason="38") if kind == "307" else {}
    begin = theirs.care_start or STARTED
    _m1, to_theirs = send(
        session, messaging, all_schemas, kind, theirs, [Care(theirs.id, begin, **care)],
        provider=messaging.zorg_b, ident="X1", bsn=bsn_of(theirs),
    )  # fmt: skip
    _m2, to_nothing = send(
        session, messaging, all_schemas, kind, theirs, [Care(unknown, begin, **care)],
        provider=messaging.zorg_b, ident="X2", bsn=bsn_of(theirs),
    )  # fmt: skip
    assert to_theirs is not None and to_nothing is not None
    item = "StopProduct" if kind == "307" else "StartProduct"
    assert product_codes(to_theirs.body, item) == [[codes.NO_ASSIGNMENT]]
    assert _without_identity(to_theirs.body, str(theirs.id)) == _without_identity(
        to_nothing.body, str(unknown)
    )
    assert [e.as_dict() for e in errors_of(_m1)] == [e.as_dict() for e in errors_of(_m2)]
    assert to_theirs.trajectory_id is None and _m1.trajectory_id is None
    assert events(session, theirs) == before


@BOTH
def test_a_305_starting_outside_the_toewijzing_gets_9307_and_starts_nothing(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.GEACCEPTEERD)
    before_start = date(2026, 11, 5)  # after the decision (11-02), before the Ingangsdatum
    message, retour = send(session, messaging, all_schemas, "305", t, [Care(t.id, before_start)])
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert product_codes(retour.body, "StartProduct") == [["9307"]]
    assert t.state == S.GEACCEPTEERD and t.care_start is None


@BOTH
def test_a_305_naming_another_product_gets_9339_or_9340(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.GEACCEPTEERD)
    other_category = "07" if domain == Domain.WMO else "41"
    _m, retour = send(
        session, messaging, all_schemas, "305", t,
        [Care(t.id, STARTED, category=other_category, code="XX1")],
    )  # fmt: skip
    assert retour is not None
    assert product_codes(retour.body, "StartProduct") == [["9339", "9340"]]
    assert t.state == S.GEACCEPTEERD


@BOTH
def test_a_305_for_care_started_already_gets_9074_and_changes_nothing(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.GEACCEPTEERD)
    send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)], ident="S1")
    before = events(session, t)
    for ident, begin in (("S2", STARTED), ("S3", date(2026, 11, 12))):
        message, retour = send(session, messaging, all_schemas, "305", t, [Care(t.id, begin)],
                               ident=ident)  # fmt: skip
        assert message.state == MessageState.GEWEIGERD
        assert retour is not None
        assert product_codes(retour.body, "StartProduct") == [["9074"]]
    assert t.care_start == STARTED and events(session, t) == before


def test_the_same_305_received_twice_is_answered_with_the_first_retour_and_changes_nothing(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    t = trajectory(session, messaging, Domain.WMO, S.GEACCEPTEERD)
    first, retour = send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)])
    before = events(session, t)
    again, same = send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)])
    assert again.id == first.id and same is not None and retour is not None
    assert same.id == retour.id and same.body == retour.body
    assert events(session, t) == before


def test_one_failing_start_product_refuses_the_message_and_the_good_one_says_0200(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    good = trajectory(session, messaging, Domain.WMO, S.GEACCEPTEERD)
    message, retour = send(
        session,
        messaging,
        all_schemas,
        "305",
        good,
        [Care(good.id, STARTED), Care(999_998, STARTED)],
    )
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert product_codes(retour.body, "StartProduct") == [[codes.ACCEPTED], [codes.NO_ASSIGNMENT]]
    assert good.state == S.GEACCEPTEERD and good.care_start is None


@pytest.mark.parametrize("state", [S.CONCEPT, S.TERUGGESTUURD, S.GEANNULEERD])
def test_a_305_on_a_trajectory_that_is_no_toewijzing_gets_9019(
    session: Session, messaging: World, all_schemas: Schemas, state: TrajectoryState
) -> None:
    t = trajectory(session, messaging, Domain.WMO, state)
    _m, retour = send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)])
    assert retour is not None
    assert product_codes(retour.body, "StartProduct") == [[codes.NO_ASSIGNMENT]]
    assert t.state == state


@pytest.mark.parametrize(
    ("care", "dated"),
    [
        (Care(None, STARTED), RECEIVED),  # no ToewijzingNummer
        (Care(0, RECEIVED), date(2026, 11, 15)),  # a start after the message's date
        (Care(0, STARTED, status="3"), RECEIVED),  # removing a start
    ],
)
def test_a_305_breaking_a_rule_within_the_message_gets_only_a_header_with_0001(
    session: Session, messaging: World, all_schemas: Schemas, care: Care, dated: date
) -> None:
    t = trajectory(session, messaging, Domain.WMO, S.GEACCEPTEERD)
    if care.number == 0:
        care.number = t.id
    message, retour = send(session, messaging, all_schemas, "305", t, [care], dated=dated)
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None
    assert header_codes(retour.body)[0] == codes.TECHNICAL
    assert etree.fromstring(retour.body).find("{*}Client") is None
    assert t.state == S.GEACCEPTEERD


# --- 307 stop zorg -----------------------------------------------------------------------------

# (domain, reason) → the closure the report proposes
PROPOSALS = [
    (Domain.WMO, "19", ClosureCategory.A, True),
    (Domain.JEUGD, "31", ClosureCategory.A, True),
    (Domain.WMO, "22", ClosureCategory.D, False),
    (Domain.JEUGD, "33", ClosureCategory.D, False),
    (Domain.WMO, "31", ClosureCategory.D, False),
    (Domain.JEUGD, "35", ClosureCategory.D, False),
    (Domain.WMO, "38", ClosureCategory.C, False),
    (Domain.JEUGD, "39", ClosureCategory.C, False),
]
ENDED = date(2026, 11, 14)


@pytest.mark.parametrize(("domain", "reason", "category", "achieved"), PROPOSALS)
def test_a_307_is_an_end_of_care_report_the_gids_confirms(
    session: Session,
    messaging: World,
    all_schemas: Schemas,
    domain: Domain,
    reason: str,
    category: ClosureCategory,
    achieved: bool,
) -> None:
    t = trajectory(session, messaging, domain, S.ACTIEF)
    assert t.care_start is not None
    message, retour = send(
        session,
        messaging,
        all_schemas,
        "307",
        t,
        [Care(t.id, t.care_start, end=ENDED, reason=reason)],
    )
    assert message.state == MessageState.VERWERKT
    assert retour is not None and retour.kind == "308"
    assert product_codes(retour.body, "StopProduct") == [[codes.ACCEPTED]]
    report = open_report(session, t)
    assert report is not None and report.reported_by.name == "Berichtenverkeer Zorg A"
    root = etree.fromstring(retour.body)
    assert all_schemas.available(domain, "308") and all_schemas.errors(domain, "308", root) == []
    assert (report.care_end, report.end_reason_code) == (ENDED, reason)
    assert (report.closure_category, report.result_achieved) == (category, achieved)
    assert t.state == S.ACTIEF  # until the gids confirms
    confirm_end_of_care(session, report, messaging.gids, RECEIVED)
    assert t.state == S.AFGESLOTEN and t.care_end == ENDED and t.result_achieved is achieved


@BOTH
def test_a_307_before_any_start_gets_9063(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.GEACCEPTEERD)
    reason = "19" if domain == Domain.WMO else "31"
    _m, retour = send(
        session, messaging, all_schemas, "307", t, [Care(t.id, STARTED, end=ENDED, reason=reason)]
    )
    assert retour is not None
    assert product_codes(retour.body, "StopProduct") == [["9063"]]
    assert open_report(session, t) is None


def test_a_307_with_another_begindatum_than_the_start_gets_9069(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    t = trajectory(session, messaging, Domain.WMO, S.ACTIEF)
    _m, retour = send(
        session, messaging, all_schemas, "307", t, [Care(t.id, STARTED, end=ENDED, reason="19")]
    )
    assert retour is not None
    assert product_codes(retour.body, "StopProduct") == [["9069"]]
    assert open_report(session, t) is None


@BOTH
def test_a_second_307_gets_9074_while_the_first_waits_and_after_the_close(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    t = trajectory(session, messaging, domain, S.ACTIEF)
    assert t.care_start is not None
    reason = "19" if domain == Domain.WMO else "31"
    stop = [Care(t.id, t.care_start, end=ENDED, reason=reason)]
    send(session, messaging, all_schemas, "307", t, stop, ident="E1")
    before = events(session, t)
    _m, retour = send(session, messaging, all_schemas, "307", t, stop, ident="E2")
    assert retour is not None and product_codes(retour.body, "StopProduct") == [["9074"]]
    report = open_report(session, t)
    assert report is not None
    confirm_end_of_care(session, report, messaging.gids, RECEIVED)
    other_end = [Care(t.id, t.care_start, end=date(2026, 11, 13), reason=reason)]
    _m, retour = send(session, messaging, all_schemas, "307", t, other_end, ident="E3")
    assert retour is not None and product_codes(retour.body, "StopProduct") == [["9074"]]
    same, retour = send(session, messaging, all_schemas, "307", t, stop, ident="E4")
    assert retour is not None and product_codes(retour.body, "StopProduct") == [["0200"]]
    assert same.state == MessageState.VERWERKT
    reports = session.scalars(
        select(EndOfCareReport).where(EndOfCareReport.trajectory_id == t.id)
    ).all()
    assert [r.state for r in reports] == [SubmissionState.TOEGEKEND]
    assert events(session, t) == before + 1  # the close
    assert t.care_end == ENDED


@BOTH
def test_a_307_confirming_a_close_by_the_gids_changes_nothing(
    session: Session, messaging: World, all_schemas: Schemas, domain: Domain
) -> None:
    """The gids closed the trajectory herself (as for a scaling, reason 37); the provider's
    system then stops its product with the same end and reason."""
    t = trajectory(session, messaging, domain, S.ACTIEF)
    assert t.care_start is not None
    wf.close(session, t, messaging.gids, care_end=ENDED, closure_category=ClosureCategory.C,
             end_reason_code="37", result_achieved=False, today=RECEIVED)  # fmt: skip
    before = events(session, t)
    message, retour = send(
        session, messaging, all_schemas, "307", t,
        [Care(t.id, t.care_start, end=ENDED, reason="37")],
    )  # fmt: skip
    assert message.state == MessageState.VERWERKT
    assert retour is not None and product_codes(retour.body, "StopProduct") == [["0200"]]
    assert open_report(session, t) is None and events(session, t) == before


@pytest.mark.parametrize(
    ("domain", "reason", "end"),
    [
        (Domain.WMO, "20", ENDED),  # tijdelijk beëindigd: a trajectory does not pause
        (Domain.JEUGD, "20", ENDED),
        (Domain.WMO, "33", ENDED),  # a Jeugd code in a Wmo message
        (Domain.JEUGD, "19", ENDED),  # a Wmo code in a Jeugd message
        (Domain.WMO, "19", date(2026, 11, 1)),  # the end before the start
        (Domain.WMO, "19", date(2026, 11, 17)),  # the end after the message's date
    ],
)
def test_a_307_breaking_a_rule_within_the_message_gets_only_a_header_with_0001(
    session: Session, messaging: World, domain: Domain, reason: str, end: date
) -> None:
    """Without schemas the exchange checks its own rules (with them, some of these already
    fail the XSD: the code lists differ per domain)."""
    t = trajectory(session, messaging, domain, S.ACTIEF)
    assert t.care_start is not None
    message, retour = send(
        session, messaging, Schemas(None), "307", t,
        [Care(t.id, t.care_start, end=end, reason=reason)],
    )  # fmt: skip
    assert message.state == MessageState.GEWEIGERD
    assert retour is not None and header_codes(retour.body)[0] == codes.TECHNICAL
    assert open_report(session, t) is None


def test_a_307_for_a_trajectory_of_another_client_gets_9019(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    t = trajectory(session, messaging, Domain.WMO, S.ACTIEF)
    assert t.care_start is not None
    _m, retour = send(
        session, messaging, all_schemas, "307", t,
        [Care(t.id, t.care_start, end=ENDED, reason="19")], bsn=messaging.child.bsn,
    )  # fmt: skip
    assert retour is not None
    assert product_codes(retour.body, "StopProduct") == [[codes.NO_ASSIGNMENT]]


def test_start_and_stop_by_message_then_the_claim_follows_r11(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    """The whole way by message: accepted on the portal, started and stopped by message, the
    gids confirms; the trajectory is then claimable as any other."""
    from workflows.claims import claimable_amount

    t = trajectory(session, messaging, Domain.WMO, S.GEACCEPTEERD)
    send(session, messaging, all_schemas, "305", t, [Care(t.id, STARTED)], ident="A1")
    send(session, messaging, all_schemas, "307", t,
         [Care(t.id, STARTED, end=ENDED, reason="19")], ident="A2")  # fmt: skip
    report = open_report(session, t)
    assert report is not None
    confirm_end_of_care(session, report, messaging.gids, RECEIVED)
    assert claimable_amount(t)[0] == t.price
    assert wf.get_trajectory(session, t.id).state == S.AFGESLOTEN


def test_a_profile_code_that_is_no_product_code_is_not_compared(
    session: Session, messaging: World, all_schemas: Schemas
) -> None:
    """The 301 of a profile whose code is longer than a product code (five characters) names
    the category alone; a 305 naming some code is then judged on the category."""
    messaging.bg.code = "WMO-BEGELEIDING"
    t = trajectory(session, messaging, Domain.WMO, S.GEACCEPTEERD)
    _m, retour = send(
        session, messaging, all_schemas, "305", t, [Care(t.id, STARTED, category="02", code="B1")]
    )
    assert retour is not None
    assert product_codes(retour.body, "StartProduct") == [[codes.ACCEPTED]]
    assert t.state == S.ACTIEF
