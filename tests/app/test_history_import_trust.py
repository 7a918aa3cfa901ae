"""The history import and export through both doors — the beheerder's upload and the command
line — as an attacker and as a tired operator would use them: the
export key cannot change a trajectory the workflow owns by either route; every import and export
names its person in the audit log (the command line only runs with ``--by``); the exported file
is the owner's only and runs no formula; a NUL byte or a 130 KB field is a Dutch message, never
a 500 or a traceback."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import Role, Trajectory, TrajectoryEvent, TrajectoryState, User
from workflows.stats.history import COLUMNS, export_csv

from ..committed import audit_entries_after, last_audit_id
from ..factories import World, make_trajectory, make_user
from ..workflows.history_csv import CLOSED, NEW_PERSON, RUNNING, csv_text
from .helpers import login_as, upload_history

S = TrajectoryState
LATER = date(2026, 11, 20)  # the trajectories of the factories started on 2026-11-02


def invoke(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    with freeze_time(LATER):
        return app.test_cli_runner().invoke(args=list(args))


def export_with_change(
    session: Session, world: World, trajectory: Trajectory, **change: str
) -> str:
    """The app's own export, with one trajectory's row changed as an attacker would."""
    out = io.StringIO()
    export_csv(session, out, by=world.beheerder)
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    for row in rows:
        if row["import_id"] == f"trajectwijzer-{trajectory.id}":
            row.update(change)
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


# --- the export key cannot change what the workflow owns, by either door -------------------------


def test_the_upload_cannot_raise_a_closed_trajectorys_price(
    client: FlaskClient, session: Session, world: World
) -> None:
    closed = make_trajectory(session, world, S.AFGESLOTEN)
    login_as(client, world.beheerder)
    response = upload_history(
        client, world, export_with_change(session, world, closed, trajectprijs="99999,99")
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "<td>trajectprijs</td>" in body and "mag het niet wijzigen" in body
    session.expire_all()
    assert session.get(Trajectory, closed.id).price == Decimal("3800.00")  # type: ignore[union-attr]


def test_the_upload_cannot_hand_an_active_trajectory_to_another_provider(
    client: FlaskClient, session: Session, world: World
) -> None:
    active = make_trajectory(session, world, S.ACTIEF)
    login_as(client, world.beheerder)
    text = export_with_change(session, world, active, aanbieder=world.zorg_b.agb_code)
    assert upload_history(client, world, text).status_code == 400
    login_as(client, world.aanbieder_b)
    assert client.get(f"/aanbieder/trajecten/{active.id}").status_code == 404


def test_the_command_line_cannot_either(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    closed = make_trajectory(session, world, S.AFGESLOTEN)
    active = make_trajectory(session, world, S.ACTIEF)
    path = tmp_path / "aangepast.csv"
    text = export_with_change(session, world, closed, trajectprijs="99999.99")
    rows = text.splitlines()
    rows = [
        line.replace(";12345678;", f";{world.zorg_b.agb_code};")
        if line.startswith(f"trajectwijzer-{active.id};")
        else line
        for line in rows
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke(app, "import", "trajectories", str(path), "--by", world.beheerder.email)
    assert result.exit_code == 1
    assert (
        "regel 2, kolom trajectprijs: Dit traject wordt in Trajectwijzer zelf bijgehouden"
        in result.output
    )
    assert (
        "regel 3, kolom aanbieder: Dit traject wordt in Trajectwijzer zelf bijgehouden"
        in result.output
    )
    assert "Er is niets geïmporteerd" in result.output
    session.expire_all()
    assert session.get(Trajectory, closed.id).price == Decimal("3800.00")  # type: ignore[union-attr]
    assert session.get(Trajectory, active.id).provider_id == world.zorg_a.id  # type: ignore[union-attr]


# --- every import and export names its person ---------------------------------------------------


def test_the_upload_is_audited_in_the_beheerders_name(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    before = last_audit_id(session)
    assert upload_history(client, world, csv_text(CLOSED, NEW_PERSON)).status_code == 302
    entries = audit_entries_after(session, before)
    assert {(e.user_id, e.role, e.endpoint) for e in entries} == {
        (world.beheerder.id, "beheerder", "beheer.history_import")
    }
    imported = session.scalars(select(Trajectory).where(Trajectory.import_id.is_not(None))).all()
    assert {("aangemaakt", "traject", t.id, t.resident_id) for t in imported} <= {
        (e.action, e.object_type, e.object_id, e.resident_id) for e in entries
    }
    assert [e.details for e in entries if e.action == "geimporteerd"] == [
        "historie-import: 2 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 nieuwe inwoners"
    ]
    events = session.scalars(
        select(TrajectoryEvent).where(TrajectoryEvent.action == "geimporteerd")
    ).all()
    assert {e.user_id for e in events} == {world.beheerder.id}  # not the gids made responsible


@pytest.mark.parametrize(
    ("command", "by", "message"),
    [
        ("import", None, "Geef met --by het e-mailadres"),
        ("import", "niemand@test.nl", "Er is geen actief account 'niemand@test.nl'"),
        ("import", "weg@test.nl", "Er is geen actief account 'weg@test.nl'"),
        ("export", None, "Geef met --by het e-mailadres"),
        ("export", "weg@test.nl", "Er is geen actief account 'weg@test.nl'"),
    ],
)
def test_the_command_line_runs_only_for_a_named_active_person(
    app: Flask, session: Session, world: World, tmp_path: Path, command: str, by: str | None,
    message: str,
) -> None:  # fmt: skip
    gone = make_user(session, "weg@test.nl", Role.BEHEERDER)
    session.execute(update(User).where(User.id == gone.id).values(active=False))
    path = tmp_path / "historie.csv"
    if command == "import":
        path.write_text(csv_text(CLOSED), encoding="utf-8")
    before = last_audit_id(session)
    result = invoke(app, command, "trajectories", str(path), *(("--by", by) if by else ()))
    assert result.exit_code == 1
    assert message in result.output and "Er is niets gedaan" in result.output
    assert "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0
    assert audit_entries_after(session, before) == []
    if command == "export":
        assert not path.exists()


def test_the_command_line_import_is_audited_in_the_operators_name(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "historie.csv"
    path.write_text(csv_text(CLOSED, RUNNING), encoding="utf-8")
    before = last_audit_id(session)
    result = invoke(app, "import", "trajectories", str(path), "--by", world.beheerder.email.upper())
    assert result.exit_code == 0, result.output
    entries = audit_entries_after(session, before)
    assert {(e.user_id, e.role, e.endpoint) for e in entries} == {
        (world.beheerder.id, "beheerder", "cli import trajectories")
    }
    assert sum(e.action == "aangemaakt" and e.object_type == "traject" for e in entries) == 2
    events = session.scalars(
        select(TrajectoryEvent).where(TrajectoryEvent.action == "geimporteerd")
    ).all()
    assert len(events) == 2 and {e.user_id for e in events} == {world.beheerder.id}


def test_the_export_is_the_owners_only_runs_no_formula_and_names_the_operator(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    make_trajectory(session, world, S.AFGESLOTEN)
    legacy = make_trajectory(session, world, S.ACTIEF)
    session.execute(  # a key from before the import refused formulas
        update(Trajectory)
        .where(Trajectory.id == legacy.id)
        .values(import_id='=HYPERLINK("http://x";"klik")')
    )
    fresh = tmp_path / "nieuw.csv"
    existing = tmp_path / "bestaand.csv"
    existing.write_text("oud", encoding="utf-8")
    existing.chmod(0o644)
    before = last_audit_id(session)
    old_umask = os.umask(0o022)
    try:
        for path in (fresh, existing):
            result = invoke(app, "export", "trajectories", str(path), "--by", world.beheerder.email)
            assert result.exit_code == 0, result.output
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)
    text = existing.read_text(encoding="utf-8-sig")
    assert text == fresh.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert '\'=HYPERLINK("http://x";"klik")' in [row[0] for row in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    entries = audit_entries_after(session, before)
    assert [(e.action, e.object_type, e.user_id, e.role, e.details) for e in entries] == [
        (
            "geexporteerd",
            "traject",
            world.beheerder.id,
            "beheerder",
            "historie-export.csv; 2 rijen",
        )
    ] * 2


# --- what the csv module cannot or should not read: a message, not a crash ------------------------

NUL_BYTE = csv_text(RUNNING, CLOSED.replace("H-1;", "H-\x001;"))
FIELD_OF_130_KB = csv_text(RUNNING, CLOSED.replace("8251AB", "8" * (130 * 1024)))
UNREADABLE = [
    ("nul byte", NUL_BYTE, 3, "import_id", "besturingsteken"),
    ("field of 130 KB", FIELD_OF_130_KB, 3, "postcode", "langer dan"),
]


@pytest.mark.parametrize(("case", "text", "line", "column", "message"), UNREADABLE)
def test_an_unreadable_upload_is_a_dutch_message(
    client: FlaskClient, session: Session, world: World, case: str, text: str, line: int,
    column: str, message: str,
) -> None:  # fmt: skip
    login_as(client, world.beheerder)
    response = upload_history(client, world, text)
    assert response.status_code == 400, case
    body = response.get_data(as_text=True)
    assert f'<td class="num">{line}</td><td>{column}</td>' in body and message in body
    assert "1 fout gevonden; er is niets geïmporteerd" in body
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


@pytest.mark.parametrize(("case", "text", "line", "column", "message"), UNREADABLE)
def test_an_unreadable_file_on_the_command_line_is_a_dutch_message(
    app: Flask, session: Session, world: World, tmp_path: Path, case: str, text: str, line: int,
    column: str, message: str,
) -> None:  # fmt: skip
    path = tmp_path / "historie.csv"
    path.write_text(text, encoding="utf-8")
    result = invoke(app, "import", "trajectories", str(path), "--by", world.beheerder.email)
    assert result.exit_code == 1, case
    assert f"regel {line}, kolom {column}: " in result.output and message in result.output
    assert "Er is niets geïmporteerd" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0
