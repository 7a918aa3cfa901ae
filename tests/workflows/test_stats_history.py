# ruff: noqa: E501 - CSV records read best unbroken
"""The history import: every row checked first (line, column, Dutch reason), all or nothing,
re-import updates, --create-missing for review, the feed follows; export → import is a no-op."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    Provider,
    Resident,
    StatsTrajectory,
    SupportProfile,
    Trajectory,
    TrajectoryState,
)
from workflows.stats import feed
from workflows.stats.history import COLUMNS, apply_import, check_import, export_csv
from workflows.stats.history.columns import TABLE

from ..factories import World, make_trajectory
from .history_csv import CLOSED, HEADER, NEW_PERSON, RUNNING, csv_text

TODAY = date(2026, 11, 2)


def run(session: Session, world: World, text: str, create_missing: bool = False):  # type: ignore[no-untyped-def]
    check = check_import(session, text, TODAY, create_missing=create_missing)
    if check.ok:
        apply_import(session, check, world.gids, TODAY, by=world.beheerder)
    return check


def test_a_valid_file_is_imported_and_reaches_the_feed(session: Session, world: World) -> None:
    check = run(session, world, csv_text(CLOSED, RUNNING, NEW_PERSON))
    assert check.ok, [p.render() for p in check.problems]
    closed = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-1"))
    assert closed is not None
    assert (closed.state, closed.care_start, closed.care_end) == (
        TrajectoryState.AFGESLOTEN,
        date(2020, 2, 3),
        date(2020, 7, 31),
    )
    assert closed.price == Decimal("3500.00") and closed.resident_id == world.adult.id
    assert closed.aanmelding is not None and closed.aanmelding.request_date == date(2020, 1, 6)
    running = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-2"))
    assert running is not None and running.state == TrajectoryState.ACTIEF
    waiting = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-3"))
    assert waiting is not None and waiting.state == TrajectoryState.GEACCEPTEERD
    person = session.scalar(select(Resident).where(Resident.bsn == "100000009"))
    assert person is not None and person.household.gids_id == world.gids.id
    assert person.wijk_id == world.dronten.id  # from the residents of postcode area 8251
    rows = session.scalars(select(StatsTrajectory)).all()
    assert sorted(r.source_trajectory_id for r in rows) == sorted(
        [closed.id, running.id, waiting.id]
    )
    assert "geimporteerd" in [e.action for e in closed.events]


def test_importing_the_same_keys_again_updates(session: Session, world: World) -> None:
    run(session, world, csv_text(CLOSED, RUNNING))
    changed = RUNNING.replace(";2021-12-31;;9000.00;;;", ";2021-12-31;2021-11-30;9000.00;nee;d;33")
    version = feed.feed_version(session.connection())
    check = run(session, world, csv_text(changed))
    assert check.ok, [p.render() for p in check.problems]
    assert feed.feed_version(session.connection()) != version  # cached figures are stale
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 2
    running = session.scalar(select(Trajectory).where(Trajectory.import_id == "H-2"))
    assert running is not None
    assert (running.state, running.care_end, running.end_reason_code) == (
        TrajectoryState.AFGESLOTEN,
        date(2021, 11, 30),
        "33",
    )
    (row,) = session.scalars(
        select(StatsTrajectory).where(StatsTrajectory.source_trajectory_id == running.id)
    ).all()
    assert row.care_end == date(2021, 11, 30)
    kept = feed.feed_snapshot(session.connection())
    # the imported requests (granted, so off the waiting list) are in stats_requests too
    assert len(kept["requests"]) == session.scalar(select(func.count()).select_from(Aanmelding))
    assert kept["requests"] and {row[8] for row in kept["requests"]} == {"toegekend"}
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept


BAD_ROWS = [
    ("bad date", CLOSED.replace("2020-02-03", "2020-02-30"), "startdatum", "Geen geldige datum"),
    ("bad BSN", CLOSED.replace("111222333", "111222334"), "bsn", "elfproef"),
    ("unknown code", CLOSED.replace(";a;19", ";a;99"), "reden_beeindiging", "Onbekende reden"),
    ("unknown profile", CLOSED.replace("WMO-BG", "WMO-XX"), "profiel", "Onbekend profiel"),
    ("unknown provider", CLOSED.replace("12345678", "99999999"), "aanbieder", "Onbekende aanbieder"),
    ("end before start", CLOSED.replace("2020-07-31", "2020-01-31"), "einddatum", "vóór de startdatum"),
    ("price not a number", CLOSED.replace("3500,00", "drieduizend"), "trajectprijs", "geen bedrag"),
    ("intensity not allowed", CLOSED.replace("WMO-BG;middel", "WMO-HH;middel").replace(";02;", ";01;"),
     "intensiteit", "niet toegestaan"),
    ("category of another domain", CLOSED.replace(";02;", ";45;"), "productcategorie", "hoort niet"),
    ("closed without category", CLOSED.replace(";ja;a;19", ";ja;;19"), "afsluitcategorie", "vraagt"),
    ("future date", CLOSED.replace("2020-07-31", "2027-01-01"), "einddatum", "toekomst"),
    ("wrong field count", CLOSED + ";extra", None, "velden"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "line", "column", "text"), BAD_ROWS)
def test_a_bad_row_is_reported_and_nothing_is_imported(
    session: Session, world: World, case: str, line: str, column: str | None, text: str
) -> None:
    check = run(session, world, csv_text(RUNNING, line))
    assert not check.ok
    (problem,) = check.problems
    assert (problem.line, problem.column) == (3, column), case
    assert text in problem.render()
    assert "111222333" not in problem.render()  # never the personal value itself
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0
    assert session.scalar(select(func.count()).select_from(StatsTrajectory)) == 0


def test_every_bad_row_is_reported(session: Session, world: World) -> None:
    lines = [CLOSED.replace("111222333", "123"), RUNNING, NEW_PERSON.replace("laag", "heel")]
    check = run(session, world, csv_text(*lines))
    assert [(p.line, p.column) for p in check.problems] == [(2, "bsn"), (4, "intensiteit")]


def test_a_rows_problems_are_listed_in_the_order_of_its_columns(
    session: Session, world: World
) -> None:
    # Found in another order: the category against the catalogue, the dates against each other.
    line = (
        CLOSED.replace(";02;", ";99;")
        .replace("2020-07-31", "2020-01-31")
        .replace("111222333", "123")
        .replace("3500,00", "veel")
    )
    check = run(session, world, csv_text(line))
    assert [(p.line, p.column) for p in check.problems] == [
        (2, "bsn"),
        (2, "productcategorie"),
        (2, "einddatum"),
        (2, "trajectprijs"),
    ]


@pytest.mark.parametrize("column", [c.name for c in TABLE if c.required])
def test_an_empty_required_cell_is_refused_at_its_column(
    session: Session, world: World, column: str
) -> None:
    cells = dict(zip(COLUMNS, CLOSED.split(";"), strict=True))
    cells[column] = ""
    check = run(session, world, csv_text(";".join(cells[c] for c in COLUMNS)))
    assert (2, column) in [(p.line, p.column) for p in check.problems]
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


def test_a_wrong_header_names_what_is_missing(session: Session, world: World) -> None:
    header = HEADER.replace("bsn", "burgerservicenummer")
    check = run(session, world, csv_text(CLOSED, header=header))
    (problem,) = check.problems
    assert problem.line == 1
    assert "Ontbrekende kolommen: bsn" in problem.render()
    assert "onbekende kolommen: burgerservicenummer" in problem.render()


def test_commas_and_a_bom_are_accepted(session: Session, world: World) -> None:
    line = CLOSED.replace("3500,00", "3500.00").replace(";", ",")
    check = run(session, world, "\ufeff" + csv_text(line, header=HEADER.replace(";", ",")))
    assert check.ok, [p.render() for p in check.problems]


def test_create_missing_adds_profiles_and_providers_for_review(
    session: Session, world: World
) -> None:
    line = CLOSED.replace("WMO-BG", "WMO-OUD").replace("12345678", "99999999")
    check = run(session, world, csv_text(line), create_missing=True)
    assert check.ok, [p.render() for p in check.problems]
    profile = session.scalar(select(SupportProfile).where(SupportProfile.code == "WMO-OUD"))
    provider = session.scalar(select(Provider).where(Provider.agb_code == "99999999"))
    assert profile is not None and profile.imported and not profile.active
    assert [i.value for i in profile.allowed_intensities] == ["middel"]
    assert provider is not None and provider.imported and not provider.active


def test_export_then_import_changes_nothing(session: Session, world: World) -> None:
    run(session, world, csv_text(CLOSED, RUNNING))
    make_trajectory(session, world, TrajectoryState.AFGESLOTEN)  # made here, not imported
    make_trajectory(session, world, TrajectoryState.CONCEPT)  # concepts are not exported
    first = io.StringIO()
    assert export_csv(session, first, by=world.beheerder) == 3
    before = feed.feed_snapshot(session.connection())
    version = feed.feed_version(session.connection())
    check = run(session, world, first.getvalue())
    assert check.ok, [p.render() for p in check.problems]
    assert feed.feed_version(session.connection()) == version  # cached figures stay valid
    again = io.StringIO()
    export_csv(session, again, by=world.beheerder)
    assert again.getvalue() == first.getvalue()
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 4
    assert feed.feed_snapshot(session.connection()) == before
