"""The beheerder's claims export: ``;``-separated UTF-8 with a BOM for Dutch Excel, amounts with a
decimal comma, dates as YYYY-MM-DD — and no personal data at all (no names, BSNs, birth dates)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Claim, ClaimState, Resident, Trajectory, TrajectoryState

from ..factories import make_trajectory
from .helpers import login_as

URL = "/beheer/declaraties.csv"
HEADER = (
    "declaratie_id;traject_id;aanbieder_agb;aanbieder;productcategorie;profiel;intensiteit;"
    "trajectprijs;bedrag;status;ingediend_op;besloten_op;reden"
)


def closed_with(session, world, provider_user, **overrides) -> Trajectory:
    """A trajectory taken through the workflow to *afgesloten* with ``provider_user``'s
    organisation as main contractor."""
    return make_trajectory(
        session, world, TrajectoryState.AFGESLOTEN, provider_user=provider_user, **overrides
    )


@pytest.fixture
def claims(session, world) -> list[Claim]:
    """Zorg A: a full claim on € 3.800,00, approved; Zorg B: a pro-rata claim, refused."""
    a = make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    b = closed_with(session, world, world.aanbieder_b, provider_id=world.zorg_b.id)
    rows = [
        Claim(
            trajectory=a,
            provider=world.zorg_a,
            price=a.price,
            amount=a.price,
            basis="resultaat behaald: volledige prijs",
            state=ClaimState.GOEDGEKEURD,
            submitted_by=world.aanbieder_a,
            # 23:30 UTC on 2 November is 3 November in Dronten
            submitted_at=datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
            decided_by=world.gids,
            decided_at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC),
        ),
        Claim(
            trajectory=b,
            provider=world.zorg_b,
            price=b.price,
            amount=Decimal("1234.56"),
            basis="pro rata",
            state=ClaimState.AFGEWEZEN,
            submitted_by=world.aanbieder_b,
            submitted_at=datetime(2026, 11, 4, 12, 0, tzinfo=UTC),
            decided_by=world.gids,
            decided_at=datetime(2026, 11, 5, 12, 0, tzinfo=UTC),
            decision_reason="=Geen eindverslag; dubbel ingediend",
        ),
    ]
    session.add_all(rows)
    session.flush()
    return rows


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_export_is_semicolon_separated_utf8_with_bom_and_the_agreed_header(client, world, claims):
    login_as(client, world.beheerder)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "declaraties.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    first_line = response.data.decode("utf-8-sig").splitlines()[0]
    assert first_line == HEADER
    rows = rows_of(response.data)
    assert len(rows) == 3 and all(len(row) == 13 for row in rows)


def test_amounts_have_a_decimal_comma_and_dates_are_iso(client, world, claims):
    login_as(client, world.beheerder)
    rows = {row[0]: row for row in rows_of(client.get(URL).data)[1:]}
    approved, refused = rows[str(claims[0].id)], rows[str(claims[1].id)]
    assert approved == [
        str(claims[0].id),
        str(claims[0].trajectory_id),
        "12345678",
        "Zorg A",
        "02",
        "WMO-BG",
        "middel",
        "3800,00",
        "3800,00",
        "goedgekeurd",
        "2026-11-03",
        "2026-11-10",
        "",
    ]
    assert refused[2:4] == ["87654321", "Zorg B"]
    assert refused[7:12] == ["3800,00", "1234,56", "afgewezen", "2026-11-04", "2026-11-05"]
    # free text that Excel would run as a formula is defused
    assert refused[12] == "'=Geen eindverslag; dubbel ingediend"


def test_export_holds_no_personal_data(session, client, world, claims):
    login_as(client, world.beheerder)
    text = client.get(URL).data.decode("utf-8-sig")
    residents = session.scalars(select(Resident)).all()
    assert residents
    for resident in residents:
        for value in (
            resident.given_name,
            resident.family_name,
            resident.full_name,
            resident.bsn,
            resident.birth_date.isoformat(),
            f"{resident.birth_date:%d-%m-%Y}",
        ):
            assert value not in text, value
    for user in (world.gids, world.aanbieder_a, world.aanbieder_b):
        assert user.name not in text and user.email not in text


def test_export_filters_by_agb_code(client, world, claims):
    login_as(client, world.beheerder)
    response = client.get(URL, query_string={"aanbieder": "87654321"})
    assert response.status_code == 200
    assert "declaraties-87654321.csv" in response.headers["Content-Disposition"]
    rows = rows_of(response.data)
    assert [row[0] for row in rows[1:]] == [str(claims[1].id)]


def test_export_of_a_provider_without_claims_is_just_the_header(client, world, claims):
    login_as(client, world.beheerder)
    response = client.get(URL, query_string={"aanbieder": world.zorg_c.agb_code})
    assert response.status_code == 200
    assert response.data.decode("utf-8-sig").splitlines() == [HEADER]


@pytest.mark.parametrize("code", ["99999999", "1234", "123456789", "abc<script>"])
def test_unknown_agb_code_is_400_with_a_dutch_message(client, world, claims, code):
    login_as(client, world.beheerder)
    response = client.get(URL, query_string={"aanbieder": code})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Er is geen aanbieder met AGB-code" in page
    assert "<script>" not in page


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "manager"])
def test_only_the_beheerder_may_export(client, world, claims, who):
    login_as(client, getattr(world, who))
    assert client.get(URL).status_code == 403


def test_catalogue_page_links_to_the_export(client, world):
    login_as(client, world.beheerder)
    page = client.get("/beheer/").get_data(as_text=True)
    assert 'action="/beheer/declaraties.csv"' in page
    assert 'name="aanbieder"' in page


def test_export_without_claims_is_just_the_header(client, world):
    login_as(client, world.beheerder)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.data == ("\ufeff" + HEADER + "\r\n").encode()
