# ruff: noqa: E501 - CSV records read best unbroken
"""Who owns a trajectory, as the history import sees it: an import
creates and updates only what imports made and nobody changed in the app since; a row for a
trajectory the workflow owns changes nothing when it matches and is refused (line, column) when
it differs; the import and its events name the person who imports; the export cannot carry a
formula into a spreadsheet; the app's own export — with a follow-up that starts tomorrow — comes
back in as a no-op; a NUL byte or a giant field is a Dutch message, not a crash."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    AgreedResult,
    ClosureCategory,
    Household,
    Intensity,
    Resident,
    Role,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
)
from seed.demo import build_demo
from workflows import scaling
from workflows import trajectories as wf
from workflows.audit import AuditContext, set_context
from workflows.errors import DomainError
from workflows.stats import feed
from workflows.stats.history import (
    COLUMNS,
    ImportConflict,
    apply_import,
    check_import,
    export_csv,
)

from ..committed import audit_entries_after, last_audit_id
from ..factories import TODAY, World, make_trajectory
from .history_csv import CLOSED, NEW_PERSON, RUNNING, csv_text

S = TrajectoryState
DECIDED = date(2027, 1, 15)  # the gids accepts a scaling request; the follow-up starts the 16th


def exported(session: Session, world: World) -> str:
    out = io.StringIO()
    export_csv(session, out, by=world.beheerder)
    return out.getvalue()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def row_for(text: str, trajectory: Trajectory) -> dict[str, str]:
    (row,) = [r for r in rows_of(text) if r["import_id"] == f"trajectwijzer-{trajectory.id}"]
    return row


def do_import(session: Session, world: World, text: str, today: date = TODAY, **options: Any):  # type: ignore[no-untyped-def]
    check = check_import(session, text, today, **options)
    result = (
        apply_import(session, check, world.gids, today, by=world.beheerder) if check.ok else None
    )
    return check, result


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import could touch, all columns (versions and times too)."""
    session.flush()
    tables = (Trajectory, Aanmelding, Resident, Household, TrajectoryEvent, AgreedResult)
    return {
        model.__tablename__: [
            tuple(row)
            for row in session.execute(select(model.__table__).order_by(model.__table__.c.id))
        ]
        for model in tables
    }


# --- point 1: the workflow's trajectories are not the import's to change -------------------------


def test_an_export_key_cannot_raise_a_closed_trajectorys_price(
    session: Session, world: World
) -> None:
    closed = make_trajectory(session, world, S.AFGESLOTEN)
    row = row_for(exported(session, world), closed)
    row["trajectprijs"] = "99999.99"
    check, _ = do_import(session, world, as_csv([row]))
    (problem,) = check.problems
    assert (problem.line, problem.column) == (2, "trajectprijs")
    assert "mag het niet wijzigen" in problem.render()
    session.refresh(closed)
    assert closed.price == Decimal("3800.00")


def test_an_export_key_cannot_move_an_active_trajectory_to_another_provider(
    session: Session, world: World
) -> None:
    active = make_trajectory(session, world, S.ACTIEF)
    row = row_for(exported(session, world), active)
    row["aanbieder"] = world.zorg_b.agb_code
    row["trajectprijs"] = "1,00"
    check, _ = do_import(session, world, as_csv([row]))
    assert [(p.line, p.column) for p in check.problems] == [(2, "aanbieder"), (2, "trajectprijs")]
    session.refresh(active)
    assert (active.provider_id, active.price) == (world.zorg_a.id, Decimal("3800.00"))


def test_an_export_key_of_a_trajectory_that_is_not_here_is_refused_not_created(
    session: Session, world: World
) -> None:
    closed = make_trajectory(session, world, S.AFGESLOTEN)
    row = row_for(exported(session, world), closed)
    row["import_id"] = f"trajectwijzer-{closed.id + 1000}"
    check, _ = do_import(session, world, as_csv([row]))
    (problem,) = check.problems
    assert (problem.line, problem.column) == (2, "import_id")
    assert "bestaat hier niet" in problem.render()
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 1


def test_an_imported_trajectory_that_the_app_changed_belongs_to_the_workflow(
    session: Session, world: World
) -> None:
    do_import(session, world, csv_text(RUNNING))
    running = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-2"))
    assert running is not None
    wf.close(
        session, running, world.gids, care_end=date(2021, 12, 1),
        closure_category=ClosureCategory.A, end_reason_code="31", result_achieved=True,
        today=TODAY,
    )  # fmt: skip
    session.flush()
    check, _ = do_import(session, world, csv_text(RUNNING.replace(";12345678;", ";87654321;")))
    assert [(p.line, p.column) for p in check.problems] == [
        (2, "aanbieder"),
        (2, "einddatum"),
        (2, "resultaat_behaald"),
        (2, "afsluitcategorie"),
        (2, "reden_beeindiging"),
    ]
    session.refresh(running)
    assert (running.state, running.provider_id) == (S.AFGESLOTEN, world.zorg_a.id)


