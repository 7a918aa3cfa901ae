"""No statistics output — page, chart, table, CSV, XLSX, PDF, API, CLI — contains a BSN, a name, a
birth date or a postcode, whatever the residents are called and wherever they live."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Household, Resident, TrajectoryState
from workflows.bsn import bsn_check_digit
from workflows.stats.admin import issue_token

from ..factories import TODAY, World, make_trajectory
from .helpers import login_as

TOKEN_NUMBERS = itertools.count()
FIGURES = ("flows", "intensity", "durations", "waiting-times", "results")
PERIOD = {"from": "2026-01", "to": "2026-12"}
LATER = date(2027, 2, 1)

name = st.from_regex(r"[A-Z][a-z]{6,12}", fullmatch=True)
person = st.tuples(
    name,
    name,
    st.integers(10_000_000, 69_999_999).filter(lambda n: bsn_check_digit(str(n)) is not None),
    st.dates(date(1930, 1, 1), date(1990, 12, 31)),
    st.from_regex(r"[1-9][0-9]{3}[A-Z]{2}", fullmatch=True),
)


def texts(client: FlaskClient, app: Flask, token: str) -> list[str]:
    """Everything a manager can get out, as text."""
    out = []
    with freeze_time(LATER):
        for figure in FIGURES:
            for unit in ("traject", "client"):
                params = {**PERIOD, "unit": unit, "figuur": figure}
                out.append(client.get("/manager/", query_string=params).get_data(as_text=True))
                out.append(
                    client.get(
                        f"/api/v1/stats/{figure}",
                        query_string=params,
                        headers={"Authorization": f"Bearer {token}"},
                    ).get_data(as_text=True)
                )
            out.append(
                client.get("/manager/cijfers.csv", query_string={**PERIOD, "figuur": figure})
                .get_data()
                .decode("utf-8-sig")
            )
            xlsx = client.get("/manager/cijfers.xlsx", query_string={**PERIOD, "figuur": figure})
            with zipfile.ZipFile(io.BytesIO(xlsx.get_data())) as archive:
                out += [archive.read(n).decode("utf-8") for n in archive.namelist()]
            cli = app.test_cli_runner().invoke(
                args=["stats", figure, "--from", "2026-01", "--to", "2026-12", "--json"]
            )
            out.append(cli.output)
        pdf = client.get("/manager/monitor.pdf", query_string=PERIOD).get_data()
    out.append(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    return out


@pytest.mark.slow  # hypothesis: every output for several generated people
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=st.lists(person, min_size=1, max_size=3, unique_by=lambda p: p[2]))
def test_no_output_contains_personal_data(
    app: Flask,
    client: FlaskClient,
    session: Session,
    world: World,
    people: list[tuple[str, str, int, date, str]],
) -> None:
    secrets: list[str] = []
    for given_name, family_name, digits, birth, postcode in people:
        bsn = bsn_check_digit(str(digits)) or ""
        if session.scalar(select(Resident.id).where(Resident.bsn == bsn)) is not None:
            continue  # examples share the test's transaction
        resident = Resident(
            bsn=bsn, given_name=given_name, family_name=family_name, birth_date=birth,
            postcode=postcode, wijk=world.dronten, household=Household(gids=world.gids),
        )  # fmt: skip
        session.add(resident)
        session.flush()
        for _ in range(5):  # enough for cells above the threshold
            make_trajectory(session, world, TrajectoryState.AFGESLOTEN, resident_id=resident.id)
        secrets += [bsn, given_name, family_name, birth.isoformat(), birth.strftime("%d-%m-%Y")]
        secrets.append(postcode)
    # a name of its own per example: a manager has one valid token per name
    name = f"t{next(TOKEN_NUMBERS)}"
    _row, token = issue_token(session, world.beheerder, user_id=world.manager.id, name=name)
    session.flush()
    with freeze_time(LATER):
        login_as(client, world.manager)
    outputs = texts(client, app, token)
    assert any("2026-11" in text for text in outputs)  # the figures are really there
    for text in outputs:
        for secret in secrets:
            assert secret not in text, secret
    assert TODAY.isoformat() not in "".join(outputs)  # no full dates of care either
