"""Retention: a file closed longer ago than its domain's period (Jeugd 20, Wmo 15 years by
default) is due; ``privacy purge --dry-run`` shows it and changes nothing; the purge removes it
entirely — and only tables with personal data, never the statistics."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from models import (
    Aanmelding,
    AanmeldingOutcome,
    AuditEntry,
    Claim,
    Domain,
    Evaluation,
    Household,
    LoginAttempt,
    Message,
    MessageDirection,
    MessageState,
    Resident,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    Verzoek,
    VerzoekState,
    ZrmBaselineScore,
)
from workflows.aanmeldingen import decide_aanmelding, register_aanmelding
from workflows.claims import submit_claim
from workflows.residents import ResidentChanges, change_resident
from workflows.retention import PERSONAL_TABLES, RetentionPolicy, due_files, purge

from ..factories import TODAY, make_trajectory

POLICY = RetentionPolicy(years={Domain.JEUGD: 20, Domain.WMO: 15})
S = TrajectoryState


def _closed_adult(session, world):
    """Anna (Wmo): a closed trajectory with evaluations, events and a claim; closed on TODAY."""
    t = make_trajectory(session, world, S.AFGESLOTEN)
    submit_claim(session, t, world.aanbieder_a, TODAY)
    session.flush()
    return t


def test_a_wmo_file_is_due_fifteen_years_after_closure(session, world):
    _closed_adult(session, world)
    due_day = date(TODAY.year + 15, TODAY.month, TODAY.day)
    assert world.adult.id not in {
        f.resident_id for f in due_files(session, due_day - timedelta(days=1), POLICY)
    }
    due = {f.resident_id: f for f in due_files(session, due_day, POLICY)}
    assert due[world.adult.id].closed_on == TODAY
    assert due[world.adult.id].domains == (Domain.WMO,)


def test_a_jeugd_file_waits_twenty_years(session, world):
    child = make_trajectory(
        session, world, S.GEANNULEERD, resident_id=world.child.id, profile_id=world.amb.id
    )
    session.flush()
    cancelled_on = child.updated_at.astimezone(UTC).date()
    fifteen = date(cancelled_on.year + 15, 12, 31)
    assert world.child.id not in {f.resident_id for f in due_files(session, fifteen, POLICY)}
    twenty = date(cancelled_on.year + 20, 12, 31)
    assert world.child.id in {f.resident_id for f in due_files(session, twenty, POLICY)}


def test_anything_open_keeps_the_whole_file(session, world):
    _closed_adult(session, world)
    make_trajectory(session, world, S.ACTIEF)
    session.flush()
    assert world.adult.id not in {
        f.resident_id for f in due_files(session, date(2100, 1, 1), POLICY)
    }


def test_an_open_request_keeps_the_file(session, world):
    register_aanmelding(
        session,
        world.child,
        world.gids,
        request_date=TODAY,
        domain=Domain.JEUGD,
        question="Hulp",
        today=TODAY,
    )
    session.flush()
    assert world.child.id not in {
        f.resident_id for f in due_files(session, date(2100, 1, 1), POLICY)
    }


def test_a_decided_request_without_trajectory_closes_on_its_decision(session, world):
    item = register_aanmelding(
        session,
        world.child,
        world.gids,
        request_date=TODAY,
        domain=Domain.JEUGD,
        question="Hulp",
        today=TODAY,
    )
    decide_aanmelding(
        session,
        item,
        world.gids,
        outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="Geen indicatie",
        today=TODAY,
    )
    session.flush()
    due = {f.resident_id: f for f in due_files(session, date(TODAY.year + 20, 12, 31), POLICY)}
    assert due[world.child.id].closed_on == TODAY


def test_the_later_domain_decides_for_a_resident_with_both(session, world):
    # Bram: a Wmo trajectory (no age limit there) closed TODAY and a Jeugd request without
    # follow-up decided TODAY.
    make_trajectory(session, world, S.AFGESLOTEN, resident_id=world.child.id)
    item = register_aanmelding(
        session,
        world.child,
        world.gids,
        request_date=TODAY,
        domain=Domain.JEUGD,
        question="Hulp in het gezin",
        today=TODAY,
    )
    decide_aanmelding(
        session, item, world.gids, outcome=AanmeldingOutcome.GEEN_VERVOLG, reason=None, today=TODAY
    )
    session.flush()
    after_wmo = date(TODAY.year + 16, 1, 1)
    assert world.child.id not in {f.resident_id for f in due_files(session, after_wmo, POLICY)}
    due = {f.resident_id: f for f in due_files(session, date(TODAY.year + 20, 12, 31), POLICY)}
    assert due[world.child.id].domains == (Domain.JEUGD, Domain.WMO)


def test_a_registration_without_history_waits_the_longest_period(session, world):
    created = world.adult.created_at.astimezone(UTC).date()
    before = date(created.year + 19, 12, 31)
    after = date(created.year + 20, 12, 31)
    assert world.adult.id not in {f.resident_id for f in due_files(session, before, POLICY)}
    assert world.adult.id in {f.resident_id for f in due_files(session, after, POLICY)}


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_purge_removes_the_whole_file_and_nothing_else(session, world):
    closed = _closed_adult(session, world)
    closed.zrm_baseline = [ZrmBaselineScore(domain=d, score=3) for d in range(1, 14)]
    kept = make_trajectory(
        session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id
    )
    session.flush()
    files = [
        f for f in due_files(session, date(2050, 1, 1), POLICY) if f.resident_id == world.adult.id
    ]
    household_id = world.adult.household_id
    report = purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))
    assert report.residents == 1
    assert report.rows["trajectories"] == 1 and report.rows["claims"] == 1
    assert _count(session, Resident, Resident.id == world.adult.id) == 0
    assert _count(session, Trajectory, Trajectory.id == closed.id) == 0
    assert _count(session, TrajectoryEvent, TrajectoryEvent.trajectory_id == closed.id) == 0
    assert _count(session, Evaluation, Evaluation.trajectory_id == closed.id) == 0
    assert _count(session, Claim, Claim.trajectory_id == closed.id) == 0
    assert report.rows["zrm_baseline_scores"] == 13
    assert _count(session, ZrmBaselineScore, ZrmBaselineScore.trajectory_id == closed.id) == 0
    assert _count(session, Household, Household.id == household_id) == 0
    # the other resident's file is untouched
    assert _count(session, Trajectory, Trajectory.id == kept.id) == 1
    assert _count(session, Resident, Resident.id == world.child.id) == 1
    # the purge is in the audit log, by resident id only
    removed = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "verwijderd", AuditEntry.resident_id == world.adult.id
        )
    ).all()
    assert [e.details for e in removed] == ["bewaartermijn verstreken"]


def test_the_purge_leaves_no_trace_of_the_address_or_phone(session, world):
    """Registered, corrected (the audit log names the changed fields) and shown: after the purge
    neither the address nor the phone is in any row of any table."""
    change_resident(
        session,
        world.adult,
        ResidentChanges(
            given_name="Anna",
            family_name="de Vries",
            address="Zuiderzeestraat 77",
            postcode="8251AB",
            wijk_id=world.dronten.id,
            phone="06-98765432",
        ),
        world.gids,
    )
    _closed_adult(session, world)
    assert world.adult.phone == "0698765432"
    files = [
        f for f in due_files(session, date(2050, 1, 1), POLICY) if f.resident_id == world.adult.id
    ]
    purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))
    session.flush()
    for table in Resident.metadata.sorted_tables:
        for row in session.execute(select(table)):
            text = repr(tuple(row))
            assert "0698765432" not in text and "98765432" not in text, table.name
            assert "Zuiderzeestraat" not in text, table.name
    # the other resident (no phone) is still there
    assert _count(session, Resident, Resident.id == world.child.id) == 1


def test_a_household_with_members_left_is_kept(session, world):
    from models import Resident as R

    sister = R(
        bsn="123456782"[::-1],
        given_name="Zus",
        family_name="de Vries",
        birth_date=date(1955, 1, 1),
        household=world.adult.household,
    )
    session.add(sister)
    _closed_adult(session, world)
    session.flush()
    files = [
        f for f in due_files(session, date(2050, 1, 1), POLICY) if f.resident_id == world.adult.id
    ]
    purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))
    assert _count(session, Household, Household.id == sister.household_id) == 1


def test_old_login_attempts_are_removed(session, world):
    now = datetime(2026, 11, 2, 12, tzinfo=UTC)
    for age in (10, 89, 91, 400):
        session.add(
            LoginAttempt(
                account_key="k",
                ip="10.0.0.1",
                stage="wachtwoord",
                success=False,
                at=now - timedelta(days=age),
            )
        )
    session.flush()
    report = purge(session, [], POLICY, now)
    assert report.rows["login_attempts"] == 2
    assert _count(session, LoginAttempt, LoginAttempt.account_key == "k") == 2


def test_purge_deletes_only_personal_tables(session, world):
    """Whatever statistics exist (the pseudonymised feed has no link to these tables) are
    never read or changed: every DELETE or UPDATE of a purge targets a personal table."""
    _closed_adult(session, world)
    session.flush()
    statements: list[str] = []
    engine = session.get_bind().engine

    def capture(conn, cursor, statement, params, context, many):  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        files = due_files(session, date(2050, 1, 1), POLICY)
        purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    written = set()
    for statement in statements:
        match = re.match(r"\s*(DELETE FROM|UPDATE|INSERT INTO)\s+(\w+)", statement, re.I)
        if match:
            written.add(match.group(2))
    assert written, "the purge wrote nothing"
    assert written <= set(PERSONAL_TABLES) | {"audit_log"}, written - set(PERSONAL_TABLES)


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def runner(app, connection):
    return app.test_cli_runner()


def test_the_dry_run_shows_what_is_due_and_changes_nothing(runner, session, world):
    _closed_adult(session, world)
    session.commit()
    result = runner.invoke(args=["privacy", "purge", "--dry-run", "--date", "2050-01-01"])
    assert result.exit_code == 0, result.output
    assert f"resident #{world.adult.id}: closed {TODAY}" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert world.adult.bsn not in result.output and "Vries" not in result.output
    session.expire_all()
    assert _count(session, Resident, Resident.id == world.adult.id) == 1


def test_the_purge_command_removes_what_is_due(runner, session, world):
    _closed_adult(session, world)
    session.commit()
    adult_id = world.adult.id
    result = runner.invoke(args=["privacy", "purge", "--date", "2050-01-01"])
    assert result.exit_code == 0, result.output
    assert "trajectories" in result.output and "statistics are not touched" in result.output
    session.expire_all()
    assert _count(session, Resident, Resident.id == adult_id) == 0
    assert _count(session, Aanmelding, Aanmelding.resident_id == adult_id) == 0


def test_the_statistics_are_the_same_after_a_purge_and_after_a_rebuild(session, world):
    """The pseudonymised feed keeps the purged file's trajectory: the figures do not change when
    the personal data goes, nor when the feed is derived again from what is left."""
    from workflows.stats.episodes import month_index
    from workflows.stats.feed import rebuild
    from workflows.stats.figures import flows
    from workflows.stats.selection import StatsQuery

    _closed_adult(session, world)
    make_trajectory(session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id)
    session.flush()
    month = month_index(TODAY)
    query = StatsQuery(start=month - 2, end=month + 1, cutoff=month + 1, unit="client")
    before = flows(session, query)
    assert sum(m.instroom for m in before.months) == 2 and before.months[-1].eindstand == 1

    purge(session, due_files(session, date(2050, 1, 1), POLICY), POLICY, datetime.now(UTC))
    assert _count(session, Resident, Resident.id == world.adult.id) == 0
    assert flows(session, query) == before
    rebuild(session)
    assert flows(session, query) == before


def test_the_purge_removes_a_providers_request_by_message_about_the_file(session, world):
    t = _closed_adult(session, world)
    incoming = Message(
        direction=MessageDirection.IN,
        kind="317",
        domain=Domain.WMO,
        provider=world.zorg_a,
        identification="317-1",
        dated_on=TODAY,
        state=MessageState.VERWERKT,
        body=b"<Bericht/>",
    )
    session.add(incoming)
    session.flush()
    session.add(
        Verzoek(
            kind="317",
            domain=Domain.WMO,
            provider_id=world.zorg_a.id,
            reference="VOW-1",
            message_id=incoming.id,
            trajectory_id=t.id,
            state=VerzoekState.OPEN,
        )
    )
    session.flush()
    files = due_files(session, date(2050, 1, 1), POLICY)
    report = purge(session, files, POLICY, datetime(2050, 1, 1, tzinfo=UTC))
    assert report.rows["verzoeken"] == 1
    assert session.scalar(select(func.count()).select_from(Verzoek)) == 0
