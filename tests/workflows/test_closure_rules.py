"""R10, one rule table per domain (``workflows.closure_rules``): every combination of domain,
closure category, reason code and result is walked through every path that closes a trajectory
— the gids's close, the provider's end-of-care report and the history import — and each path
accepts exactly what the table allows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ClosureCategory, Domain, EndReason, Intensity, Trajectory, TrajectoryState
from workflows import closure
from workflows import closure_rules as rules
from workflows import trajectories as wf
from workflows.errors import DomainError
from workflows.stats.history import COLUMNS, check_import

from ..factories import TODAY, World, make_trajectory
from .history_csv import JEUGD, history_row

C = ClosureCategory
VOLGENS_PLAN = {Domain.WMO: "19", Domain.JEUGD: "31"}


def domain_codes(session: Session, domain: Domain) -> list[str]:
    """The domain's code list as the migration stored it (reference data), not the table."""
    return list(session.scalars(select(EndReason.code).where(EndReason.domain == domain)))


def combinations(session: Session, domain: Domain) -> Iterator[tuple[C, str, bool]]:
    return itertools.product(C, domain_codes(session, domain), (True, False))


def running(session: Session, world: World, domain: Domain) -> Trajectory:
    if domain == Domain.WMO:
        return make_trajectory(session, world, TrajectoryState.ACTIEF)
    return make_trajectory(
        session,
        world,
        TrajectoryState.ACTIEF,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.MIDDEL,
    )


def attempt(session: Session, step) -> DomainError | None:  # type: ignore[no-untyped-def]
    """Run ``step`` in a savepoint that is always rolled back; the refusal, if any."""
    savepoint = session.begin_nested()
    try:
        step()
    except DomainError as refused:
        return refused
    finally:
        savepoint.rollback()
    return None


# --- the table itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("domain", list(Domain))
def test_the_table_knows_exactly_the_domains_code_list(
    session: Session, world: World, domain: Domain
) -> None:
    assert rules.codes_of(domain) == set(domain_codes(session, domain))


def test_the_wmo_and_jeugd_tables_say_the_same_by_meaning(session: Session, world: World) -> None:
    by_meaning: dict[str, dict[Domain, str]] = {}
    for reason in session.scalars(select(EndReason)):
        by_meaning.setdefault(reason.meaning, {})[reason.domain] = reason.code
    assert len(by_meaning) == 10
    for codes in by_meaning.values():
        for category in C:
            assert rules.results_for(Domain.WMO, category, codes[Domain.WMO]) == rules.results_for(
                Domain.JEUGD, category, codes[Domain.JEUGD]
            ), (category, codes)


@pytest.mark.parametrize("domain", list(Domain))
def test_a_result_is_achieved_only_when_care_ended_according_to_plan(
    session: Session, world: World, domain: Domain
) -> None:
    for category, code, result in combinations(session, domain):
        if result and rules.is_allowed(domain, category, code, result):
            assert code == VOLGENS_PLAN[domain], (category, code)


@pytest.mark.parametrize("domain", list(Domain))
def test_every_code_fits_some_category_and_every_category_has_a_code(
    session: Session, world: World, domain: Domain
) -> None:
    for code in domain_codes(session, domain):
        assert any(rules.results_for(domain, c, code) for c in C), code
    for category in C:
        assert rules.reasons_for(domain, category), category


def test_premature_closure_never_goes_with_the_plan_or_with_care_that_continues(
    session: Session, world: World
) -> None:
    assert "19" not in rules.reasons_for(Domain.WMO, C.D)
    assert "31" not in rules.reasons_for(Domain.JEUGD, C.D)  # Jeugd 31 = volgens plan
    for domain in Domain:
        for code in ("37", "38", "39"):  # omgezet, overstap, ander domein: care goes on: c
            assert [c for c in C if rules.results_for(domain, c, code)] == [C.C]
        assert rules.reasons_for(domain, C.A) == [VOLGENS_PLAN[domain]]


# --- the cases, in sentences ------------------------------------------------------------


def test_the_gids_cannot_close_jeugd_as_premature_with_reason_volgens_plan(
    session: Session, world: World
) -> None:
    trajectory = running(session, world, Domain.JEUGD)
    with pytest.raises(DomainError) as refused:
        wf.close(
            session,
            trajectory,
            world.gids,
            care_end=TODAY,
            closure_category=C.D,
            end_reason_code="31",
            result_achieved=False,
            today=TODAY,
        )
    (problem,) = refused.value.problems
    assert problem.field == "end_reason_code"
    assert problem.render() == (
        "Reden 31 past niet bij categorie d. Bij categorie d passen de redenen "
        "02, 32, 33, 34, 35, 36."
    )
    assert trajectory.state == TrajectoryState.ACTIEF


