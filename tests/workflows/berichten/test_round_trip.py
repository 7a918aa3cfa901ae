"""The message exchange end to end, for the Wmo and for the Jeugdwet: the gids makes and sends a
trajectory through the workflows; its toewijzing (301) validates against the published schema;
the simulated provider system answers (302), starts care (305), holds the evaluations in the
portal, stops care (307); the gids confirms the end of care; the provider declares (323) and the
municipality answers (325). The trajectory ends closed and claimed at its full price, and every
message is stored with its retour.

The schemas are the published ones (``xsd_dir``; skipped with a reason when absent). The Wmo
retour schemas (302, 306, 308, 325) are not in the published Wmo set: their structure is the
Jeugd one in the iwmo namespaces, so a Wmo retour is checked against that twin
(``wmo_twins``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from freezegun import freeze_time
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Channel,
    Claim,
    Domain,
    EndOfCareReport,
    EvaluationState,
    Intensity,
    Message,
    MessageDirection,
    MessageState,
    Provider,
    ReferrerType,
    SubmissionState,
    Trajectory,
    TrajectoryState,
)
from workflows import closure
from workflows import trajectories as wf
from workflows.berichten import codes, incoming, store
from workflows.berichten.schemas import Schemas
from workflows.berichten.simulator import ENDED_AS_PLANNED, result_date, simulate

from ...factories import TODAY, World, trajectory_input
from .wmo_twins import twin_schemas

S = TrajectoryState
SEED = 7


def exchanging(provider: Provider) -> None:
    """The provider's client system exchanges messages for all its contracts."""
    for contract in provider.contracts:
        contract.channel = Channel.BERICHTENVERKEER


def made_and_sent(
    session: Session, world: World, domain: Domain, planned_start: date = date(2026, 11, 9)
) -> Trajectory:
    """The gids's trajectory with Zorg A, sent on TODAY (2026-11-02), planned from
    ``planned_start``: Wmo begeleiding middel for Anna, or Jeugd ambulant laag for Bram
    (referred by the GP)."""
    if domain == Domain.WMO:
        data = trajectory_input(world, planned_start=planned_start)
    else:
        data = trajectory_input(
            world,
            resident_id=world.child.id,
            profile_id=world.amb.id,
            intensity=Intensity.LAAG,
            planned_start=planned_start,
        )
    trajectory = wf.create_trajectory(session, data, world.gids, today=TODAY)
    if domain == Domain.JEUGD:
        trajectory.referrer_type = ReferrerType.HUISARTS
        trajectory.referrer_name = "Huisartsenpraktijk De Brink"
    wf.propose(session, trajectory, world.gids, TODAY)
    return trajectory


def schema_errors(schemas: Schemas, message: Message) -> list[str]:
    """What the published schema (a Wmo retour: its twin) finds wrong with a stored message."""
    assert schemas.available(message.domain, message.kind), (message.domain, message.kind)
    return schemas.errors(message.domain, message.kind, etree.fromstring(message.body))


