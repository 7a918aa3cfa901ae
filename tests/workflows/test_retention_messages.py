"""Retention with the message exchange: a file whose trajectory went through 301 → 302 → 305 →
307 → 323 is purged with every message about it (the retours and answers too), its declaration
and the declaration's lines; another resident's messages stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    Channel,
    Claim,
    Declaration,
    DeclarationLine,
    Domain,
    Household,
    Intensity,
    Message,
    MessageState,
    Resident,
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


def _closed_by_message(session: Session, world: World, resident: Resident, n: int) -> Trajectory:
    """A Wmo trajectory of ``resident``: 301 → 302 → 305 → 307, confirmed by the gids."""
    t = make_trajectory(session, world, S.VOORGESTELD, resident_id=resident.id)
    _accepted_by_message(session, world, t, f"R{n}")
    agb, bsn = world.zorg_a.agb_code, resident.bsn
    started = receive(
        session,
        world.zorg_a,
        care_message(
            "305", Domain.WMO, agb=agb, ident=f"S{n}", dated=STARTED_REPORTED, bsn=bsn,
            products=[Care(t.id, STARTED)],
        ),
        STARTED_REPORTED,
    )  # fmt: skip
    assert started.state == MessageState.VERWERKT and t.state == S.ACTIEF
    stopped = receive(
        session,
        world.zorg_a,
        care_message(
            "307", Domain.WMO, agb=agb, ident=f"E{n}", dated=ENDED, bsn=bsn,
            products=[Care(t.id, STARTED, end=ENDED, reason="19")],
        ),
        ENDED,
    )  # fmt: skip
    assert stopped.state == MessageState.VERWERKT
    report = open_report(session, t)
    assert report is not None
    confirm_end_of_care(session, report, world.gids, ENDED)
    assert t.state == S.AFGESLOTEN
    return t


def _claimed_by_message(session: Session, world: World, trajectories: list[Trajectory]) -> None:
    """One 323 with a line for each trajectory (its client's BSN), answered by a 325."""
    first = trajectories[0]
    claimed = receive(
        session,
        world.zorg_a,
        declaration(
            Domain.WMO,
            agb=world.zorg_a.agb_code,
            ident="D1",
            dated=CLAIMED,
            number="DEC1",
            period=(first.planned_start - timedelta(days=40), CLAIMED),
            bsn=first.resident.bsn,
            lines=[
                Prestatie(
                    reference=f"REF{t.id}",
                    number=t.id,
                    category=t.profile.category_code,
                    code=t.profile.product_code,
                    start=t.planned_start,
                    end=ENDED,
                    amount=int(t.price * 100),
                    bsn=t.resident.bsn,
                )
                for t in trajectories
            ],
        ),
        CLAIMED,
    )
    assert claimed.state == MessageState.VERWERKT, claimed.errors
    assert retour_of(claimed) is not None
    lines = session.scalar(select(func.count()).select_from(DeclarationLine))
    assert lines == len(trajectories)
    session.flush()


def _through_every_message(session: Session, world: World) -> Trajectory:
    """Anna's Wmo trajectory: 301 → 302 → 305 → 307 (confirmed by the gids) → 323 → 325."""
    t = _closed_by_message(session, world, world.adult, 1)
    _claimed_by_message(session, world, [t])
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
    # the purge is in the audit log, by resident id only
    removed = session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.action == "verwijderd", AuditEntry.resident_id == anna
        )
    ).all()
    assert removed == ["bewaartermijn verstreken"]


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


def test_a_declaration_naming_two_clients_goes_whole_with_either_file(
    session: Session, world: World
) -> None:
    """A 323 may name several clients; its XML holds each one's data. Purging Cor, whose line
    is in a declaration stored under Anna's trajectory, removes that declaration whole (its
    325, the declaration and both lines); Anna's claim and her other messages stay."""
    _messaging(session, world)
    cor = Resident(
        bsn="999993653",
        given_name="Cor",
        family_name="Bakker",
        birth_date=date(1948, 3, 3),
        wijk=world.dronten,
        household=Household(gids=world.gids),
    )
    session.add(cor)
    session.flush()
    anna = _closed_by_message(session, world, world.adult, 1)
    cors = _closed_by_message(session, world, cor, 2)
    _claimed_by_message(session, world, [anna, cors])
    claim_message = session.scalars(select(Message).where(Message.kind == "323")).one()
    assert claim_message.trajectory_id == anna.id  # stored under the first client's trajectory
    annas = set(
        session.scalars(
            select(Message.id).where(Message.trajectory_id == anna.id, Message.kind != "325")
        )
    ) - {claim_message.id}
    assert len(annas) == 6  # 301, 302, 305, 306, 307, 308

    files = [f for f in due_files(session, date(2050, 1, 1), POLICY) if f.resident_id == cor.id]
    report = purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))

    assert report.rows["messages"] == 6 + 2  # Cor's six, and the 323 with its 325
    assert report.rows["declarations"] == 1 and report.rows["declaration_lines"] == 2
    assert set(session.scalars(select(Message.id))) == annas
    for body in session.scalars(select(Message.body)):
        assert cor.bsn.encode() not in body
    assert _count(session, Claim, Claim.trajectory_id == anna.id) == 1
    assert _count(session, Trajectory, Trajectory.id == cors.id) == 0
