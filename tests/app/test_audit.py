"""The audit log: every read and change of a resident, trajectory, evaluation and claim is
recorded with who, when, what and from where; refused looks are recorded as refused; a change
that is rolled back leaves no entry; and nobody — the ORM or plain SQL — changes or removes an
entry afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from models import AuditEntry, TrajectoryState, utcnow
from workflows.audit import (
    AuditContext,
    AuditLogIsAppendOnly,
    Noted,
    insert_reads_postgresql,
    set_context,
)

from ..committed import audit_entries_after, last_audit_id
from ..factories import concept_starting_today, make_trajectory
from .helpers import login, login_as, logout, post_form


def test_a_gids_reading_a_trajectory_is_recorded(client, world, session):
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    session.flush()
    login_as(client, world.gids)
    before = last_audit_id(session)
    response = client.get(f"/gids/trajecten/{t.id}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 200
    entries = audit_entries_after(session, before)
    read = {(e.object_type, e.object_id): e for e in entries if e.action == "inzien"}
    assert ("traject", t.id) in read and ("inwoner", world.adult.id) in read
    entry = read[("traject", t.id)]
    assert entry.user_id == world.gids.id
    assert entry.role == "gids"
    assert entry.ip == "10.1.2.3"
    assert entry.endpoint == "gids.trajectory"
    assert entry.status == 200
    assert entry.resident_id == world.adult.id
    assert entry.at is not None
    # evaluations shown on the page are reads too, tied to the same resident
    evaluations = [e for e in entries if e.object_type == "evaluatie"]
    assert evaluations and all(e.resident_id == world.adult.id for e in evaluations)


def test_the_caseload_records_each_trajectory_and_resident_it_shows(client, world, session):
    # The list reads plain rows (no ORM objects), so it notes its reads itself; on PostgreSQL
    # they are written as one statement over arrays. Both must give the same entries.
    first = make_trajectory(session, world, TrajectoryState.ACTIEF)
    second = make_trajectory(session, world, TrajectoryState.CONCEPT, resident_id=world.child.id)
    session.flush()
    login_as(client, world.gids)
    before = last_audit_id(session)
    assert client.get("/gids/", environ_base={"REMOTE_ADDR": "10.1.2.4"}).status_code == 200
    entries = audit_entries_after(session, before)
    assert {(e.object_type, e.object_id, e.resident_id) for e in entries} == {
        ("traject", first.id, world.adult.id),
        ("traject", second.id, world.child.id),
        ("inwoner", world.adult.id, world.adult.id),
        ("inwoner", world.child.id, world.child.id),
    }
    assert {(e.action, e.user_id, e.role, e.ip, e.endpoint, e.status) for e in entries} == {
        ("inzien", world.gids.id, "gids", "10.1.2.4", "gids.caseload", 200)
    }
    assert all(e.at is not None and e.details is None for e in entries)


def test_the_provider_list_records_what_it_shows(client, world, session):
    shown = make_trajectory(session, world, TrajectoryState.ACTIEF)
    session.flush()
    login_as(client, world.aanbieder_a)
    before = last_audit_id(session)
    assert client.get("/aanbieder/").status_code == 200
    entries = audit_entries_after(session, before)
    assert {(e.object_type, e.object_id, e.resident_id, e.user_id) for e in entries} == {
        ("traject", shown.id, world.adult.id, world.aanbieder_a.id),
        ("inwoner", world.adult.id, world.adult.id, world.aanbieder_a.id),
    }


def test_a_refused_look_is_recorded_as_refused(client, world, session):
    t = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    session.flush()
    login_as(client, world.aanbieder_b)
    before = last_audit_id(session)
    assert client.get(f"/aanbieder/trajecten/{t.id}").status_code == 404
    entries = audit_entries_after(session, before)
    assert entries and {e.action for e in entries} == {"geweigerd"}
    assert {e.status for e in entries} == {404}
    assert all(e.user_id == world.aanbieder_b.id for e in entries)


def test_a_change_is_recorded_with_the_step_and_the_fields(client, world, session):
    t = concept_starting_today(session, world)
    session.flush()
    login_as(client, world.gids)
    before = last_audit_id(session)
    page = f"/gids/trajecten/{t.id}"
    response = post_form(
        client, page, f"{page}/versturen", {"propose-version": str(t.version)}, "propose"
    )
    assert response.status_code == 302
    changes = [e for e in audit_entries_after(session, before) if e.action == "gewijzigd"]
    assert len(changes) == 1
    change = changes[0]
    assert (change.object_type, change.object_id, change.resident_id) == (
        "traject",
        t.id,
        world.adult.id,
    )
    assert "stap voorstellen" in change.details and "state" in change.details
    assert world.adult.bsn not in change.details  # names of fields, never values


def test_a_new_resident_is_recorded_as_created(client, world, session):
    login_as(client, world.gids)
    before = last_audit_id(session)
    data = {
        "bsn": "345678904",
        "given_name": "Robert",
        "family_name": "Visser",
        "birth_date": "1970-03-04",
        "postcode": "",
        "wijk_id": "",
        "household_member_bsn": "",
    }
    response = post_form(client, "/gids/inwoners/nieuw", "/gids/inwoners/nieuw", data)
    assert response.status_code == 302
    created = [e for e in audit_entries_after(session, before) if e.action == "aangemaakt"]
    assert [(e.object_type, e.user_id) for e in created] == [("inwoner", world.gids.id)]
    assert created[0].resident_id == created[0].object_id


def test_a_refused_change_leaves_no_change_entry(client, world, session):
    t = make_trajectory(session, world, TrajectoryState.CONCEPT)
    session.flush()
    login_as(client, world.gids)
    before = last_audit_id(session)
    page = f"/gids/trajecten/{t.id}"
    response = post_form(client, page, f"{page}/annuleren", {"cancel-reason": "  "}, "cancel")
    assert response.status_code == 422
    assert not [e for e in audit_entries_after(session, before) if e.action != "inzien"]


def test_logins_and_logouts_are_recorded(client, world, session):
    before = last_audit_id(session)
    login(client, world.gids.email)
    logout(client)
    actions = [(e.action, e.object_type, e.object_id) for e in audit_entries_after(session, before)]
    assert ("ingelogd", "account", world.gids.id) in actions
    assert ("uitgelogd", "account", world.gids.id) in actions


def test_showing_a_full_bsn_is_recorded(client, world, session):
    login_as(client, world.gids)
    before = last_audit_id(session)
    masked = client.get(f"/gids/inwoners/{world.adult.id}").get_data(as_text=True)
    assert world.adult.bsn not in masked and "••••••333" in masked
    assert not [e for e in audit_entries_after(session, before) if e.action == "bsn_getoond"]
    shown = client.get(f"/gids/inwoners/{world.adult.id}?bsn=tonen").get_data(as_text=True)
    assert world.adult.bsn in shown
    entries = [e for e in audit_entries_after(session, before) if e.action == "bsn_getoond"]
    assert [(e.user_id, e.resident_id) for e in entries] == [(world.gids.id, world.adult.id)]


# --- append-only ---------------------------------------------------------------------------


@pytest.fixture
def entry(session):
    set_context(session, AuditContext(user_id=1, role="gids"))
    try:
        from workflows.audit import record

        record(session, "inzien", "inwoner", 1, 1)
    finally:
        set_context(session, None)
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()


def test_the_orm_refuses_to_change_an_entry(session, entry):
    entry.action = "iets anders"
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


def test_the_orm_refuses_to_remove_an_entry(session, entry):
    session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()


def test_the_orm_refuses_bulk_changes(session, entry):
    with pytest.raises(AuditLogIsAppendOnly):
        session.execute(update(AuditEntry).values(action="x"))
    with pytest.raises(AuditLogIsAppendOnly):
        session.execute(delete(AuditEntry))


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_change_or_remove_an_entry(connection, entry, statement):
    nested = connection.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        connection.execute(text(statement))
    nested.rollback()


def test_postgresql_refuses_to_truncate_the_log(connection, entry):
    if connection.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has no such statement")
    nested = connection.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        connection.execute(text("TRUNCATE audit_log"))
    nested.rollback()


def test_postgresql_writes_read_entries_in_one_statement_without_waiting_for_the_disk(session):
    """The read entries of a page go in as one statement that also turns off the wait for the
    disk for that transaction only (SET LOCAL); a change's own transaction still waits."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the array insert and synchronous_commit are PostgreSQL's")
    before = last_audit_id(session)
    context = AuditContext(user_id=7, role="gids", ip="10.0.0.1", endpoint="gids.caseload")
    reads = [(("traject", 11), Noted(resident_id=21, trajectory_id=11))]
    reads.append((("inwoner", 21), Noted(resident_id=21)))
    nested = session.begin_nested()
    assert session.scalar(text("SHOW synchronous_commit")) == "on"
    insert_reads_postgresql(session, context, "inzien", 200, utcnow(), reads)
    assert session.scalar(text("SHOW synchronous_commit")) == "off"
    rows = session.execute(
        select(
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.resident_id,
            AuditEntry.user_id,
            AuditEntry.role,
            AuditEntry.ip,
            AuditEntry.endpoint,
            AuditEntry.status,
            AuditEntry.action,
        )
        .where(AuditEntry.id > before)
        .order_by(AuditEntry.id)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("traject", 11, 21, 7, "gids", "10.0.0.1", "gids.caseload", 200, "inzien"),
        ("inwoner", 21, 21, 7, "gids", "10.0.0.1", "gids.caseload", 200, "inzien"),
    ]
    nested.rollback()


def test_the_audit_log_has_no_update_or_delete_view(app):
    """No route offers to edit the log: the only audit pages are the beheerder's reading ones."""
    audit_routes = [r for r in app.url_map.iter_rules() if "inzage" in r.rule]
    assert audit_routes
    for rule in audit_routes:
        assert rule.methods is not None and not ({"PUT", "PATCH", "DELETE"} & rule.methods)


def test_scheduler_runs_and_workflow_tests_record_nothing_without_a_context(session, world):
    before = last_audit_id(session)
    make_trajectory(session, world, TrajectoryState.ACTIEF)
    session.flush()
    assert audit_entries_after(session, before) == []
