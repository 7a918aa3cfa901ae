"""The beheerder's statistics pages: outlier months, population figures, API tokens, the import
upload (all or nothing, with the same report as the CLI) and the review of imported entries."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ApiToken, OutlierMonth, PopulationFigure, Provider, Trajectory

from ..factories import World
from ..workflows.history_csv import CLOSED, RUNNING, csv_text
from .helpers import login_as, post_form, upload_history


def test_the_beheerder_flags_an_outlier_month_with_a_reason(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    data = {"domain": "jeugd", "month": "2019-01", "reason": "Conversie naar nieuwe codes"}
    response = post_form(client, "/beheer/uitschieters", "/beheer/uitschieters", data)
    assert response.status_code == 302
    row = session.scalar(select(OutlierMonth))
    assert row is not None and row.reason == "Conversie naar nieuwe codes"
    again = post_form(client, "/beheer/uitschieters", "/beheer/uitschieters", data)
    assert "al als uitschieter gemarkeerd" in again.get_data(as_text=True)
    bad = post_form(
        client, "/beheer/uitschieters", "/beheer/uitschieters", {**data, "month": "2019-13"}
    )
    assert "bestaat niet" in bad.get_data(as_text=True)
    page = client.get("/beheer/uitschieters").get_data(as_text=True)
    removed = post_form(
        client, "/beheer/uitschieters", f"/beheer/uitschieters/{row.id}/verwijderen", {}
    )
    assert removed.status_code == 302 and "2019-01" in page
    assert session.scalar(select(func.count()).select_from(OutlierMonth)) == 0


def test_the_beheerder_keeps_population_figures(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    data = {"year": "2020", "inhabitants": "41500", "households": "17300"}
    assert post_form(client, "/beheer/bevolking", "/beheer/bevolking", data).status_code == 302
    corrected = {**data, "households": "17400"}
    post_form(client, "/beheer/bevolking", "/beheer/bevolking", corrected)
    row = session.get(PopulationFigure, 2020)
    session.refresh(row)
    assert row is not None and (row.inhabitants, row.households) == (41500, 17400)
    bad = post_form(
        client, "/beheer/bevolking", "/beheer/bevolking", {**data, "households": "50000"}
    )
    assert "niet meer huishoudens dan inwoners" in bad.get_data(as_text=True)


def test_a_token_is_shown_once_and_can_be_revoked(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    response = post_form(
        client, "/beheer/api-tokens", "/beheer/api-tokens",
        {"user_id": str(world.manager.id), "name": "Dashboard BI"},
    )  # fmt: skip
    body = response.get_data(as_text=True)
    match = re.search(r'id="nieuw-token">(tw_[^<]+)<', body)
    assert match is not None
    token = match.group(1)
    assert token not in client.get("/beheer/api-tokens").get_data(as_text=True)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/stats/flows", headers=headers).status_code == 200
    row = session.scalar(select(ApiToken))
    assert row is not None
    post_form(client, "/beheer/api-tokens", f"/beheer/api-tokens/{row.id}/intrekken", {})
    assert client.get("/api/v1/stats/flows", headers=headers).status_code == 401
    refused = post_form(
        client, "/beheer/api-tokens", "/beheer/api-tokens",
        {"user_id": str(world.gids.id), "name": "Geen manager"},
    )  # fmt: skip
    assert "Kies een actieve manager" in refused.get_data(as_text=True)


def test_the_upload_imports_a_good_file(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    response = upload_history(client, world, csv_text(CLOSED, RUNNING))
    assert response.status_code == 302
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 2
    assert "Import gelukt: 2 nieuwe" in client.get("/beheer/import").get_data(as_text=True)


def test_a_bad_upload_lists_every_problem_and_imports_nothing(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    bad = CLOSED.replace("111222333", "111222334").replace("3500,00", "veel")
    response = upload_history(client, world, csv_text(RUNNING, bad))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "2 fouten gevonden; er is niets geïmporteerd" in body
    assert "<td>bsn</td>" in body and "<td>trajectprijs</td>" in body
    assert "111222334" not in body
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0
    not_utf8 = upload_history(client, world, "")
    assert not_utf8.status_code == 400


def test_imported_providers_are_reviewed(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    upload_history(
        client, world, csv_text(CLOSED.replace("12345678", "99999999")), create_missing="y"
    )
    provider = session.scalar(select(Provider).where(Provider.agb_code == "99999999"))
    assert provider is not None and provider.imported
    assert "99999999" in client.get("/beheer/geimporteerd").get_data(as_text=True)
    post_form(
        client, "/beheer/geimporteerd", f"/beheer/geimporteerd/aanbieder/{provider.id}",
        {"name": "Zorg Historisch", "active": "y"},
    )  # fmt: skip
    session.refresh(provider)
    assert (provider.name, provider.imported, provider.active) == ("Zorg Historisch", False, True)
    assert "99999999" not in client.get("/beheer/geimporteerd").get_data(as_text=True)
