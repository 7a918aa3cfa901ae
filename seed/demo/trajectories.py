"""From episodes to trajectories, and from trajectories to rows.

``TrajectoryBuilder`` splits an episode into one trajectory or a chain (scaling, R9; a provider
whose contract ended, reason 38), adds parallel trajectories, earlier cancelled attempts, unmet
requests, the open pipeline and the demo gids's fixed handful of open work, and chooses how each
closed trajectory ended. ``TrajectoryRows`` writes each trajectory with its price, its agreed
results and the event trail the workflow would have recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models import (
    HOUSEHOLD_HELP_CATEGORY,
    AanmeldingOutcome,
    ClosureCategory,
    Domain,
    EventAction,
    Intensity,
    NeedType,
    ReferrerType,
    TrajectoryState,
)
from workflows.closure_rules import describe_closure, reasons_for, results_for
from workflows.dates import age_on, jeugd_decision_end
from workflows.eligibility import contract_covers, decision_end_limit
from workflows.scaling import OMGEZET_REASON_CODE

from .catalogue import (
    HISTORY_START,
    INTENSITY_ORDER,
    JEUGD,
    PROFILE_BY_CODE,
    PROFILES,
    PROVIDERS,
    RESULT_ORIENTED,
    SECOND_PROFILE,
    SUBCONTRACTS,
    TARIFF_2021,
    WMO,
    L,
    ProfileSpec,
    Z,
    default_end,
)
from .draws import DAY, age_years, birth_for, day_between, draw_int, pick, stamp
from .simulation import (
    SECOND_PROFILE_SHARE,
    SPLIT_SHARE,
    Episode,
    Person,
    World,
    after_birth,
    draw_end_of_care,
    intensity_mix,
    waits,
)
from .texts import (
    CANCEL_REASONS,
    NO_FOLLOW_UP_REASONS,
    PRICE_REASONS,
    QUESTIONS,
    REFUSAL_REASONS,
    RESULTS,
    RETURN_REASONS,
)

S = TrajectoryState


A, B, C, D = ClosureCategory.A, ClosureCategory.B, ClosureCategory.C, ClosureCategory.D
Closure = tuple[ClosureCategory, str, bool]  # (category, reason code, result achieved)
Period = tuple[date, date | None]  # a contract's valid from and valid to (or open)


# Who referred the demo's young residents (Jeugd): chosen by the first trajectory's id of a
# chain (a follow-up keeps its referral), not drawn, so no other draw of the seed changes.
JEUGD_REFERRERS: tuple[tuple[ReferrerType, str | None], ...] = (
    (ReferrerType.GEMEENTE, "Gemeente Dronten, team Jeugd"),
    (ReferrerType.HUISARTS, "Huisartsenpraktijk De Linde"),
    (ReferrerType.GEMEENTE, "Wijkteam Dronten"),
    (ReferrerType.JEUGDARTS, "GGD Flevoland, jeugdarts"),
    (ReferrerType.HUISARTS, "Huisartsenpraktijk Biddinghuizen"),
    (ReferrerType.GECERTIFICEERDE_INSTELLING, "William Schrikker Stichting"),
    (ReferrerType.MEDISCH_SPECIALIST, "St Jansdal, kinderarts"),
    (ReferrerType.HUISARTS, "Huisartsenpraktijk Swifterbant"),
    (ReferrerType.ZELFVERWIJZER, None),
    (ReferrerType.RECHTER, "Rechtbank Midden-Nederland"),
)


def referrer_of(t: Traj) -> tuple[ReferrerType | None, str | None]:
    """The demo referrer of a trajectory: (type, name) for Jeugd, (None, None) for Wmo."""
    if t.domain != Domain.JEUGD:
        return None, None
    first = t
    while first.follows is not None:
        first = first.follows
    return JEUGD_REFERRERS[first.id % len(JEUGD_REFERRERS)]


def according_to_plan(domain: Domain) -> str:
    """The reason *volgens plan beëindigd* (Wmo 19, Jeugd 31): category a's only reason, and the
    only one with which the result may have been achieved (``workflows.closure_rules``)."""
    (code,) = reasons_for(domain, ClosureCategory.A)
    return code


@dataclass(slots=True, eq=False)
class Traj:
    """One trajectory to write, with the facts its events and request are derived from."""

    person: Person
    domain: Domain
    profile: ProfileSpec
    intensity: Intensity
    need: NeedType
    provider: int
    request_date: date
    decision_date: date | None
    planned_start: date
    care_start: date | None
    care_end: date | None
    state: TrajectoryState
    question: str
    sub: int | None = None
    follows: Traj | None = None
    closure: Closure | None = None
    created: date | None = None
    accepted: date | None = None
    returned: tuple[date, int, str] | None = None  # (day, by provider, reason) before a resend
    first_proposal: date | None = None
    cancelled: tuple[date, str] | None = None
    open_return: tuple[date, str] | None = None  # returned and not yet sent again
    price_override: tuple[Decimal, str] | None = None
    id: int = 0


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- from episodes to trajectories ----------------------------------------------------------------


class TrajectoryBuilder:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.last_day = today - DAY
        self.trajs: list[Traj] = []
        self.unmet: list[
            tuple[Person, Domain, date, AanmeldingOutcome, str | None, date | None]
        ] = []
        # each profile's main contractors: (index, weight, contract period); whether one may
        # deliver on a day is workflows.eligibility.contract_covers, as in the live paths
        self.mains: dict[str, list[tuple[int, float, Period]]] = {p.code: [] for p in PROFILES}
        for index, spec in enumerate(PROVIDERS):
            for code, weight in spec.main:
                self.mains[code].append((index, weight, spec.main_period))

    # -- providers --

    def provider_for(self, profile: ProfileSpec, planned: date, care: date | None) -> int:
        last = max(planned, care or planned)
        options = [
            (i, w) for i, w, period in self.mains[profile.code] if contract_covers([period], last)
        ]
        return options[pick(self.rng, [w for _i, w in options])][0]

    def subcontractor_for(self, profile: ProfileSpec, provider: int) -> int | None:
        for code, main, sub, share in SUBCONTRACTS:
            if code == profile.code and main == provider and self.rng.random() < share:
                return sub
        return None

    def other_provider(self, profile: ProfileSpec, provider: int, day: date) -> int | None:
        options = [
            i
            for i, _w, period in self.mains[profile.code]
            if i != provider and contract_covers([period], day)
        ]
        return self.rng.choice(options) if options else None

    # -- closure --

    def closed(
        self, domain: Domain, category: ClosureCategory, code: str, chance: float = 0.0
    ) -> Closure:
        """A closure as the rule table allows it (R1, R10, ``workflows.closure_rules``): the
        result is drawn, with ``chance``, only where the table allows it to be achieved."""
        achievable = True in results_for(domain, category, code)
        return category, code, achievable and self.rng.random() < chance

    def closure(self, ep: Episode, end: date, planned_end: date) -> Closure:
        """How care ended: the demo's mix of reasons (death and the Jeugd decision end first);
        whether the result was achieved is drawn only where the rule table allows it."""
        rng = self.rng
        domain = ep.domain
        wmo = domain == WMO
        if ep.dies:  # death ends care prematurely
            return self.closed(domain, D, "02")
        if ep.capped:  # on to the Wmo or elsewhere (39), or done according to plan
            if rng.random() < 0.45:
                return self.closed(domain, C, "39")
            return self.closed(domain, A, according_to_plan(domain), 0.65)
        assert ep.person is not None
        old = wmo and age_on(ep.person.birth, end) >= 75
        weights = (0.60, 0.14, 0.04, 0.05, 0.04, 0.16 if old else 0.06)
        kind = pick(rng, weights)
        if kind == 0:  # according to plan: back in the network (a) or to the voorveld (b)
            category = A if rng.random() < 0.72 else B
            chance = 0.9 if end <= planned_end else 0.78
            return self.closed(domain, category, according_to_plan(domain), chance)
        if kind == 1:  # premature: by the client, by the provider, by agreement
            codes = ("21", "22", "23") if wmo else ("32", "33", "34")
            return self.closed(domain, D, codes[pick(rng, (0.5, 0.2, 0.3))])
        if kind == 2:  # the municipality hands over to the voorveld
            return self.closed(domain, B, "36")
        if kind == 3:  # moved away, handed over to care in the new municipality
            return self.closed(domain, C, "31" if wmo else "35")
        if kind == 4:  # on to another provider
            return self.closed(domain, C, "38")
        return self.closed(domain, C, "39")  # on to another domain

    def new_intensity(self, ep: Episode, current: Intensity, day: date) -> Intensity:
        allowed = [i for i in ep.profile.intensities if i != current]
        down_weight = 3.0 if ep.domain == JEUGD and day >= RESULT_ORIENTED else 1.0
        up_weight = 2.0 if ep.domain == WMO else 1.0
        weights = [
            down_weight if INTENSITY_ORDER[i] < INTENSITY_ORDER[current] else up_weight
            for i in allowed
        ]
        return allowed[pick(self.rng, weights)]

    # -- building --

    def add(self, traj: Traj) -> Traj:
        self.trajs.append(traj)
        return traj

    def episode(self, ep: Episode) -> None:
        rng = self.rng
        person = ep.person
        assert person is not None
        question = rng.choice(QUESTIONS[ep.profile.family])
        if ep.care_start > self.last_day:
            self.pipeline(ep, question)
            return
        effective_end = ep.end or self.last_day
        # scaling up/down (R9): one split at most
        splits: list[tuple[date, Intensity, str]] = []
        hh_ruling = (
            ep.profile.category == HOUSEHOLD_HELP_CATEGORY
            and ep.intensity == L
            and ep.care_start < date(2020, 10, 15)
            and effective_end > date(2020, 11, 15)
            and rng.random() < 0.15
        )
        if hh_ruling:
            x = day_between(
                rng, date(2020, 10, 15), min(date(2021, 3, 31), effective_end - 30 * DAY)
            )
            splits.append((x, Z, "omgezet"))
        elif (effective_end - ep.care_start).days >= 150 and rng.random() < SPLIT_SHARE[ep.domain]:
            span = (effective_end - ep.care_start).days
            x = ep.care_start + timedelta(days=int(span * rng.uniform(0.3, 0.7)))
            splits.append((x, self.new_intensity(ep, ep.intensity, x), "omgezet"))
        pieces: list[tuple[date, date | None, Intensity, str]] = []
        start, intensity = ep.care_start, ep.intensity
        for x, new, kind in splits:
            pieces.append((start, x, intensity, kind))
            start, intensity = x + DAY, new
        pieces.append((start, ep.end, intensity, "final"))

        previous: Traj | None = None
        provider: int | None = None
        transfer: date | None = None
        k = 0
        while k < len(pieces):
            start, end, intensity, kind = pieces[k]
            first = previous is None
            planned = ep.planned_start if first else start
            if provider is None or not self.can_deliver(provider, ep.profile, start):
                provider = self.provider_for(ep.profile, planned, start)
            until = PROVIDERS[provider].main_until
            if until is not None and (end is None or end > until) and start <= until:
                # the contract ends during the piece: transfer to another provider (reason 38)
                pieces[k] = (start, until, intensity, "overstap")
                pieces.insert(k + 1, (until + DAY, end, intensity, kind))
                end, kind, transfer = until, "overstap", until + DAY
            if first:
                request, decision = ep.request, ep.decision
            else:
                request = max(start - timedelta(days=draw_int(rng, 14, 35)), pieces[k - 1][0])
                decision = day_between(rng, max(request, start - timedelta(days=10)), start - DAY)
                request = min(request, decision)
            traj = Traj(
                person=person,
                domain=ep.domain,
                profile=ep.profile,
                intensity=intensity,
                need=ep.need,
                provider=provider,
                request_date=request,
                decision_date=decision,
                planned_start=planned,
                care_start=start,
                care_end=end,
                state=S.AFGESLOTEN if end is not None else S.ACTIEF,
                question=question if first else self.change_question(ep, previous, intensity),
                follows=previous
                if previous is not None and pieces[k - 1][3] == "omgezet"
                else None,
            )
            traj.sub = self.subcontractor_for(ep.profile, provider)
            if end is not None:
                if kind == "omgezet":
                    traj.closure = self.closed(ep.domain, C, OMGEZET_REASON_CODE)  # R9
                elif kind == "overstap":
                    traj.closure = self.closed(ep.domain, C, "38")  # the contract ended
                else:
                    traj.closure = self.closure(ep, end, self.planned_end(traj))
            if first and rng.random() < 0.03:
                self.add_return(traj)
            self.add(traj)
            previous = traj
            if kind == "overstap" and transfer is not None:
                provider = self.other_provider(ep.profile, provider, transfer)
            k += 1
        if rng.random() < SECOND_PROFILE_SHARE[ep.domain]:
            self.second(ep)

    def can_deliver(self, provider: int, profile: ProfileSpec, day: date) -> bool:
        return any(
            i == provider and contract_covers([period], day)
            for i, _w, period in self.mains[profile.code]
        )

    def change_question(self, ep: Episode, previous: Traj | None, intensity: Intensity) -> str:
        if previous is not None and previous.intensity == intensity:
            provider = PROVIDERS[previous.provider].name
            return f"Overgang naar een nieuwe aanbieder: het contract van {provider} is beëindigd."
        assert previous is not None
        if INTENSITY_ORDER[intensity] > INTENSITY_ORDER[previous.intensity]:
            return f"Wijzigingsverzoek: opschalen naar {intensity.value.capitalize()}."
        return f"Wijzigingsverzoek: afschalen naar {intensity.value.capitalize()}; het gaat beter."

    def planned_end(self, traj: Traj) -> date:
        return default_end(traj.profile, traj.intensity, traj.planned_start, traj.person.birth)

    def add_return(self, traj: Traj) -> None:
        """The first provider returned the proposal; the gids sent it to another one."""
        rng = self.rng
        assert traj.decision_date is not None
        gap = (traj.decision_date - traj.request_date).days
        other = self.other_provider(traj.profile, traj.provider, traj.planned_start)
        if gap < 8 or other is None:
            return
        first = traj.request_date + timedelta(days=draw_int(rng, 2, gap - 5))
        back = first + timedelta(
            days=draw_int(rng, 1, min(5, (traj.decision_date - first).days - 1))
        )
        traj.first_proposal = first
        traj.returned = (back, other, rng.choice(RETURN_REASONS))

    def second(self, ep: Episode) -> None:
        """A parallel trajectory in another profile of the same domain."""
        rng = self.rng
        assert ep.person is not None
        effective_end = ep.end or self.last_day
        start = ep.care_start + timedelta(days=draw_int(rng, 21, 365))
        if start > min(effective_end - 14 * DAY, self.last_day):
            return
        profile = PROFILE_BY_CODE[rng.choice(SECOND_PROFILE[ep.profile.code])]
        if ep.domain == WMO and age_on(ep.person.birth, start) < profile.ages[0][1]:
            return
        intensity = profile.intensities[pick(rng, intensity_mix(profile, start.year))]
        need = NeedType.BLIJVEND if rng.random() < profile.lasting else NeedType.EINDIG
        request, decision, planned = waits(rng, ep.domain, start)
        request, decision = after_birth(ep.person.birth, request, decision)
        planned = max(planned, decision)
        end = draw_end_of_care(
            rng, profile, intensity, need, planned, start, self.last_day, ep.person.birth
        )
        if ep.end is not None and (end is None or end > ep.end):
            end = ep.end
        limit = decision_end_limit(ep.domain, ep.person.birth)
        if limit is not None and end is not None and end > limit:
            end = limit
        sub_ep = Episode(
            ep.domain,
            profile,
            intensity,
            need,
            request,
            decision,
            planned,
            start,
            ep.person,
            end,
            ep.capped and end == ep.end,
            ep.dies and end == ep.end,
        )
        provider = self.provider_for(profile, planned, start)
        traj = Traj(
            person=ep.person,
            domain=ep.domain,
            profile=profile,
            intensity=intensity,
            need=need,
            provider=provider,
            request_date=request,
            decision_date=decision,
            planned_start=planned,
            care_start=start,
            care_end=end,
            state=S.AFGESLOTEN if end is not None else S.ACTIEF,
            question=rng.choice(QUESTIONS[profile.family]),
        )
        traj.sub = self.subcontractor_for(profile, provider)
        if end is not None:
            traj.closure = self.closure(sub_ep, end, self.planned_end(traj))
        self.add(traj)

    def pipeline(self, ep: Episode, question: str) -> None:
        """Care not started yet: the state follows from where ``today`` falls."""
        rng = self.rng
        assert ep.person is not None
        last_day = self.last_day
        if ep.domain == JEUGD and jeugd_decision_end(ep.person.birth) < ep.planned_start:
            return
        provider = self.provider_for(ep.profile, ep.planned_start, ep.care_start)
        traj = Traj(
            person=ep.person,
            domain=ep.domain,
            profile=ep.profile,
            intensity=ep.intensity,
            need=ep.need,
            provider=provider,
            request_date=ep.request,
            decision_date=None,
            planned_start=ep.planned_start,
            care_start=None,
            care_end=None,
            state=S.CONCEPT,
            question=question,
        )
        if ep.decision > last_day:
            if rng.random() < 0.5:
                self.unmet.append(
                    (ep.person, ep.domain, ep.request, AanmeldingOutcome.IN_BEHANDELING, None, None)
                )
                return
            traj.created = day_between(rng, ep.request, last_day)
            self.add(traj)
            return
        traj.decision_date = ep.decision
        accept_delay = draw_int(rng, 0, 6)
        if rng.random() < 0.06 and (last_day - ep.decision).days >= 1:
            traj.state = S.TERUGGESTUURD
            back = day_between(rng, ep.decision + DAY, min(last_day, ep.decision + 5 * DAY))
            traj.open_return = (back, rng.choice(RETURN_REASONS))
        elif (last_day - ep.decision).days < accept_delay:
            traj.state = S.VOORGESTELD
        else:
            traj.state = S.GEACCEPTEERD
            traj.accepted = ep.decision + timedelta(days=accept_delay)
        self.add(traj)

    def cancelled_before(self, ep: Episode) -> None:
        """An earlier attempt for the same resident that was cancelled."""
        rng = self.rng
        assert ep.person is not None
        request = ep.request - timedelta(days=draw_int(rng, 60, 300))
        if request < HISTORY_START or request < ep.person.birth:
            return
        decision = request + timedelta(days=draw_int(rng, 7, 35))
        planned = decision + timedelta(days=draw_int(rng, 10, 45))
        if ep.domain == JEUGD and planned > jeugd_decision_end(ep.person.birth):
            return
        cancel_day = decision + timedelta(days=draw_int(rng, 3, 40))
        if cancel_day >= ep.request:
            return
        traj = Traj(
            person=ep.person,
            domain=ep.domain,
            profile=ep.profile,
            intensity=ep.intensity,
            need=ep.need,
            provider=self.provider_for(ep.profile, planned, planned),
            request_date=request,
            decision_date=decision,
            planned_start=planned,
            care_start=None,
            care_end=None,
            state=S.GEANNULEERD,
            question=rng.choice(QUESTIONS[ep.profile.family]),
            cancelled=(cancel_day, rng.choice(CANCEL_REASONS)),
        )
        if rng.random() < 0.5 and cancel_day > decision + DAY:
            traj.accepted = day_between(rng, decision, cancel_day - DAY)
        self.add(traj)

    def unmet_request(self, ep: Episode, world: World) -> None:
        """A refused request or one without follow-up (R13)."""
        rng = self.rng
        assert ep.person is not None
        person: Person | None = ep.person
        request = ep.request - timedelta(days=draw_int(rng, 90, 700))
        if (
            rng.random() < 0.55
            or request < HISTORY_START
            or request < ep.person.birth + timedelta(days=365)
        ):
            person = None
            request = day_between(
                rng,
                max(HISTORY_START, ep.request - timedelta(days=400)),
                min(ep.request + timedelta(days=400), self.last_day),
            )
        if person is None:
            age = age_years(rng, ep.profile.ages)
            birth = birth_for(min(age, 17.0) if ep.domain == JEUGD else age, request, rng)
            person = Person(birth=birth, female=rng.random() < 0.55, home=world.new_home())
            world.persons.append(person)
        decided = request + timedelta(days=draw_int(rng, 7, 42))
        if decided > self.last_day:
            self.unmet.append(
                (person, ep.domain, request, AanmeldingOutcome.IN_BEHANDELING, None, None)
            )
        elif rng.random() < 0.65:
            reason = rng.choice(REFUSAL_REASONS[ep.domain])
            self.unmet.append(
                (person, ep.domain, request, AanmeldingOutcome.AFGEWEZEN, reason, decided)
            )
        else:
            self.unmet.append(
                (
                    person,
                    ep.domain,
                    request,
                    AanmeldingOutcome.GEEN_VERVOLG,
                    rng.choice(NO_FOLLOW_UP_REASONS),
                    decided,
                )
            )

    def demo_pipeline(self, world: World, demo_provider: int) -> None:
        """A fixed handful of open work for the demo gids and the demo provider."""
        rng = self.rng
        last_day = self.last_day
        own = [
            PROFILE_BY_CODE[code]
            for code, _w in PROVIDERS[demo_provider].main
            if PROVIDERS[demo_provider].main_until is None
        ]
        others = [p for p in PROFILES if p not in own]
        plan: list[tuple[TrajectoryState, bool]] = (
            [(S.CONCEPT, False)] * 3
            + [(S.VOORGESTELD, True)] * 4
            + [(S.VOORGESTELD, False)]
            + [(S.TERUGGESTUURD, True), (S.TERUGGESTUURD, False)]
            + [(S.GEACCEPTEERD, True)] * 3
            + [(S.GEANNULEERD, False)] * 2
        )
        for n, (state, to_demo) in enumerate(plan):
            profile = rng.choice(own) if to_demo else rng.choice(others)
            request = last_day - timedelta(days=draw_int(rng, 12, 45))
            if state == S.GEACCEPTEERD:
                request -= timedelta(days=20)
            planned = last_day + timedelta(days=draw_int(rng, 5, 30))
            if state == S.GEACCEPTEERD and n % 3 != 2:
                planned = last_day - timedelta(days=draw_int(rng, 2, 12))  # start zorg verlopen
            person = self.fresh_person(world, profile, request)
            provider = demo_provider if to_demo else self.provider_for(profile, planned, planned)
            traj = Traj(
                person=person,
                domain=profile.domain,
                profile=profile,
                intensity=profile.intensities[pick(rng, intensity_mix(profile, last_day.year))],
                need=NeedType.BLIJVEND if rng.random() < profile.lasting else NeedType.EINDIG,
                provider=provider,
                request_date=request,
                decision_date=None,
                planned_start=planned,
                care_start=None,
                care_end=None,
                state=state,
                question=rng.choice(QUESTIONS[profile.family]),
            )
            if state == S.CONCEPT:
                traj.created = day_between(rng, request + DAY, last_day)
            else:
                traj.decision_date = day_between(rng, request + 5 * DAY, last_day - 3 * DAY)
                if state == S.VOORGESTELD:
                    traj.decision_date = last_day - timedelta(days=draw_int(rng, 0, 3))
                elif state == S.TERUGGESTUURD:
                    traj.open_return = (
                        day_between(rng, traj.decision_date + DAY, last_day),
                        rng.choice(RETURN_REASONS),
                    )
                elif state == S.GEACCEPTEERD:
                    traj.decision_date = min(traj.decision_date, planned - 7 * DAY)
                    traj.accepted = day_between(
                        rng, traj.decision_date, traj.decision_date + 3 * DAY
                    )
                else:
                    cancel_day = day_between(rng, traj.decision_date + DAY, last_day)
                    traj.cancelled = (cancel_day, rng.choice(CANCEL_REASONS))
            self.add(traj)
        for _ in range(3):
            profile = rng.choice(PROFILES)
            request = last_day - timedelta(days=draw_int(rng, 1, 20))
            person = self.fresh_person(world, profile, request)
            self.unmet.append(
                (person, profile.domain, request, AanmeldingOutcome.IN_BEHANDELING, None, None)
            )

    def fresh_person(self, world: World, profile: ProfileSpec, on: date) -> Person:
        rng = self.rng
        age = age_years(rng, profile.ages)
        if profile.domain == JEUGD:
            age = min(max(age, 2.0), 15.0)
        home = world.new_home()
        home.gids = 1
        person = Person(birth=birth_for(age, on, rng), female=rng.random() < 0.55, home=home)
        world.persons.append(person)
        return person


# --- rows ---------------------------------------------------------------------------------------


class TrajectoryRows:
    """Turns the working objects into row dictionaries with explicit ids."""

    def __init__(self, rng: random.Random, last_day: date) -> None:
        self.rng = rng
        self.last_day = last_day
        self.requests: list[dict[str, Any]] = []
        self.trajectories: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.tariffs: dict[tuple[str, Intensity, int], tuple[int, Decimal]] = {}
        self.provider_user: dict[int, int] = {}

    def event(
        self,
        traj_id: int,
        user: int | None,
        at: datetime,
        action: EventAction,
        old: TrajectoryState | None,
        new: TrajectoryState | None,
        reason: str | None = None,
        details: str | None = None,
    ) -> None:
        self.events.append(
            {
                "id": len(self.events) + 1,
                "trajectory_id": traj_id,
                "user_id": user,
                "at": at,
                "action": action,
                "old_state": old.value if old else None,
                "new_state": new.value if new else None,
                "reason": reason,
                "details": details,
            }
        )

    def price(self, t: Traj) -> tuple[int | None, Decimal, str | None]:
        rng = self.rng
        if t.planned_start >= RESULT_ORIENTED:
            version = 2021 if t.planned_start >= TARIFF_2021 else 2019
            tariff_id, price = self.tariffs[(t.profile.code, t.intensity, version)]
            if rng.random() < 0.025:
                factor = rng.choice((0.85, 0.9, 1.1, 1.15, 1.25))
                return tariff_id, _money(float(price) * factor), rng.choice(PRICE_REASONS)
            return tariff_id, price, None
        reference = next(float(p[1]) for p in t.profile.prices if p[0] == t.intensity)
        year = max(t.planned_start.year, 2015)
        if t.domain == JEUGD:  # hours grew before 2019: more was indicated per client
            rate, factor = 66.50 + 1.60 * (year - 2015), 1.01 + 0.04 * (year - 2016)
        elif t.profile.category == HOUSEHOLD_HELP_CATEGORY:
            rate, factor = 26.80 + 0.70 * (year - 2015), 0.98
        else:
            rate, factor = 51.20 + 1.20 * (year - 2015), 0.98
        hours = max(4, round(reference * factor * rng.uniform(0.8, 1.25) / rate))
        return None, _money(hours * rate), None

    def trajectory(self, t: Traj, request_id: int, gids: int, planned_end: date) -> None:
        rng = self.rng
        tariff_id, price, price_reason = self.price(t)
        limit = decision_end_limit(t.domain, t.person.birth)
        decision_end = limit if limit is not None else planned_end
        closure = t.closure
        provider_user = self.provider_user[t.provider]
        # events
        created_day = t.created or day_between(
            rng, t.request_date, (t.first_proposal or t.decision_date or t.request_date)
        )
        at = stamp(rng, created_day, None)
        created_at = at
        self.event(t.id, gids, at, EventAction.AANGEMAAKT, None, S.CONCEPT)
        state = S.CONCEPT
        if t.returned is not None and t.first_proposal is not None:
            back, other, reason = t.returned
            at = stamp(rng, t.first_proposal, at)
            self.event(t.id, gids, at, EventAction.VOORSTELLEN, S.CONCEPT, S.VOORGESTELD)
            at = stamp(rng, back, at)
            other_user = self.provider_user[other]
            self.event(
                t.id,
                other_user,
                at,
                EventAction.TERUGSTUREN,
                S.VOORGESTELD,
                S.TERUGGESTUURD,
                reason,
            )
            at = stamp(rng, back, at)
            self.event(
                t.id,
                gids,
                at,
                EventAction.WIJZIGEN,
                S.TERUGGESTUURD,
                S.TERUGGESTUURD,
                details=f"provider_id: {other + 1} → {t.provider + 1}",
            )
            state = S.TERUGGESTUURD
        if t.decision_date is not None:
            at = stamp(rng, t.decision_date, at)
            self.event(t.id, gids, at, EventAction.VOORSTELLEN, state, S.VOORGESTELD)
            state = S.VOORGESTELD
        if t.open_return is not None:
            at = stamp(rng, t.open_return[0], at)
            self.event(
                t.id,
                provider_user,
                at,
                EventAction.TERUGSTUREN,
                S.VOORGESTELD,
                S.TERUGGESTUURD,
                t.open_return[1],
            )
            state = S.TERUGGESTUURD
        if t.care_start is not None or t.accepted is not None:
            assert t.decision_date is not None
            accepted = t.accepted
            if accepted is None:
                assert t.care_start is not None
                accepted = day_between(
                    rng, t.decision_date, min(t.care_start, t.decision_date + 6 * DAY)
                )
            at = stamp(rng, accepted, at)
            self.event(
                t.id, provider_user, at, EventAction.ACCEPTEREN, S.VOORGESTELD, S.GEACCEPTEERD
            )
            state = S.GEACCEPTEERD
        if t.care_start is not None:
            registered = min(
                t.care_start + timedelta(days=rng.choice((0, 0, 0, 1, 2))), self.last_day
            )
            at = stamp(rng, registered, at)
            self.event(
                t.id,
                provider_user,
                at,
                EventAction.ZORG_STARTEN,
                S.GEACCEPTEERD,
                S.ACTIEF,
                details=f"start zorg {t.care_start.isoformat()}",
            )
            state = S.ACTIEF
        if t.care_end is not None:
            assert closure is not None
            category, code, achieved = closure
            closed_on = min(t.care_end + timedelta(days=draw_int(rng, 0, 10)), self.last_day)
            at = stamp(rng, closed_on, at)
            self.event(
                t.id,
                gids,
                at,
                EventAction.AFSLUITEN,
                S.ACTIEF,
                S.AFGESLOTEN,
                details=describe_closure(t.care_end, category, code, achieved),
            )
            state = S.AFGESLOTEN
        if t.cancelled is not None:
            at = stamp(rng, t.cancelled[0], at)
            self.event(t.id, gids, at, EventAction.ANNULEREN, state, S.GEANNULEERD, t.cancelled[1])
            state = S.GEANNULEERD
        assert state == t.state, (state, t.state)
        referrer_type, referrer_name = referrer_of(t)
        self.trajectories.append(
            {
                "id": t.id,
                "resident_id": t.person.id,
                "request_id": request_id,
                "gids_id": gids,
                "domain": t.domain.value,
                "profile_id": PROFILES.index(t.profile) + 1,
                "intensity": t.intensity.value,
                "tariff_id": tariff_id,
                "provider_id": t.provider + 1,
                "subcontractor_id": t.sub + 1 if t.sub is not None else None,
                "need_type": t.need.value,
                "price": price,
                "price_reason": price_reason,
                "planned_start": t.planned_start,
                "planned_end": planned_end,
                "decision_date": t.decision_date,
                "decision_end": decision_end,
                "care_start": t.care_start,
                "care_end": t.care_end,
                "state": t.state.value,
                "closure_category": closure[0].value if closure else None,
                "end_reason_code": closure[1] if closure else None,
                "result_achieved": closure[2] if closure else None,
                "follows_id": t.follows.id if t.follows is not None else None,
                "referrer_type": referrer_type and referrer_type.value,
                "referrer_name": referrer_name,
                "version": 1,
                "created_at": created_at,
                "updated_at": at,
            }
        )
        # agreed results
        options = RESULTS[t.profile.family]
        count = min(len(options), 1 + pick(rng, (0.45, 0.4, 0.15)))
        for position, index in enumerate(sorted(rng.sample(range(len(options)), count))):
            description, measure, gas = options[index]
            with_gas = gas is not None and rng.random() < 0.5
            self.results.append(
                {
                    "id": len(self.results) + 1,
                    "trajectory_id": t.id,
                    "position": position,
                    "description": description,
                    "measure": measure,
                    "gas_minus2": gas[0] if with_gas and gas else None,
                    "gas_minus1": gas[1] if with_gas and gas else None,
                    "gas_zero": gas[2] if with_gas and gas else None,
                    "gas_plus1": gas[3] if with_gas and gas else None,
                    "gas_plus2": gas[4] if with_gas and gas else None,
                }
            )
