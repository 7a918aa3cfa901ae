"""Receiving: the order of the checks, idempotency, and the 302 that answers our 301."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import workflows.trajectories as wf
from models import (
    Domain,
    Intensity,
    Message,
    MessageDirection,
    MessageState,
    Trajectory,
    TrajectoryState,
)
from tests.berichten.samples import PRODUCT, answer, start_of_care
from tests.factories import TODAY, World, make_trajectory
from workflows.berichten import codes, incoming
from workflows.berichten.actor import system_actor
from workflows.berichten.incoming import receive
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import (
    PartError,
    errors_of,
    last_toewijzing,
    provider_trajectory,
    retour_of,
)
from workflows.berichten.xml import Unreadable, read, text_of
from workflows.users import authenticate, is_system_account


def _incoming_count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == MessageDirection.IN)
        )
        or 0
    )


@pytest.fixture
def accepting_305(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stand-in handler for the 305 that accepts every message (the real one is another
    module's); records the identifications it saw."""
    seen: list[str] = []

    def handler(*args: object) -> list[PartError]:
        seen.append(args[2].identification)  # type: ignore[attr-defined]
        return []

    monkeypatch.setitem(incoming.HANDLERS, "305", handler)
    return seen


def test_a_305_is_stored_applied_and_answered_with_a_valid_306(
    session: Session, world: World, schemas: Schemas, accepting_305: list[str]
) -> None:
    body = start_of_care(domain=Domain.JEUGD, schemas=schemas)
    message = receive(session, world.zorg_a, body, TODAY, schemas)
    assert message.state == MessageState.VERWERKT and accepting_305 == ["S1"]
    retour = retour_of(message)
    assert retour is not None and retour.kind == "306" and retour.state == MessageState.KLAAR
    parsed = read(retour.body)
    assert schemas.errors(parsed.domain, "306", parsed.root) == []
    assert text_of(parsed.root, "Client/RetourCodes/RetourCode") == codes.ACCEPTED
    assert text_of(parsed.root, "Client/StartProducten/StartProduct/RetourCodes/RetourCode") == (
        codes.ACCEPTED
    )
    assert text_of(parsed.root, "Header/IdentificatieRetour") == retour.identification
    assert text_of(parsed.root, "Header/BerichtIdentificatie/Identificatie") == "S1"


def test_the_same_identification_again_changes_nothing_and_answers_the_same(
    session: Session, world: World, accepting_305: list[str]
) -> None:
    first = receive(session, world.zorg_a, start_of_care(), TODAY)
    again = receive(session, world.zorg_a, start_of_care(begins_on=date(2026, 11, 10)), TODAY)
    assert again is first and accepting_305 == ["S1"]
    assert _incoming_count(session) == 1
    assert retour_of(again) is retour_of(first)
    assert len(first.answered_by) == 1


def test_the_same_identification_from_another_provider_is_another_message(
    session: Session, world: World, accepting_305: list[str]
) -> None:
    receive(session, world.zorg_a, start_of_care(), TODAY)
    other = receive(session, world.zorg_b, start_of_care(agb=world.zorg_b.agb_code), TODAY)
    assert other.provider_id == world.zorg_b.id and _incoming_count(session) == 2


def test_a_message_under_another_providers_agb_code_is_refused_in_its_header(
    session: Session, world: World, schemas: Schemas, accepting_305: list[str]
) -> None:
    body = start_of_care(domain=Domain.JEUGD, agb=world.zorg_b.agb_code, schemas=schemas)
    message = receive(session, world.zorg_a, body, TODAY, schemas)
    assert message.state == MessageState.GEWEIGERD and accepting_305 == []
    [error] = errors_of(message)
    assert error.code == codes.TECHNICAL and world.zorg_b.agb_code in error.text
    retour = retour_of(message)
    assert retour is not None and retour.provider_id == world.zorg_a.id
    parsed = read(retour.body)
    assert schemas.errors(parsed.domain, "306", parsed.root) == []
    assert parsed.root.find("{*}Client") is None
    assert text_of(parsed.root, "Header/RetourCodes/RetourCode") == codes.TECHNICAL


def test_a_message_for_another_municipality_is_refused(
    session: Session, world: World, accepting_305: list[str]
) -> None:
    message = receive(session, world.zorg_a, start_of_care(municipality="0034"), TODAY)
    assert message.state == MessageState.GEWEIGERD and accepting_305 == []
    assert "0034" in errors_of(message)[0].text


