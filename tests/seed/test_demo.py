"""The demo municipality: accounts, identity numbers, catalogue rules, the Jeugd decision end,
tariffs and prices, determinism and the proportions of clients in care; evaluations and scores,
claims, open change requests and inbox tasks (small scale)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    HOUSEHOLD_HELP_CATEGORY,
    AgreedResult,
    Claim,
    ClaimState,
    ContractRole,
    Domain,
    EndOfCareReport,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Intensity,
    NeedType,
    ProfileIntensity,
    Resident,
    ResultScore,
    ReviewOutcome,
    Role,
    ScalingRequest,
    SubmissionState,
    SupportProfile,
    Tariff,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
    User,
)
from seed.demo import build_demo
from seed.demo.trajectories import JEUGD_REFERRERS
from workflows.bsn import is_valid_bsn
from workflows.catalogue import has_contract
from workflows.dates import age_on, jeugd_decision_end
from workflows.referrers import checked_referrer
from workflows.residents import PHONE_RE, normalise_phone
from workflows.users import verify_password

from .demo_settings import PASSWORD, SCALE, TODAY

pytestmark = pytest.mark.slow  # builds the demo municipality


def _build(session: Session, seed: int = 2016) -> str:
    return build_demo(session, password=PASSWORD, seed=seed, today=TODAY, scale=SCALE)


@pytest.fixture
def demo(session: Session) -> str:
    summary = _build(session)
    session.expire_all()
    return summary


def _digest(session: Session) -> str:
    h = hashlib.sha256()
    for row in session.execute(
        select(
            Resident.bsn,
            Resident.given_name,
            Resident.family_name,
            Resident.address,
            Resident.phone,
        ).order_by(Resident.id)
    ):
        h.update(repr(tuple(row)).encode())
    for trajectory_row in session.execute(
        select(
            Trajectory.planned_start,
            Trajectory.care_start,
            Trajectory.care_end,
            Trajectory.state,
            Trajectory.price,
        ).order_by(Trajectory.id)
    ):
        h.update(repr(tuple(trajectory_row)).encode())
    for evaluation_row in session.execute(
        select(
            Evaluation.trajectory_id, Evaluation.kind, Evaluation.due_on, Evaluation.state
        ).order_by(Evaluation.id)
    ):
        h.update(repr(tuple(evaluation_row)).encode())
    for claim_row in session.execute(
        select(Claim.trajectory_id, Claim.amount, Claim.state).order_by(Claim.id)
    ):
        h.update(repr(tuple(claim_row)).encode())
    return h.hexdigest()


def test_summary_names_the_counts(demo: str) -> None:
    assert "trajectories" in demo and "residents" in demo
    assert f"in care on {TODAY.isoformat()}" in demo
    for what in ("evaluations", "result scores", "claims", "open tasks"):
        assert what in demo


def test_one_demo_login_per_role_with_the_password(session: Session, demo: str) -> None:
    demo_users = session.scalars(
        select(User).where(User.email.like("%@demo.trajectwijzer.nl"))
    ).all()
    assert sorted(u.role for u in demo_users) == sorted(Role)
    by_role = {u.role: u for u in demo_users}
    assert by_role[Role.GIDS].email == "gids@demo.trajectwijzer.nl"
    for user in demo_users:
        assert user.active
        assert verify_password(user, PASSWORD)
        assert not verify_password(user, PASSWORD + "x")
    # the demo provider is the one with the most trajectories
    counts = dict(
        session.execute(
            select(Trajectory.provider_id, func.count()).group_by(Trajectory.provider_id)
        ).all()
    )
    aanbieder = by_role[Role.AANBIEDER]
    assert aanbieder.provider_id is not None
    assert counts[aanbieder.provider_id] == max(counts.values())
    # the other accounts cannot be logged into with the demo password
    others = session.scalars(
        select(User).where(User.email.not_like("%@demo.trajectwijzer.nl"))
    ).all()
    gidsen = [u for u in others if u.role == Role.GIDS]
    assert len(gidsen) >= 8
    assert all(u.email.endswith("@dronten.example") for u in gidsen)
    assert not any(verify_password(u, PASSWORD) for u in others[:3])


def test_bsns_are_valid_and_unique(session: Session, demo: str) -> None:
    bsns = session.scalars(select(Resident.bsn)).all()
    assert len(bsns) > 100
    assert len(set(bsns)) == len(bsns)
    assert all(is_valid_bsn(b) for b in bsns)


def test_residents_have_an_address_and_most_a_valid_phone(session: Session, demo: str) -> None:
    rows = session.execute(
        select(Resident.address, Resident.phone, Resident.household_id, Resident.birth_date)
    ).all()
    assert all(re.fullmatch(r"\S.* [0-9]+(-?[0-9a-z])?", address) for address, *_ in rows)
    # one address per household
    by_household: dict[int, set[str]] = defaultdict(set)
    for address, _phone, household_id, _birth in rows:
        by_household[household_id].add(address)
    assert all(len(addresses) == 1 for addresses in by_household.values())
    phones = [phone for _address, phone, *_ in rows if phone is not None]
    assert all(PHONE_RE.match(phone) and normalise_phone(phone) == phone for phone in phones)
    assert len(phones) > 0.7 * len(rows)
    assert any(p.startswith("06") for p in phones) and any(p.startswith("0321") for p in phones)


def test_intensities_are_allowed_and_household_help_is_laag_or_zwaar(
    session: Session, demo: str
) -> None:
    allowed: dict[int, set[Intensity]] = defaultdict(set)
    for profile_id, intensity in session.execute(
        select(ProfileIntensity.profile_id, ProfileIntensity.intensity)
    ):
        allowed[profile_id].add(intensity)
    profiles = session.scalars(select(SupportProfile)).all()
    assert 15 <= len(profiles) <= 25
    assert {p.domain for p in profiles} == set(Domain)
    household_help = [p for p in profiles if p.category_code == HOUSEHOLD_HELP_CATEGORY]
    assert household_help
    for profile in household_help:
        assert allowed[profile.id] == {Intensity.LAAG, Intensity.ZWAAR}
    for profile_id, intensity in session.execute(
        select(Trajectory.profile_id, Trajectory.intensity)
    ):
        assert intensity in allowed[profile_id]


def test_mostly_lasting_profiles_default_to_a_lasting_need(session: Session, demo: str) -> None:
    defaults: dict[str, NeedType | None] = {
        code: default
        for code, default in session.execute(
            select(SupportProfile.code, SupportProfile.need_type_default)
        )
    }
    assert defaults["WMO-DBD"] == NeedType.BLIJVEND  # dementia: slowing decline is the result
    assert defaults["WMO-BGI"] is None and defaults["JZ-AMB"] is None
    lasting = sum(
        t.need_type == NeedType.BLIJVEND
        for t in session.scalars(
            select(Trajectory).join(SupportProfile).where(SupportProfile.code == "WMO-DBD")
        )
    )
    assert lasting > 0


def test_jeugd_decision_ends_at_18_and_care_within_it(session: Session, demo: str) -> None:
    rows = session.execute(
        select(Trajectory, Resident.birth_date)
        .join(Resident, Resident.id == Trajectory.resident_id)
        .where(Trajectory.domain == Domain.JEUGD)
    ).all()
    assert rows
    for trajectory, birth_date in rows:
        assert trajectory.decision_end == jeugd_decision_end(birth_date)
        assert trajectory.planned_end <= trajectory.decision_end
        if trajectory.care_start is not None:
            assert age_on(birth_date, trajectory.care_start) < 18
        if trajectory.care_end is not None:
            assert trajectory.care_end <= trajectory.decision_end
        if trajectory.state == TrajectoryState.ACTIEF:
            assert trajectory.decision_end >= TODAY


def test_every_jeugd_trajectory_has_a_referrer_the_rules_accept_and_wmo_none(
    session: Session, demo: str
) -> None:
    trajectories = session.scalars(select(Trajectory)).all()
    jeugd = [t for t in trajectories if t.domain == Domain.JEUGD]
    assert {t.referrer_type for t in jeugd} == {kind for kind, _name in JEUGD_REFERRERS}
    for trajectory in trajectories:
        problems: list = []
        checked_referrer(
            trajectory.domain, trajectory.referrer_type, trajectory.referrer_name, problems,
            complete=True,
        )  # fmt: skip
        assert problems == [], trajectory.id
        if trajectory.domain == Domain.WMO:
            assert (trajectory.referrer_type, trajectory.referrer_name) == (None, None)
        if trajectory.follows is not None:
            assert trajectory.referrer_type == trajectory.follows.referrer_type


def test_every_demo_profile_has_a_product_code_unique_in_its_category(
    session: Session, demo: str
) -> None:
    profiles = session.scalars(select(SupportProfile)).all()
    pairs = {(p.category_code, p.product_code) for p in profiles}
    assert len(pairs) == len(profiles)
    assert all(p.product_code and p.product_code.startswith(p.category_code) for p in profiles)


def test_prices_follow_the_tariff_from_2019(session: Session, demo: str) -> None:
    trajectories = session.scalars(select(Trajectory)).all()
    tariffs = {t.id: t for t in session.scalars(select(Tariff))}
    recent = [t for t in trajectories if t.planned_start >= date(2019, 1, 1)]
    assert recent
    deviating = 0
    for trajectory in recent:
        assert trajectory.tariff_id is not None
        tariff = tariffs[trajectory.tariff_id]
        assert tariff.profile_id == trajectory.profile_id
        assert tariff.intensity == trajectory.intensity
        assert tariff.valid_from <= trajectory.planned_start
        assert tariff.valid_to is None or trajectory.planned_start <= tariff.valid_to
        if trajectory.price != tariff.price:
            deviating += 1
            assert trajectory.price_reason
        assert trajectory.price >= Decimal("0")
    older = [t for t in trajectories if t.planned_start < date(2019, 1, 1)]
    assert older and all(t.tariff_id is None for t in older)


def test_providers_hold_a_main_contract(session: Session, demo: str) -> None:
    for trajectory in session.scalars(select(Trajectory)):
        assert has_contract(
            session,
            trajectory.provider_id,
            trajectory.profile_id,
            trajectory.planned_start,
            ContractRole.HOOFDAANNEMER,
        )


def test_states_are_consistent(session: Session, demo: str) -> None:
    trajectories = session.scalars(select(Trajectory)).all()
    states = {t.state for t in trajectories}
    assert {TrajectoryState.AFGESLOTEN, TrajectoryState.ACTIEF} <= states
    # the demo gids has open work in every early state
    gids = session.scalar(select(User).where(User.email == "gids@demo.trajectwijzer.nl"))
    assert gids is not None
    own = {t.state for t in trajectories if t.gids_id == gids.id}
    assert {
        TrajectoryState.CONCEPT,
        TrajectoryState.VOORGESTELD,
        TrajectoryState.TERUGGESTUURD,
        TrajectoryState.GEACCEPTEERD,
        TrajectoryState.GEANNULEERD,
    } <= own
    for t in trajectories:
        assert t.version == 1
        assert t.events and t.events[0].action == "aangemaakt"
        assert t.events[-1].new_state == t.state
        assert t.care_start is None or t.care_start < TODAY
        assert t.care_end is None or t.care_end < TODAY
        if t.follows_id is not None:
            predecessor = session.get(Trajectory, t.follows_id)
            assert predecessor is not None and predecessor.end_reason_code == "37"
            assert predecessor.care_end is not None
            assert t.care_start == date.fromordinal(predecessor.care_end.toordinal() + 1)
            assert t.intensity != predecessor.intensity


def test_same_seed_gives_the_same_data(session: Session) -> None:
    nested = session.begin_nested()
    _build(session)
    first = _digest(session)
    nested.rollback()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Resident)) == 0
    _build(session)
    assert _digest(session) == first


def test_a_different_seed_gives_other_data(session: Session) -> None:
    nested = session.begin_nested()
    _build(session)
    first = _digest(session)
    nested.rollback()
    session.expire_all()
    _build(session, seed=7)
    assert _digest(session) != first


def test_clients_in_care_in_the_ratio_of_dronten(session: Session, demo: str) -> None:
    in_care = dict(
        session.execute(
            select(Trajectory.domain, func.count(func.distinct(Trajectory.resident_id)))
            .where(
                Trajectory.care_start <= TODAY,
                Trajectory.care_end.is_(None),
            )
            .group_by(Trajectory.domain)
        ).all()
    )
    wmo, jeugd = in_care[Domain.WMO], in_care[Domain.JEUGD]
    assert wmo > 0 and jeugd > 0
    assert 1.6 < wmo / jeugd < 3.2  # Dronten: 2,300 : 985 ≈ 2.3
    assert abs(wmo - 2300 * SCALE) <= 0.1 * 2300 * SCALE
    assert abs(jeugd - 985 * SCALE) <= 0.1 * 985 * SCALE + 1


def _demo_user(session: Session, role: str) -> User:
    user = session.scalar(select(User).where(User.email == f"{role}@demo.trajectwijzer.nl"))
    assert user is not None
    return user


def test_every_held_evaluation_scores_each_agreed_result(session: Session, demo: str) -> None:
    results: dict[int, set[int]] = defaultdict(set)
    for result_id, trajectory_id in session.execute(
        select(AgreedResult.id, AgreedResult.trajectory_id)
    ):
        results[trajectory_id].add(result_id)
    scored: dict[int, set[int]] = defaultdict(set)
    for evaluation_id, result_id, score in session.execute(
        select(ResultScore.evaluation_id, ResultScore.result_id, ResultScore.score)
    ):
        assert -2 <= score <= 2
        scored[evaluation_id].add(result_id)
    evaluations = session.scalars(select(Evaluation).order_by(Evaluation.id)).all()
    held = [e for e in evaluations if e.state != EvaluationState.GEPLAND]
    assert len(held) > 100
    trajectories = {t.id: t for t in session.scalars(select(Trajectory))}
    for evaluation in evaluations:
        trajectory = trajectories[evaluation.trajectory_id]
        assert trajectory.care_start is not None
        assert evaluation.kind in (EvaluationKind.REGULIER, EvaluationKind.EIND)
        if evaluation.state == EvaluationState.GEPLAND:
            assert evaluation.held_on is None
            assert scored[evaluation.id] == set()
            continue
        assert scored[evaluation.id] == results[trajectory.id]
        assert evaluation.held_on is not None and evaluation.submitted_by_id is not None
        assert trajectory.care_start <= evaluation.held_on < TODAY
        assert trajectory.care_end is None or evaluation.held_on <= trajectory.care_end
        assert evaluation.with_inwoner and evaluation.with_aanbieder and evaluation.summary
        if evaluation.state == EvaluationState.BEOORDEELD:
            assert evaluation.reviewed_by_id == trajectory.gids_id
            assert evaluation.review_outcome in set(ReviewOutcome)
    assert {e.review_outcome for e in held} == {
        ReviewOutcome.AKKOORD,
        ReviewOutcome.BESPREKEN,
        None,
    }


def test_planned_evaluations_only_on_active_trajectories(session: Session, demo: str) -> None:
    rows = session.execute(
        select(Evaluation, Trajectory.state)
        .join(Trajectory, Trajectory.id == Evaluation.trajectory_id)
        .where(Evaluation.state == EvaluationState.GEPLAND)
    ).all()
    assert rows
    assert all(state == TrajectoryState.ACTIEF for _e, state in rows)
    assert any(e.due_on < TODAY for e, _s in rows)  # some are overdue
    assert any(e.due_on >= TODAY for e, _s in rows)
    # at most one planned evaluation of each kind per trajectory
    kinds = [(e.trajectory_id, e.kind) for e, _s in rows]
    assert len(kinds) == len(set(kinds))


def test_claims_within_the_price_once_per_closed_trajectory(session: Session, demo: str) -> None:
    claims = session.scalars(select(Claim)).all()
    assert claims
    assert len({c.trajectory_id for c in claims}) == len(claims)
    assert ClaimState.GOEDGEKEURD in {c.state for c in claims}
    for claim in claims:
        trajectory = session.get(Trajectory, claim.trajectory_id)
        assert trajectory is not None
        assert trajectory.state == TrajectoryState.AFGESLOTEN
        assert trajectory.care_end is not None and trajectory.care_end >= date(2019, 1, 1)
        assert claim.price == trajectory.price
        assert Decimal("0") <= claim.amount <= claim.price
        assert claim.provider_id == trajectory.provider_id
        if trajectory.result_achieved:
            assert claim.amount == claim.price
        if claim.state == ClaimState.AFGEWEZEN:
            assert claim.decision_reason
        if claim.state != ClaimState.INGEDIEND:
            assert claim.decided_by_id == trajectory.gids_id
    # the demo provider has recently closed trajectories left to claim
    aanbieder = _demo_user(session, "aanbieder")
    claimed = {c.trajectory_id for c in claims}
    open_to_claim = session.scalars(
        select(Trajectory.id).where(
            Trajectory.provider_id == aanbieder.provider_id,
            Trajectory.state == TrajectoryState.AFGESLOTEN,
            Trajectory.care_end >= date(2019, 1, 1),
        )
    ).all()
    assert set(open_to_claim) - claimed


def test_the_demo_gids_has_open_tasks(session: Session, demo: str) -> None:
    gids = _demo_user(session, "gids")
    tasks = session.scalars(
        select(Task).where(Task.user_id == gids.id, Task.done_at.is_(None))
    ).all()
    kinds = {t.kind for t in tasks}
    assert {
        TaskKind.EVALUATIE_BEOORDELEN,
        TaskKind.OPSCHALING_BESLISSEN,
        TaskKind.EINDE_ZORG_BEVESTIGEN,
    } <= kinds
    assert kinds & {TaskKind.EVALUATIE_TE_LAAT, TaskKind.TERMIJN_VERSTREKEN}
    for task in tasks:
        if task.kind == TaskKind.EVALUATIE_BEOORDELEN:
            evaluation = session.get(Evaluation, task.ref)
            assert evaluation is not None and evaluation.trajectory_id == task.trajectory_id
            assert evaluation.state == EvaluationState.INGEDIEND
        elif task.kind == TaskKind.OPSCHALING_BESLISSEN:
            request = session.get(ScalingRequest, task.ref)
            assert request is not None and request.state == SubmissionState.INGEDIEND
            assert request.new_intensity != request.trajectory.intensity
            assert request.trajectory.gids_id == gids.id
            assert request.trajectory.state == TrajectoryState.ACTIEF
        elif task.kind == TaskKind.EINDE_ZORG_BEVESTIGEN:
            report = session.get(EndOfCareReport, task.ref)
            assert report is not None and report.state == SubmissionState.INGEDIEND
            assert report.trajectory.state == TrajectoryState.ACTIEF
            assert report.care_end < TODAY
    # every evaluation awaiting review has its task for the trajectory's gids
    waiting = session.execute(
        select(Evaluation.id, Trajectory.gids_id)
        .join(Trajectory, Trajectory.id == Evaluation.trajectory_id)
        .where(Evaluation.state == EvaluationState.INGEDIEND)
    ).all()
    review_tasks = set(
        session.execute(
            select(Task.ref, Task.user_id).where(Task.kind == TaskKind.EVALUATIE_BEOORDELEN)
        ).all()
    )
    assert waiting and set(map(tuple, waiting)) == review_tasks


def test_the_demo_logins_that_need_it_get_the_demo_second_factor(
    session: Session, demo: str
) -> None:
    import pyotp

    from seed.second_factor import DEMO_TOTP_SECRET, enrol_demo_accounts
    from workflows.two_factor import verify_code

    assert enrol_demo_accounts(session) == 3  # gids, aanbieder, beheerder; not the manager
    for role in ("gids", "aanbieder", "beheerder"):
        user = _demo_user(session, role)
        assert user.has_second_factor and user.totp_secret == DEMO_TOTP_SECRET
        assert verify_code(user, pyotp.TOTP(DEMO_TOTP_SECRET).now(), datetime.now(UTC))
    assert not _demo_user(session, "manager").has_second_factor
    others = session.scalars(
        select(User).where(User.totp_secret.is_not(None), ~User.email.like("%@demo.%"))
    ).all()
    assert others == []  # the team's other accounts enrol themselves
    assert enrol_demo_accounts(session) == 0