def test_re_importing_an_imports_own_key_still_updates_what_it_made(
    session: Session, world: World
) -> None:
    do_import(session, world, csv_text(CLOSED))
    check, result = do_import(session, world, csv_text(CLOSED.replace("3500,00", "3600,00")))
    assert check.ok and result is not None and (result.created, result.updated) == (0, 1)
    closed = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-1"))
    assert closed is not None and closed.price == Decimal("3600.00")


def test_an_identical_row_changes_nothing_not_even_a_version(
    session: Session, world: World
) -> None:
    do_import(session, world, csv_text(CLOSED, RUNNING))
    mine = make_trajectory(session, world, S.ACTIEF)
    before = snapshot(session)
    check, result = do_import(session, world, exported(session, world))
    assert check.ok and result is not None
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot(session) == before
    assert mine.state == S.ACTIEF


def test_the_import_and_its_events_name_the_person_who_imports(
    session: Session, world: World
) -> None:
    before = last_audit_id(session)
    set_context(
        session,
        AuditContext(
            user_id=world.beheerder.id, role="beheerder", endpoint="beheer.history_import"
        ),
    )
    try:
        do_import(session, world, csv_text(CLOSED, NEW_PERSON))
        do_import(session, world, csv_text(CLOSED.replace("3500,00", "3600,00")))
    finally:
        set_context(session, None)
    events = session.scalars(
        select(TrajectoryEvent).where(TrajectoryEvent.action == "geimporteerd")
    ).all()
    assert len(events) == 3 and {e.user_id for e in events} == {world.beheerder.id}
    entries = audit_entries_after(session, before)
    assert {(e.user_id, e.role) for e in entries} == {(world.beheerder.id, "beheerder")}
    made = {(e.action, e.object_type) for e in entries}
    assert {("aangemaakt", "traject"), ("aangemaakt", "inwoner"), ("aangemaakt", "aanmelding"),
            ("gewijzigd", "traject"), ("geimporteerd", "traject")} <= made  # fmt: skip
    summaries = [e for e in entries if e.action == "geimporteerd"]
    assert [s.details for s in summaries] == [
        "historie-import: 2 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 nieuwe inwoners",
        "historie-import: 0 nieuw, 1 bijgewerkt, 0 ongewijzigd, 0 nieuwe inwoners",
    ]
    new_person = session.scalar(select(Resident).where(Resident.bsn == "100000009"))
    assert new_person is not None
    assert ("aangemaakt", "inwoner", new_person.id) in {
        (e.action, e.object_type, e.resident_id) for e in entries
    }


def test_without_an_audit_context_the_import_still_names_the_person(
    session: Session, world: World
) -> None:
    before = last_audit_id(session)
    do_import(session, world, csv_text(CLOSED))
    entries = audit_entries_after(session, before)
    assert entries and {e.user_id for e in entries} == {world.beheerder.id}


# --- point 2: formulas, and the round trip of the app's own export --------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_an_import_id_a_spreadsheet_reads_as_a_formula_is_refused(
    session: Session, world: World, start: str
) -> None:
    check, _ = do_import(
        session, world, csv_text(CLOSED.replace("H-1;", f'{start}HYPERLINK("http://x");', 1))
    )
    (problem,) = check.problems
    assert (problem.line, problem.column) == (2, "import_id")
    assert "formule" in problem.render()
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


def test_the_export_neutralises_formulas(session: Session, world: World) -> None:
    do_import(session, world, csv_text(CLOSED))
    # A key from before the import refused them.
    session.execute(update(Trajectory).values(import_id='=HYPERLINK("http://x";"klik")'))
    (row,) = rows_of(exported(session, world))
    assert row["import_id"] == '\'=HYPERLINK("http://x";"klik")'
    assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_the_round_trip_of_a_realistic_database_changes_nothing(
    session: Session, world: World
) -> None:
    do_import(session, world, csv_text(CLOSED, RUNNING, NEW_PERSON))  # imported, untouched
    touched = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-2"))
    assert touched is not None  # imported, then closed in the app: the workflow's now
    wf.close(
        session, touched, world.gids, care_end=date(2021, 12, 1),
        closure_category=ClosureCategory.A, end_reason_code="31", result_achieved=True,
        today=TODAY,
    )  # fmt: skip
    for state in S:
        make_trajectory(session, world, state)
    child = make_trajectory(
        session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id,
        intensity=Intensity.ZWAAR, planned_start=TODAY,
    )  # fmt: skip
    scaled = make_trajectory(session, world, S.ACTIEF)
    request = scaling.request_scaling(
        session, scaled, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", DECIDED
    )
    follow_up = scaling.decide_scaling(
        session, request, world.gids, accept=True, reason=None, today=DECIDED
    )
    assert follow_up is not None and follow_up.care_start == date(2027, 1, 16)  # tomorrow
    assert child.state == S.ACTIEF
    first = exported(session, world)
    assert len(rows_of(first)) == 3 + 5 + 1 + 2  # concepts and cancelled ones are not exported
    before = snapshot(session)
    kept_feed = feed.feed_snapshot(session.connection())

    check, result = do_import(session, world, first, today=DECIDED)
    assert check.ok, [(p.line, p.column, p.render()) for p in check.problems]
    assert result is not None
    assert (result.created, result.updated, result.unchanged) == (0, 0, 11)
    assert snapshot(session) == before
    assert feed.feed_snapshot(session.connection()) == kept_feed
    assert exported(session, world) == first