def test_a_dagtekening_in_the_future_is_refused_with_8848(
    session: Session, world: World, accepting_305: list[str]
) -> None:
    body = start_of_care(dated_on=TODAY + timedelta(days=1))
    message = receive(session, world.zorg_a, body, TODAY)
    assert message.state == MessageState.GEWEIGERD and accepting_305 == []
    assert [e.code for e in errors_of(message)] == [codes.FUTURE_DATE]
    retour = retour_of(message)
    assert retour is not None
    codes_found = [
        c.text for c in read(retour.body).root.iterfind("{*}Header/{*}RetourCodes/{*}RetourCode")
    ]
    assert codes_found == [codes.TECHNICAL, codes.FUTURE_DATE]


def test_a_kind_nobody_handles_is_refused_clearly(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(incoming.HANDLERS, "305", raising=False)  # for this test only
    message = receive(session, world.zorg_a, start_of_care(), TODAY)
    assert message.state == MessageState.GEWEIGERD
    assert "(305) wordt hier (nog) niet verwerkt" in errors_of(message)[0].text


def test_a_message_failing_its_schema_is_refused_whole_without_a_retour(
    session: Session, world: World, schemas: Schemas, accepting_305: list[str]
) -> None:
    body = start_of_care().replace(b"<wmo305:StatusAanlevering>1<", b"<wmo305:StatusAanlevering>7<")
    message = receive(session, world.zorg_a, body, TODAY, schemas)
    assert message.state == MessageState.GEWEIGERD and accepting_305 == []
    assert "StatusAanlevering" in errors_of(message)[0].text
    assert retour_of(message) is None


def test_a_handlers_error_undoes_what_it_did_and_marks_the_part(
    session: Session, world: World, schemas: Schemas, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusing(
        session: Session, message: Message, parsed: object, *rest: object
    ) -> list[PartError]:
        world.adult.phone = "0612345678"  # a change the refusal must undo
        session.flush()
        return [PartError(codes.NO_ASSIGNMENT, "Client/StartProducten/StartProduct")]

    monkeypatch.setitem(incoming.HANDLERS, "305", refusing)
    body = start_of_care(domain=Domain.JEUGD, schemas=schemas)
    message = receive(session, world.zorg_a, body, TODAY, schemas)
    assert message.state == MessageState.GEWEIGERD
    session.refresh(world.adult)
    assert world.adult.phone is None
    retour = retour_of(message)
    assert retour is not None
    root = read(retour.body).root
    assert schemas.errors(read(retour.body).domain, "306", root) == []
    assert text_of(root, "Client/StartProducten/StartProduct/RetourCodes/RetourCode") == "9019"
    assert text_of(root, "Client/RetourCodes/RetourCode") == codes.NOT_JUDGED


@pytest.mark.parametrize("kind_body", [b"<x/>", b""])
def test_unreadable_bodies_store_nothing(session: Session, world: World, kind_body: bytes) -> None:
    with pytest.raises(Unreadable):
        receive(session, world.zorg_a, kind_body, TODAY)
    assert _incoming_count(session) == 0


# --- the 302 -----------------------------------------------------------------------------------


def _proposed(session: Session, world: World) -> tuple[Trajectory, Message]:
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    toewijzing = last_toewijzing(session, trajectory.id)
    assert toewijzing is not None
    return trajectory, toewijzing


def test_a_302_without_errors_accepts_the_proposal_as_the_providers_system(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    trajectory, toewijzing = _proposed(session, messaging)
    body = answer(toewijzing, schemas=schemas)
    assert schemas.errors(read(body).domain, "302", read(body).root) == []
    message = receive(session, messaging.zorg_a, body, TODAY, schemas)
    assert message.state == MessageState.VERWERKT and message.answers is toewijzing
    assert toewijzing.state == MessageState.BEVESTIGD
    assert trajectory.state == TrajectoryState.GEACCEPTEERD
    actor = system_actor(session, messaging.zorg_a)
    assert trajectory.events[-1].user is actor
    assert actor.name == "Berichtenverkeer Zorg A"
    assert retour_of(message) is None  # a retour gets no retour


def test_the_same_302_twice_accepts_once(session: Session, messaging: World) -> None:
    trajectory, toewijzing = _proposed(session, messaging)
    body = answer(toewijzing)
    first = receive(session, messaging.zorg_a, body, TODAY)
    events = len(trajectory.events)
    assert receive(session, messaging.zorg_a, body, TODAY) is first
    assert len(trajectory.events) == events


def test_a_302_with_errors_returns_the_proposal_to_the_gids_with_the_meanings(
    session: Session, messaging: World, schemas: Schemas
) -> None:
    trajectory, toewijzing = _proposed(session, messaging)
    body = answer(toewijzing, errors=[PartError("9332", PRODUCT)], schemas=schemas)
    message = receive(session, messaging.zorg_a, body, TODAY, schemas)
    assert message.state == MessageState.VERWERKT
    assert toewijzing.state == MessageState.AFGEKEURD
    assert [e.code for e in errors_of(toewijzing)] == ["9332"]
    assert trajectory.state == TrajectoryState.TERUGGESTUURD
    reason = trajectory.events[-1].reason or ""
    assert "9332" in reason and "Toewijzing heeft geen uniek nummer" in reason


def test_a_302_for_a_301_never_sent_to_this_provider_is_refused_without_a_leak(
    session: Session, messaging: World
) -> None:
    trajectory, toewijzing = _proposed(session, messaging)
    body = answer(toewijzing).replace(
        messaging.zorg_a.agb_code.encode(), messaging.zorg_b.agb_code.encode()
    )
    message = receive(session, messaging.zorg_b, body, TODAY)
    assert message.state == MessageState.GEWEIGERD
    assert [e.code for e in errors_of(message)] == ["9063"]
    assert trajectory.state == TrajectoryState.VOORGESTELD
    assert toewijzing.state == MessageState.KLAAR


def test_a_302_after_the_gids_moved_on_only_marks_the_301(
    session: Session, messaging: World
) -> None:
    trajectory, toewijzing = _proposed(session, messaging)

    wf.cancel(session, trajectory, messaging.gids, "Inwoner ziet af", today=TODAY)
    receive(session, messaging.zorg_a, answer(toewijzing), TODAY)
    assert toewijzing.state == MessageState.BEVESTIGD
    assert trajectory.state == TrajectoryState.GEANNULEERD


def test_the_system_account_can_never_sign_in(session: Session, world: World) -> None:
    actor = system_actor(session, world.zorg_a)
    assert is_system_account(actor) and actor.role.value == "aanbieder"
    assert actor.provider is world.zorg_a and not actor.has_second_factor
    assert system_actor(session, world.zorg_a) is actor
    for password in ("", actor.password_hash, "!berichtenverkeer-kan-niet-inloggen"):
        assert authenticate(session, actor.email, password) is None


def test_a_302_accepts_a_proposal_whose_301_carries_a_changed_toewijzing_too(
    session: Session, messaging: World
) -> None:
    running = make_trajectory(session, messaging, TrajectoryState.ACTIEF)
    assert running.decision_end is not None
    wf.extend_decision(
        session,
        running,
        messaging.gids,
        new_end=running.decision_end + timedelta(days=90),
        reason="Nodig",
        today=TODAY,
    )
    proposal = make_trajectory(
        session,
        messaging,
        TrajectoryState.VOORGESTELD,
        profile_id=messaging.hh.id,
        intensity=Intensity.LAAG,
    )
    toewijzing = last_toewijzing(session, proposal.id)
    assert toewijzing is not None and b"<wmo301:RedenWijziging>04<" in toewijzing.body
    receive(session, messaging.zorg_a, answer(toewijzing), TODAY)
    assert proposal.state == TrajectoryState.GEACCEPTEERD


def test_a_toewijzingnummer_finds_only_the_providers_own_trajectory(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    number = str(trajectory.id)
    assert provider_trajectory(session, world.zorg_a.id, number) is trajectory
    for provider_id, asked in [
        (world.zorg_b.id, number),  # another provider's
        (world.zorg_a.id, "999999"),  # unknown
        (world.zorg_a.id, "12a"),  # not a number
        (world.zorg_a.id, "1" * 30),  # beyond LDT_Nummer
        (world.zorg_a.id, None),
    ]:
        assert provider_trajectory(session, provider_id, asked) is None
