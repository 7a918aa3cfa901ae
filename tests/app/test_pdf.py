"""The *Trajectafspraken* and *Evaluatieverslag* PDFs through the test client: valid PDF with the
expected (extractable) text, and only for those who may see the trajectory — another provider
gets 404, a manager or beheerder 403, and a planned evaluation has no report yet (404)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.pdf import EvaluationReportPdf, TrajectoryAgreementPdf
from models import (
    AuditEntry,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    NeedType,
    ResultScore,
    ReviewOutcome,
    Role,
    TrajectoryState,
    ZrmScore,
)
from workflows import trajectories as wf

from ..committed import audit_entries_after, last_audit_id
from ..factories import TODAY, make_trajectory, make_user
from .helpers import login_as

S = TrajectoryState
RESULT = "Anna doet zelf haar administratie"


def pdf_text(data: bytes) -> str:
    """The text of every page, with runs of white space as one space (table cells wrap)."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdf_title(data: bytes) -> str | None:
    metadata = PdfReader(BytesIO(data)).metadata
    return metadata.title if metadata else None


def submitted_evaluation(session, trajectory, user, **fields) -> Evaluation:
    """An evaluation as the provider submits it, scored +1 on the first agreed result."""
    values = {
        "kind": EvaluationKind.REGULIER,
        "due_on": date(2027, 5, 9),
        "state": EvaluationState.INGEDIEND,
        "held_on": date(2027, 5, 3),
        "with_inwoner": True,
        "with_aanbieder": True,
        "with_netwerk": True,
        "summary": "Anna opent haar post nu zelf; de dochter helpt nog bij de belastingaangifte.",
        "need_changed": False,
        "submitted_by": user,
        "submitted_at": datetime(2027, 5, 3, 14, 0, tzinfo=UTC),
    }
    evaluation = Evaluation(trajectory=trajectory, **{**values, **fields})
    evaluation.scores = [
        ResultScore(result=trajectory.results[0], score=1, explanation="Rekeningen op tijd betaald")
    ]
    session.add(evaluation)
    session.flush()
    return evaluation


@pytest.fixture
def active(session, world):
    """Wmo begeleiding middel for Anna with Zorg A (price € 3.800,00), care started."""
    return make_trajectory(session, world, S.ACTIEF)


# --- Trajectafspraken ---------------------------------------------------------------------------


def test_gids_downloads_the_agreement_with_resident_results_price_and_plan(client, world, active):
    login_as(client, world.gids)
    response = client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert f"trajectafspraken-{active.id}.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    for expected in (
        "Trajectwijzer",
        "Trajectafspraken",
        "Anna de Vries",
        "05-05-1950",
        "111222333",
        "Begeleiding individueel",
        "Middel",
        "Zorg A",
        "€ 3.800,00",
        "09-11-2026 t/m 09-05-2027 (26 weken)",
        RESULT,
        "Maandelijks gecheckt",
        "Evalueren elke 6 maanden.",
    ):
        assert expected in text, expected
    assert pdf_title(response.data) == "Trajectafspraken"


def test_agreement_shows_gas_levels_and_the_planned_evaluations(session, client, world):
    results = [
        wf.ResultInput(
            "Zelf koken & boodschappen <samen> met de buurvrouw",
            "Gesprek met Anna",
            gas_minus2="Eet alleen kant-en-klaar",
            gas_plus2="Kookt vijf dagen per week zelf",
        )
    ]
    t = make_trajectory(session, world, S.ACTIEF, results=results)
    extra = Evaluation(
        trajectory=t, kind=EvaluationKind.EXTRA, due_on=date(2027, 1, 15), reason="Verhuizing"
    )
    session.add(extra)
    session.flush()
    login_as(client, world.gids)
    text = pdf_text(client.get(f"/gids/trajecten/{t.id}/trajectafspraken.pdf").data)
    assert "Zelf koken & boodschappen <samen> met de buurvrouw" in text
    assert "−2" in text and "Eet alleen kant-en-klaar" in text
    assert "+2" in text and "Kookt vijf dagen per week zelf" in text
    assert "Extra evaluatie" in text and "15-01-2027" in text and "Gepland" in text
    for evaluation in t.evaluations:  # also those planned when care started
        assert f"{evaluation.due_on:%d-%m-%Y}" in text


def test_agreement_before_the_start_of_care_says_when_evaluations_are_planned(
    session, client, world
):
    t = make_trajectory(session, world, S.GEACCEPTEERD)
    login_as(client, world.gids)
    text = pdf_text(client.get(f"/gids/trajecten/{t.id}/trajectafspraken.pdf").data)
    assert "De evaluaties worden gepland zodra de zorg is gestart." in text


def test_lasting_need_is_evaluated_every_twelve_months(session, client, world):
    t = make_trajectory(session, world, S.ACTIEF, need_type=NeedType.BLIJVEND)
    login_as(client, world.gids)
    text = pdf_text(client.get(f"/gids/trajecten/{t.id}/trajectafspraken.pdf").data)
    assert "Evalueren elke 12 maanden." in text


