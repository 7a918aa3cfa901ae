"""A request for access (inzageverzoek): the beheerder finds the resident by BSN in a POST, sees
who accessed the file, and exports everything held about the resident as JSON and PDF. Every
lookup and export is itself in the audit log."""

from __future__ import annotations

import io
import json

import pypdf
from sqlalchemy import select

from models import AuditEntry, TrajectoryState
from workflows.claims import submit_claim

from ..factories import TODAY, make_trajectory
from .helpers import login_as, post_form


def _file(session, world):
    active = make_trajectory(session, world, TrajectoryState.ACTIEF)
    closed = make_trajectory(session, world, TrajectoryState.AFGESLOTEN)
    claim = submit_claim(session, closed, world.aanbieder_a, TODAY)
    session.flush()
    return active, closed, claim


def test_the_beheerder_finds_a_resident_by_bsn_and_sees_the_log(client, world, session):
    active, _closed, _claim = _file(session, world)
    gids = client.application.test_client()
    login_as(gids, world.gids)
    gids.get(f"/gids/trajecten/{active.id}")  # a read the log must show
    login_as(client, world.beheerder)
    response = post_form(client, "/beheer/inzage", "/beheer/inzage", {"bsn": "111 222 333"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/beheer/inzage/{world.adult.id}"
    assert world.adult.bsn not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anna de Vries" in page
    assert world.gids.name in page and "inzien" in page and "gids.trajectory" in page
    lookups = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "inzageverzoek", AuditEntry.resident_id == world.adult.id
        )
    ).all()
    assert [e.user_id for e in lookups] == [world.beheerder.id]


def test_an_unknown_bsn_is_explained(client, world):
    login_as(client, world.beheerder)
    response = post_form(client, "/beheer/inzage", "/beheer/inzage", {"bsn": "999999990"})
    assert response.status_code == 422
    assert "Er is geen inwoner met dit BSN bekend." in response.get_data(as_text=True)


def test_the_json_export_holds_everything_about_the_resident(client, world, session):
    active, closed, claim = _file(session, world)
    provider = client.application.test_client()
    login_as(provider, world.aanbieder_a)
    assert provider.get(f"/aanbieder/trajecten/{active.id}").status_code == 200
    login_as(client, world.beheerder)
    response = client.get(f"/beheer/inzage/{world.adult.id}/inzage.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["resident"]["bsn"] == world.adult.bsn
    assert data["resident"]["family_name"] == "de Vries"
    trajectories = {t["id"]: t for t in data["trajectories"]}
    assert set(trajectories) == {active.id, closed.id}
    assert trajectories[active.id]["results"][0]["description"] == active.results[0].description
    assert trajectories[active.id]["evaluations"]
    assert trajectories[closed.id]["claims"][0]["id"] == claim.id
    assert trajectories[closed.id]["history"]
    # the other members of a household are not in it: their data is theirs
    assert world.child.bsn not in response.get_data(as_text=True)
    # who accessed the file: by role and organisation, not by employee or address
    assert {"role": "aanbieder", "organisation": "Zorg A", "action": "inzien"}.items() <= next(
        a for a in data["accesses"] if a["role"] == "aanbieder"
    ).items()
    assert all("ip" not in a and "user_id" not in a for a in data["accesses"])
    exports = session.scalars(select(AuditEntry).where(AuditEntry.action == "inzage_export")).all()
    assert [(e.resident_id, e.details) for e in exports] == [(world.adult.id, "json")]


def test_the_pdf_export_is_readable(client, world, session):
    _file(session, world)
    login_as(client, world.beheerder)
    response = client.get(f"/beheer/inzage/{world.adult.id}/inzage.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    content = " ".join(page.extract_text() for page in reader.pages)
    assert "Inzage in uw gegevens" in content
    assert "Anna de Vries" in content and world.adult.bsn in content
    assert "Anna doet zelf haar administratie" in content


def test_an_unknown_resident_gives_404(client, world):
    login_as(client, world.beheerder)
    for url in ("/beheer/inzage/999999", "/beheer/inzage/999999/inzage.json"):
        assert client.get(url).status_code == 404
