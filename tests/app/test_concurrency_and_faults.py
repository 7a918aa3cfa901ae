"""Concurrency and faults: a second writer gets a clear conflict and overwrites nothing (two
sessions through the app, and two database connections racing at the ORM); a database error
in the middle of a transition, a closure or a purge leaves nothing of it behind."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from models import (
    Domain,
    Evaluation,
    Resident,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows.retention import RetentionPolicy, due_files, purge

from ..committed import audit_entries_after, last_audit_id
from ..factories import TODAY, World, concept_starting_today, make_trajectory
from .helpers import (
    checked_value,
    csrf_token,
    input_value,
    login_as,
    post_form,
    select_options,
    textarea_value,
    upload_history,
)

CONFLICT = "Iemand anders heeft dit traject intussen gewijzigd."
SERVER_ERROR = "Er ging iets mis aan onze kant. Er is niets opgeslagen"


@contextmanager
def failing_statement(pattern: str) -> Iterator[list[str]]:
    """Fault injection: the first statement matching ``pattern`` fails as if the database had
    gone away; yields the statements that did run before it."""
    assert db.engine is not None
    engine = db.engine
    seen: list[str] = []
    fired = []

    def fail(conn, cursor, statement, params, context, many):  # noqa: ANN001
        if not fired and re.search(pattern, statement, re.I):
            fired.append(statement)
            raise OperationalError(statement, {}, Exception("injected: connection lost"))
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    assert fired, f"no statement matched {pattern!r}"


def _edit_data(body: str, **changes: str) -> dict[str, str]:
    """The edit form as the browser would send it."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and (kind is None or kind.group(1) not in ("submit", "checkbox", "radio")):
            data[name.group(1)] = input_value(body, name.group(1)) or ""
        elif name and kind and kind.group(1) == "radio":
            data[name.group(1)] = checked_value(body, name.group(1)) or ""
    for name in re.findall(r'<textarea[^>]*name="([^"]+)"', body):
        data[name] = textarea_value(body, name) or ""
    for name in re.findall(r'<select[^>]*name="([^"]+)"', body):
        chosen = [value for value, _label, selected in select_options(body, name) if selected]
        data[name] = chosen[0] if chosen else ""
    data.update(changes)
    return data


def test_two_sessions_editing_the_same_trajectory_the_second_gets_a_conflict(
    app: Flask, world: World, session
) -> None:
    t = concept_starting_today(session, world)
    session.flush()
    first, second = app.test_client(), app.test_client()
    login_as(first, world.gids)
    login_as(second, world.gids)
    url = f"/gids/trajecten/{t.id}/wijzigen"
    form_first = first.get(url).get_data(as_text=True)
    form_second = second.get(url).get_data(as_text=True)  # both read version 1

    saved = first.post(
        url,
        data=_edit_data(form_first, price_reason="", **{"results-0-description": "Eerste versie"}),
    )
    assert saved.status_code == 302, re.findall(
        r"class=\"error[^>]*>(.*?)<", saved.get_data(as_text=True)
    )
    late = second.post(
        url, data=_edit_data(form_second, **{"results-0-description": "Tweede versie"})
    )
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert CONFLICT in body and "er is niets overschreven" in body
    assert "Tweede versie" in body  # the late writer keeps what was typed
    session.expire_all()
    stored = session.get(Trajectory, t.id)
    assert [r.description for r in stored.results] == ["Eerste versie"]
    assert stored.version == 2


def test_a_gids_cancelling_after_the_provider_accepted_overwrites_nothing(
    app: Flask, world: World, session
) -> None:
    t = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    session.flush()
    gids, provider = app.test_client(), app.test_client()
    login_as(gids, world.gids)
    login_as(provider, world.aanbieder_a)
    page = gids.get(f"/gids/trajecten/{t.id}")  # the gids's page shows version 2
    name, token = csrf_token(page, "cancel")
    version = re.search(r'name="cancel-version"[^>]*value="(\d+)"', page.get_data(as_text=True))
    accepted = post_form(
        provider,
        f"/aanbieder/trajecten/{t.id}",
        f"/aanbieder/trajecten/{t.id}/accepteren",
        {"accept-version": str(t.version)},
        "accept",
    )
    assert accepted.status_code == 302
    late = gids.post(
        f"/gids/trajecten/{t.id}/annuleren",
        data={name: token, "cancel-reason": "Toch niet", "cancel-version": version.group(1)},
    )
    assert late.status_code == 409
    assert "intussen door iemand anders gewijzigd" in late.get_data(as_text=True)
    session.expire_all()
    assert session.get(Trajectory, t.id).state == TrajectoryState.GEACCEPTEERD


def test_two_connections_racing_on_one_trajectory_the_second_write_fails(
    committed_world: World,
) -> None:
    """Below the forms: both sessions read version 1 before either writes; the version column
    makes the second UPDATE match no row, so it fails loudly instead of overwriting."""
    assert db.engine is not None
    with Session(db.engine, expire_on_commit=False) as s:
        t = make_trajectory(s, committed_world, TrajectoryState.CONCEPT)
        s.commit()
        trajectory_id = t.id
    with Session(db.engine) as one, Session(db.engine, expire_on_commit=False) as two:
        mine = one.get(Trajectory, trajectory_id)
        theirs = two.get(Trajectory, trajectory_id)
        assert mine.version == theirs.version == 1
        two.commit()  # ends the read (SQLite's snapshot) and keeps the loaded object as it was
        mine.price_reason = "eerste"
        one.commit()
        theirs.price_reason = "tweede"
        with pytest.raises(StaleDataError):
            two.flush()
        two.rollback()
    with Session(db.engine) as check:
        assert check.get(Trajectory, trajectory_id).price_reason == "eerste"


