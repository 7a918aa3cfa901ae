"""The statistics, import and export commands."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEntry, StatsTrajectory, Trajectory, TrajectoryState

from ..factories import World, make_trajectory
from ..workflows.history_csv import CLOSED, RUNNING, csv_text
from ..workflows.stats_helpers import TODAY, jeugd_times_five, load


def invoke(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    with freeze_time(TODAY):
        return app.test_cli_runner().invoke(args=list(args))


def test_stats_flows_as_json(app: Flask, session: Session) -> None:
    load(session, *jeugd_times_five())
    result = invoke(
        app, "stats", "flows", "--from", "2021-01", "--to", "2021-04", "--domain", "jeugd",
        "--unit", "client", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["unit"], body["from"], body["to"]) == ("client", "2021-01", "2021-04")
    published = [m["instroom"] for m in body["months"]]
    assert all(abs(p - n) <= 2 for p, n in zip(published, [10, 15, 0, 0], strict=True))
    assert body["disclosure"]["method"] == "cell key"


def test_exact_figures_need_an_operator_and_are_audited(
    app: Flask, session: Session, world: World
) -> None:
    load(session, *jeugd_times_five())
    args = ["stats", "flows", "--from", "2021-01", "--to", "2021-04", "--domain", "jeugd"]
    args += ["--unit", "client", "--json", "--exact"]
    refused = invoke(app, *args)
    assert refused.exit_code != 0 and "--by" in refused.output
    result = invoke(app, *args, "--by", world.beheerder.email)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [m["instroom"] for m in body["months"]] == [10, 15, 0, 0]
    assert body["disclosure"]["method"] == "exact"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.details.contains("stats flows --exact"))
    ).one()
    assert entry.user_id == world.beheerder.id
    assert "unit=client" in (entry.details or "")
    table = invoke(app, *[a for a in args if a != "--json"], "--by", world.beheerder.email)
    assert "Exacte cijfers, niet verstoord" in table.output


def test_stats_as_a_table(app: Flask, session: Session) -> None:
    load(session, *jeugd_times_five())
    result = invoke(app, "stats", "intensity", "--from", "2021-03", "--to", "2021-03")
    assert result.exit_code == 0, result.output
    assert "Trajecten per intensiteit" in result.output
    assert "66,7%" in result.output


def test_a_bad_month_is_a_usage_error_in_dutch(app: Flask, session: Session) -> None:
    result = invoke(app, "stats", "flows", "--from", "2021-13")
    assert result.exit_code == 2
    assert "maand 13 bestaat niet" in result.output


def test_stats_rebuild(app: Flask, session: Session, world: World) -> None:
    make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    result = invoke(app, "stats", "rebuild")
    assert result.exit_code == 0, result.output
    assert "1 trajectories derived" in result.output
    assert session.scalar(select(func.count()).select_from(StatsTrajectory)) == 1


def test_import_and_export_from_the_command_line(
    app: Flask, session: Session, world: World, tmp_path: Path
) -> None:
    good = tmp_path / "historie.csv"
    good.write_text(csv_text(CLOSED, RUNNING), encoding="utf-8-sig")
    by = ("--by", world.beheerder.email)
    result = invoke(app, "import", "trajectories", str(good), "--gids", world.gids.email, *by)
    assert result.exit_code == 0, result.output
    assert "2 nieuwe, 0 bijgewerkte en 0 ongewijzigde trajecten" in result.output
    bad = tmp_path / "fout.csv"
    bad.write_text(csv_text(CLOSED.replace("2020-07-31", "2020-13-01")), encoding="utf-8")
    result = invoke(app, "import", "trajectories", str(bad), *by)
    assert result.exit_code == 1
    assert "regel 2, kolom einddatum: Geen geldige datum" in result.output
    assert "Er is niets geïmporteerd" in result.output
    out = tmp_path / "export.csv"
    result = invoke(app, "export", "trajectories", str(out), *by)
    assert result.exit_code == 0, result.output
    exported = out.read_text(encoding="utf-8-sig").splitlines()
    assert exported[0].startswith("import_id;bsn;geboortedatum")
    assert {line.split(";")[0] for line in exported[1:]} == {"H-1", "H-2"}
    again = invoke(app, "import", "trajectories", str(out), *by)
    assert "0 nieuwe, 0 bijgewerkte en 2 ongewijzigde trajecten" in again.output
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 2


def test_the_app_refuses_noise_its_maximum_deviation_cannot_carry(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from app.config import ConfigError, load_config

    monkeypatch.setenv("STATS_MAX_DEVIATION", "1")
    monkeypatch.setenv("STATS_VARIANCE", "3")
    with pytest.raises(ConfigError, match="STATS_VARIANCE"):
        load_config({"ENV_NAME": "testing"})
