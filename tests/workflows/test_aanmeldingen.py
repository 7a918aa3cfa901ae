"""Requests (*aanmeldingen*) and their outcome; refusals keep their reason (R13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from models import Aanmelding, AanmeldingOutcome, Domain
from workflows.aanmeldingen import (
    OUTCOME_LABELS,
    decide_aanmelding,
    get_aanmelding,
    register_aanmelding,
)
from workflows.errors import DomainError, NotFound

from ..factories import TODAY, World


def register(
    session: Session,
    world: World,
    *,
    request_date: date = date(2026, 10, 26),
    question: str = "Hulp bij het huishouden na een heupoperatie",
) -> Aanmelding:
    return register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=request_date,
        domain=Domain.WMO,
        question=question,
        today=TODAY,
    )


def test_a_registered_request_is_in_progress(session: Session, world: World) -> None:
    aanmelding = register(session, world, question="  Hulp bij de administratie \n")
    assert aanmelding.id is not None
    assert aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING
    assert aanmelding.decided_on is None
    assert aanmelding.question == "Hulp bij de administratie"
    assert aanmelding.resident is world.adult
    assert aanmelding.gids is world.gids
    assert world.adult.aanmeldingen == [aanmelding]


def test_a_request_may_be_dated_today(session: Session, world: World) -> None:
    assert register(session, world, request_date=TODAY).request_date == TODAY


def test_a_request_date_in_the_future_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        register(session, world, request_date=TODAY + timedelta(days=1))
    assert [p.field for p in refused.value.problems] == ["request_date"]


@pytest.mark.parametrize("question", ["", "   ", "\n"])
def test_a_blank_question_is_refused(session: Session, world: World, question: str) -> None:
    with pytest.raises(DomainError) as refused:
        register(session, world, question=question)
    assert [p.field for p in refused.value.problems] == ["question"]


def test_both_problems_are_reported_at_once(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        register(session, world, request_date=date(2027, 1, 1), question=" ")
    assert [p.field for p in refused.value.problems] == ["request_date", "question"]


def test_only_a_gids_may_register_a_request(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="Alleen een gids"):
        register_aanmelding(
            session,
            world.adult,
            world.aanbieder_a,
            request_date=TODAY,
            domain=Domain.WMO,
            question="Hulp",
            today=TODAY,
        )


def test_a_refusal_needs_a_reason(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    for reason in (None, "", "   "):
        with pytest.raises(DomainError) as refused:
            decide_aanmelding(
                session,
                aanmelding,
                world.gids,
                outcome=AanmeldingOutcome.AFGEWEZEN,
                reason=reason,
                today=TODAY,
            )
        assert [p.field for p in refused.value.problems] == ["reason"]
    assert aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING
    assert aanmelding.decided_on is None


def test_a_refusal_keeps_its_reason_and_date(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    decide_aanmelding(
        session,
        aanmelding,
        world.gids,
        outcome=AanmeldingOutcome.AFGEWEZEN,
        reason="  Voorliggende voorziening via de huisarts ",
        today=TODAY,
    )
    assert aanmelding.outcome == AanmeldingOutcome.AFGEWEZEN
    assert aanmelding.outcome_reason == "Voorliggende voorziening via de huisarts"
    assert aanmelding.decided_on == TODAY


def test_no_follow_up_may_go_without_a_reason(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    decide_aanmelding(
        session,
        aanmelding,
        world.gids,
        outcome=AanmeldingOutcome.GEEN_VERVOLG,
        reason="  ",
        today=TODAY,
    )
    assert aanmelding.outcome == AanmeldingOutcome.GEEN_VERVOLG
    assert aanmelding.outcome_reason is None
    assert aanmelding.decided_on == TODAY


def test_a_request_cannot_be_decided_twice(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    decide_aanmelding(
        session,
        aanmelding,
        world.gids,
        outcome=AanmeldingOutcome.GEEN_VERVOLG,
        reason=None,
        today=TODAY,
    )
    with pytest.raises(DomainError, match="Over deze aanmelding is al beslist."):
        decide_aanmelding(
            session,
            aanmelding,
            world.gids,
            outcome=AanmeldingOutcome.AFGEWEZEN,
            reason="Toch afgewezen",
            today=TODAY + timedelta(days=1),
        )
    assert aanmelding.outcome == AanmeldingOutcome.GEEN_VERVOLG
    assert aanmelding.decided_on == TODAY


def test_in_behandeling_is_no_outcome(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    with pytest.raises(DomainError) as refused:
        decide_aanmelding(
            session,
            aanmelding,
            world.gids,
            outcome=AanmeldingOutcome.IN_BEHANDELING,
            reason=None,
            today=TODAY,
        )
    assert [p.field for p in refused.value.problems] == ["outcome"]


def test_only_a_gids_may_decide(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    with pytest.raises(DomainError, match="Alleen een gids"):
        decide_aanmelding(
            session,
            aanmelding,
            world.manager,
            outcome=AanmeldingOutcome.GEEN_VERVOLG,
            reason=None,
            today=TODAY,
        )
    assert aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING


def test_get_request_finds_known_requests_only(session: Session, world: World) -> None:
    aanmelding = register(session, world)
    assert get_aanmelding(session, aanmelding.id) is aanmelding
    with pytest.raises(NotFound, match="Aanmelding niet gevonden."):
        get_aanmelding(session, 987654)


def test_every_outcome_has_a_dutch_label() -> None:
    assert set(OUTCOME_LABELS) == set(AanmeldingOutcome)
