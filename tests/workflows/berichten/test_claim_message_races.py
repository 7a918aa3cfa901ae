"""Two declarations for one trajectory at the same moment — a client system that retries, two
systems of one provider — make one claim: the trajectory's lock and the unique constraints
decide, in real transactions from real threads (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pytest
from lxml import etree
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from models import (
    Channel,
    Claim,
    ClosureCategory,
    Contract,
    Domain,
    Message,
    Provider,
    SupportProfile,
    TrajectoryState,
    User,
)
from workflows import trajectories as wf
from workflows.berichten.actor import system_actor
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


@dataclass(frozen=True)
class Closed:
    """A committed, closed trajectory of Zorg A (result achieved), as a line names it."""

    id: int
    provider_id: int
    domain: Domain
    bsn: str
    category: str
    code: str
    cents: int

    def line(self, reference: str) -> Prestatie:
        return Prestatie(
            reference, self.id, self.category, self.code, date(2026, 11, 9), ENDED, self.cents
        )


def closed_trajectory(world: World, domain: Domain = Domain.WMO) -> Closed:
    with Session(db.engine, expire_on_commit=False) as s:
        for contract in s.scalars(select(Contract)):
            contract.channel = Channel.BERICHTENVERKEER
        for profile_id, code in ((world.bg.id, "BG01"), (world.amb.id, "AMB1")):
            profile = s.get(SupportProfile, profile_id)
            assert profile is not None
            profile.code = code
        # The provider's system has sent messages before: its account exists (two first
        # messages at once would queue at making it, and no longer race below).
        provider = s.get(Provider, world.zorg_a.id)
        assert provider is not None
        system_actor(s, provider)
        s.commit()
    jeugd = {"resident_id": world.child.id, "profile_id": world.amb.id, "intensity": "middel"}
    with Session(db.engine, expire_on_commit=False) as s:
        # the provider's user as this session has it (the 301 loads the provider here too)
        answering = s.get(User, world.aanbieder_a.id)
        t = make_trajectory(
            s, world, TrajectoryState.ACTIEF, provider_user=answering,
            **(jeugd if domain == Domain.JEUGD else {}),
        )  # fmt: skip
        wf.close(s, t, world.gids, care_end=ENDED, closure_category=ClosureCategory.A,
                 end_reason_code="19" if domain == Domain.WMO else "31", result_achieved=True,
                 today=ENDED)  # fmt: skip
        s.commit()
        return Closed(
            t.id,
            world.zorg_a.id,
            domain,
            t.resident.bsn,
            t.profile.category_code,
            t.profile.code,
            int(t.price * 100),
        )


@contextmanager
def together(statement: str, count: int = 2, timeout: float = 2.0) -> Iterator[None]:
    """The worst moment, every time: each connection about to run a statement starting with
    ``statement`` waits until all ``count`` have come that far (both passed the "was it sent
    before?" checks), or until ``timeout`` passed once."""
    arrived = threading.Condition()
    state = {"count": 0, "open": False}

    def wait(conn, cursor, sql, params, context, executemany):  # noqa: ANN001
        if not sql.lstrip().upper().startswith(statement.upper()):
            return
        with arrived:
            state["count"] += 1
            arrived.notify_all()
            if not arrived.wait_for(
                lambda: state["open"] or state["count"] >= count, timeout=timeout
            ):
                state["open"] = True
                arrived.notify_all()

    assert db.engine is not None
    event.listen(db.engine, "before_cursor_execute", wait)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", wait)


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


def receiving(provider_id: int, body: bytes) -> Callable[[Session], object]:
    def work(session: Session) -> object:
        provider = session.get(Provider, provider_id)
        assert provider is not None
        message = receive(session, provider, body, ENDED)
        answer = retour_of(message)
        assert answer is not None
        return answer.body

    return work


def declaration_of(world: World, t: Closed, ident: str, number: str, reference: str) -> bytes:
    return declaration(
        t.domain,
        agb=world.zorg_a.agb_code,
        ident=ident,
        dated=ENDED,
        number=number,
        period=(date(2026, 11, 1), ENDED),
        bsn=t.bsn,
        lines=[t.line(reference)],
    )


def count(model: type, *where: object) -> int:
    with Session(db.engine) as check:
        return check.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize("same_number", [False, True])
def test_two_declarations_for_one_trajectory_at_once_make_one_claim(
    app: object, committed_world: World, same_number: bool
) -> None:
    """Different messages (identifications) and references; with the same declaration number
    too (then the second is 9333 as a whole)."""
    _postgresql_only()
    t = closed_trajectory(committed_world)
    bodies = [
        declaration_of(committed_world, t, f"P{i}", "DEC1" if same_number else f"DEC{i}", f"R{i}")
        for i in (1, 2)
    ]
    with together("INSERT INTO declarations"):
        answers = at_once([receiving(t.provider_id, body) for body in bodies])
    assert count(Claim, Claim.trajectory_id == t.id) == 1
    assert count(Message, Message.kind == "323") == 2
    found = sorted(_codes(body) for body in answers)  # type: ignore[arg-type]
    other = ["0233"] if same_number else ["9322"]
    assert found == sorted([["8001"], other])


def test_one_reference_for_two_trajectories_at_once_is_accepted_once_8021(
    app: object, committed_world: World
) -> None:
    _postgresql_only()
    first = closed_trajectory(committed_world, Domain.WMO)
    second = closed_trajectory(committed_world, Domain.WMO)
    bodies = [
        declaration_of(committed_world, first, "P1", "DEC1", "R1"),
        declaration_of(committed_world, second, "P2", "DEC2", "R1"),
    ]
    with together("INSERT INTO declaration_lines"):
        answers = at_once([receiving(first.provider_id, body) for body in bodies])
    assert count(Claim, Claim.trajectory_id.in_([first.id, second.id])) == 1
    found = sorted(_codes(body) for body in answers)  # type: ignore[arg-type]
    assert found == [["8001"], ["8021"]]