# --- point 8: what the csv module cannot or should not read ---------------------------------------


def test_a_nul_byte_is_a_dutch_message_at_its_line_and_column(
    session: Session, world: World
) -> None:
    check, _ = do_import(session, world, csv_text(RUNNING, CLOSED.replace("H-1;", "H-\x001;")))
    (problem,) = check.problems
    assert (problem.line, problem.column) == (3, "import_id")
    assert "besturingsteken" in problem.render()
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


@pytest.mark.parametrize("size", [2_000, 130 * 1024])
def test_a_long_field_is_a_dutch_message_at_its_line_and_column(
    session: Session, world: World, size: int
) -> None:
    huge = CLOSED.replace("8251AB", "8" * size)
    check, _ = do_import(session, world, csv_text(RUNNING, huge))
    (problem,) = check.problems
    assert (problem.line, problem.column) == (3, "postcode")
    assert "langer dan" in problem.render()
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


def test_a_quoted_field_of_130_kb_still_names_its_line(session: Session, world: World) -> None:
    huge = CLOSED.replace("8251AB", '"' + "8;" * (65 * 1024) + '"')
    check, _ = do_import(session, world, csv_text(RUNNING, huge))
    (problem,) = check.problems
    assert problem.line == 3
    assert "langer dan" in problem.render()
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


def test_the_round_trip_of_the_demo_municipality_changes_nothing(session: Session) -> None:
    today = date(2026, 11, 22)
    build_demo(session, password="demo-wachtwoord-test", seed=2016, today=today, scale=0.03)
    session.flush()
    follow_up = None
    for trajectory in session.scalars(
        select(Trajectory).where(Trajectory.state == S.ACTIEF, Trajectory.care_start < today)
    ):
        others = [i for i in trajectory.profile.allowed_intensities if i != trajectory.intensity]
        try:
            request = scaling.request_scaling(
                session, trajectory, trajectory.gids, trajectory.profile_id, others[0],
                "Andere intensiteit nodig", today,
            )  # fmt: skip
        except (DomainError, IndexError):
            continue
        follow_up = scaling.decide_scaling(
            session, request, trajectory.gids, accept=True, reason=None, today=today
        )
        break
    assert follow_up is not None and follow_up.care_start == date(2026, 11, 23)  # tomorrow
    operator = session.scalars(select(User).where(User.role == Role.BEHEERDER)).first()
    assert operator is not None
    out = io.StringIO()
    count = export_csv(session, out, by=operator)
    before = snapshot(session)
    check = check_import(session, out.getvalue(), today)
    assert check.ok, [(p.line, p.column, p.render()) for p in check.problems[:5]]
    result = apply_import(session, check, operator, today, by=operator)
    assert (result.created, result.updated, result.unchanged) == (0, 0, count)
    assert snapshot(session) == before


@pytest.mark.parametrize("step", ["closed", "scaling asked"])
def test_a_step_in_the_app_between_the_check_and_the_writing_wins(
    session: Session, world: World, step: str
) -> None:
    do_import(session, world, csv_text(RUNNING))
    running = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-2"))
    assert running is not None
    check = check_import(session, csv_text(RUNNING.replace("9000.00", "9500.00")), TODAY)
    assert check.ok and [r.import_id for r in check.rows] == ["H-2"]
    if step == "closed":  # changes the trajectory (a new version)
        wf.close(
            session, running, world.gids, care_end=date(2021, 12, 1),
            closure_category=ClosureCategory.A, end_reason_code="31", result_achieved=True,
            today=TODAY,
        )  # fmt: skip
    else:  # only an event
        scaling.request_scaling(
            session, running, world.gids, world.amb.id, Intensity.LAAG, "Minder nodig", TODAY
        )
    session.flush()
    with pytest.raises(ImportConflict, match="tijdens de import"):
        apply_import(session, check, world.gids, TODAY, by=world.beheerder)
    session.refresh(running)
    assert running.price == Decimal("9000.00")
