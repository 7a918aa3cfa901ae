"""Double submits and parallel posts — ten tabs, a double click, a retry after a slow answer.
Every form gives ONE result; the other posts get a Dutch message (at the field where there is
one) with what was typed kept, never a 500.

These tests commit for real and post from real threads, each with its own test client, session
and database connection, so the database's own locks and constraints decide, as in production
(``workflows.uniqueness``; on SQLite writers queue, ``app.extensions.Database``)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.extensions import db
from models import (
    Aanmelding,
    ApiToken,
    Claim,
    ClaimState,
    ClosureCategory,
    Domain,
    EndOfCareReport,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    EventAction,
    OutlierMonth,
    PopulationFigure,
    Resident,
    Role,
    ScalingRequest,
    SubmissionState,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
)
from workflows import trajectories as wf
from workflows.claims import decide_claim, submit_claim
from workflows.closure import report_end_of_care
from workflows.evaluations import EvaluationInput, ScoreInput, submit_evaluation
from workflows.scaling import request_scaling

from ..factories import World, make_trajectory
from .care import NOW
from .helpers import csrf_token, field_error, input_value, login_as, textarea_value

PARALLEL = 10
SERVER_ERROR = "Er ging iets mis aan onze kant"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def committed(build: Callable[[Session], object]) -> int:
    """Build something through the workflows in its own committed transaction; its id."""
    with Session(db.engine, expire_on_commit=False) as s:
        item = build(s)
        s.commit()
        return item.id  # type: ignore[attr-defined]


def running_trajectory(world: World) -> int:
    return committed(lambda s: make_trajectory(s, world, TrajectoryState.ACTIEF))


def in_parallel(
    app: Flask, posters: list[tuple[User, str]], data: dict[str, object]
) -> list[TestResponse]:
    """``PARALLEL`` clients, taking the (user, url) pairs of ``posters`` in turn, each load the
    url's form for their own CSRF token; then all post ``data`` to it at the same moment,
    each from its own thread."""
    clients = []
    for i in range(PARALLEL):
        user, url = posters[i % len(posters)]
        client = app.test_client()
        login_as(client, user)
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        clients.append((client, url, *csrf_token(page, _prefix(data))))
    start = threading.Barrier(PARALLEL)
    responses: list[TestResponse | BaseException | None] = [None] * PARALLEL

    def post(i: int) -> None:
        client, url, name, token = clients[i]
        start.wait()
        try:
            responses[i] = client.post(url, data={name: token, **data})
        except BaseException as err:  # noqa: BLE001 - reported below
            responses[i] = err

    threads = [threading.Thread(target=post, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in responses if not isinstance(r, TestResponse)], responses
    return responses  # type: ignore[return-value]


@contextmanager
def all_at_once(statement: str, timeout: float = 1.0, count: int = PARALLEL) -> Iterator[None]:
    """The worst moment for a race, every time: each connection that is about to run a
    statement starting with ``statement`` waits until all ``count`` have come that far (so
    all have passed the workflow's "does it exist yet?" check), or until ``timeout`` passed
    once — where the database lets writers only take turns (SQLite), nobody else can come."""
    arrived = threading.Condition()
    state = {"count": 0, "open": False}

    def wait(conn, cursor, sql, params, context, executemany):  # noqa: ANN001
        if not sql.lstrip().upper().startswith(statement.upper()):
            return
        with arrived:
            state["count"] += 1
            arrived.notify_all()
            if not arrived.wait_for(
                lambda: state["open"] or state["count"] >= count, timeout=timeout
            ):
                state["open"] = True
                arrived.notify_all()

    assert db.engine is not None
    event.listen(db.engine, "before_cursor_execute", wait)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", wait)


def _prefix(data: dict[str, object]) -> str:
    first = next(iter(data), "")
    return first.split("-", 1)[0] if "-" in first else ""


def one_result(responses: list[TestResponse]) -> list[str]:
    """Exactly one post went through (a redirect); the others were answered with a page and
    no server error. Returns the bodies of the others."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(302) == 1, statuses
    assert all(s < 500 for s in statuses), statuses
    refused = [r.get_data(as_text=True) for r in responses if r.status_code != 302]
    assert not [b for b in refused if SERVER_ERROR in b]
    return refused


def closings(trajectory_id: int) -> int:
    return count(
        TrajectoryEvent,
        TrajectoryEvent.trajectory_id == trajectory_id,
        TrajectoryEvent.new_state == TrajectoryState.AFGESLOTEN,
    )


def count(model: type, *where: object) -> int:
    with Session(db.engine) as check:
        return check.scalar(select(func.count()).select_from(model).where(*where)) or 0


# --- residents, requests ---------------------------------------------------------------------


def test_ten_parallel_new_resident_posts_with_one_bsn_register_one_resident(
    app: Flask, committed_world: World
) -> None:
    typed = {
        "bsn": "999990019",
        "given_name": "Gerrit",
        "family_name": "Dubbelklik",
        "birth_date": "1960-03-04",
        "postcode": "8251AB",
        "wijk_id": "",
        "household_member_bsn": "",
    }
    url = "/gids/inwoners/nieuw"
    with all_at_once("INSERT INTO residents"):
        responses = in_parallel(app, [(committed_world.gids, url)], typed)
    for body in one_result(responses):
        assert field_error(body, "bsn") == "Er is al een inwoner met dit BSN."
        assert input_value(body, "bsn") == "999990019"
        assert input_value(body, "given_name") == "Gerrit"
        assert input_value(body, "family_name") == "Dubbelklik"
        assert input_value(body, "postcode") == "8251AB"
    assert all(r.status_code in (302, 422) for r in responses)
    assert count(Resident, Resident.bsn == "999990019") == 1


def test_ten_parallel_posts_of_one_request_register_it_once(
    app: Flask, committed_world: World
) -> None:
    url = f"/gids/inwoners/{committed_world.adult.id}/aanmelding"
    typed = {"request_date": NOW.isoformat(), "domain": "wmo", "question": "Hulp bij de was"}
    responses = in_parallel(app, [(committed_world.gids, url)], typed)
    for body in one_result(responses):
        assert "Deze aanmelding is al geregistreerd" in field_error(body, "question")
        assert textarea_value(body, "question") == "Hulp bij de was"
    assert count(Aanmelding, Aanmelding.resident_id == committed_world.adult.id) == 1


def test_ten_parallel_decisions_on_a_request_decide_once(
    app: Flask, committed_world: World
) -> None:
    from workflows.aanmeldingen import register_aanmelding

    def build(s: Session) -> Aanmelding:
        resident = s.get(Resident, committed_world.adult.id)
        gids = s.get(User, committed_world.gids.id)
        return register_aanmelding(
            s, resident, gids, request_date=NOW, domain=Domain.WMO,
            question="Hulp bij de was", today=NOW,
        )  # fmt: skip

    request_id = committed(build)
    url = f"/gids/aanmeldingen/{request_id}"
    typed = {"outcome": "afgewezen", "reason": "Geen indicatie"}
    responses = in_parallel(app, [(committed_world.gids, url)], typed)
    for body in one_result(responses):
        assert "Over deze aanmelding is al beslist." in body
    with Session(db.engine) as s:
        assert s.get(Aanmelding, request_id).outcome.value == "afgewezen"


# --- extra evaluations -----------------------------------------------------------------------

EXTRA_MESSAGE = "Er staat al een extra evaluatie gepland voor dit traject."


@pytest.mark.parametrize("side", ["gids", "aanbieder", "both"])
def test_ten_parallel_extra_evaluation_posts_plan_one(
    app: Flask, committed_world: World, side: str
) -> None:
    """The gids's and the provider's page alike, and both at once: one extra evaluation is
    planned; the others are told one is planned already, with their reason kept."""
    trajectory_id = running_trajectory(committed_world)
    gids = (committed_world.gids, f"/gids/trajecten/{trajectory_id}/extra-evaluatie")
    provider = (
        committed_world.aanbieder_a,
        f"/aanbieder/trajecten/{trajectory_id}/extra-evaluatie",
    )
    posters = {"gids": [gids], "aanbieder": [provider], "both": [gids, provider]}[side]
    typed = {"reason": "De mantelzorger valt weg", "due_on": "2026-12-01"}
    responses = in_parallel(app, posters, typed)
    for body in one_result(responses):
        assert EXTRA_MESSAGE in body
        assert textarea_value(body, "reason") == "De mantelzorger valt weg"
        assert input_value(body, "due_on") == "2026-12-01"
    assert all(r.status_code in (302, 422) for r in responses)
    assert (
        count(
            Evaluation,
            Evaluation.trajectory_id == trajectory_id,
            Evaluation.kind == EvaluationKind.EXTRA,
        )
        == 1
    )


# --- the provider's forms on running care ----------------------------------------------------


def test_ten_parallel_evaluation_submits_record_it_once(app: Flask, committed_world: World) -> None:
    trajectory_id = running_trajectory(committed_world)
    with Session(db.engine) as s:
        t = s.get(Trajectory, trajectory_id)
        evaluation = next(e for e in t.evaluations if e.state == EvaluationState.GEPLAND)
        evaluation_id = evaluation.id
        results = [r.id for r in t.results]
    typed: dict[str, object] = {
        "held_on": NOW.isoformat(),
        "participants": ["inwoner", "aanbieder"],
        "summary": "Anna opent haar post weer zelf",
        "need_changed": "nee",
    }
    for result_id in results:
        typed[f"score_{result_id}"] = "1"
        typed[f"explanation_{result_id}"] = "Gaat beter"
    url = f"/aanbieder/evaluaties/{evaluation_id}"
    responses = in_parallel(app, [(committed_world.aanbieder_a, url)], typed)
    for body in one_result(responses):
        assert "Deze evaluatie is al ingediend." in body
        assert textarea_value(body, "summary") == "Anna opent haar post weer zelf"
    with Session(db.engine) as s:
        held = s.get(Evaluation, evaluation_id)
        assert held.state == EvaluationState.INGEDIEND
        assert len(held.scores) == len(results)
    assert count(TrajectoryEvent, TrajectoryEvent.action == "evaluatie_ingediend") == 1


def test_ten_parallel_scaling_requests_make_one(app: Flask, committed_world: World) -> None:
    trajectory_id = running_trajectory(committed_world)
    url = f"/aanbieder/trajecten/{trajectory_id}/opschalen"
    typed = {
        "new_profile_id": str(committed_world.bg.id),
        "new_intensity": "zwaar",
        "reason": "Meer nodig",
    }
    responses = in_parallel(app, [(committed_world.aanbieder_a, url)], typed)
    for body in one_result(responses):
        assert "Er is al een verzoek om op- of afschalen" in body
        assert textarea_value(body, "reason") == "Meer nodig"
    assert count(ScalingRequest, ScalingRequest.trajectory_id == trajectory_id) == 1


def test_ten_parallel_end_of_care_reports_make_one(app: Flask, committed_world: World) -> None:
    trajectory_id = running_trajectory(committed_world)
    url = f"/aanbieder/trajecten/{trajectory_id}/einde-zorg"
    typed = {
        "care_end": NOW.isoformat(),
        "closure_category": "a",
        "end_reason_code": "19",
        "result_achieved": "ja",
    }
    responses = in_parallel(app, [(committed_world.aanbieder_a, url)], typed)
    for body in one_result(responses):
        assert "Er is al een melding einde zorg die op de gids wacht." in body
        assert input_value(body, "care_end") == NOW.isoformat()
    assert count(EndOfCareReport, EndOfCareReport.trajectory_id == trajectory_id) == 1


def _closed(world: World) -> int:
    def build(s: Session) -> Trajectory:
        t = make_trajectory(s, world, TrajectoryState.AFGESLOTEN)
        return t

    return committed(build)


def test_ten_parallel_claims_make_one(app: Flask, committed_world: World) -> None:
    trajectory_id = _closed(committed_world)
    url = f"/aanbieder/trajecten/{trajectory_id}/declareren"
    responses = in_parallel(app, [(committed_world.aanbieder_a, url)], {})
    for body in one_result(responses):
        assert "Voor dit traject is al gedeclareerd." in body
    assert count(Claim, Claim.trajectory_id == trajectory_id) == 1


def test_ten_parallel_resubmissions_of_a_refused_claim_make_one(
    app: Flask, committed_world: World
) -> None:
    def refused(s: Session) -> Claim:
        t = make_trajectory(s, committed_world, TrajectoryState.AFGESLOTEN)
        claim = submit_claim(s, t, committed_world.aanbieder_a, NOW)
        decide_claim(
            s, claim, committed_world.gids, approve=False, reason="Bedrag klopt niet", today=NOW
        )
        return claim

    claim_id = committed(refused)
    with Session(db.engine) as s:
        trajectory_id = s.get(Claim, claim_id).trajectory_id
    url = f"/aanbieder/declaraties/{claim_id}/corrigeren"
    typed = {"amount": "1,00", "correction": "Nagerekend"}
    responses = in_parallel(app, [(committed_world.aanbieder_a, url)], typed)
    for body in one_result(responses):
        assert "Alleen een afgewezen declaratie" in body
    with Session(db.engine) as s:
        claim = s.get(Claim, claim_id)
        assert claim.state == ClaimState.INGEDIEND and claim.amount == Decimal("1.00")
        assert claim.first_refusal_reason == "Bedrag klopt niet"
        submissions = s.scalar(
            select(func.count())
            .select_from(TrajectoryEvent)
            .where(
                TrajectoryEvent.trajectory_id == trajectory_id,
                TrajectoryEvent.action == EventAction.GEDECLAREERD,
            )
        )
        assert submissions == 2  # the first submission and one resubmission


# --- the gids's steps ------------------------------------------------------------------------


def test_ten_parallel_closings_close_once(app: Flask, committed_world: World) -> None:
    trajectory_id = running_trajectory(committed_world)
    url = f"/gids/trajecten/{trajectory_id}/afsluiten"
    with Session(db.engine) as s:
        version = s.get(Trajectory, trajectory_id).version
    typed = {
        "close-care_end": NOW.isoformat(),
        "close-closure_category": "a",
        "close-end_reason_code": "19",
        "close-result_achieved": "ja",
        "close-version": str(version),
    }
    responses = in_parallel(app, [(committed_world.gids, url)], typed)
    for body in one_result(responses):
        assert "Afgesloten" in body or "intussen door iemand anders gewijzigd" in body
    assert closings(trajectory_id) == 1


def _asked_for_scaling(world: World) -> int:
    def build(s: Session) -> ScalingRequest:
        t = make_trajectory(s, world, TrajectoryState.ACTIEF)
        return request_scaling(
            s, t, world.aanbieder_a, world.bg.id, wf.Intensity.ZWAAR, "Meer nodig", NOW
        )

    return committed(build)


def test_ten_parallel_scaling_decisions_decide_once(app: Flask, committed_world: World) -> None:
    request_id = _asked_for_scaling(committed_world)
    url = f"/gids/opschalingen/{request_id}"
    responses = in_parallel(app, [(committed_world.gids, url)], {"decision": "ja"})
    one_result(responses)
    with Session(db.engine) as s:
        item = s.get(ScalingRequest, request_id)
        assert item.state == SubmissionState.TOEGEKEND
        follow_ups = s.scalars(
            select(Trajectory).where(Trajectory.follows_id == item.trajectory_id)
        ).all()
        assert len(follow_ups) == 1


def test_ten_parallel_end_of_care_confirmations_close_once(
    app: Flask, committed_world: World
) -> None:
    def build(s: Session) -> EndOfCareReport:
        t = make_trajectory(s, committed_world, TrajectoryState.ACTIEF)
        return report_end_of_care(
            s,
            t,
            committed_world.aanbieder_a,
            care_end=NOW,
            closure_category=ClosureCategory.A,
            end_reason_code="19",
            result_achieved=True,
            today=NOW,
        )

    report_id = committed(build)
    url = f"/gids/einde-zorg/{report_id}"
    responses = in_parallel(app, [(committed_world.gids, url)], {"decision": "ja"})
    one_result(responses)
    with Session(db.engine) as s:
        trajectory_id = s.get(EndOfCareReport, report_id).trajectory_id
    assert closings(trajectory_id) == 1


def test_ten_parallel_reviews_of_an_evaluation_review_once(
    app: Flask, committed_world: World
) -> None:
    def build(s: Session) -> Evaluation:
        t = make_trajectory(s, committed_world, TrajectoryState.ACTIEF)
        evaluation = next(e for e in t.evaluations if e.state == EvaluationState.GEPLAND)
        data = EvaluationInput(
            held_on=NOW,
            with_inwoner=True,
            with_gids=False,
            with_aanbieder=True,
            with_netwerk=False,
            summary="Gaat goed",
            need_changed=False,
            scores=[ScoreInput(r.id, 1) for r in t.results],
        )
        return submit_evaluation(s, evaluation, committed_world.aanbieder_a, data, NOW)

    evaluation_id = committed(build)
    url = f"/gids/evaluaties/{evaluation_id}"
    responses = in_parallel(app, [(committed_world.gids, url)], {"outcome": "akkoord"})
    for body in one_result(responses):
        assert "Deze evaluatie wacht niet op beoordeling." in body
    assert count(TrajectoryEvent, TrajectoryEvent.action == "evaluatie_beoordeeld") == 1


def test_ten_parallel_claim_decisions_decide_once(app: Flask, committed_world: World) -> None:
    def build(s: Session) -> Claim:
        t = make_trajectory(s, committed_world, TrajectoryState.AFGESLOTEN)
        return submit_claim(s, t, committed_world.aanbieder_a, NOW)

    claim_id = committed(build)
    url = f"/gids/declaraties/{claim_id}"
    responses = in_parallel(app, [(committed_world.gids, url)], {"decision": "ja"})
    for body in one_result(responses):
        assert "Over deze declaratie is al besloten." in body
    decided = [EventAction.DECLARATIE_GOEDGEKEURD, EventAction.DECLARATIE_AFGEWEZEN]
    assert count(TrajectoryEvent, TrajectoryEvent.action.in_(decided)) == 1


# --- the beheerder's statistics forms --------------------------------------------------------


def test_ten_parallel_token_requests_issue_one_token(app: Flask, committed_world: World) -> None:
    """A second token of a double submit would be valid but never shown to anyone."""
    url = "/beheer/api-tokens"
    typed = {"user_id": str(committed_world.manager.id), "name": "Dashboard"}
    with all_at_once("INSERT INTO api_tokens"):
        responses = in_parallel(app, [(committed_world.beheerder, url)], typed)
    shown = [r for r in responses if re.search(r"tw_[\w-]{20,}", r.get_data(as_text=True))]
    assert len(shown) == 1
    for response in responses:
        if response is not shown[0]:
            body = response.get_data(as_text=True)
            assert "al een geldig token met deze naam" in field_error(body, "name")
            assert input_value(body, "name") == "Dashboard"
    assert count(ApiToken, ApiToken.user_id == committed_world.manager.id) == 1


def test_ten_parallel_outlier_months_flag_it_once(app: Flask, committed_world: World) -> None:
    url = "/beheer/uitschieters"
    typed = {"domain": "wmo", "month": "2019-01", "reason": "Abonnementstarief"}
    with all_at_once("INSERT INTO stats_outlier_months"):
        responses = in_parallel(app, [(committed_world.beheerder, url)], typed)
    for body in one_result(responses):
        assert "al als uitschieter gemarkeerd" in field_error(body, "month")
        assert textarea_value(body, "reason") == "Abonnementstarief"
    assert count(OutlierMonth, OutlierMonth.month == date(2019, 1, 1)) == 1


def test_ten_parallel_population_figures_store_one_row(app: Flask, committed_world: World) -> None:
    url = "/beheer/bevolking"
    typed = {"year": "2020", "inhabitants": "41500", "households": "17000"}
    with all_at_once("INSERT INTO population_figures"):
        responses = in_parallel(app, [(committed_world.beheerder, url)], typed)
    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    for response in responses:
        if response.status_code != 302:
            body = response.get_data(as_text=True)
            assert "intussen bevolkingscijfers vastgelegd" in field_error(body, "year")
            assert input_value(body, "inhabitants") == "41500"
    assert count(PopulationFigure, PopulationFigure.year == 2020) == 1


@pytest.mark.skipif(
    "postgresql" not in os.environ.get("TEST_DATABASE_URL", ""),
    reason="two command-line processes writing at once: a PostgreSQL deployment's case",
)
def test_a_parallel_account_with_one_email_is_created_once(committed_world: World) -> None:
    """``users create`` twice at the same moment (two operators, a retry): one account; the
    other is told at the e-mail address."""
    from workflows.errors import DomainError
    from workflows.users import create_user

    results: list[object] = [None, None]
    start = threading.Barrier(2)

    def create(i: int) -> None:
        with Session(db.engine) as s:
            start.wait()
            try:
                create_user(
                    s,
                    email="nieuw@test.nl",
                    name="Nieuwe Gids",
                    role=Role.GIDS,
                    password="een-lang-wachtwoord",
                )
                s.commit()
                results[i] = "created"
            except DomainError as err:
                results[i] = err.problems[0]

    threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
    with all_at_once("INSERT INTO users", count=2):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results.count("created") == 1, results
    refused = next(r for r in results if r != "created")
    assert refused.field == "email"  # type: ignore[union-attr]
    assert count(User, User.email == "nieuw@test.nl") == 1
