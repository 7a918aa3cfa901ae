"""Retention with the message exchange: a file whose trajectory went through 301 → 302 → 305 →
307 → 323 is purged with every message about it (the retours and answers too), its declaration
and the declaration's lines; another resident's messages stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Channel,
    Claim,
    Declaration,
    DeclarationLine,
    Domain,
    Intensity,
    Message,
    MessageState,
    Trajectory,
    TrajectoryState,
)
from tests.berichten.samples import answer
from workflows.berichten.incoming import receive
from workflows.berichten.store import messages_of_trajectory, retour_of
from workflows.closure import confirm_end_of_care, open_report
from workflows.retention import RetentionPolicy, due_files, purge

from ..factories import TODAY, World, make_trajectory
from .berichten.care_builders import Care, Prestatie, care_message, declaration

POLICY = RetentionPolicy(years={Domain.JEUGD: 20, Domain.WMO: 15})
S = TrajectoryState
STARTED = date(2026, 11, 10)  # within the toewijzing (planned start 11-09)
STARTED_REPORTED = date(2026, 11, 16)
ENDED = date(2026, 11, 20)
CLAIMED = date(2026, 11, 25)


def _messaging(session: Session, world: World) -> World:
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    world.bg.code = "BG01"  # a product code (five characters at most), as the 323 names it
    world.amb.code = "AMB1"
    session.flush()
    return world


def _toewijzing(session: Session, t: Trajectory) -> Message:
    [sent] = [m for m in messages_of_trajectory(session, t.id) if m.kind == "301"]
    return sent


def _accepted_by_message(session: Session, world: World, t: Trajectory, ident: str) -> None:
    """301 (sent when proposed) → the provider's 302 without errors."""
    body = answer(_toewijzing(session, t), identification=ident)
    reply = receive(session, world.zorg_a, body, TODAY)
    assert reply.state == MessageState.VERWERKT and t.state == S.GEACCEPTEERD


def _through_every_message(session: Session, world: World) -> Trajectory:
    """Anna's Wmo trajectory: 301 → 302 → 305 → 307 (confirmed by the gids) → 323 → 325."""
    t = make_trajectory(session, world, S.VOORGESTELD)
    _accepted_by_message(session, world, t, "R1")
    agb, bsn = world.zorg_a.agb_code, t.resident.bsn
    started = receive(
        session,
        world.zorg_a,
        care_message(
            "305", Domain.WMO, agb=agb, ident="S1", dated=STARTED_REPORTED, bsn=bsn,
            products=[Care(t.id, STARTED)],
        ),
        STARTED_REPORTED,
    )  # fmt: skip
    assert started.state == MessageState.VERWERKT and t.state == S.ACTIEF
    stopped = receive(
        session,
        world.zorg_a,
        care_message(
            "307", Domain.WMO, agb=agb, ident="E1", dated=ENDED, bsn=bsn,
            products=[Care(t.id, STARTED, end=ENDED, reason="19")],
        ),
        ENDED,
    )  # fmt: skip
    assert stopped.state == MessageState.VERWERKT
    report = open_report(session, t)
    assert report is not None
    confirm_end_of_care(session, report, world.gids, ENDED)
    assert t.state == S.AFGESLOTEN
    claimed = receive(
        session,
        world.zorg_a,
        declaration(
            Domain.WMO,
            agb=agb,
            ident="D1",
            dated=CLAIMED,
            number="DEC1",
            period=(t.planned_start - timedelta(days=40), CLAIMED),
            bsn=bsn,
            lines=[
                Prestatie(
                    reference="REF1",
                    number=t.id,
                    category=t.profile.category_code,
                    code=t.profile.code,
                    start=t.planned_start,
                    end=ENDED,
                    amount=int(t.price * 100),
                )
            ],
        ),
        CLAIMED,
    )
    assert claimed.state == MessageState.VERWERKT, claimed.errors
    assert retour_of(claimed) is not None
    assert session.scalar(select(func.count()).select_from(DeclarationLine)) == 1
    session.flush()
    return t


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_a_file_that_went_through_every_message_is_purged_with_its_messages(
    session: Session, world: World
) -> None:
    _messaging(session, world)
    t = _through_every_message(session, world)
    # Bram's Jeugd trajectory, accepted by message and still running: kept.
    kept = make_trajectory(
        session,
        world,
        S.VOORGESTELD,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.MIDDEL,
    )
    _accepted_by_message(session, world, kept, "R2")
    session.flush()
    kept_messages = set(
        session.scalars(
            select(Message.id).where(
                (Message.trajectory_id == kept.id)
                | Message.answers_id.in_(select(Message.id).where(Message.trajectory_id == kept.id))
            )
        )
    )
    assert len(kept_messages) == 2  # its 301 and the provider's 302
    file_messages = set(session.scalars(select(Message.id))) - kept_messages
    # 301, 302, 305 and its 306, 307 and its 308, 323 and its 325
    assert sorted(session.get(Message, i).kind for i in file_messages) == [  # type: ignore[union-attr]
        "301", "302", "305", "306", "307", "308", "323", "325"
    ]  # fmt: skip
    anna, bsn = world.adult.id, world.adult.bsn

    files = [f for f in due_files(session, date(2050, 1, 1), POLICY) if f.resident_id == anna]
    assert [f.resident_id for f in files] == [anna]  # Bram's trajectory runs: not due
    report = purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))

    assert report.rows["messages"] == len(file_messages) == 8
    assert report.rows["declarations"] == 1 and report.rows["declaration_lines"] == 1
    assert _count(session, Message, Message.id.in_(file_messages)) == 0
    assert _count(session, Message, Message.trajectory_id == t.id) == 0
    assert _count(session, Declaration) == 0 and _count(session, DeclarationLine) == 0
    assert _count(session, Claim, Claim.trajectory_id == t.id) == 0
    assert _count(session, Trajectory, Trajectory.id == t.id) == 0
    for body in session.scalars(select(Message.body)):
        assert bsn.encode() not in body
    # Bram's messages stay, with the link of the 302 to his 301.
    assert set(session.scalars(select(Message.id))) == kept_messages
    assert _count(session, Message, Message.answers_id.in_(kept_messages)) == 1
    assert _count(session, Trajectory, Trajectory.id == kept.id) == 1


def test_a_retour_answered_later_in_the_chain_does_not_stop_the_purge(
    session: Session, world: World
) -> None:
    """Every message of the file goes even when an answer was stored before what it answers
    (a lower id): the links are undone first, so the order of the rows does not matter."""
    _messaging(session, world)
    t = _through_every_message(session, world)
    claim_message = session.scalars(select(Message).where(Message.kind == "323")).one()
    first = session.scalars(select(Message).where(Message.kind == "301")).one()
    first.answers_id = claim_message.id  # an odd chain, across the whole file
    session.flush()
    files = due_files(session, date(2050, 1, 1), POLICY)
    purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))
    assert _count(session, Message) == 0
    assert _count(session, Trajectory, Trajectory.id == t.id) == 0