@pytest.fixture
def all_schemas(xsd_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Schemas:
    """The published schemas with the Wmo retours' twins (``wmo_twins``): everything ``receive``
    takes in and everything it queues is validated, in both domains."""
    return twin_schemas(xsd_dir, tmp_path_factory)


def messages(session: Session, trajectory: Trajectory) -> list[Message]:
    return list(store.messages_of_trajectory(session, trajectory.id))


def kinds(session: Session, trajectory: Trajectory) -> list[str]:
    return [m.kind for m in messages(session, trajectory)]


@pytest.mark.parametrize("domain", [Domain.WMO, Domain.JEUGD])
def test_a_sent_trajectory_runs_its_whole_chain_by_message_and_ends_closed_and_claimed(
    session: Session,
    world: World,
    messaging: World,
    all_schemas: Schemas,
    domain: Domain,
) -> None:
    schemas = all_schemas
    with freeze_time(TODAY):
        trajectory = made_and_sent(session, world, domain)

    [toewijzing] = messages(session, trajectory)
    assert (toewijzing.kind, toewijzing.direction, toewijzing.state) == (
        "301",
        MessageDirection.UIT,
        MessageState.KLAAR,
    )
    assert toewijzing.domain == domain
    assert schema_errors(schemas, toewijzing) == []

    # The day it was sent: the provider's system collects and accepts it; care starts later.
    report = simulate(session, world.zorg_a, today=TODAY, schemas=schemas, seed=SEED)
    assert ([m.kind for m in report.collected], dict(report.sent)) == (["301"], {"302": 1})
    assert trajectory.state == S.GEACCEPTEERD
    assert toewijzing.state == MessageState.BEVESTIGD

    # The planned start: care starts.
    start = trajectory.planned_start
    report = simulate(session, world.zorg_a, today=start, schemas=schemas, seed=SEED)
    assert ([m.kind for m in report.collected], dict(report.sent)) == (["306"], {"305": 1})
    assert report.refused == []
    assert (trajectory.state, trajectory.care_start) == (S.ACTIEF, start)

    # The result date: the evaluations are held in the portal, then care stops as planned.
    done = result_date(SEED, trajectory, start)
    report = simulate(session, world.zorg_a, today=done, schemas=schemas, seed=SEED)
    assert ([m.kind for m in report.collected], dict(report.sent)) == (["308"], {"307": 1})
    assert report.refused == []
    assert report.evaluations >= 1
    held = [e for e in trajectory.evaluations if e.state == EvaluationState.INGEDIEND]
    assert held and all(e.held_on is not None and start <= e.held_on <= done for e in held)
    [end_report] = session.scalars(
        select(EndOfCareReport).where(EndOfCareReport.trajectory_id == trajectory.id)
    ).all()
    assert (end_report.state, end_report.care_end, end_report.end_reason_code) == (
        SubmissionState.INGEDIEND,
        done,
        ENDED_AS_PLANNED[domain],
    )
    assert end_report.result_achieved is True

    # The gids confirms the end of care: the trajectory closes with the reported values.
    confirmed_on = done + timedelta(days=1)
    closure.confirm_end_of_care(session, end_report, world.gids, confirmed_on)
    assert (trajectory.state, trajectory.care_end) == (S.AFGESLOTEN, done)

    # The provider declares the full price; the municipality answers.
    report = simulate(session, world.zorg_a, today=confirmed_on, schemas=schemas, seed=SEED)
    assert ([m.kind for m in report.collected], dict(report.sent)) == (["325"], {"323": 1})
    assert report.refused == []
    claim = session.scalars(select(Claim).where(Claim.trajectory_id == trajectory.id)).one()
    assert claim.amount == claim.price == trajectory.price > Decimal(0)

    stored = messages(session, trajectory)
    by_kind = {m.kind: m for m in stored}
    assert sorted(by_kind) == ["301", "302", "305", "306", "307", "308", "323", "325"]
    for kind in ("302", "305", "307", "323"):
        assert by_kind[kind].direction == MessageDirection.IN
        assert by_kind[kind].state == MessageState.VERWERKT, by_kind[kind].errors
    # Every message has its retour: the 301 the provider's 302, each incoming one ours.
    assert by_kind["302"].answers_id == by_kind["301"].id
    for asked, answer in (("305", "306"), ("307", "308"), ("323", "325")):
        assert by_kind[answer].direction == MessageDirection.UIT
        assert by_kind[answer].answers_id == by_kind[asked].id
    for message in stored:
        assert schema_errors(schemas, message) == [], message.kind
    declaratie_answer = etree.fromstring(by_kind["325"].body)
    assert etree.QName(declaratie_answer).namespace == codes.namespace(domain, "325")

    # The provider's system sends its 305 again (a retry): answered from the first, no change.
    replayed = incoming.receive(session, world.zorg_a, by_kind["305"].body, confirmed_on, schemas)
    assert replayed.id == by_kind["305"].id and store.retour_of(replayed) == by_kind["306"]
    assert trajectory.state == S.AFGESLOTEN and trajectory.care_start == start

    # Nothing is left to do: another run, days later, sends nothing.
    later = confirmed_on + timedelta(days=30)
    again = simulate(session, world.zorg_a, today=later, schemas=schemas, seed=SEED)
    assert again.nothing_done and again.collected == []
    assert len(messages(session, trajectory)) == len(stored)


def test_running_the_simulator_twice_on_a_day_sends_nothing_new(
    session: Session,
    world: World,
    messaging: World,
    schemas: Schemas,
) -> None:
    with freeze_time(TODAY):
        trajectory = made_and_sent(session, world, Domain.WMO, planned_start=TODAY)
    first = simulate(session, world.zorg_a, today=TODAY, schemas=schemas, to_the_end=True)
    assert dict(first.sent) == {"302": 1, "305": 1, "307": 1}
    count = len(messages(session, trajectory))

    second = simulate(session, world.zorg_a, today=TODAY, schemas=schemas, to_the_end=True)

    assert second.nothing_done and second.refused == []
    assert len(messages(session, trajectory)) == count


def test_the_simulator_answers_only_its_own_providers_toewijzingen(
    session: Session,
    world: World,
    messaging: World,
    schemas: Schemas,
) -> None:
    exchanging(world.zorg_b)
    with freeze_time(TODAY):
        theirs = made_and_sent(session, world, Domain.WMO)  # Zorg A's

    report = simulate(session, world.zorg_b, today=TODAY, schemas=schemas, to_the_end=True)

    assert report.nothing_done and report.collected == []
    assert theirs.state == S.VOORGESTELD
    assert [m.state for m in messages(session, theirs)] == [MessageState.KLAAR]


def test_a_cancelled_toewijzing_is_acknowledged_but_care_never_starts(
    session: Session,
    world: World,
    messaging: World,
    schemas: Schemas,
) -> None:
    with freeze_time(TODAY):
        trajectory = made_and_sent(session, world, Domain.WMO)
    simulate(session, world.zorg_a, today=TODAY, schemas=schemas)
    wf.cancel(session, trajectory, world.gids, "Inwoner ziet af van hulp", today=TODAY)

    report = simulate(
        session, world.zorg_a, today=trajectory.planned_start, schemas=schemas, to_the_end=True
    )

    assert dict(report.sent) == {"302": 1}
    assert trajectory.state == S.GEANNULEERD
    assert "305" not in kinds(session, trajectory)


def test_the_same_seed_gives_the_same_result_dates_and_another_seed_may_not() -> None:
    trajectory = Trajectory(id=12, planned_start=date(2027, 1, 1), planned_end=date(2027, 12, 31))
    days = {result_date(seed, trajectory, date(2027, 1, 1)) for seed in range(40)}
    assert result_date(3, trajectory, date(2027, 1, 1)) == result_date(
        3, trajectory, date(2027, 1, 1)
    )
    assert date(2027, 12, 31) in days and len(days) > 1
    assert all(date(2027, 8, 1) <= day <= date(2027, 12, 31) for day in days)
