"""Every list pages: one page of rows per view however long the list, a pager that goes on
while the rows do (the count stops at 1,000, the pager must not), filters and a CSV on the
provider's claims that never show another provider's claims, and one audit entry per export
instead of one per row."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from models import (
    AuditEntry,
    Claim,
    ClaimState,
    Domain,
    Trajectory,
    TrajectoryState,
)
from workflows.claims import submit_claim

from ..bulk import claimed_trajectories, copies
from ..factories import TODAY, make_trajectory
from .helpers import login_as

NOW = datetime(2026, 11, 2, 10, 0)
ROW_LINK = re.compile(r'<a href="/aanbieder/trajecten/(\d+)">')


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time(NOW):
        yield


def _body_rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr")


def _audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


# --- the count's cap no longer stops the pager ---------------------------------------------------


def test_the_provider_list_reaches_every_row_beyond_page_40(client, world, session):
    first = make_trajectory(session, world, TrajectoryState.ACTIEF)
    made = [first.id, *copies(session, Trajectory.__table__, first.id, 1030)]
    login_as(client, world.aanbieder_a)
    page_40 = client.get("/aanbieder/?toon=lopend&page=40").get_data(as_text=True)
    assert "Meer dan 1000 trajecten." in page_40
    assert 'href="/aanbieder/?toon=lopend&amp;page=41" rel="next"' in page_40
    page_41 = client.get("/aanbieder/?toon=lopend&page=41").get_data(as_text=True)
    assert "Pagina 41" in page_41
    assert [int(i) for i in ROW_LINK.findall(page_41)] == sorted(made)[1000:1025]
    last = client.get("/aanbieder/?toon=lopend&page=42").get_data(as_text=True)
    assert [int(i) for i in ROW_LINK.findall(last)] == sorted(made)[1025:]
    assert 'rel="next"' not in last and 'rel="prev"' in last
    # past the end: an empty page with the way back, never an error
    beyond = client.get("/aanbieder/?toon=lopend&page=99")
    assert beyond.status_code == 200 and 'rel="prev"' in beyond.get_data(as_text=True)
    assert "Op deze pagina staat niets meer." in beyond.get_data(as_text=True)


def test_the_gids_caseload_reaches_every_row_beyond_page_40(client, world, session):
    first = make_trajectory(session, world, TrajectoryState.ACTIEF)
    made = [first.id, *copies(session, Trajectory.__table__, first.id, 1010)]
    login_as(client, world.gids)
    page_41 = client.get("/gids/?page=41").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'<a href="/gids/trajecten/(\d+)">', page_41)]
    assert shown == sorted(made)[1000:1011]


def test_a_search_pages_beyond_its_first_page_in_post_bodies(client, world, session):
    first = make_trajectory(session, world, TrajectoryState.ACTIEF)
    copies(session, Trajectory.__table__, first.id, 30)
    login_as(client, world.aanbieder_a)
    page = client.get("/aanbieder/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    data = {"csrf_token": token.group(1), "q": "de Vries", "toon": "lopend", "page": "2"}
    second = client.post("/aanbieder/", data=data).get_data(as_text=True)
    assert len(ROW_LINK.findall(second)) == 6
    assert 'name="page" value="1"' in second and "de Vries" not in second.split("<form")[0]


# --- the provider's claims ----------------------------------------------------------------------


def _closed_for(session, world, provider_user, provider) -> Trajectory:
    return make_trajectory(
        session,
        world,
        TrajectoryState.AFGESLOTEN,
        provider_user=provider_user,
        provider_id=provider.id,
    )


STATES = [ClaimState.INGEDIEND, ClaimState.GOEDGEKEURD, ClaimState.AFGEWEZEN]


def _vary(world):
    """Claim i: state by i % 3, submitted in 2025 for odd i, in 2026 for even i."""

    def change(i: int, row: dict) -> None:
        state = STATES[i % 3]
        year = 2025 if i % 2 else 2026
        row["state"] = state.value
        row["submitted_at"] = datetime(year, 6, 1, 12, 0, tzinfo=UTC)
        if state != ClaimState.INGEDIEND:
            row["decided_at"] = datetime(year, 6, 2, 12, 0, tzinfo=UTC)
            row["decided_by_id"] = world.gids.id
        if state == ClaimState.AFGEWEZEN:
            row["decision_reason"] = '=HYPERLINK("http://evil")'

    return change


@pytest.fixture
def many_claims(session, world):
    """Zorg A: 3,000 claims over two years and three states; Zorg B: 40 of its own."""
    closed_a = _closed_for(session, world, world.aanbieder_a, world.zorg_a)
    template_a = submit_claim(session, closed_a, world.aanbieder_a, TODAY)
    a_ids = claimed_trajectories(session, closed_a, template_a, 3000, _vary(world))
    closed_b = _closed_for(session, world, world.aanbieder_b, world.zorg_b)
    template_b = submit_claim(session, closed_b, world.aanbieder_b, TODAY)
    b_ids = claimed_trajectories(session, closed_b, template_b, 40, _vary(world))
    session.flush()
    return {"a": [template_a.id, *a_ids], "b": [template_b.id, *b_ids]}


def _csv_ids(data: bytes) -> list[int]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return [int(row[0]) for row in rows[1:]]


def test_the_claims_list_shows_one_page_of_thousands(client, world, session, many_claims):
    login_as(client, world.aanbieder_a)
    response = client.get("/aanbieder/declaraties")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _body_rows(html) == 25
    assert len(response.data) < 60_000  # was 2 MB for 5,155 claims
    assert "Meer dan 1000 declaraties." in html
    page_41 = client.get("/aanbieder/declaraties?page=41").get_data(as_text=True)
    assert _body_rows(page_41) == 25 and 'rel="next"' in page_41


def test_the_claims_list_filters_by_state_and_year(client, world, session, many_claims):
    login_as(client, world.aanbieder_a)
    html = client.get("/aanbieder/declaraties?status=afgewezen&jaar=2025").get_data(as_text=True)
    # i % 3 == 2 and i odd: i % 6 == 5, so 500 of the 3,000 copies
    assert "500 declaraties" in html and _body_rows(html) == 25
    assert "Goedgekeurd</td>" not in html and "Ingediend</td>" not in html
    assert 'href="/aanbieder/declaraties?status=afgewezen&amp;jaar=2025&amp;page=2"' in html
    assert '<option value="2025" selected>' in html


def test_the_claims_csv_holds_the_filtered_claims_and_is_one_audit_entry(
    client, world, session, many_claims
):
    login_as(client, world.aanbieder_a)
    before = _audit_count(session)
    response = client.get("/aanbieder/declaraties.csv?status=goedgekeurd&jaar=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "declaraties-12345678-goedgekeurd-2026.csv" in response.headers["Content-Disposition"]
    ids = _csv_ids(response.data)
    assert len(ids) == 500 and set(ids) <= set(many_claims["a"])
    assert _audit_count(session) == before + 1
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.object_type, entry.user_id) == (
        "geexporteerd",
        "declaratie",
        world.aanbieder_a.id,
    )
    assert entry.details == (
        "declaraties.csv; aanbieder=12345678; status=goedgekeurd; jaar=2026; 500 rijen"
    )
    everything = client.get("/aanbieder/declaraties.csv")
    text = everything.data.decode("utf-8-sig")
    assert len(_csv_ids(everything.data)) == 3001
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text  # formulas neutralised
    assert "de Vries" not in text and world.adult.bsn not in text  # no personal data


@pytest.mark.parametrize(
    "query",
    ["", "?status=afgewezen", "?jaar=2025", "?aanbieder=87654321", "?provider_id=2&page=2"],
)
def test_a_provider_never_sees_another_providers_claims(client, world, session, many_claims, query):
    login_as(client, world.aanbieder_a)
    theirs = set(many_claims["b"])
    assert not set(_csv_ids(client.get("/aanbieder/declaraties.csv" + query).data)) & theirs
    for page in (1, 2, 200):
        sep = "&" if "?" in query else "?"
        html = client.get(f"/aanbieder/declaraties{query}{sep}page={page}").get_data(as_text=True)
        shown = {int(i) for i in ROW_LINK.findall(html)}
        theirs_trajectories = set(
            session.scalars(select(Claim.trajectory_id).where(Claim.id.in_(theirs)))
        )
        assert not shown & theirs_trajectories
    login_as(client, world.aanbieder_b)
    assert set(_csv_ids(client.get("/aanbieder/declaraties.csv" + query).data)) <= theirs


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?status=betaald", "Kies een status uit de lijst."),
        ("?jaar=20x5", "Een jaar is vier cijfers"),
        ("?jaar=99999999999999999999", "Een jaar is vier cijfers"),
        ("?page=-1&jaar=1999", "Een jaar is vier cijfers"),
    ],
)
def test_a_made_up_filter_is_a_dutch_400(client, world, query, message):
    login_as(client, world.aanbieder_a)
    for url in ("/aanbieder/declaraties", "/aanbieder/declaraties.csv"):
        response = client.get(url + query)
        assert response.status_code == 400 and message in response.get_data(as_text=True)


# --- the beheerder's claims CSV ---------------------------------------------------------------


def test_the_beheer_claims_csv_writes_exactly_one_audit_entry(client, world, session, many_claims):
    login_as(client, world.beheerder)
    before = _audit_count(session)
    response = client.get("/beheer/declaraties.csv")
    assert response.status_code == 200
    assert len(_csv_ids(response.data)) == 3042
    assert _audit_count(session) == before + 1
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.user_id, entry.details) == (
        "geexporteerd",
        world.beheerder.id,
        "declaraties.csv; 3042 rijen",
    )
    filtered = client.get("/beheer/declaraties.csv?aanbieder=87654321&status=ingediend")
    expected = session.scalars(
        select(Claim.id).where(
            Claim.provider_id == world.zorg_b.id, Claim.state == ClaimState.INGEDIEND
        )
    ).all()
    assert sorted(_csv_ids(filtered.data)) == sorted(expected) and len(expected) == 15
    assert _audit_count(session) == before + 2


# --- the other lists ------------------------------------------------------------------------------


def test_the_gids_requests_list_pages_past_its_old_limit_of_200(client, world, session):
    from models import Aanmelding
    from workflows.aanmeldingen import register_aanmelding

    first = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Hulp bij de administratie",
        today=TODAY,
    )
    made = [first.id, *copies(session, Aanmelding.__table__, first.id, 229)]
    login_as(client, world.gids)
    first_page = client.get("/gids/aanmeldingen").get_data(as_text=True)
    assert _body_rows(first_page) == 25 and "230 aanmeldingen" in first_page
    last = client.get("/gids/aanmeldingen?page=10").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'href="/gids/aanmeldingen/(\d+)"', last)]
    assert shown == sorted(made, reverse=True)[225:]  # newest first, ties by id


def test_the_resident_search_pages_through_every_match_in_post_bodies(client, world, session):
    from models import Resident

    copies(
        session,
        Resident.__table__,
        world.adult.id,
        60,
        lambda i, row: row.update(bsn=f"{900000000 + i}", family_name=f"Jansen {i:02}"),
    )
    login_as(client, world.gids)
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/gids/inwoners").get_data(as_text=True)
    )
    assert token
    pages = [
        client.post(
            "/gids/inwoners", data={"csrf_token": token.group(1), "q": "jansen", "page": page}
        ).get_data(as_text=True)
        for page in ("1", "3")
    ]
    # the 60 copies and Bram Jansen
    assert _body_rows(pages[0]) == 25 and "61 inwoners gevonden" in pages[0]
    assert _body_rows(pages[1]) == 11 and "Jansen 59" in pages[1]
    assert 'name="page" value="2"' in pages[1] and 'name="page" value="4"' not in pages[1]
    assert "jansen" not in pages[1].split("<main")[0].lower()  # never in a URL or the head


@pytest.mark.parametrize(
    ("url", "table", "template", "change", "rows_on_first_page"),
    [
        (
            "/beheer/accounts",
            "users",
            "beheerder",
            lambda i, row: row.update(email=f"gids{i}@gemeente.nl", name=f"Gids {i}"),
            50,
        ),
        (
            "/beheer/api-tokens",
            "api_tokens",
            "token",
            lambda i, row: row.update(token_hash=f"{i:064x}", name=f"BI {i}"),
            50,
        ),
        (
            "/beheer/uitschieters",
            "stats_outlier_months",
            "outlier",
            lambda i, row: row.update(month=row["month"].replace(year=1900 + i)),
            50,
        ),
    ],
)
def test_the_beheerder_lists_show_one_page_at_a_time(
    client, world, session, url, table, template, change, rows_on_first_page
):
    from models import Base
    from workflows.stats import admin

    ids = {
        "beheerder": lambda: world.beheerder.id,
        "token": lambda: (
            admin.issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")[0].id
        ),
        "outlier": lambda: (
            admin.add_outlier_month(
                session, world.beheerder, domain="wmo", month="2019-01", reason="Conversie"
            ).id
        ),
    }[template]()
    copies(session, Base.metadata.tables[table], ids, 70, change)
    login_as(client, world.beheerder)
    first = client.get(url).get_data(as_text=True)
    assert _body_rows(first) == rows_on_first_page and 'rel="next"' in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert 0 < _body_rows(second) < rows_on_first_page and 'rel="prev"' in second


def test_the_provider_and_import_review_lists_show_one_page_at_a_time(client, world, session):
    from models import Provider

    copies(
        session,
        Provider.__table__,
        world.zorg_d.id,
        70,
        lambda i, row: row.update(agb_code=f"{70000000 + i}", name=f"Import {i}", imported=True),
    )
    login_as(client, world.beheerder)
    providers = client.get("/beheer/aanbieders").get_data(as_text=True)
    assert providers.count("<caption>") == 20 and 'rel="next"' in providers
    review = client.get("/beheer/geimporteerd").get_data(as_text=True)
    # Each imported provider has two forms: accept it, or merge it into another.
    assert review.count('action="/beheer/geimporteerd/aanbieder/') == 2 * 50
    assert 'href="/beheer/geimporteerd?aanbieders=2" rel="next"' in review
    rest = client.get("/beheer/geimporteerd?aanbieders=2").get_data(as_text=True)
    assert rest.count('action="/beheer/geimporteerd/aanbieder/') == 2 * 20
