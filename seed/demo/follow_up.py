"""What follows from the trajectory rows: evaluations with their scores, claims, the demo gids's
open change requests and the inbox tasks.

It reads the finished trajectory rows and draws from its own generator, so adding or changing
follow-up rows never changes the trajectories.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from models import (
    ClaimState,
    ClosureCategory,
    Domain,
    EvaluationKind,
    EvaluationState,
    Intensity,
    NeedType,
    ReviewOutcome,
    SubmissionState,
    TaskKind,
    Trajectory,
    TrajectoryState,
)
from workflows.caseload import answer_due
from workflows.claims import claimable_amount
from workflows.dates import add_months
from workflows.evaluations import evaluation_interval, final_evaluation_due, next_regular_due
from workflows.transitions import Action

from .catalogue import INTENSITY_ORDER, JEUGD, PROFILES, RESULT_ORIENTED
from .draws import DAY, day_between, draw_int, pick, stamp
from .texts import (
    CLAIM_REFUSALS,
    EVALUATION_SUMMARIES,
    REVIEW_REMARKS,
    SCALING_REASONS,
    SCORE_EXPLANATIONS,
)
from .trajectories import according_to_plan

S = TrajectoryState

REVIEW_WAIT_DAYS = 21  # evaluations held this recently are often still waiting for the gids
# Drawn per active trajectory; those with nothing due yet cannot be late, so about 10 % of the
# active trajectories end up with an overdue evaluation.
OVERDUE_SHARE = 0.155
DEMO_OPEN_REVIEWS = 4  # at least this many evaluations for the demo gids to review
DEMO_UNCLAIMED = 5  # recently closed trajectories of the demo provider left to claim
SCALING_REQUESTS, END_OF_CARE_REPORTS = 3, 2


@dataclass(frozen=True, slots=True)
class _Closed:
    """The fields of a closed trajectory that ``workflows.claims.claimable_amount`` reads; a
    light stand-in for the ORM object (constructing 20,000 of those costs seconds)."""

    price: Decimal
    result_achieved: bool
    planned_start: date
    planned_end: date
    care_start: date
    care_end: date
    state: TrajectoryState = TrajectoryState.AFGESLOTEN


def _held_delay(rng: random.Random) -> int:
    """Days between the due date and the day held: mostly around it, sometimes late."""
    r = rng.random()
    if r < 0.72:
        return draw_int(rng, -10, 3)
    if r < 0.93:
        return draw_int(rng, 4, 21)
    return draw_int(rng, 22, 50)


class FollowUpRows:
    """Evaluations with their scores, claims, open change requests and inbox tasks, derived from
    the trajectory rows with their own random generator (so the trajectories stay as they were).

    The cycle is the workflow's own (``workflows.evaluations``): ``evaluation_interval`` gives
    the interval, ``final_evaluation_due`` the final evaluation's due date and
    ``next_regular_due`` each regular one — one interval after the start of care, then after the
    day the previous one was held, none on or after the final one's due date; no regular one
    after the final one was held."""

    def __init__(
        self,
        rng: random.Random,
        last_day: date,
        tariff_interval: dict[int, int],
        provider_user: dict[int, int],
    ) -> None:
        self.rng = rng
        self.last_day = last_day
        self.tariff_interval = tariff_interval
        self.provider_user = provider_user  # provider id (1-based) → its user
        self.evaluations: list[dict[str, Any]] = []
        self.scores: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.scaling: list[dict[str, Any]] = []
        self.reports: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        self.last_held: dict[int, dict[str, Any]] = {}  # trajectory id → latest held evaluation

    def _evaluation(
        self, t: dict[str, Any], kind: EvaluationKind, due: date, planned_on: date
    ) -> dict[str, Any]:
        row = {
            "id": len(self.evaluations) + 1,
            "trajectory_id": t["id"],
            "kind": kind.value,
            "due_on": due,
            "state": EvaluationState.GEPLAND.value,
            "reason": None,
            "held_on": None,
            "with_inwoner": False,
            "with_gids": False,
            "with_aanbieder": False,
            "with_netwerk": False,
            "summary": None,
            "need_changed": None,
            "submitted_by_id": None,
            "submitted_at": None,
            "review_outcome": None,
            "review_remark": None,
            "reviewed_by_id": None,
            "reviewed_at": None,
            "created_at": stamp(self.rng, min(planned_on, self.last_day), None),
        }
        self.evaluations.append(row)
        return row

    def _hold(
        self,
        row: dict[str, Any],
        t: dict[str, Any],
        held: date,
        results: list[int],
        offsets: list[float],
        failing: bool,
    ) -> None:
        rng, last_day = self.rng, self.last_day
        care_start: date = t["care_start"]
        span = max(30, (t["planned_end"] - care_start).days)
        progress = min(1.2, (held - care_start).days / span)
        # GAS 0 is the level agreed for the end: below it early on, around 0/+1 near the end
        # when care goes to plan, sliding to −1/−2 when the trajectory ends without its result.
        mean = -0.7 - 1.0 * min(progress, 1.0) if failing else -1.0 + 1.6 * progress
        total = 0
        for result_id, offset in zip(results, offsets, strict=True):
            score = max(-2, min(2, round(mean + offset + rng.gauss(0, 0.6))))
            total += score
            self.scores.append(
                {
                    "id": len(self.scores) + 1,
                    "evaluation_id": row["id"],
                    "result_id": result_id,
                    "score": score,
                    "explanation": SCORE_EXPLANATIONS[score] if rng.random() < 0.3 else None,
                }
            )
        average = total / len(results) if results else 0.0
        tone = "goed" if average >= 0 else "matig" if average >= -1.2 else "zorg"
        submitted = stamp(rng, min(held + timedelta(days=pick(rng, (5, 3, 1, 1))), last_day), None)
        row.update(
            state=EvaluationState.BEOORDEELD.value,
            held_on=held,
            with_inwoner=True,
            with_aanbieder=True,
            with_gids=rng.random() < 0.65,
            with_netwerk=rng.random() < (0.4 if t["domain"] == JEUGD.value else 0.25),
            summary=rng.choice(EVALUATION_SUMMARIES[tone]),
            need_changed=rng.random() < (0.15 if tone == "zorg" else 0.03),
            submitted_by_id=self.provider_user[t["provider_id"]],
            submitted_at=submitted,
        )
        if held >= last_day - timedelta(days=REVIEW_WAIT_DAYS) and rng.random() < 0.55:
            row["state"] = EvaluationState.INGEDIEND.value
            return
        reviewed = day_between(rng, submitted.date(), min(submitted.date() + 14 * DAY, last_day))
        bespreken = rng.random() < (0.2 if tone == "zorg" else 0.04)
        row.update(
            review_outcome=(ReviewOutcome.BESPREKEN if bespreken else ReviewOutcome.AKKOORD).value,
            review_remark=rng.choice(REVIEW_REMARKS) if bespreken else None,
            reviewed_by_id=t["gids_id"],
            reviewed_at=stamp(rng, reviewed, submitted),
        )

    def cycle(self, t: dict[str, Any], results: list[int]) -> None:
        """The evaluations of one trajectory with care, held up to its end (or yesterday)."""
        rng = self.rng
        care_start: date = t["care_start"]
        active = t["state"] == S.ACTIEF.value
        bound = min(t["care_end"] or self.last_day, self.last_day)
        failing = not active and not t["result_achieved"]
        tariff_id = t["tariff_id"]
        months = evaluation_interval(
            Domain(t["domain"]),
            NeedType(t["need_type"]),
            self.tariff_interval[tariff_id] if tariff_id is not None else None,
        )
        final_due = final_evaluation_due(care_start, t["planned_end"])
        overdue = active and rng.random() < OVERDUE_SHARE
        offsets = [rng.gauss(0, 0.35) for _ in results]
        base, stopped = care_start, False
        while True:
            due = next_regular_due(base, months, final_due)
            if due is None:
                break
            if due > bound:
                if active:
                    self._evaluation(t, EvaluationKind.REGULIER, due, base)
                break
            if overdue and final_due > bound and add_months(due, months) > bound:
                # the latest one due is not in yet
                self._evaluation(t, EvaluationKind.REGULIER, due, base)
                stopped = True
                break
            held = min(max(due + timedelta(days=_held_delay(rng)), base + DAY), bound)
            row = self._evaluation(t, EvaluationKind.REGULIER, due, base)
            self._hold(row, t, held, results, offsets, failing)
            self.last_held[t["id"]] = row
            base = held
        if final_due > bound:
            if active:
                self._evaluation(t, EvaluationKind.EIND, final_due, care_start)
            return
        row = self._evaluation(t, EvaluationKind.EIND, final_due, care_start)
        if stopped or overdue:
            return  # planned and overdue
        held = min(max(final_due + timedelta(days=_held_delay(rng)), base), bound)
        self._hold(row, t, held, results, offsets, failing)
        self.last_held[t["id"]] = row

    def make_claims(self, trajectories: list[dict[str, Any]], demo_provider_id: int) -> None:
        """One claim per trajectory closed since 2019, submitted a few days to weeks after the
        closure; those whose submission would fall after yesterday are not claimed yet, nor are
        the demo provider's most recently closed ones (so the demo login can claim them)."""
        rng, last_day = self.rng, self.last_day
        closed = [
            t
            for t in trajectories
            if t["state"] == S.AFGESLOTEN.value and t["care_end"] >= RESULT_ORIENTED
        ]
        own = sorted(
            (t for t in closed if t["provider_id"] == demo_provider_id),
            key=lambda t: (t["care_end"], t["id"]),
        )
        unclaimed = {t["id"] for t in own[-DEMO_UNCLAIMED:]}
        for t in closed:
            closed_on: date = t["updated_at"].date()
            submitted_on = closed_on + timedelta(days=draw_int(rng, 2, 35))
            if t["id"] in unclaimed or submitted_on > last_day:
                continue
            closed_trajectory = _Closed(
                t["price"],
                t["result_achieved"],
                t["planned_start"],
                t["planned_end"],
                t["care_start"],
                t["care_end"],
            )
            amount, basis = claimable_amount(cast(Trajectory, closed_trajectory))
            submitted = stamp(rng, submitted_on, t["updated_at"])
            decided_on = submitted_on + timedelta(days=draw_int(rng, 2, 25))
            row = {
                "id": len(self.claims) + 1,
                "trajectory_id": t["id"],
                "provider_id": t["provider_id"],
                "price": t["price"],
                "amount": amount,
                "basis": basis,
                "state": ClaimState.INGEDIEND.value,
                "submitted_by_id": self.provider_user[t["provider_id"]],
                "submitted_at": submitted,
                "decision_reason": None,
                "decided_by_id": None,
                "decided_at": None,
            }
            if decided_on <= last_day:
                refused = rng.random() < 0.035
                row.update(
                    state=(ClaimState.AFGEWEZEN if refused else ClaimState.GOEDGEKEURD).value,
                    decision_reason=rng.choice(CLAIM_REFUSALS) if refused else None,
                    decided_by_id=t["gids_id"],
                    decided_at=stamp(rng, decided_on, submitted),
                )
            self.claims.append(row)

    def task(
        self,
        kind: TaskKind,
        trajectory_id: int,
        ref: int,
        user_id: int | None,
        due_on: date,
        at: datetime,
        provider_id: int | None = None,
    ) -> None:
        self.tasks.append(
            {
                "id": len(self.tasks) + 1,
                "kind": kind.value,
                "trajectory_id": trajectory_id,
                "ref": ref,
                "user_id": user_id,
                "provider_id": provider_id,
                "due_on": due_on,
                "created_at": at,
                "read_at": None,
                "done_at": None,
                "mailed_at": None,
            }
        )

    def demo_work(
        self, trajectories: list[dict[str, Any]], demo_gids: int, demo_provider_id: int
    ) -> None:
        """Open work for the demo gids: evaluations to review, scaling requests and end-of-care
        reports of (preferably) the demo provider, each with the gids's task."""
        rng, last_day = self.rng, self.last_day
        active = [
            t for t in trajectories if t["state"] == S.ACTIEF.value and t["gids_id"] == demo_gids
        ]
        # evaluations to review: the latest held ones, most recent first
        held = sorted(
            (self.last_held[t["id"]] for t in active if t["id"] in self.last_held),
            key=lambda e: (e["held_on"], e["id"]),
            reverse=True,
        )
        waiting = sum(e["state"] == EvaluationState.INGEDIEND.value for e in held)
        for row in held:
            if waiting >= DEMO_OPEN_REVIEWS:
                break
            if row["state"] == EvaluationState.BEOORDEELD.value:
                row.update(
                    state=EvaluationState.INGEDIEND.value,
                    review_outcome=None,
                    review_remark=None,
                    reviewed_by_id=None,
                    reviewed_at=None,
                )
                waiting += 1
        # scaling requests and end-of-care reports, the demo provider's trajectories first
        candidates = sorted(active, key=lambda t: (t["provider_id"] != demo_provider_id, -t["id"]))
        scalable = [t for t in candidates if len(PROFILES[t["profile_id"] - 1].intensities) > 1][
            :SCALING_REQUESTS
        ]
        for t in scalable:
            current = Intensity(t["intensity"])
            options = [i for i in PROFILES[t["profile_id"] - 1].intensities if i != current]
            new = rng.choice(options)
            up = INTENSITY_ORDER[new] > INTENSITY_ORDER[current]
            day = last_day - timedelta(days=draw_int(rng, 0, 6))
            at = stamp(rng, day, None)
            request_id = len(self.scaling) + 1
            self.scaling.append(
                {
                    "id": request_id,
                    "trajectory_id": t["id"],
                    "requested_by_id": self.provider_user[t["provider_id"]],
                    "requested_at": at,
                    "new_profile_id": t["profile_id"],
                    "new_intensity": new.value,
                    "reason": rng.choice(SCALING_REASONS[up]),
                    "state": SubmissionState.INGEDIEND.value,
                    "decision_reason": None,
                    "decided_by_id": None,
                    "decided_at": None,
                    "follow_up_id": None,
                }
            )
            self.task(TaskKind.OPSCHALING_BESLISSEN, t["id"], request_id, demo_gids, day, at)
        taken = {t["id"] for t in scalable}
        ending = sorted(
            (t for t in candidates if t["id"] not in taken),
            key=lambda t: (
                t["provider_id"] != demo_provider_id,
                abs((t["planned_end"] - last_day).days),
                t["id"],
            ),
        )[:END_OF_CARE_REPORTS]
        for t in ending:
            last = self.last_held.get(t["id"])
            earliest = max(t["care_start"], last["held_on"] if last else t["care_start"])
            care_end = max(earliest, last_day - timedelta(days=draw_int(rng, 3, 12)))
            day = day_between(rng, care_end, last_day)
            at = stamp(rng, day, None)
            report_id = len(self.reports) + 1
            self.reports.append(
                {
                    "id": report_id,
                    "trajectory_id": t["id"],
                    "reported_by_id": self.provider_user[t["provider_id"]],
                    "reported_at": at,
                    "care_end": care_end,
                    "closure_category": ClosureCategory.A.value,
                    "end_reason_code": according_to_plan(Domain(t["domain"])),
                    "result_achieved": True,
                    "state": SubmissionState.INGEDIEND.value,
                    "decision_reason": None,
                    "decided_by_id": None,
                    "decided_at": None,
                }
            )
            self.task(TaskKind.EINDE_ZORG_BEVESTIGEN, t["id"], report_id, demo_gids, day, at)

    def review_tasks(self, gids_of: dict[int, int]) -> None:
        """EVALUATIE_BEOORDELEN for every evaluation submitted and not yet reviewed, as
        ``submit_evaluation`` adds it (to the trajectory's gids, ``ref`` the evaluation id)."""
        for row in self.evaluations:
            if row["state"] == EvaluationState.INGEDIEND.value:
                self.task(
                    TaskKind.EVALUATIE_BEOORDELEN,
                    row["trajectory_id"],
                    row["id"],
                    gids_of[row["trajectory_id"]],
                    row["submitted_at"].date(),
                    row["submitted_at"],
                )

    def handover_tasks(
        self, trajectories: list[dict[str, Any]], events: list[dict[str, Any]]
    ) -> None:
        """The tasks the workflow adds when work changes hands: a proposal for the provider
        (answered by ``answer_due``), a returned proposal for the gids, a claim
        to decide for the gids; ``ref`` as the workflow sets it (the event, the claim)."""
        last_event: dict[tuple[int, str], dict[str, Any]] = {}
        for event in events:
            last_event[(event["trajectory_id"], event["action"])] = event
        for t in trajectories:
            if t["state"] == S.VOORGESTELD.value:
                event = last_event[(t["id"], Action.PROPOSE.value)]
                self.task(
                    TaskKind.VOORSTEL_NIEUW,
                    t["id"],
                    event["id"],
                    None,
                    answer_due(t["decision_date"]),
                    event["at"],
                    provider_id=t["provider_id"],
                )
            elif t["state"] == S.TERUGGESTUURD.value:
                event = last_event[(t["id"], Action.RETURN.value)]
                self.task(
                    TaskKind.TERUGGESTUURD,
                    t["id"],
                    event["id"],
                    t["gids_id"],
                    event["at"].date(),
                    event["at"],
                )
        gids_of = {t["id"]: t["gids_id"] for t in trajectories}
        for claim in self.claims:
            if claim["state"] == ClaimState.INGEDIEND.value:
                self.task(
                    TaskKind.DECLARATIE_BEOORDELEN,
                    claim["trajectory_id"],
                    claim["id"],
                    gids_of[claim["trajectory_id"]],
                    claim["submitted_at"].date(),
                    claim["submitted_at"],
                )
