"""The statistics, import and export commands."""

from __future__ import annotations

import json
from datetime import date as D
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEntry, StatsTrajectory, Trajectory, TrajectoryState
from workflows.stats.admin import issue_token

from ..factories import World, make_trajectory
from ..workflows.history_csv import CLOSED, RUNNING, csv_text
from ..workflows.stats_helpers import TODAY, fact, jeugd_times_five, load, request
from .helpers import login_as


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


def test_the_waiting_list_agrees_on_the_api_the_dashboard_and_the_command_line(
    app: Flask, client: FlaskClient, session: Session, world: World
) -> None:
    """One published waiting list everywhere; ``--exact`` gives the exact one, audited."""
    decided = [fact(f"w{i}", None, decision_date=D(2021, 12, 1)) for i in range(6)]
    requests = [request(f"r{i}", D(2021, 10, 1)) for i in range(7)]  # 91 days: 13 weeks or more
    load(session, *jeugd_times_five(), *decided, *requests)
    _row, secret = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    session.flush()
    params = {"from": "2021-01", "to": "2021-06", "domain": "jeugd"}
    with freeze_time(TODAY):
        api = client.get(
            "/api/v1/stats/waiting-times", query_string=params,
            headers={"Authorization": f"Bearer {secret}"},
        ).get_json()  # fmt: skip
    waiting = api["waiting_list"]
    assert (waiting["reference_date"], waiting["bands"]) == (
        "2021-12-31", ["0-2", "2-6", "6-8", "8-13", "13+"]
    )  # fmt: skip
    assert api["waiting_now"] == waiting["stages"]["decision"]["total"]
    assert waiting["not_applicable"] == []

    args = ["stats", "waiting-times", "--from", "2021-01", "--to", "2021-06", "--domain", "jeugd"]
    cli = json.loads(invoke(app, *args, "--json").output)
    assert cli["waiting_list"] == waiting

    with freeze_time(TODAY):
        login_as(client, world.manager)
        page = client.get("/manager/", query_string={**params, "figuur": "waiting-times"})
    html = page.get_data(as_text=True)
    for name, label in (("request", "Aanmelding, nog geen besluit"),
                        ("decision", "Besluit, zorg nog niet gestart")):  # fmt: skip
        stage = waiting["stages"][name]
        cells = [*(stage["bands"][b] for b in waiting["bands"]), stage["total"]]
        shown = "".join(f'<td class="num">{n}</td>' for n in cells)
        assert f'<th scope="row">{label}</th>{shown}' in html
    assert f'<td class="num">{waiting["total"]}</td></tr>' in html

    table = invoke(app, *args)
    assert "Wachtlijst op 31 december 2021" in table.output
    assert "Besluit, zorg nog niet gestart" in table.output

    exact = invoke(app, *args, "--json", "--exact", "--by", world.beheerder.email)
    assert exact.exit_code == 0, exact.output
    body = json.loads(exact.output)["waiting_list"]
    assert body["stages"]["request"] == {
        "total": 7, "bands": {"0-2": 0, "2-6": 0, "6-8": 0, "8-13": 0, "13+": 7}
    }  # fmt: skip
    assert body["stages"]["decision"] == {
        "total": 6, "bands": {"0-2": 0, "2-6": 6, "6-8": 0, "8-13": 0, "13+": 0}
    }  # fmt: skip
    assert body["total"] == 13
    assert session.scalars(
        select(AuditEntry).where(AuditEntry.details.contains("stats waiting-times --exact"))
    ).one()