# --- faults -----------------------------------------------------------------------------------


def _audit_changes(session, trajectory_id: int, after: int) -> int:
    """Changes of the trajectory in the log since ``after`` (earlier committing tests leave
    entries that may name the same id on SQLite)."""
    return sum(
        1
        for e in audit_entries_after(session, after)
        if (e.object_type, e.object_id) == ("traject", trajectory_id) and e.action != "inzien"
    )


def test_a_database_error_in_the_middle_of_a_transition_leaves_nothing(
    client, world: World, session
) -> None:
    t = concept_starting_today(session, world)
    session.flush()
    events = len(t.events)
    after = last_audit_id(session)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{t.id}"
    name, token = csrf_token(client.get(page), "propose")
    with failing_statement(r"INSERT INTO trajectory_events") as ran:
        response = client.post(
            f"{page}/versturen", data={name: token, "propose-version": str(t.version)}
        )
    assert any(s.lstrip().upper().startswith("UPDATE TRAJECTORIES") for s in ran)  # mid-way
    assert response.status_code == 500
    assert SERVER_ERROR in response.get_data(as_text=True)
    session.expire_all()
    stored = session.get(Trajectory, t.id)
    assert stored.state == TrajectoryState.CONCEPT
    assert stored.decision_date is None and stored.version == t.version
    assert (
        session.scalar(select(func.count()).where(TrajectoryEvent.trajectory_id == t.id)) == events
    )
    assert _audit_changes(session, t.id, after) == 0


def test_a_database_error_while_closing_leaves_the_trajectory_running(
    client, world: World, session
) -> None:
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    session.flush()
    planned = session.scalar(select(func.count()).where(Evaluation.trajectory_id == t.id))
    login_as(client, world.gids)
    page = f"/gids/trajecten/{t.id}"
    name, token = csrf_token(client.get(f"{page}/afsluiten"), "close")
    data = {
        name: token,
        "close-care_end": TODAY.isoformat(),
        "close-closure_category": "a",
        "close-end_reason_code": "19",
        "close-result_achieved": "ja",
        "close-version": str(t.version),
    }
    with failing_statement(r"DELETE FROM evaluations"):
        response = client.post(f"{page}/afsluiten", data=data)
    assert response.status_code == 500
    session.expire_all()
    stored = session.get(Trajectory, t.id)
    assert stored.state == TrajectoryState.ACTIEF and stored.care_end is None
    assert session.scalar(select(func.count()).where(Evaluation.trajectory_id == t.id)) == planned


def test_a_database_error_in_the_middle_of_a_purge_removes_nothing(app, world: World, session):
    make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    session.commit()
    adult_id = world.adult.id
    runner = app.test_cli_runner()
    with failing_statement(r"DELETE FROM residents") as ran:
        result = runner.invoke(args=["privacy", "purge", "--date", "2050-01-01"])
    assert any("DELETE FROM trajectories" in s for s in ran)  # it was well under way
    assert result.exit_code != 0
    session.expire_all()
    assert session.get(Resident, adult_id) is not None
    assert session.scalar(select(func.count()).where(Trajectory.resident_id == adult_id)) == 1
    policy = RetentionPolicy(years={Domain.JEUGD: 20, Domain.WMO: 15})
    assert adult_id in {f.resident_id for f in due_files(session, date(2050, 1, 1), policy)}
    # and a second run completes
    report = purge(session, due_files(session, date(2050, 1, 1), policy), policy, datetime.now(UTC))
    assert report.rows["residents"] >= 1


def test_a_database_error_in_the_middle_of_an_import_imports_nothing(
    client, world: World, session
) -> None:
    """The upload's rows go in as one unit: the connection lost after the residents and
    requests were written leaves no resident, request, trajectory or statistics row behind."""
    from models import Aanmelding, StatsTrajectory

    from ..workflows.history_csv import CLOSED, RUNNING, csv_text

    before = {
        model: session.scalar(select(func.count()).select_from(model))
        for model in (Resident, Aanmelding, Trajectory, StatsTrajectory)
    }
    login_as(client, world.beheerder)
    # The rows go in with bulk writes (PostgreSQL's COPY bypasses the statement hook), each
    # table's ids drawn first: fail when the trajectories' ids are drawn, after the requests'.
    ids_of = r"(pg_get_serial_sequence\('{0}'|UPDATE {0} SET id = id)"
    with failing_statement(ids_of.format("trajectories")) as ran:
        response = upload_history(client, world, csv_text(CLOSED, RUNNING))
    assert any(re.search(ids_of.format("requests"), s) for s in ran)  # mid-way
    assert response.status_code == 500
    session.expire_all()
    after = {
        model: session.scalar(select(func.count()).select_from(model))
        for model in (Resident, Aanmelding, Trajectory, StatsTrajectory)
    }
    assert after == before