def test_the_gids_override_of_the_interval_is_in_the_plan(session, client, world, active):
    active.evaluation_interval_months = 2
    session.flush()
    login_as(client, world.gids)
    text = pdf_text(client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf").data)
    assert "Evalueren elke 2 maanden." in text


def test_any_gids_of_the_team_may_download_the_agreement(client, world, active):
    login_as(client, world.gids2)
    assert client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf").status_code == 200


def test_own_provider_downloads_the_agreement(client, world, active):
    login_as(client, world.aanbieder_a)
    response = client.get(f"/aanbieder/trajecten/{active.id}/trajectafspraken.pdf")
    assert response.status_code == 200
    assert "€ 3.800,00" in pdf_text(response.data)


def test_subcontractor_downloads_a_jeugd_agreement_evaluated_every_three_months(
    session, client, world
):
    t = make_trajectory(
        session,
        world,
        S.ACTIEF,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        subcontractor_id=world.zorg_c.id,
    )
    login_as(client, make_user(session, "aanbieder.c@test.nl", Role.AANBIEDER, world.zorg_c))
    response = client.get(f"/aanbieder/trajecten/{t.id}/trajectafspraken.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Bram Jansen" in text and "Jeugd" in text and "€ 6.200,00" in text
    assert "Zorg C" in text
    assert "Evalueren elke 3 maanden." in text


def test_provider_of_another_organisation_gets_404_for_the_agreement(client, world, active):
    login_as(client, world.aanbieder_b)
    assert client.get(f"/aanbieder/trajecten/{active.id}/trajectafspraken.pdf").status_code == 404


def test_provider_gets_404_for_a_concept_of_its_own(session, client, world):
    concept = make_trajectory(session, world, S.CONCEPT)
    login_as(client, world.aanbieder_a)
    assert client.get(f"/aanbieder/trajecten/{concept.id}/trajectafspraken.pdf").status_code == 404


@pytest.mark.parametrize("who", ["manager", "beheerder"])
def test_manager_and_beheerder_get_403_for_the_agreement(client, world, active, who):
    login_as(client, getattr(world, who))
    assert client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf").status_code == 403
    assert client.get(f"/aanbieder/trajecten/{active.id}/trajectafspraken.pdf").status_code == 403


def test_gids_and_provider_routes_are_not_crossed(client, world, active):
    login_as(client, world.aanbieder_a)
    assert client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf").status_code == 403
    login_as(client, world.gids)
    assert client.get(f"/aanbieder/trajecten/{active.id}/trajectafspraken.pdf").status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client, active):
    response = client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def test_unknown_trajectory_is_404(client, world):
    login_as(client, world.gids)
    assert client.get("/gids/trajecten/999999/trajectafspraken.pdf").status_code == 404


def test_trajectory_pages_link_to_the_downloads(session, client, world, active):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    login_as(client, world.gids)
    page = client.get(f"/gids/trajecten/{active.id}").get_data(as_text=True)
    assert f"/gids/trajecten/{active.id}/trajectafspraken.pdf" in page
    assert f"/gids/evaluaties/{evaluation.id}/verslag.pdf" in page
    login_as(client, world.aanbieder_a)
    page = client.get(f"/aanbieder/trajecten/{active.id}").get_data(as_text=True)
    assert f"/aanbieder/trajecten/{active.id}/trajectafspraken.pdf" in page
    assert f"/aanbieder/evaluaties/{evaluation.id}/verslag.pdf" in page


def test_agreement_in_english_when_the_session_is_english(client, world, active):
    login_as(client, world.gids)
    client.get("/taal/en")
    response = client.get(f"/gids/trajecten/{active.id}/trajectafspraken.pdf")
    text = pdf_text(response.data)
    assert "Trajectory agreement" in text
    assert "Agreed results" in text
    assert pdf_title(response.data) == "Trajectory agreement"


# --- Evaluatieverslag ---------------------------------------------------------------------------


def test_gids_downloads_the_report_of_a_submitted_evaluation(session, client, world, active):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    login_as(client, world.gids)
    response = client.get(f"/gids/evaluaties/{evaluation.id}/verslag.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"evaluatieverslag-{evaluation.id}.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for expected in (
        "Trajectwijzer",
        "Evaluatieverslag",
        "Anna de Vries",
        "Periodieke evaluatie",
        "09-05-2027",
        "03-05-2027",
        "inwoner, aanbieder, netwerk",
        RESULT,
        "+1",
        "Rekeningen op tijd betaald",
        "Anna opent haar post nu zelf",
        "Nee",
    ):
        assert expected in text, expected
    assert "111222333" not in text  # the report identifies by name and birth date only
    assert pdf_title(response.data) == "Evaluatieverslag"


def test_report_shows_zrm_scores_and_the_review(session, client, world):
    t = make_trajectory(session, world, S.ACTIEF)
    evaluation = submitted_evaluation(
        session,
        t,
        world.aanbieder_a,
        kind=EvaluationKind.EXTRA,
        reason="Dochter verhuist naar het buitenland",
    )
    evaluation.zrm_scores = [ZrmScore(domain=1, score=3), ZrmScore(domain=11, score=2)]
    evaluation.scores[0].score = -1
    evaluation.need_changed = True
    evaluation.state = EvaluationState.BEOORDEELD
    evaluation.review_outcome = ReviewOutcome.BESPREKEN
    evaluation.review_remark = "Graag samen kijken naar opschaling"
    evaluation.reviewed_by = world.gids
    evaluation.reviewed_at = datetime(2027, 5, 6, 9, 0, tzinfo=UTC)
    session.flush()
    login_as(client, world.aanbieder_a)
    response = client.get(f"/aanbieder/evaluaties/{evaluation.id}/verslag.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    for expected in (
        "Extra evaluatie",
        "Dochter verhuist naar het buitenland",
        "−1",
        "Zelfredzaamheid-Matrix",
        "Financiën",
        "Sociaal netwerk",
        "Ja",
        "Bespreken",
        "Graag samen kijken naar opschaling",
        "06-05-2027",
    ):
        assert expected in text, expected


def test_planned_evaluation_has_no_report(session, client, world, active):
    planned = Evaluation(trajectory=active, kind=EvaluationKind.REGULIER, due_on=date(2027, 5, 9))
    session.add(planned)
    session.flush()
    login_as(client, world.gids)
    assert client.get(f"/gids/evaluaties/{planned.id}/verslag.pdf").status_code == 404
    login_as(client, world.aanbieder_a)
    assert client.get(f"/aanbieder/evaluaties/{planned.id}/verslag.pdf").status_code == 404


def test_provider_of_another_organisation_gets_404_for_the_report(session, client, world, active):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    login_as(client, world.aanbieder_b)
    assert client.get(f"/aanbieder/evaluaties/{evaluation.id}/verslag.pdf").status_code == 404


@pytest.mark.parametrize("who", ["manager", "beheerder"])
def test_manager_and_beheerder_get_403_for_the_report(session, client, world, active, who):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    login_as(client, getattr(world, who))
    assert client.get(f"/gids/evaluaties/{evaluation.id}/verslag.pdf").status_code == 403
    assert client.get(f"/aanbieder/evaluaties/{evaluation.id}/verslag.pdf").status_code == 403


def test_unknown_evaluation_is_404(client, world):
    login_as(client, world.gids)
    assert client.get("/gids/evaluaties/999999/verslag.pdf").status_code == 404


# --- the generators themselves: classes that return bytes ----------------------------------------


def test_generators_return_pdf_bytes(app, session, world, active):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    with app.test_request_context():
        agreement = TrajectoryAgreementPdf(active, TODAY).render()
        report = EvaluationReportPdf(evaluation, TODAY).render()
    assert isinstance(agreement, bytes) and agreement.startswith(b"%PDF-")
    assert isinstance(report, bytes) and report.startswith(b"%PDF-")
    assert f"aangemaakt op {TODAY:%d-%m-%Y}" in pdf_text(agreement)


# --- each download is an export in the audit log -------------------------------------------------


def _exports(session, after: int) -> list[AuditEntry]:
    return [e for e in audit_entries_after(session, after) if e.action == "geexporteerd"]


AGREEMENT = ("traject", "trajecten/{t}/trajectafspraken.pdf", "trajectafspraken-{t}.pdf")
REPORT = ("evaluatie", "evaluaties/{e}/verslag.pdf", "evaluatieverslag-{e}.pdf")


@pytest.mark.parametrize(
    ("who", "url", "kind", "name"),
    [
        ("gids", f"/gids/{AGREEMENT[1]}", AGREEMENT[0], AGREEMENT[2]),
        ("aanbieder_a", f"/aanbieder/{AGREEMENT[1]}", AGREEMENT[0], AGREEMENT[2]),
        ("gids", f"/gids/{REPORT[1]}", REPORT[0], REPORT[2]),
        ("aanbieder_a", f"/aanbieder/{REPORT[1]}", REPORT[0], REPORT[2]),
    ],
)
def test_each_download_is_one_export_entry_naming_who_downloaded_what(
    session, client, world, active, who, url, kind, name
):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    ids = {"t": active.id, "e": evaluation.id}
    user = getattr(world, who)
    login_as(client, user)
    before = last_audit_id(session)
    assert client.get(url.format(**ids)).status_code == 200
    (entry,) = _exports(session, before)
    assert (entry.user_id, entry.role, entry.object_type, entry.resident_id, entry.details) == (
        user.id,
        user.role.value,
        kind,
        world.adult.id,
        name.format(**ids),
    )
    assert entry.object_id == (active.id if kind == "traject" else evaluation.id)


def test_a_refused_download_is_no_export(session, client, world, active):
    evaluation = submitted_evaluation(session, active, world.aanbieder_a)
    login_as(client, world.aanbieder_b)
    before = last_audit_id(session)
    assert client.get(f"/aanbieder/trajecten/{active.id}/trajectafspraken.pdf").status_code == 404
    assert client.get(f"/aanbieder/evaluaties/{evaluation.id}/verslag.pdf").status_code == 404
    assert _exports(session, before) == []
