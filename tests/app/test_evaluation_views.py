"""Evaluations through the test client (CSRF on): the provider fills in the evaluation form, the
gids reviews it, sets the interval and the ZRM, and either side plans an extra evaluation. Bad
input comes back with a Dutch message at the field, everything typed kept and nothing changed.
Need to know: another provider gets 404, a subcontractor reads but may not act (403), another
gids may look but not decide (403), a manager is refused (403)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from models import (
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Intensity,
    ReviewOutcome,
    ScalingRequest,
    Task,
    TaskKind,
    TrajectoryState,
)
from workflows.evaluations import EvaluationInput, ScoreInput, submit_evaluation

from ..factories import make_trajectory
from .care import (
    NOW,
    active,
    assert_dutch,
    closed,
    is_checked,
    planned_evaluation,
    snapshot,
    subcontracted,
)
from .helpers import (
    checked_value,
    csrf_token,
    field_error,
    input_value,
    login_as,
    page_token,
    post_form,
    select_options,
    textarea_value,
)

S = TrajectoryState


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def running(session, world):
    return active(session, world)


def _url(evaluation: Evaluation) -> str:
    return f"/aanbieder/evaluaties/{evaluation.id}"


def _form_data(trajectory, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "held_on": NOW.isoformat(),
        "participants": ["inwoner", "aanbieder"],
        "summary": "Anna opent haar post weer zelf",
        "need_changed": "nee",
    }
    for result in trajectory.results:
        data[f"score_{result.id}"] = "1"
        data[f"explanation_{result.id}"] = "Gaat beter dan verwacht"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _submit(client, evaluation, data):
    return post_form(client, _url(evaluation), _url(evaluation), data)


# --- the provider's trajectory page and the form ---------------------------------------------


def test_the_provider_trajectory_page_lists_the_planned_evaluations(client, world, running):
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/trajecten/{running.id}").get_data(as_text=True)
    evaluation = planned_evaluation(running)
    assert '<h2 id="evaluaties">Evaluaties</h2>' in body
    assert "Eindevaluatie" in body and "Gepland" in body
    assert evaluation.due_on.strftime("%d-%m-%Y") in body
    assert _url(evaluation) in body
    assert "Op- of afschalen aanvragen" in body and "Einde zorg melden" in body


def test_the_form_shows_each_result_with_its_gas_levels(client, world, session):
    from workflows.trajectories import ResultInput

    t = active(
        session,
        world,
        results=[
            ResultInput("Anna doet zelf haar administratie", gas_zero="Opent de post zelf"),
            ResultInput("Anna gaat naar de buurtkamer"),
        ],
    )
    login_as(client, world.aanbieder_a)
    body = client.get(_url(planned_evaluation(t))).get_data(as_text=True)
    first, second = t.results
    options = [label for _v, label, _s in select_options(body, f"score_{first.id}")]
    assert options[1:] == [
        "−2 veel minder dan verwacht",
        "−1 minder dan verwacht",
        "0 verwacht niveau: Opent de post zelf",
        "+1 meer dan verwacht",
        "+2 veel meer dan verwacht",
    ]
    assert [v for v, _l, _s in select_options(body, f"score_{second.id}")] == [
        "",
        "-2",
        "-1",
        "0",
        "1",
        "2",
    ]
    assert "Anna gaat naar de buurtkamer" in body
    assert "<legend>Wie namen deel?</legend>" in body
    assert 'name="zrm_1"' not in body  # this trajectory does not use the ZRM
    assert input_value(body, "held_on") == NOW.isoformat()


def test_a_valid_evaluation_is_submitted_and_goes_to_the_gids(client, world, session, running):
    evaluation = planned_evaluation(running)
    login_as(client, world.aanbieder_a)
    response = _submit(client, evaluation, _form_data(running))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/aanbieder/trajecten/{running.id}")
    session.expire_all()
    stored = session.get(Evaluation, evaluation.id)
    assert stored.state == EvaluationState.INGEDIEND
    assert stored.held_on == NOW
    assert (stored.with_inwoner, stored.with_gids, stored.with_aanbieder, stored.with_netwerk) == (
        True,
        False,
        True,
        False,
    )
    assert [(s.result_id, s.score) for s in stored.scores] == [(running.results[0].id, 1)]
    assert stored.need_changed is False
    review = session.scalars(
        select(Task).where(Task.kind == TaskKind.EVALUATIE_BEOORDELEN, Task.ref == evaluation.id)
    ).one()
    assert review.user_id == world.gids.id
    page = client.get(_url(evaluation)).get_data(as_text=True)
    assert "Ingediend" in page and "Anna opent haar post weer zelf" in page
    assert "+1 meer dan verwacht" in page and 'name="summary"' not in page


@pytest.mark.parametrize("score", ["3", "-3", "+5", "abc", "1.5", "9" * 40, "−9"])
def test_a_tampered_score_is_refused_at_its_field(client, world, session, running, score):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    result = running.results[0]
    data = _form_data(running, **{f"score_{result.id}": score})
    response = _submit(client, evaluation, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, f"score_{result.id}")
    assert error == "Kies een score van −2 tot en met +2."
    assert textarea_value(body, "summary") == "Anna opent haar post weer zelf"
    assert textarea_value(body, f"explanation_{result.id}") == "Gaat beter dan verwacht"
    assert input_value(body, "held_on") == NOW.isoformat()
    assert checked_value(body, "need_changed") == "nee"
    assert snapshot(session, running.id) == before


def test_missing_answers_are_explained_at_their_fields_keeping_input(
    client, world, session, running
):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    result = running.results[0]
    data = _form_data(
        running,
        participants=[],
        summary="   ",
        **{f"score_{result.id}": "", f"explanation_{result.id}": "Nog niet besproken"},
    )
    response = _submit(client, evaluation, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(body, "participants") == "Geef aan wie aan de evaluatie deelnamen."
    assert field_error(body, "summary") == "Vat de evaluatie kort samen."
    assert field_error(body, f"score_{result.id}") == "Kies een score voor dit resultaat."
    assert textarea_value(body, f"explanation_{result.id}") == "Nog niet besproken"
    assert snapshot(session, running.id) == before


@pytest.mark.parametrize(
    ("held_on", "message"),
    [
        ("2026-11-17", "De evaluatiedatum kan niet in de toekomst liggen."),
        ("2026-11-01", "De evaluatiedatum ligt vóór de start van de zorg (02-11-2026)."),
        ("", "Vul de datum van de evaluatie in."),
        ("16-11-2026", None),
        ("1850-01-01", "Deze datum ligt buiten het geldige bereik."),
    ],
)
def test_a_wrong_date_is_refused_at_the_field(client, world, session, running, held_on, message):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    response = _submit(client, evaluation, _form_data(running, held_on=held_on))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    error = field_error(body, "held_on")
    assert_dutch(error)
    if message:
        assert error == message
    assert input_value(body, "held_on") == held_on
    assert snapshot(session, running.id) == before


def test_an_answer_outside_the_lists_is_refused(client, world, session, running):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    data = _form_data(running, participants=["inwoner", "buurman"], need_changed="misschien")
    body = _submit(client, evaluation, data).get_data(as_text=True)
    assert field_error(body, "participants") == "Kies deelnemers uit de lijst."
    assert_dutch(field_error(body, "need_changed"))
    assert snapshot(session, running.id) == before


def test_an_evaluation_of_a_trajectory_that_is_not_active_is_refused(client, world, session):
    t = closed(session, world)
    stray = Evaluation(kind=EvaluationKind.EXTRA, due_on=NOW, reason="Oude planning")
    t.evaluations.append(stray)
    session.flush()
    before = snapshot(session, t.id)
    login_as(client, world.aanbieder_a)
    response = _submit(client, stray, _form_data(t))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Alleen bij een lopend traject kan een evaluatie worden ingediend." in body
    assert textarea_value(body, "summary") == "Anna opent haar post weer zelf"
    assert snapshot(session, t.id) == before


def test_an_evaluation_cannot_be_submitted_twice(client, world, session, running):
    evaluation = planned_evaluation(running)
    login_as(client, world.aanbieder_a)
    page = client.get(_url(evaluation))
    name, token = csrf_token(page)
    assert (
        client.post(_url(evaluation), data={name: token, **_form_data(running)}).status_code == 302
    )
    before = snapshot(session, running.id)
    again = client.post(_url(evaluation), data={name: token, **_form_data(running)})
    assert again.status_code == 200
    assert "Deze evaluatie is al ingediend." in again.get_data(as_text=True)
    assert snapshot(session, running.id) == before


# --- the ZRM -----------------------------------------------------------------------------------


@pytest.fixture
def with_zrm(session, world):
    t = active(session, world)
    t.uses_zrm = True
    session.flush()
    return t


def _zrm(scores: dict[int, str]) -> dict[str, str]:
    return {f"zrm_{domain}": value for domain, value in scores.items()}


def test_the_zrm_has_thirteen_domains_when_the_trajectory_uses_it(client, world, with_zrm):
    login_as(client, world.aanbieder_a)
    body = client.get(_url(planned_evaluation(with_zrm))).get_data(as_text=True)
    assert "Zelfredzaamheid-Matrix (ZRM 2017)" in body
    for domain in range(1, 14):
        assert f'name="zrm_{domain}"' in body
    assert '<label for="zrm_1">1. Financiën</label>' in body
    assert '<label for="zrm_2">2. Werk &amp; opleiding</label>' in body
    assert '<label for="zrm_13">13. Justitie</label>' in body
    assert [label for _v, label, _s in select_options(body, "zrm_5")] == [
        "— geen score —",
        "1 acute problematiek",
        "2 niet zelfredzaam",
        "3 beperkt zelfredzaam",
        "4 voldoende zelfredzaam",
        "5 volledig zelfredzaam",
    ]


def test_a_complete_zrm_is_stored(client, world, session, with_zrm):
    evaluation = planned_evaluation(with_zrm)
    login_as(client, world.aanbieder_a)
    scores = {d: str(1 + d % 5) for d in range(1, 14)}
    response = _submit(client, evaluation, _form_data(with_zrm, **_zrm(scores)))
    assert response.status_code == 302
    session.expire_all()
    stored = session.get(Evaluation, evaluation.id)
    assert {z.domain: z.score for z in stored.zrm_scores} == {d: int(s) for d, s in scores.items()}
    gids_page = f"/gids/evaluaties/{evaluation.id}"
    login_as(client, world.gids)
    body = client.get(gids_page).get_data(as_text=True)
    assert "13. Justitie" in body and "5 volledig zelfredzaam" in body


def test_a_partial_or_tampered_zrm_is_refused(client, world, session, with_zrm):
    evaluation = planned_evaluation(with_zrm)
    before = snapshot(session, with_zrm.id)
    login_as(client, world.aanbieder_a)
    body = _submit(client, evaluation, _form_data(with_zrm, **_zrm({1: "3", 2: "4"}))).get_data(
        as_text=True
    )
    assert "alle 13 domeinen" in field_error(body, "zrm")
    assert [v for v, _l, s in select_options(body, "zrm_2") if s] == ["4"]
    body = _submit(client, evaluation, _form_data(with_zrm, **_zrm({1: "9"}))).get_data(
        as_text=True
    )
    assert field_error(body, "zrm_1") == "Kies een score van 1 tot en met 5."
    assert snapshot(session, with_zrm.id) == before


# --- a scaling request with the evaluation ---------------------------------------------------


def _scaling(**overrides) -> dict[str, str]:
    return {
        "request_scaling": "y",
        "scaling_intensity": "zwaar",
        "scaling_reason": "Anna heeft meer hulp nodig",
        **overrides,
    }


def test_a_scaling_request_goes_with_the_evaluation(client, world, session, running):
    evaluation = planned_evaluation(running)
    login_as(client, world.aanbieder_a)
    data = _form_data(running, need_changed="ja", **_scaling(scaling_profile_id=str(world.bg.id)))
    response = _submit(client, evaluation, data)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Evaluation, evaluation.id).state == EvaluationState.INGEDIEND
    request = session.scalars(
        select(ScalingRequest).where(ScalingRequest.trajectory_id == running.id)
    ).one()
    assert (request.new_profile_id, request.new_intensity) == (world.bg.id, Intensity.ZWAAR)
    assert request.reason == "Anna heeft meer hulp nodig"


def test_a_wrong_scaling_request_keeps_the_evaluation_unsent(client, world, session, running):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    data = _form_data(
        running,
        **_scaling(
            scaling_profile_id=str(world.bg.id), scaling_intensity="middel", scaling_reason=""
        ),
    )
    body = _submit(client, evaluation, data).get_data(as_text=True)
    assert "andere intensiteit" in field_error(body, "scaling_intensity")
    assert field_error(body, "scaling_reason") == "Geef een reden voor het op- of afschalen."
    assert checked_value(body, "need_changed") == "nee"
    assert textarea_value(body, "summary") == "Anna opent haar post weer zelf"
    assert snapshot(session, running.id) == before


def test_a_typed_scaling_reason_without_the_box_is_not_lost(client, world, session, running):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_a)
    data = _form_data(running, scaling_reason="Meer uren nodig")
    body = _submit(client, evaluation, data).get_data(as_text=True)
    assert "Vink dit aan" in field_error(body, "request_scaling")
    assert textarea_value(body, "scaling_reason") == "Meer uren nodig"
    assert snapshot(session, running.id) == before


# --- who may --------------------------------------------------------------------------------


def test_a_subcontractor_reads_the_evaluation_but_may_not_submit(client, world, session):
    t, sub_user = subcontracted(session, world)
    evaluation = planned_evaluation(t)
    before = snapshot(session, t.id)
    login_as(client, sub_user)
    page = client.get(_url(evaluation))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Als onderaannemer" in body and 'name="summary"' not in body
    trajectory_page = client.get(f"/aanbieder/trajecten/{t.id}").get_data(as_text=True)
    assert "Evaluaties" in trajectory_page and "Einde zorg melden" not in trajectory_page
    name, token = page_token(client, "/aanbieder/")
    response = client.post(_url(evaluation), data={name: token, **_form_data(t)})
    assert response.status_code == 403
    assert snapshot(session, t.id) == before


def test_another_provider_gets_404_on_the_evaluation(client, world, session, running):
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_b)
    assert client.get(_url(evaluation)).status_code == 404
    name, token = page_token(client, "/aanbieder/")
    response = client.post(_url(evaluation), data={name: token, **_form_data(running)})
    assert response.status_code == 404
    assert "Anna" not in response.get_data(as_text=True)
    assert snapshot(session, running.id) == before


# --- the gids reviews ------------------------------------------------------------------------


@pytest.fixture
def submitted(session, world, running):
    evaluation = planned_evaluation(running)
    data = EvaluationInput(
        held_on=NOW,
        with_inwoner=True,
        with_gids=True,
        with_aanbieder=True,
        with_netwerk=False,
        summary="Het gaat goed",
        need_changed=False,
        scores=[ScoreInput(running.results[0].id, 0, "Zoals verwacht")],
    )
    submit_evaluation(session, evaluation, world.aanbieder_a, data, NOW)
    session.flush()
    return evaluation


def _review_url(evaluation) -> str:
    return f"/gids/evaluaties/{evaluation.id}"


def test_the_gids_trajectory_page_links_to_the_submitted_evaluation(client, world, submitted):
    login_as(client, world.gids)
    body = client.get(f"/gids/trajecten/{submitted.trajectory_id}").get_data(as_text=True)
    assert _review_url(submitted) in body and "Ingediend" in body
    assert "Evaluatie-instellingen" in body and 'name="settings-months"' in body


def test_the_gids_approves_an_evaluation(client, world, session, submitted):
    login_as(client, world.gids)
    page = client.get(_review_url(submitted)).get_data(as_text=True)
    assert "0 verwacht niveau" in page and "Zoals verwacht" in page and "Het gaat goed" in page
    response = post_form(
        client, _review_url(submitted), _review_url(submitted), {"outcome": "akkoord"}
    )
    assert response.status_code == 302
    session.expire_all()
    stored = session.get(Evaluation, submitted.id)
    assert stored.state == EvaluationState.BEOORDEELD
    assert stored.review_outcome == ReviewOutcome.AKKOORD
    assert (
        session.scalars(
            select(Task).where(Task.kind == TaskKind.EVALUATIE_BEOORDELEN, Task.done_at.is_(None))
        ).all()
        == []
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "bespreken", "remark": "  "}, "remark", "Geef aan wat u wilt bespreken."),
        ({"remark": "Graag bellen"}, "outcome", "Kies akkoord of bespreken."),
        ({"outcome": "prima", "remark": "Graag bellen"}, "outcome", None),
    ],
)
def test_a_review_with_problems_keeps_the_input(
    client, world, session, submitted, data, field, message
):
    before = snapshot(session, submitted.trajectory_id)
    login_as(client, world.gids)
    body = post_form(client, _review_url(submitted), _review_url(submitted), data).get_data(
        as_text=True
    )
    error = field_error(body, field)
    assert_dutch(error)
    if message:
        assert error == message
    assert textarea_value(body, "remark") == data["remark"].strip("\r\n")
    assert snapshot(session, submitted.trajectory_id) == before


def test_a_discussion_remark_reaches_the_provider(client, world, session, submitted):
    login_as(client, world.gids)
    data = {"outcome": "bespreken", "remark": "Graag het netwerk erbij"}
    assert (
        post_form(client, _review_url(submitted), _review_url(submitted), data).status_code == 302
    )
    login_as(client, world.aanbieder_a)
    body = client.get(_url(submitted)).get_data(as_text=True)
    assert "Bespreken" in body and "Graag het netwerk erbij" in body


def test_another_gids_may_read_but_not_review(client, world, session, submitted):
    before = snapshot(session, submitted.trajectory_id)
    login_as(client, world.gids2)
    body = client.get(_review_url(submitted)).get_data(as_text=True)
    assert "Alleen de verantwoordelijke gids" in body and 'name="outcome"' not in body
    name, token = page_token(client, "/gids/")
    response = client.post(_review_url(submitted), data={name: token, "outcome": "akkoord"})
    assert response.status_code == 403
    assert snapshot(session, submitted.trajectory_id) == before


def test_a_planned_evaluation_has_nothing_to_review_yet(client, world, session, running):
    evaluation = planned_evaluation(running)
    login_as(client, world.gids)
    body = client.get(_review_url(evaluation)).get_data(as_text=True)
    assert "nog niet ingediend" in body and 'name="outcome"' not in body
    before = snapshot(session, running.id)
    response = post_form(
        client, _review_url(evaluation), _review_url(evaluation), {"outcome": "akkoord"}
    )
    assert "Deze evaluatie wacht niet op beoordeling." in response.get_data(as_text=True)
    assert snapshot(session, running.id) == before


# --- interval and ZRM ------------------------------------------------------------------------


def _settings_url(trajectory) -> str:
    return f"/gids/trajecten/{trajectory.id}/evaluatie-instellingen"


@pytest.mark.parametrize("months", ["0", "25", "abc", "-3", "1" * 40])
def test_a_wrong_interval_is_refused_at_the_field(client, world, session, running, months):
    before = snapshot(session, running.id)
    login_as(client, world.gids)
    page = f"/gids/trajecten/{running.id}"
    data = {"settings-months": months, "settings-uses_zrm": "y"}
    response = post_form(client, page, _settings_url(running), data, prefix="settings")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_dutch(field_error(body, "settings-months"))
    assert input_value(body, "settings-months") == months
    assert is_checked(body, "settings-uses_zrm")
    assert snapshot(session, running.id) == before


def test_the_gids_sets_the_interval_and_the_zrm(client, world, session, running):
    login_as(client, world.gids)
    page = f"/gids/trajecten/{running.id}"
    body = client.get(page).get_data(as_text=True)
    assert "Nu: elke 6 maanden." in body
    data = {"settings-months": "2", "settings-uses_zrm": "y"}
    response = post_form(client, page, _settings_url(running), data, prefix="settings")
    assert response.status_code == 302
    session.expire_all()
    t = session.get(type(running), running.id)
    assert (t.evaluation_interval_months, t.uses_zrm) == (2, True)
    assert any(e.kind == EvaluationKind.REGULIER for e in t.evaluations)
    body = client.get(page).get_data(as_text=True)
    assert "Gebruik van de ZRM gewijzigd" in body and "Evaluatie-interval gewijzigd" in body
    response = post_form(client, page, _settings_url(running), {"settings-months": ""}, "settings")
    assert response.status_code == 302
    session.expire_all()
    t = session.get(type(running), running.id)
    assert (t.evaluation_interval_months, t.uses_zrm) == (None, False)


def test_another_gids_cannot_change_the_settings(client, world, session, running):
    before = snapshot(session, running.id)
    login_as(client, world.gids2)
    body = client.get(f"/gids/trajecten/{running.id}").get_data(as_text=True)
    assert 'name="settings-months"' not in body
    name, token = page_token(client, "/gids/")
    response = client.post(_settings_url(running), data={name: token, "settings-months": "3"})
    assert response.status_code == 403
    assert snapshot(session, running.id) == before


# --- extra evaluation ------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
def test_either_side_plans_an_extra_evaluation(client, world, session, running, side):
    user = world.gids if side == "gids" else world.aanbieder_a
    login_as(client, user)
    url = f"/{side}/trajecten/{running.id}/extra-evaluatie"
    data = {"reason": "De mantelzorger valt weg", "due_on": "2026-12-01"}
    response = post_form(client, url, url, data)
    assert response.status_code == 302
    session.expire_all()
    t = session.get(type(running), running.id)
    extra = [e for e in t.evaluations if e.kind == EvaluationKind.EXTRA]
    assert [(e.reason, e.due_on.isoformat()) for e in extra] == [
        ("De mantelzorger valt weg", "2026-12-01")
    ]


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": " ", "due_on": "2026-12-01"}, "reason", "Geef aan waarom"),
        ({"reason": "Verhuizing", "due_on": "2026-11-15"}, "due_on", "in het verleden"),
        ({"reason": "Verhuizing", "due_on": ""}, "due_on", "Vul de datum in."),
        ({"reason": "x" * 2001, "due_on": "2026-12-01"}, "reason", "2000"),
    ],
)
def test_an_extra_evaluation_with_problems_keeps_the_input(
    client, world, session, running, side, data, field, message
):
    before = snapshot(session, running.id)
    login_as(client, world.gids if side == "gids" else world.aanbieder_a)
    url = f"/{side}/trajecten/{running.id}/extra-evaluatie"
    body = post_form(client, url, url, data).get_data(as_text=True)
    error = field_error(body, field)
    assert_dutch(error)
    assert message in error
    assert input_value(body, "due_on") == data["due_on"]
    assert snapshot(session, running.id) == before


@pytest.mark.parametrize("side", ["gids", "aanbieder"])
def test_no_extra_evaluation_on_a_closed_trajectory(client, world, session, side):
    t = closed(session, world)
    before = snapshot(session, t.id)
    login_as(client, world.gids if side == "gids" else world.aanbieder_a)
    url = f"/{side}/trajecten/{t.id}/extra-evaluatie"
    assert 'name="reason"' not in client.get(url).get_data(as_text=True)
    name, token = page_token(client, url)
    data = {name: token, "reason": "Verhuizing", "due_on": "2026-12-01"}
    body = client.post(url, data=data).get_data(as_text=True)
    assert "Alleen bij een lopend traject kan een extra evaluatie worden gepland." in body
    assert snapshot(session, t.id) == before


# --- everyone else ---------------------------------------------------------------------------


def test_another_provider_gets_404_on_every_new_provider_route(client, world, session, running):
    closed_one = closed(session, world)
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    login_as(client, world.aanbieder_b)
    name, token = page_token(client, "/aanbieder/")
    urls = [
        _url(evaluation),
        f"/aanbieder/trajecten/{running.id}/extra-evaluatie",
        f"/aanbieder/trajecten/{running.id}/opschalen",
        f"/aanbieder/trajecten/{running.id}/einde-zorg",
        f"/aanbieder/trajecten/{closed_one.id}/declareren",
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, data={name: token})):
            assert response.status_code == 404, url
            assert "Anna" not in response.get_data(as_text=True)
    assert snapshot(session, running.id) == before


def test_a_manager_is_refused_on_every_new_route(client, world, session, submitted):
    login_as(client, world.manager)
    name, token = page_token(client, "/manager/")
    t = submitted.trajectory_id
    urls = [
        "/gids/taken",
        f"/gids/evaluaties/{submitted.id}",
        f"/gids/trajecten/{t}/evaluatie-instellingen",
        f"/gids/trajecten/{t}/extra-evaluatie",
        "/gids/opschalingen/1",
        "/gids/einde-zorg/1",
        "/gids/declaraties/1",
        "/aanbieder/taken",
        "/aanbieder/declaraties",
        f"/aanbieder/evaluaties/{submitted.id}",
        f"/aanbieder/trajecten/{t}/extra-evaluatie",
        f"/aanbieder/trajecten/{t}/opschalen",
        f"/aanbieder/trajecten/{t}/einde-zorg",
        f"/aanbieder/trajecten/{t}/declareren",
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={name: token}).status_code in (403, 405), url
    home = client.get("/manager/").get_data(as_text=True)
    assert "Taken" not in home


def test_before_care_starts_the_pages_show_no_evaluations_yet(client, world, session):
    t = make_trajectory(session, world, S.GEACCEPTEERD)
    session.flush()
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/trajecten/{t.id}").get_data(as_text=True)
    assert "nog) geen evaluaties gepland" in body
    assert "Einde zorg melden" not in body and "Declareren" not in body
    login_as(client, world.gids)
    body = client.get(f"/gids/trajecten/{t.id}").get_data(as_text=True)
    assert "nog) geen evaluaties gepland" in body and 'name="settings-months"' in body


def test_the_evaluation_pages_follow_the_language_switch(client, world, session, with_zrm):
    evaluation = planned_evaluation(with_zrm)
    login_as(client, world.aanbieder_a)
    client.get("/taal/en?next=/")
    body = client.get(_url(evaluation)).get_data(as_text=True)
    assert "Score for result 1" in body and "much more than expected" in body
    assert '<label for="zrm_1">1. Finances</label>' in body and "Submit evaluation" in body
    assert "Tasks" in client.get("/aanbieder/taken").get_data(as_text=True)
    body = _submit(client, evaluation, _form_data(with_zrm, summary="")).get_data(as_text=True)
    assert field_error(body, "summary") == "Summarise the evaluation briefly."
