"""The 320 (the provider's retour of our 319) marks the 319 and does nothing else; two 317s for
one toewijzing at the same moment leave one open request, and two providers referring one new
resident at once register them once (PostgreSQL: the database's locks decide, as in
production)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from models import (
    Aanmelding,
    AanmeldingOutcome,
    Channel,
    Domain,
    Message,
    MessageState,
    Provider,
    Resident,
    ScalingRequest,
    SubmissionState,
    Trajectory,
    TrajectoryState,
)
from tests.berichten.request_xml import Change, Product, message_315, message_317, message_320
from tests.factories import TODAY, World, make_trajectory
from workflows.aanmeldingen import decide_aanmelding
from workflows.berichten.incoming import receive
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import errors_of

from .requests_helpers import outgoing_of_kind, receive_ok, verzoeken, with_product_codes


@pytest.fixture
def refused_319(session: Session, messaging: World, schemas: Schemas) -> Message:
    """A 319 afgewezen to Zorg A, answering its 315."""
    world = with_product_codes(session, messaging)
    body = message_315(Domain.JEUGD, world.zorg_a.agb_code, products=[Product("REF-1")])
    receive_ok(session, world.zorg_a, body, schemas)
    [verzoek] = verzoeken(session)
    assert verzoek.aanmelding is not None
    decide_aanmelding(
        session,
        verzoek.aanmelding,
        world.gids,
        outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="Nee",
        today=TODAY,
    )
    [answer] = outgoing_of_kind(session, world.zorg_a, "319")
    return answer


def test_a_320_without_errors_confirms_the_319(
    session: Session, messaging: World, schemas: Schemas, refused_319: Message
) -> None:
    body = message_320(Domain.JEUGD, refused_319.body)
    message, retour = receive_ok(session, messaging.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert retour is None  # a retour gets no retour
    assert refused_319.state == MessageState.BEVESTIGD
    assert message.answers_id == refused_319.id


def test_a_320_with_errors_marks_the_319_afgekeurd_and_changes_nothing_else(
    session: Session, messaging: World, schemas: Schemas, refused_319: Message
) -> None:
    body = message_320(Domain.JEUGD, refused_319.body, codes_=("9355",))
    message, _retour = receive_ok(session, messaging.zorg_a, body, schemas)
    assert message.state == MessageState.VERWERKT
    assert refused_319.state == MessageState.AFGEKEURD
    assert [e.code for e in errors_of(refused_319)] == ["9355"]
    [verzoek] = verzoeken(session)
    assert verzoek.refusal_code == "7"  # the answer stands


def test_a_320_of_another_providers_319_is_refused_as_unknown(
    session: Session, messaging: World, schemas: Schemas, refused_319: Message
) -> None:
    body = message_320(Domain.JEUGD, refused_319.body)
    body = body.replace(messaging.zorg_a.agb_code.encode(), messaging.zorg_b.agb_code.encode())
    message, _retour = receive_ok(session, messaging.zorg_b, body, schemas)
    assert message.state == MessageState.GEWEIGERD
    assert [e.code for e in errors_of(message)] == ["9063"]
    assert refused_319.state == MessageState.KLAAR


# --- two 317s at once ---------------------------------------------------------------------------


@pytest.fixture
def on_postgresql(app: Flask) -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite serialises writers (one write transaction per database at a time), so two "
            "messages cannot interleave there; this runs on PostgreSQL."
        )


def _at_once(work: Any, count: int) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            with db.sessions() as session:
                session.connection()
                barrier.wait(timeout=30)
                results[index] = work(session, index)
                session.commit()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def test_two_317s_for_one_toewijzing_at_once_leave_one_open_request(
    on_postgresql: None, committed_world: World, schemas: Schemas
) -> None:
    world = committed_world
    with Session(db.engine, expire_on_commit=False) as session:
        session.add_all([world.amb, world.bg, world.hh, world.zorg_a])
        with_product_codes(session, world)
        for contract in world.zorg_a.contracts:
            contract.channel = Channel.BERICHTENVERKEER
        trajectory = make_trajectory(session, world, TrajectoryState.ACTIEF)
        session.commit()
        trajectory_id = trajectory.id

    def send(session: Session, index: int) -> tuple[str, list[str]]:
        provider = session.get(Provider, world.zorg_a.id)
        assert provider is not None
        body = message_317(
            Domain.WMO,
            provider.agb_code,
            reference=f"VOW-{index}",
            identification=f"317-{index}",
            changed=(Change(trajectory_id, euros=5400),),
        )
        message = receive(session, provider, body, TODAY, schemas)
        return message.state.value, [e.code for e in errors_of(message)]

    results = _at_once(send, 4)
    assert sorted(results) == sorted([("verwerkt", [])] + [("geweigerd", ["9374"])] * 3), results
    with db.sessions() as session:
        open_requests = session.scalar(
            select(func.count())
            .select_from(ScalingRequest)
            .where(
                ScalingRequest.trajectory_id == trajectory_id,
                ScalingRequest.state == SubmissionState.INGEDIEND,
            )
        )
        assert open_requests == 1
        assert session.get(Trajectory, trajectory_id) is not None


def test_two_providers_referring_one_new_resident_at_once_register_them_once(
    on_postgresql: None, committed_world: World, schemas: Schemas
) -> None:
    world = committed_world
    with Session(db.engine, expire_on_commit=False) as session:
        session.add_all([world.amb, world.zorg_b])
        with_product_codes(session, world)
        world.zorg_b.contracts[0].profile = world.amb  # Zorg B too offers jeugdhulp ambulant
        session.commit()
    providers = [world.zorg_a.id, world.zorg_b.id]

    def send(session: Session, index: int) -> tuple[str, list[str]]:
        provider = session.get(Provider, providers[index])
        assert provider is not None
        body = message_315(
            Domain.JEUGD,
            provider.agb_code,
            identification=f"315-{index}",
            bsn="999999990",
            birth_date=TODAY.replace(year=2015),
            products=[Product(f"REF-{index}")],
        )
        message = receive(session, provider, body, TODAY, schemas)
        return message.state.value, [e.code for e in errors_of(message)]

    assert _at_once(send, 2) == [("verwerkt", []), ("verwerkt", [])]
    with db.sessions() as session:
        residents = session.scalars(select(Resident).where(Resident.bsn == "999999990")).all()
        assert len(residents) == 1
        aanmeldingen = session.scalars(
            select(Aanmelding).where(Aanmelding.resident_id == residents[0].id)
        ).all()
        assert len(aanmeldingen) == 2
