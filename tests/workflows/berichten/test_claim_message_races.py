"""Two declarations for one trajectory at the same moment — a client system that retries, two
systems of one provider — make one claim: the trajectory's lock and the unique constraints
decide, in real transactions from real threads (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from models import (
    Channel,
    Claim,
    ClosureCategory,
    Contract,
    Message,
    Provider,
    SupportProfile,
    TrajectoryState,
    User,
)
from workflows import trajectories as wf
from workflows.berichten.incoming import receive
from workflows.berichten.store import retour_of

from ...factories import World, make_trajectory
from .care_builders import Prestatie, declaration

ENDED = date(2026, 12, 1)


def _postgresql_only() -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite (development only) refuses a writer whose transaction read before another "
            "writer committed ('database is locked'); the race is decided on PostgreSQL"
        )


def closed_trajectory(world: World) -> tuple[int, int, str, str, str, int]:
    """A closed trajectory of Zorg A (result achieved), committed; its id, the provider's id,
    the client's BSN, category and code, and the price in cents."""
    with Session(db.engine, expire_on_commit=False) as s:
        for contract in s.scalars(select(Contract)):
            contract.channel = Channel.BERICHTENVERKEER
        profile = s.get(SupportProfile, world.bg.id)
        assert profile is not None
        profile.code = "BG01"
        s.commit()
    with Session(db.engine, expire_on_commit=False) as s:
        # the provider's user as this session has it (the 301 loads the provider here too)
        answering = s.get(User, world.aanbieder_a.id)
        t = make_trajectory(s, world, TrajectoryState.ACTIEF, provider_user=answering)
        wf.close(s, t, world.gids, care_end=ENDED, closure_category=ClosureCategory.A,
                 end_reason_code="19", result_achieved=True, today=ENDED)  # fmt: skip
        s.commit()
        return (t.id, world.zorg_a.id, t.resident.bsn, "02", "BG01", int(t.price * 100))


def at_once(works: list[Callable[[Session], object]]) -> list[object]:
    barrier = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            with Session(db.engine, expire_on_commit=False) as session:
                session.connection()
                barrier.wait(timeout=30)
                results[index] = works[index](session)
                session.commit()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a receipt hung"
    if errors:
        raise errors[0]
    return results


def _codes(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    return [c.text or "" for c in root.iter("{*}RetourCode") if c.getparent() is not None
            and etree.QName(c.getparent().getparent()).localname == "Prestatie"]  # fmt: skip


@pytest.mark.parametrize("same_number", [False, True])
def test_two_declarations_for_one_trajectory_at_once_make_one_claim(
    app: object, committed_world: World, same_number: bool
) -> None:
    """Different messages (identifications) and references; with the same declaration number
    too (then the second is 9333 as a whole)."""
    _postgresql_only()
    trajectory_id, provider_id, bsn, category, code, price = closed_trajectory(committed_world)
    bodies = [
        declaration(
            committed_world.bg.domain,
            agb=committed_world.zorg_a.agb_code,
            ident=f"P{i}",
            dated=ENDED,
            number="DEC1" if same_number else f"DEC{i}",
            period=(date(2026, 11, 1), ENDED),
            bsn=bsn,
            lines=[
                Prestatie(f"R{i}", trajectory_id, category, code, date(2026, 11, 9), ENDED, price)
            ],
        )
        for i in (1, 2)
    ]

    def receiving(body: bytes) -> Callable[[Session], object]:
        def work(session: Session) -> object:
            provider = session.get(Provider, provider_id)
            assert provider is not None
            message = receive(session, provider, body, ENDED)
            answer = retour_of(message)
            assert answer is not None
            return answer.body

        return work

    answers = at_once([receiving(body) for body in bodies])
    with Session(db.engine) as check:
        claims = check.scalar(
            select(func.count()).select_from(Claim).where(Claim.trajectory_id == trajectory_id)
        )
        received = check.scalar(
            select(func.count()).select_from(Message).where(Message.kind == "323")
        )
    assert claims == 1 and received == 2
    found = sorted(_codes(body) for body in answers)  # type: ignore[arg-type]
    other = ["0233"] if same_number else ["9322"]
    assert found == sorted([["8001"], other])
