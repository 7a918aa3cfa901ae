"""The provider's portal through the test client: the list sorted by the next evaluation, what
the trajectory page tells a provider (the help question, the answer term of a proposal, the
resident's contact details only when it delivers the care), correcting a refused claim once, and
the Trajectafspraken PDF of a closed or converted trajectory with the municipality's name.

Attacks: another provider's trajectory or claim gives 404; a second resubmission, one of a claim
that was not refused, and a double submit are refused with a Dutch message and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from models import (
    AuditEntry,
    Claim,
    ClaimState,
    Domain,
    Intensity,
    Task,
    TaskKind,
    TrajectoryState,
)
from workflows import scaling
from workflows.aanmeldingen import register_aanmelding
from workflows.caseload import PROVIDER_RESPONSE_DAYS
from workflows.claims import decide_claim, resubmit_claim, submit_claim
from workflows.errors import DomainError

from ..factories import TODAY, make_trajectory
from .care import NOW, active, closed, evaluated, snapshot
from .helpers import csrf_token, field_error, login_as
from .test_pdf import pdf_text

S = TrajectoryState
REFUSAL = "De einddatum klopt niet met het dossier."


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def _page(client, trajectory) -> str:
    response = client.get(f"/aanbieder/trajecten/{trajectory.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the list ----------------------------------------------------------------------------------


def _order(body: str, *names: str) -> list[str]:
    return sorted(names, key=body.index)


def test_the_list_sorts_by_the_next_evaluation_and_keeps_the_default_order(client, world, session):
    running = active(session, world)  # evaluations planned from the start of care
    waiting = make_trajectory(session, world, S.GEACCEPTEERD, resident_id=world.child.id)
    session.flush()
    next_due = min(e.due_on for e in running.evaluations)
    login_as(client, world.aanbieder_a)
    default = client.get("/aanbieder/").get_data(as_text=True)
    # the default: proposals, then accepted ones, then by planned start
    assert _order(default, "Anna de Vries", "Bram") == ["Bram", "Anna de Vries"]
    assert next_due.strftime("%d-%m-%Y") in default
    by_evaluation = client.get("/aanbieder/?sorteer=evaluatie").get_data(as_text=True)
    assert _order(by_evaluation, "Anna de Vries", "Bram") == ["Anna de Vries", "Bram"]
    assert 'aria-sort="ascending"' in by_evaluation
    assert f"/aanbieder/trajecten/{waiting.id}" in by_evaluation
    assert client.get("/aanbieder/?sorteer=nonsense").status_code == 400


# --- the trajectory page -----------------------------------------------------------------------


def test_a_proposal_shows_the_answer_term_and_no_contact_details(client, world, session):
    proposal = make_trajectory(session, world, S.VOORGESTELD)
    session.flush()
    login_as(client, world.aanbieder_a)
    body = _page(client, proposal)
    due = date.fromordinal(TODAY.toordinal() + PROVIDER_RESPONSE_DAYS)
    assert f"Beantwoorden uiterlijk op {due.strftime('%d-%m-%Y')}" in body
    assert "Contactgegevens inwoner" not in body and "8251AB" not in body
    assert "zodra u het traject heeft geaccepteerd" in body


def test_the_provider_delivering_care_sees_the_contact_details_and_the_help_question(
    client, world, session
):
    item = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Anna wil weer zelf boodschappen doen",
        today=TODAY,
    )
    running = active(session, world, request_id=item.id)
    login_as(client, world.aanbieder_a)
    body = _page(client, running)
    assert "Contactgegevens inwoner" in body and "8251AB" in body
    assert "Anna wil weer zelf boodschappen doen" in body
    assert "Beantwoorden uiterlijk op" not in body
    # the read of the resident and of the request is in the audit log
    read = {
        (entry.object_type, entry.object_id)
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.user_id == world.aanbieder_a.id)
        )
        if entry.action == "inzien"
    }
    assert ("inwoner", world.adult.id) in read and ("aanmelding", item.id) in read


def test_a_closed_trajectory_shows_no_contact_details(client, world, session):
    login_as(client, world.aanbieder_a)
    body = _page(client, closed(session, world))
    assert "Contactgegevens inwoner" not in body and "8251AB" not in body


def test_another_provider_gets_404_and_no_contact_details(client, world, session):
    running = active(session, world)
    login_as(client, world.aanbieder_b)
    response = client.get(f"/aanbieder/trajecten/{running.id}")
    assert response.status_code == 404
    assert "8251AB" not in response.get_data(as_text=True)


ADDRESS, PHONE = "Het Ravelijn 1", "0612345678"


def _with_contact(session, world) -> None:
    world.adult.address, world.adult.phone = ADDRESS, PHONE
    session.flush()


def _shows_contact(body: str) -> bool:
    return ADDRESS in body or PHONE in body


@pytest.mark.parametrize("state", [S.GEACCEPTEERD, S.ACTIEF])
def test_an_accepted_trajectory_shows_the_address_and_phone(client, world, session, state):
    _with_contact(session, world)
    trajectory = make_trajectory(session, world, state)
    session.flush()
    login_as(client, world.aanbieder_a)
    body = _page(client, trajectory)
    contact = body[body.index('id="contact"') :]
    assert ADDRESS in contact and PHONE in contact and "8251AB" in contact


def test_a_proposal_shows_no_address_nor_phone(client, world, session):
    _with_contact(session, world)
    proposal = make_trajectory(session, world, S.VOORGESTELD)
    session.flush()
    login_as(client, world.aanbieder_a)
    assert not _shows_contact(_page(client, proposal))


@pytest.mark.parametrize("state", [S.TERUGGESTUURD, S.AFGESLOTEN, S.GEANNULEERD])
def test_a_returned_closed_or_cancelled_trajectory_shows_no_address_nor_phone(
    client, world, session, state
):
    _with_contact(session, world)
    trajectory = make_trajectory(session, world, state)
    session.flush()
    login_as(client, world.aanbieder_a)
    response = client.get(f"/aanbieder/trajecten/{trajectory.id}")
    assert response.status_code in (200, 404)
    assert not _shows_contact(response.get_data(as_text=True))


def test_another_provider_gets_404_and_no_address_nor_phone(client, world, session):
    _with_contact(session, world)
    running = active(session, world)
    login_as(client, world.aanbieder_b)
    for url in (
        f"/aanbieder/trajecten/{running.id}",
        f"/aanbieder/trajecten/{running.id}?bsn=tonen",
        f"/aanbieder/trajecten/{running.id}/trajectafspraken.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not _shows_contact(response.get_data(as_text=True))


# --- correcting a refused claim ----------------------------------------------------------------


def _refused(session, world, *, result_achieved: bool = False) -> Claim:
    trajectory = closed(session, world, result_achieved=result_achieved)
    claim = submit_claim(session, trajectory, world.aanbieder_a, TODAY)
    decide_claim(session, claim, world.gids, approve=False, reason=REFUSAL, today=TODAY)
    session.flush()
    return claim


def _url(claim: Claim) -> str:
    return f"/aanbieder/declaraties/{claim.id}/corrigeren"


def _post(client, claim: Claim, **typed: str):
    page = client.get(_url(claim))
    assert page.status_code == 200
    name, token = csrf_token(page)
    return client.post(_url(claim), data={name: token, **typed})


def test_a_refused_claim_is_corrected_once_and_the_gids_decides_it_again(client, world, session):
    claim = _refused(session, world, result_achieved=True)
    first_submitted = claim.submitted_at
    login_as(client, world.aanbieder_a)
    page = _page(client, claim.trajectory)
    assert _url(claim) in page
    response = _post(client, claim, amount="3.500,00", correction="Bedrag verlaagd na overleg.")
    assert response.status_code == 302
    session.expire_all()
    assert claim.state == ClaimState.INGEDIEND
    assert claim.amount == Decimal("3500.00")
    assert (claim.first_amount, claim.first_refusal_reason) == (Decimal("3800.00"), REFUSAL)
    assert claim.first_submitted_at.replace(tzinfo=None) == first_submitted.replace(tzinfo=None)
    assert claim.first_decided_by_id == world.gids.id
    assert claim.correction == "Bedrag verlaagd na overleg."
    assert claim.decision_reason is None
    # the gids's task to decide is open again, the provider's refusal notice is done
    tasks = session.scalars(select(Task).where(Task.trajectory_id == claim.trajectory_id)).all()
    review = [t for t in tasks if t.kind == TaskKind.DECLARATIE_BEOORDELEN]
    assert len(review) == 1 and review[0].done_at is None and review[0].ref == claim.id
    refused = [t for t in tasks if t.kind == TaskKind.DECLARATIE_AFGEWEZEN]
    assert all(t.done_at is not None for t in refused)
    # the gids sees both submissions and decides as usual
    login_as(client, world.gids)
    gids_page = client.get(f"/gids/declaraties/{claim.id}").get_data(as_text=True)
    assert "Eerste indiening en afwijzing" in gids_page and REFUSAL in gids_page
    assert "Bedrag verlaagd na overleg." in gids_page
    decide_claim(session, claim, world.gids, approve=True, reason=None, today=NOW)
    session.flush()
    actions = [e.action.value for e in claim.trajectory.events]
    assert actions[-4:] == [
        "gedeclareerd",
        "declaratie_afgewezen",
        "gedeclareerd",
        "declaratie_goedgekeurd",
    ]
    assert claim.first_refusal_reason == REFUSAL  # kept after the second decision


def test_a_second_resubmission_is_refused(client, world, session):
    claim = _refused(session, world)
    resubmit_claim(
        session, claim, world.aanbieder_a, amount=claim.amount, correction="Nagerekend.", today=NOW
    )
    decide_claim(session, claim, world.gids, approve=False, reason="Nog steeds niet", today=NOW)
    session.flush()
    before = snapshot(session, claim.trajectory_id)
    login_as(client, world.aanbieder_a)
    page = client.get(_url(claim)).get_data(as_text=True)
    assert "opnieuw indienen kan niet meer" in page
    assert "Gecorrigeerd opnieuw indienen" not in page
    name, token = csrf_token(client.get(f"/aanbieder/trajecten/{claim.trajectory_id}"))
    response = client.post(
        _url(claim), data={name: token, "amount": "1,00", "correction": "Nog eens."}
    )
    assert response.status_code == 422
    assert "maar één keer opnieuw worden ingediend" in response.get_data(as_text=True)
    assert snapshot(session, claim.trajectory_id) == before
    session.expire_all()
    assert claim.state == ClaimState.AFGEWEZEN and claim.first_refusal_reason == REFUSAL


@pytest.mark.parametrize("approve", [None, True])
def test_a_claim_that_was_not_refused_cannot_be_resubmitted(client, world, session, approve):
    trajectory = closed(session, world)
    claim = submit_claim(session, trajectory, world.aanbieder_a, TODAY)
    if approve:
        decide_claim(session, claim, world.gids, approve=True, reason=None, today=TODAY)
    session.flush()
    state = claim.state
    login_as(client, world.aanbieder_a)
    name, token = csrf_token(client.get(f"/aanbieder/trajecten/{trajectory.id}"))
    response = client.post(
        _url(claim), data={name: token, "amount": "100,00", "correction": "Anders."}
    )
    assert response.status_code == 422
    assert "Alleen een afgewezen declaratie" in response.get_data(as_text=True)
    session.expire_all()
    assert claim.state == state and claim.first_refusal_reason is None


def test_a_double_submit_of_a_resubmission_makes_one(client, world, session):
    claim = _refused(session, world)
    login_as(client, world.aanbieder_a)
    page = client.get(_url(claim))
    name, token = csrf_token(page)
    typed = {name: token, "amount": "10,00", "correction": "Nagerekend."}
    assert client.post(_url(claim), data=typed).status_code == 302
    again = client.post(_url(claim), data=typed)
    assert again.status_code == 422
    assert "Alleen een afgewezen declaratie" in again.get_data(as_text=True)
    session.expire_all()
    events = [e for e in claim.trajectory.events if e.action.value == "gedeclareerd"]
    assert len(events) == 2  # the first submission and one resubmission
    assert claim.amount == Decimal("10.00")


def test_the_correction_needs_an_amount_within_the_limit_and_an_explanation(client, world, session):
    claim = _refused(session, world, result_achieved=True)
    before = snapshot(session, claim.trajectory_id)
    login_as(client, world.aanbieder_a)
    response = _post(client, claim, amount="3.800,01", correction="")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "niet hoger zijn dan € 3.800,00" in field_error(body, "amount")
    assert "Beschrijf wat u heeft gecorrigeerd." in field_error(body, "correction")
    response = _post(client, claim, amount="", correction="Iets")
    assert "Vul het bedrag in." in field_error(response.get_data(as_text=True), "amount")
    response = _post(client, claim, amount="veel", correction="Iets")
    assert response.status_code in (200, 422)
    assert "bedrag" in field_error(response.get_data(as_text=True), "amount")
    assert snapshot(session, claim.trajectory_id) == before


def test_another_provider_gets_404_for_the_claim_correction(client, world, session):
    claim = _refused(session, world)
    login_as(client, world.aanbieder_b)
    assert client.get(_url(claim)).status_code == 404
    name, token = csrf_token(client.get("/aanbieder/"))
    response = client.post(
        _url(claim), data={name: token, "amount": "1,00", "correction": "Van een ander."}
    )
    assert response.status_code == 404
    session.expire_all()
    assert claim.first_refusal_reason is None


def test_no_claim_yet_is_404_and_only_the_main_provider_resubmits(session, world):
    claim = _refused(session, world)
    with pytest.raises(DomainError):
        resubmit_claim(
            session, claim, world.aanbieder_b, amount=claim.amount, correction="x", today=NOW
        )
    assert claim.first_refusal_reason is None


def test_the_gids_cannot_use_the_provider_route(client, world, session):
    claim = _refused(session, world)
    login_as(client, world.gids)
    assert client.get(_url(claim)).status_code == 403


# --- the Trajectafspraken PDF ------------------------------------------------------------------


def test_the_agreement_of_a_closed_trajectory_shows_the_closure(client, world, session):
    trajectory = closed(session, world, result_achieved=False)
    login_as(client, world.aanbieder_a)
    text = pdf_text(client.get(f"/aanbieder/trajecten/{trajectory.id}/trajectafspraken.pdf").data)
    assert "Afsluiting" in text
    assert "21 – Voortijdig, eenzijdig door cliënt" in text
    assert "Einde zorg" in text and "Resultaat behaald Nee" in text
    assert "Gemeente Dronten" in text


def test_the_agreement_of_a_converted_trajectory_names_the_follow_up(client, world, session):
    trajectory = active(session, world)
    request = scaling.request_scaling(
        session,
        trajectory,
        world.aanbieder_a,
        world.bg.id,
        Intensity.ZWAAR,
        "Meer begeleiding nodig",
        NOW,
    )
    follow_up = scaling.decide_scaling(
        session, request, world.gids, accept=True, reason=None, today=NOW
    )
    session.flush()
    assert follow_up is not None
    login_as(client, world.gids)
    text = pdf_text(client.get(f"/gids/trajecten/{trajectory.id}/trajectafspraken.pdf").data)
    assert "Afsluiting" in text and "37 –" in text
    assert "Vervolgtraject" in text and f"Traject {follow_up.id}" in text


def test_every_pdf_names_the_configured_municipality(app, client, world, session):
    app.config["MUNICIPALITY_NAME"] = "Gemeente Testdorp"
    try:
        running = active(session, world)
        login_as(client, world.aanbieder_a)
        text = pdf_text(client.get(f"/aanbieder/trajecten/{running.id}/trajectafspraken.pdf").data)
        assert "Gemeente Testdorp" in text and "Gemeente Dronten" not in text
    finally:
        app.config["MUNICIPALITY_NAME"] = "Gemeente Dronten"


# --- the ZRM at the start of care --------------------------------------------------------------


def _accepted_with_zrm(session, world):
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    trajectory.uses_zrm = True
    session.flush()
    return trajectory


def _start(client, trajectory, **zrm: str):
    page = client.get(f"/aanbieder/trajecten/{trajectory.id}")
    name, token = csrf_token(page, "start")
    data = {
        name: token,
        "start-care_start": NOW.isoformat(),
        "start-version": str(trajectory.version),
        **{f"start-{key}": value for key, value in zrm.items()},
    }
    return client.post(f"/aanbieder/trajecten/{trajectory.id}/start", data=data)


def test_the_provider_records_the_zrm_with_the_start_of_care(client, world, session):
    trajectory = _accepted_with_zrm(session, world)
    login_as(client, world.aanbieder_a)
    page = _page(client, trajectory)
    assert "Zelfredzaamheid-Matrix bij de start" in page and 'id="start-zrm_13"' in page
    response = _start(client, trajectory, **{f"zrm_{d}": str(1 + d % 5) for d in range(1, 14)})
    assert response.status_code == 302
    session.expire_all()
    assert trajectory.state == S.ACTIEF
    assert {z.domain: z.score for z in trajectory.zrm_baseline} == {
        d: 1 + d % 5 for d in range(1, 14)
    }
    assert "ZRM bij de start vastgelegd" in (trajectory.events[-1].details or "")
    changed = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "traject", AuditEntry.object_id == trajectory.id
        )
    ).all()
    assert any("zrm_start" in (entry.details or "") for entry in changed)
    # the baseline is the first point of the ZRM progress
    body = _page(client, trajectory)
    assert "Zelfredzaamheid-Matrix: gemiddelde score" in body
    assert "(start zorg)" in body


def test_an_incomplete_zrm_at_the_start_is_refused_and_nothing_starts(client, world, session):
    trajectory = _accepted_with_zrm(session, world)
    before = snapshot(session, trajectory.id)
    login_as(client, world.aanbieder_a)
    response = _start(client, trajectory, zrm_1="3", zrm_2="9")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "alle 13 domeinen" in body
    assert snapshot(session, trajectory.id) == before
    session.expire_all()
    assert trajectory.state == S.GEACCEPTEERD and trajectory.zrm_baseline == []


def test_the_start_of_care_without_the_zrm_still_works(client, world, session):
    trajectory = _accepted_with_zrm(session, world)
    login_as(client, world.aanbieder_a)
    assert _start(client, trajectory).status_code == 302
    session.expire_all()
    assert trajectory.state == S.ACTIEF and trajectory.zrm_baseline == []


def test_a_zrm_at_the_start_needs_a_trajectory_that_uses_the_zrm(session, world):
    from workflows import trajectories as wf

    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(DomainError, match="Zelfredzaamheid-Matrix niet"):
        wf.start_care(
            session,
            trajectory,
            world.aanbieder_a,
            TODAY,
            TODAY,
            zrm={d: 3 for d in range(1, 14)},
        )
    assert trajectory.state == S.GEACCEPTEERD


# --- progress charts ---------------------------------------------------------------------------


def _svgs(body: str) -> list[str]:
    import re

    return re.findall(r"<svg.*?</svg>", body, re.S)


@pytest.mark.parametrize("who", ["aanbieder_a", "gids"])
def test_the_trajectory_page_shows_the_gas_progress_as_accessible_svg(client, world, session, who):
    from xml.etree import ElementTree

    trajectory = evaluated(session, world, [-1, 1], zrm={d: 2 for d in range(1, 14)})
    login_as(client, getattr(world, who))
    side = "aanbieder" if who == "aanbieder_a" else "gids"
    body = client.get(f"/{side}/trajecten/{trajectory.id}").get_data(as_text=True)
    svgs = [svg for svg in _svgs(body) if 'id="voortgang-' in svg]
    assert len(svgs) == 2  # GAS and ZRM
    ns = {"svg": "http://www.w3.org/2000/svg"}
    for svg in svgs:
        root = ElementTree.fromstring(svg)  # valid XML
        assert root.get("role") == "img"
        title, desc = root.find("svg:title", ns), root.find("svg:desc", ns)
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "GAS-score per resultaat" in body
    # the data table is the text alternative: the scores in order
    table = body[body.index('id="voortgang-tabel-gas"') :]
    table = table[: table.index("</table>")]
    assert "1. Anna doet zelf haar administratie" in table
    assert table.index("−1") < table.index("+1")
    assert 'id="voortgang-tabel-zrm"' in body


def test_no_progress_chart_before_the_first_evaluation(client, world, session):
    trajectory = active(session, world)
    login_as(client, world.aanbieder_a)
    assert "voortgang-gas" not in _page(client, trajectory)


def test_the_evaluation_report_shows_the_progress_up_to_that_evaluation(client, world, session):
    trajectory = evaluated(session, world, [-2, 0, 2])
    held = sorted(
        (e for e in trajectory.evaluations if e.held_on is not None), key=lambda e: e.held_on
    )
    login_as(client, world.aanbieder_a)
    second = pdf_text(client.get(f"/aanbieder/evaluaties/{held[1].id}/verslag.pdf").data)
    assert "Voortgang" in second and "GAS-score per resultaat" in second
    assert "04-11-2026" in second and "05-11-2026" not in second  # nothing after it
    assert "Gemeente Dronten" in second
    last = pdf_text(client.get(f"/aanbieder/evaluaties/{held[2].id}/verslag.pdf").data)
    assert "05-11-2026" in last
