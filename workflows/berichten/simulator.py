"""A provider's client system, simulated: it answers the municipality's messages the way a
provider's system would, so the message exchange can be shown and tested end to end without one.

One run for one provider (``simulate``) does what that system would have done by ``today``:

1. It collects the provider's outbox, as a gateway would (``store.mark_collected``) — at the
   start, and at the end the retours of what it sent.
2. Every toewijzing (301) not yet answered gets a retour (302) without remarks: the provider
   accepts the assignment.
3. Every accepted trajectory whose toewijzing it confirmed gets a start zorg (305) once the
   planned start (the toewijzing's Ingangsdatum) has come: care starts on the planned start, or
   today when that has passed.
4. Every running trajectory whose result date has come — the planned end, or for some a day
   before it, drawn from the seed (R3: early is paid in full) — has its evaluations held through
   the portal's own workflow (``workflows.evaluations.submit_evaluation``, by the provider's
   system account: evaluations are not a message in the standard), then gets a stop zorg (307)
   with RedenBeeindiging *volgens plan* (Wmo 19, Jeugd 31).
5. Once the gids has confirmed that end of care and the trajectory is closed, it sends the
   declaratie (323): one line, outputgericht (Eenheid 83), for the trajectory's price.

Every message goes in through ``incoming.receive``, the one entry point every transport uses;
nothing here changes a trajectory any other way (the evaluations excepted, which is how a
provider records them). What the simulator has done is read back from the stored messages, so a
second run on the same day sends nothing new; and each message's identification follows from
what it is about (``302-<301's id>``, ``305-<trajectory>``, …), so even a message sent twice
would be answered from the first (the idempotency of ``receive``). A message the municipality
refuses is not sent again: the simulated system does not correct itself, the run's report says
what was refused. Draws (result dates, scores) come from ``random.Random`` seeded with the seed
and the trajectory, so a run is reproducible.

``to_the_end`` (the CLI's ``--alles``) runs every chain as far as it can go today: the result of
every running trajectory is reached today. Meant for the demo (a trajectory planned to start
today goes from toewijzing to stop zorg in one run); care never starts before the planned start,
and a gids still has to confirm the end of care before the declaratie follows (run the
simulator again after that).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Exists, exists, func, select
from sqlalchemy.orm import Session, aliased

from models import (
    ZRM_DOMAINS,
    Domain,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Message,
    MessageDirection,
    MessageState,
    Provider,
    Trajectory,
    TrajectoryState,
)

from ..evaluations import EvaluationInput, ScoreInput, submit_evaluation
from . import actor, incoming, store
from .provider_system import (
    Product,
    Toewijzing,
    cents,
    declaratie,
    read_toewijzing,
    retour_302,
    start_zorg,
    stop_zorg,
)
from .schemas import Schemas
from .settings import settings_of

DEFAULT_SEED = 2016
# RedenBeeindiging *volgens plan beëindigd* per domain (WMO588 / JZ588).
ENDED_AS_PLANNED: dict[Domain, str] = {Domain.WMO: "19", Domain.JEUGD: "31"}
EARLY_SHARE = 0.3  # the share of trajectories whose result is reached before the planned end
EARLIEST = 0.6  # an early result: at least this share of the planned period has passed
EVALUATION_SUMMARY = (
    "Evaluatie met de inwoner besproken; de afgesproken resultaten liggen op koers."
)
FINAL_SUMMARY = "Eindevaluatie: de afgesproken resultaten zijn behaald."


@dataclass
class Report:
    """What one run did: the outbox messages it collected (the caller audits them as handed
    over), messages sent per kind, evaluations held, and what was refused."""

    collected: list[Message] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    evaluations: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def nothing_done(self) -> bool:
        return not self.sent and not self.evaluations


def result_date(seed: int, trajectory: Trajectory, care_start: date) -> date:
    """The day the simulated provider reaches the result: the planned end, or for some (a draw
    on the seed and the trajectory) a day between 60 % of the planned period and its end; never
    before care started."""
    draw = random.Random(f"{seed}:{trajectory.id}")
    end = trajectory.planned_end
    if draw.random() < EARLY_SHARE:
        span = (end - trajectory.planned_start).days
        end = trajectory.planned_start + timedelta(days=round(span * draw.uniform(EARLIEST, 1.0)))
    return max(end, care_start)


def simulate(
    session: Session,
    provider: Provider,
    *,
    today: date,
    schemas: Schemas | None = None,
    seed: int = DEFAULT_SEED,
    to_the_end: bool = False,
) -> Report:
    """Do what ``provider``'s client system would have done by ``today`` (see the module
    docstring). ``schemas``: what ``receive`` validates against (None: the session's). Flushes;
    the caller commits."""
    schemas = schemas or settings_of(session).schemas
    report = Report()
    report.collected = list(store.outbox(session, provider.id))
    store.mark_collected(session, report.collected)
    run = _Run(session, provider, today, schemas, seed, to_the_end, report)
    run.answer_toewijzingen()
    run.start_care()
    run.end_care()
    run.declare()
    answers = list(store.outbox(session, provider.id))  # the retours of what it just sent
    store.mark_collected(session, answers)
    report.collected += answers
    return report


class _Run:
    def __init__(
        self,
        session: Session,
        provider: Provider,
        today: date,
        schemas: Schemas,
        seed: int,
        to_the_end: bool,
        report: Report,
    ) -> None:
        self.session = session
        self.provider = provider
        self.today = today
        self.schemas = schemas
        self.seed = seed
        self.to_the_end = to_the_end
        self.report = report

    # --- what was sent and received -------------------------------------------------------------

    def _sent_by_us(self, kind: str, *, applied: bool = False) -> Exists:
        """Whether the simulated system sent a message of ``kind`` about the trajectory
        (``applied``: one the municipality applied)."""
        sent = aliased(Message)
        condition = [
            sent.trajectory_id == Trajectory.id,
            sent.provider_id == self.provider.id,
            sent.direction == MessageDirection.IN,
            sent.kind == kind,
        ]
        if applied:
            condition.append(sent.state == MessageState.VERWERKT)
        return exists().where(*condition)

    def _assigned(
        self, state: TrajectoryState, *conditions: ColumnElement[bool]
    ) -> list[tuple[Trajectory, Toewijzing, Product]]:
        """The provider's trajectories in ``state`` (and ``conditions``) with the toewijzing
        they were confirmed by (the last 301 the system answered without remarks), as the
        system read it, and the trajectory's product in it (ToewijzingNummer = its id)."""
        last = (
            select(func.max(Message.id))
            .where(
                Message.provider_id == self.provider.id,
                Message.direction == MessageDirection.UIT,
                Message.kind == "301",
                Message.state == MessageState.BEVESTIGD,
            )
            .group_by(Message.trajectory_id)
        )
        rows = self.session.execute(
            select(Trajectory, Message.body)
            .join(Message, Message.trajectory_id == Trajectory.id)
            .where(
                Message.id.in_(last),
                Trajectory.provider_id == self.provider.id,
                Trajectory.state == state,
                *conditions,
            )
            .order_by(Trajectory.id)
        ).all()
        found = []
        for trajectory, body in rows:
            toewijzing = read_toewijzing(body)
            product = next((p for p in toewijzing.products if p.number == trajectory.id), None)
            if product is not None:
                found.append((trajectory, toewijzing, product))
        return found

    def _send(self, kind: str, body: bytes) -> Message:
        message = incoming.receive(self.session, self.provider, body, self.today, self.schemas)
        self.report.sent[kind] += 1
        if message.state == MessageState.GEWEIGERD:
            self.report.refused.append(f"{kind} {message.identification}: {message.errors}")
        return message

    # --- the steps ------------------------------------------------------------------------------

    def answer_toewijzingen(self) -> None:
        for message in self.session.scalars(
            select(Message)
            .where(
                Message.provider_id == self.provider.id,
                Message.direction == MessageDirection.UIT,
                Message.kind == "301",
                Message.state.in_((MessageState.KLAAR, MessageState.VERZONDEN)),
            )
            .order_by(Message.id)
        ):
            body = retour_302(
                read_toewijzing(message.body),
                identification=f"302-{message.id}",
                today=self.today,
                schemas=self.schemas,
            )
            self._send("302", body)

    def start_care(self) -> None:
        waiting = self._assigned(TrajectoryState.GEACCEPTEERD, ~self._sent_by_us("305"))
        for trajectory, toewijzing, product in waiting:
            if product.start > self.today:  # care cannot start before the toewijzing
                continue
            body = start_zorg(
                toewijzing,
                product,
                identification=f"305-{trajectory.id}",
                today=self.today,
                begin=self.today,
                schemas=self.schemas,
            )
            self._send("305", body)

    def end_care(self) -> None:
        running = self._assigned(TrajectoryState.ACTIEF, ~self._sent_by_us("307"))
        for trajectory, toewijzing, product in running:
            assert trajectory.care_start is not None
            done = (
                self.today
                if self.to_the_end
                else result_date(self.seed, trajectory, trajectory.care_start)
            )
            self._hold_evaluations(trajectory, min(done, self.today), final=done <= self.today)
            if done > self.today:
                continue
            body = stop_zorg(
                toewijzing,
                product,
                identification=f"307-{trajectory.id}",
                today=self.today,
                begin=trajectory.care_start,
                end=done,
                reason=ENDED_AS_PLANNED[trajectory.domain],
                schemas=self.schemas,
            )
            self._send("307", body)

    def declare(self) -> None:
        """Only what the system itself stopped (a closure by scaling or by the gids alone is
        not declared by the simulator)."""
        closed = self._assigned(
            TrajectoryState.AFGESLOTEN,
            self._sent_by_us("307", applied=True),
            ~self._sent_by_us("323"),
        )
        for trajectory, toewijzing, product in closed:
            assert trajectory.care_start is not None and trajectory.care_end is not None
            body = declaratie(
                toewijzing,
                product,
                identification=f"323-{trajectory.id}",
                today=self.today,
                number=f"D{trajectory.id}",
                reference=f"T{trajectory.id}",
                # A toewijzing on the category alone: the system declares the category as code.
                product_code=product.code or product.category,
                period=(trajectory.care_start, trajectory.care_end),
                amount=cents(trajectory.price),
                schemas=self.schemas,
            )
            self._send("323", body)

    # --- evaluations through the portal's workflow --------------------------------------------

    def _hold_evaluations(self, trajectory: Trajectory, until: date, *, final: bool) -> None:
        """Hold every planned evaluation due by ``until`` on its due date (not before care
        started); with ``final``, also the final evaluation, on ``until`` at the latest.
        Holding a regular one plans the next, which may be due by ``until`` too."""
        assert trajectory.care_start is not None
        system = actor.system_actor(self.session, self.provider)
        draw = random.Random(f"{self.seed}:{trajectory.id}:evaluaties")
        for _ in range(100):  # each round holds one; a bound against a plan that never ends
            due = [
                e
                for e in trajectory.evaluations
                if e.state == EvaluationState.GEPLAND
                and (e.due_on <= until or (final and e.kind == EvaluationKind.EIND))
            ]
            if not due:
                return
            evaluation = min(due, key=lambda e: (e.due_on, e.id))
            held_on = max(min(evaluation.due_on, until), trajectory.care_start)
            submit_evaluation(
                self.session,
                evaluation,
                system,
                _evaluation_input(trajectory, evaluation, held_on, draw),
                self.today,
            )
            self.report.evaluations += 1


def _evaluation_input(
    trajectory: Trajectory, evaluation: Evaluation, held_on: date, draw: random.Random
) -> EvaluationInput:
    final = evaluation.kind == EvaluationKind.EIND
    return EvaluationInput(
        held_on=held_on,
        with_inwoner=True,
        with_gids=final,
        with_aanbieder=True,
        with_netwerk=draw.random() < 0.3,
        summary=FINAL_SUMMARY if final else EVALUATION_SUMMARY,
        need_changed=False,
        scores=[
            ScoreInput(result_id=r.id, score=draw.choice((0, 1)) if final else draw.choice((-1, 0)))
            for r in trajectory.results
        ],
        zrm=(
            {d: draw.randint(3, 5) for d in range(1, ZRM_DOMAINS + 1)}
            if trajectory.uses_zrm
            else None
        ),
    )