def test_the_provider_cannot_report_completed_with_a_premature_reason(
    session: Session, world: World
) -> None:
    trajectory = running(session, world, Domain.WMO)
    with pytest.raises(DomainError) as refused:
        closure.report_end_of_care(
            session,
            trajectory,
            world.aanbieder_a,
            care_end=TODAY,
            closure_category=C.A,
            end_reason_code="21",
            result_achieved=False,
            today=TODAY,
        )
    (problem,) = refused.value.problems
    assert (problem.field, problem.params["codes"]) == ("end_reason_code", "19")
    assert closure.reports_of(session, trajectory) == []


def test_a_premature_closure_never_has_its_result_achieved(session: Session, world: World) -> None:
    trajectory = running(session, world, Domain.WMO)
    with pytest.raises(DomainError) as refused:
        wf.close(
            session,
            trajectory,
            world.gids,
            care_end=TODAY,
            closure_category=C.D,
            end_reason_code="02",
            result_achieved=True,
            today=TODAY,
        )
    (problem,) = refused.value.problems
    assert problem.field == "result_achieved"
    assert "Bij categorie d is het resultaat niet behaald" in problem.render()


# --- every combination through every path -------------------------------------------------------


@pytest.mark.parametrize("domain", list(Domain))
def test_the_gids_closes_exactly_what_the_table_allows(
    session: Session, world: World, domain: Domain
) -> None:
    trajectory = running(session, world, domain)
    for category, code, result in combinations(session, domain):
        refused = attempt(
            session,
            lambda category=category, code=code, result=result: wf.close(
                session,
                trajectory,
                world.gids,
                care_end=TODAY,
                closure_category=category,
                end_reason_code=code,
                result_achieved=result,
                today=TODAY,
            ),
        )
        combination = (category.value, code, result)
        if rules.is_allowed(domain, category, code, result):
            assert refused is None, (combination, str(refused))
        else:
            assert refused is not None, combination
            assert {p.field for p in refused.problems} <= {"end_reason_code", "result_achieved"}


@pytest.mark.parametrize("domain", list(Domain))
def test_the_provider_reports_exactly_what_the_table_allows(
    session: Session, world: World, domain: Domain
) -> None:
    trajectory = running(session, world, domain)
    for category, code, result in combinations(session, domain):
        refused = attempt(
            session,
            lambda category=category, code=code, result=result: closure.confirm_end_of_care(
                session,
                closure.report_end_of_care(
                    session,
                    trajectory,
                    world.aanbieder_a,
                    care_end=TODAY,
                    closure_category=category,
                    end_reason_code=code,
                    result_achieved=result,
                    today=TODAY,
                ),
                world.gids,
                TODAY,
            ),
        )
        combination = (category.value, code, result)
        if rules.is_allowed(domain, category, code, result):
            assert refused is None, (combination, str(refused))
        else:
            assert refused is not None, combination
            assert {p.field for p in refused.problems} <= {"end_reason_code", "result_achieved"}


def _history_row(n: int, domain: Domain, category: C, code: str, result: bool) -> str:
    """A valid closed row of the domain, closed with this category, code and result."""
    person = (
        {"bsn": "123456782", "geboortedatum": "2012-02-29", **JEUGD}
        if domain == Domain.JEUGD
        else {}
    )
    closed = {
        "import_id": f"R-{n}",
        "resultaat_behaald": "ja" if result else "nee",
        "afsluitcategorie": category.value,
        "reden_beeindiging": code,
    }
    return history_row(**{**person, **closed})


def test_the_history_import_accepts_exactly_what_the_table_allows(
    session: Session, world: World
) -> None:
    expected: dict[int, tuple[object, ...]] = {}
    lines = []
    for domain in Domain:
        for category, code, result in combinations(session, domain):
            line = len(lines) + 2  # the header is line 1
            lines.append(_history_row(line, domain, category, code, result))
            expected[line] = (domain.value, category.value, code, result)
    text = "\n".join([";".join(COLUMNS), *lines]) + "\n"
    check = check_import(session, text, date(2026, 11, 2))
    refused_lines = {p.line for p in check.problems}
    for line, (domain_value, category_value, code, result) in expected.items():
        allowed = rules.is_allowed(Domain(domain_value), C(category_value), code, bool(result))
        assert (line not in refused_lines) == allowed, expected[line]
    assert {p.column for p in check.problems} <= {"reden_beeindiging", "resultaat_behaald"}
    assert len(check.rows) == sum(
        rules.is_allowed(Domain(d), C(c), code, bool(r)) for d, c, code, r in expected.values()
    )
