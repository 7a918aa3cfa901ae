"""The simulation of client episodes: who comes in, when, with what, and when their care ends.

An episode is one client's uninterrupted care in one domain. Yearly inflow weights give the
inflow trends; month by month episodes join the stock and, from 2016, a planned number leaves
(a share of the year's inflow). Who leaves is a weighted draw on a hazard that follows from the
planned duration. The years before 2016 are simulated to fill the stock of 1-1-2016, and a pilot
run of those years calibrates the volume so the number in care on ``today`` meets the target.
``seed/README.md`` explains the choices.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from models import Domain, Intensity, NeedType
from workflows.dates import age_on, jeugd_decision_end
from workflows.eligibility import decision_end_limit

from .accounts import DEMO_GIDS_SHARE, TEAM_SIZE
from .catalogue import (
    HISTORY_START,
    JEUGD,
    LAW_START,
    PROFILE_BY_CODE,
    PROFILES,
    WIJKEN,
    WMO,
    L,
    M,
    ProfileSpec,
    Z,
    default_end,
    standard_weeks,
)
from .draws import (
    DAY,
    age_years,
    birth_for,
    calendar_months,
    day_between,
    days_in_month,
    draw_int,
    pick,
)

TARGET_IN_CARE: dict[Domain, int] = {WMO: 2300, JEUGD: 985}

BURN_IN_YEARS = 7  # simulate from 2009 to fill the stock of 1-1-2016
PIPELINE_DAYS = 160  # starts beyond today that may already have a request

# --- trends (relative to 2016) ----------------------------------------------------------------

BASE_MONTHLY_INFLOW: dict[Domain, float] = {WMO: 70.0, JEUGD: 75.0}
INFLOW: dict[Domain, dict[int, float]] = {
    JEUGD: {2016: 1.00, 2017: 1.08, 2018: 1.16, 2019: 1.24, 2020: 0.97, 2021: 0.92,
            2022: 0.91, 2023: 0.91, 2024: 0.91, 2025: 0.91},
    WMO: {2016: 1.00, 2017: 1.00, 2018: 1.01, 2019: 1.06, 2020: 1.03, 2021: 0.97,
          2022: 0.95, 2023: 0.95, 2024: 0.95, 2025: 0.95},
}  # fmt: skip
# Extra household help Laag after the fixed monthly contribution (abonnementstarief) of 2019.
WMO_HH_SPIKE: dict[int, float] = {2019: 0.34, 2020: 0.10}
# From 2016 each year's outflow (clients whose care ended) is this share of that year's inflow:
# Jeugd outflow lags inflow every year but 2018 (the review of long-running care before the
# switch to result-oriented work), rises to 2018 and falls from 2019; Wmo outflow stays just
# below inflow, with more clients leaving in 2019 and 2020 than before.
OUTFLOW_RATIO: dict[Domain, dict[int, float]] = {
    JEUGD: {2016: 0.96, 2017: 0.965, 2018: 1.05, 2019: 0.93, 2020: 0.96, 2021: 0.97,
            2022: 0.985},
    WMO: {2016: 0.97, 2017: 0.97, 2018: 0.97, 2019: 0.80, 2020: 0.96, 2021: 0.97,
          2022: 0.985},
}  # fmt: skip
EARLY_DAYS, EARLY_FACTOR = 91, 0.5
# The base hazard of a temporary need is 1 / (planned duration × DURATION_RATIO); after the
# planned end it is AFTER_PLANNED_FACTOR times higher.
DURATION_RATIO: dict[Domain, float] = {WMO: 1.0, JEUGD: 1.3}
AFTER_PLANNED_FACTOR: dict[NeedType, float] = {NeedType.EINDIG: 4.0, NeedType.BLIJVEND: 2.5}
SPLIT_SHARE: dict[Domain, float] = {WMO: 0.055, JEUGD: 0.07}
SECOND_PROFILE_SHARE: dict[Domain, float] = {WMO: 0.14, JEUGD: 0.07}
REENTRY_SHARE: dict[Domain, float] = {WMO: 0.10, JEUGD: 0.16}
UNMET_SHARE = 0.145  # refused / no follow-up, per episode (≈ 10 % of all requests)

# --- working objects ----------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Home:
    gids: int
    wijk: int
    postcode: str
    id: int = 0
    family_name: str = ""
    created: date | None = None
    size: int = 0


@dataclass(slots=True, eq=False)
class Person:
    birth: date
    female: bool
    home: Home
    id: int = 0
    first_request: date | None = None
    dead: bool = False
    available: bool = False  # in a pool of former clients who may come back


@dataclass(slots=True, eq=False)
class Episode:
    domain: Domain
    profile: ProfileSpec
    intensity: Intensity
    need: NeedType
    request: date
    decision: date
    planned_start: date
    care_start: date
    person: Person | None = None
    end: date | None = None
    capped: bool = False  # ended on the Jeugd decision end
    dies: bool = False
    rate: float = 0.0  # daily hazard of ending care before the planned end
    early_until: date = date.min  # a lower hazard until then (the first three months)
    planned_end: date = date.max  # a higher hazard after it
    limit: date | None = None  # Jeugd: the decision end, the day before the 18th birthday


@dataclass(slots=True)
class Simulation:
    episodes: list[Episode]
    persons: list[Person]
    homes: list[Home]


def _episode_weight(ep: Episode, day: date) -> float:
    """The relative hazard of ending care on ``day``: lower in the first three months, higher
    once the planned end has passed (the final evaluation pushes to close)."""
    weight = ep.rate
    if day < ep.early_until:
        weight *= EARLY_FACTOR
    if day > ep.planned_end:
        weight *= AFTER_PLANNED_FACTOR[ep.need]
    return weight


def _base_rate(profile: ProfileSpec, intensity: Intensity, need: NeedType, planned: date) -> float:
    """Daily hazard of ending care before the planned end."""
    if need == NeedType.BLIJVEND:
        return 1.0 / profile.lasting_days
    return 1.0 / (standard_weeks(profile, intensity, planned) * 7 * DURATION_RATIO[profile.domain])


def draw_end_of_care(
    rng: random.Random,
    profile: ProfileSpec,
    intensity: Intensity,
    need: NeedType,
    planned_start: date,
    care_start: date,
    last_day: date,
    birth: date,
) -> date | None:
    """The end of a parallel trajectory: a draw from the same hazard shape, or None."""
    ep = Episode(profile.domain, profile, intensity, need, planned_start, planned_start,
                 planned_start, care_start)  # fmt: skip
    ep.rate = _base_rate(profile, intensity, need, planned_start)
    ep.early_until = care_start + timedelta(days=EARLY_DAYS)
    ep.planned_end = default_end(profile, intensity, planned_start, birth)
    budget = rng.expovariate(1.0)
    t = care_start
    while t <= last_day:
        seg_end = min(t + timedelta(days=30), last_day + DAY)
        hazard = _episode_weight(ep, t) * (seg_end - t).days
        if hazard >= budget:
            return t + timedelta(days=int((seg_end - t).days * budget / hazard))
        budget -= hazard
        t = seg_end
    return None


def intensity_mix(profile: ProfileSpec, year: int) -> list[float]:
    if profile.domain == WMO:
        base = profile.mix
    else:
        zwaar = 0.30 if year <= 2018 else max(0.10, 0.30 - 0.028 * (year - 2018))
        base = (0.30, 0.70 - zwaar, zwaar)
    shares = dict(zip((L, M, Z), base, strict=True))
    return [shares[i] for i in profile.intensities]


def waits(rng: random.Random, domain: Domain, care_start: date) -> tuple[date, date, date]:
    """(request, decision, planned start) for care starting on ``care_start``."""
    mean = 21.0  # Wmo: about three weeks
    if domain == JEUGD:  # growing waiting lists: about 45 days in 2016, 60 days from 2023
        mean = min(60.0, max(42.0, 44.0 + 2.3 * (care_start.year - 2016)))
    wait = max(1, round(rng.gammavariate(2.0, mean / 2.0)))
    decision = care_start - timedelta(days=wait)
    planned = decision + timedelta(days=round(wait * rng.uniform(0.55, 1.0)))
    request = decision - timedelta(days=draw_int(rng, 7, 42))
    return request, decision, planned


def after_birth(birth: date, request: date, decision: date) -> tuple[date, date]:
    """A request (and so its decision) is not made before the resident was born
    (``workflows.eligibility``): a baby's care asked for early is dated from its birth."""
    request = max(request, birth)
    return request, max(decision, request)


def _postcode(rng: random.Random, numbers: tuple[int, ...]) -> str:
    while True:
        letters = chr(65 + draw_int(rng, 0, 25)) + chr(65 + draw_int(rng, 0, 25))
        if letters not in ("SA", "SD", "SS"):
            return f"{rng.choice(numbers)}{letters}"


# --- the simulation of episodes -----------------------------------------------------------------


class World:
    """Residents and households as the simulation creates them (also used by the pilot)."""

    def __init__(self, rng: random.Random, last_day: date) -> None:
        self.rng = rng
        self.last_day = last_day
        self.persons: list[Person] = []
        self.homes: list[Home] = []
        self.child_homes: list[tuple[Home, date]] = []
        self.adult_homes: list[tuple[Home, date]] = []
        # former clients who may come back: "wmo", "jeugd", and "aged_out" (Jeugd → Wmo at 18)
        self.pools: dict[str, list[Person]] = {"wmo": [], "jeugd": [], "aged_out": []}
        self.waiting: list[tuple[date, int, str, Person]] = []  # heap on availability
        self.seq = 0

    def new_home(self) -> Home:
        rng = self.rng
        wijk = pick(rng, [w[1] for w in WIJKEN])
        gids = 1 if rng.random() < DEMO_GIDS_SHARE else draw_int(rng, 2, TEAM_SIZE + 1)
        home = Home(gids=gids, wijk=wijk + 1, postcode=_postcode(rng, WIJKEN[wijk][2]))
        self.homes.append(home)
        return home

    def release(self, person: Person, pool: str, available: date) -> None:
        self.seq += 1
        heapq.heappush(self.waiting, (available, self.seq, pool, person))

    def refresh(self, day: date) -> None:
        while self.waiting and self.waiting[0][0] <= day:
            _d, _s, pool, person = heapq.heappop(self.waiting)
            if not person.dead:
                person.available = True
                self.pools[pool].append(person)

    def _take(self, pool_name: str, ok: Callable[[Person], bool]) -> Person | None:
        rng = self.rng
        pool = self.pools[pool_name]
        for _ in range(8):
            if not pool:
                return None
            i = rng.randrange(len(pool))
            candidate = pool[i]
            if candidate.available and not ok(candidate):
                continue
            pool[i] = pool[-1]
            pool.pop()
            if candidate.available:
                candidate.available = False
                return candidate
        return None

    def person_for(self, ep: Episode, allow_reuse: bool) -> Person:
        rng = self.rng
        c = ep.care_start
        profile = ep.profile
        if allow_reuse:
            found: Person | None = None
            if profile.code == "WMO-BGJ" or (
                profile.code in ("WMO-BGI", "WMO-FIN", "WMO-DB") and rng.random() < 0.08
            ):
                found = self._take("aged_out", lambda p: 18 <= age_on(p.birth, c) <= 23)
            if found is None and rng.random() < REENTRY_SHARE[ep.domain]:
                lo = profile.ages[0][1]
                if ep.domain == JEUGD:
                    found = self._take(
                        "jeugd",
                        lambda p: (
                            lo <= (c - p.birth).days / 365.25
                            and jeugd_decision_end(p.birth) >= c + timedelta(days=60)
                        ),
                    )
                else:
                    found = self._take("wmo", lambda p: lo <= (c - p.birth).days / 365.25)
            if found is not None:
                return found
        age = age_years(rng, profile.ages)
        birth = birth_for(age, c, rng)
        if ep.domain == JEUGD and jeugd_decision_end(birth) < c + timedelta(days=45):
            birth = birth_for(17.0, c, rng)
        female = rng.random() < (0.62 if ep.domain == WMO and age > 60 else 0.5)
        home: Home | None = None
        year = 365
        if ep.domain == JEUGD:
            roll = rng.random()
            if roll < 0.12 and self.child_homes:  # a brother or sister
                home = self._family(self.child_homes, birth, year, 10 * year, symmetric=True)
            elif roll < 0.22 and self.adult_homes:  # a parent with Wmo support
                home = self._family(self.adult_homes, birth, 20 * year, 44 * year)
        elif 24 <= age <= 52 and rng.random() < 0.3 and self.child_homes:
            home = self._family(self.child_homes, birth, -44 * year, -20 * year)
        if home is None:
            home = self.new_home()
        person = Person(birth=birth, female=female, home=home)
        home.size += 1
        self.persons.append(person)
        if ep.domain == JEUGD:
            self.child_homes.append((home, birth))
        elif 22 <= age <= 50:
            self.adult_homes.append((home, birth))
        return person

    def _family(
        self,
        homes: list[tuple[Home, date]],
        birth: date,
        lo: int,
        hi: int,
        symmetric: bool = False,
    ) -> Home | None:
        """A recent household with a member born ``lo``..``hi`` days before ``birth``."""
        rng = self.rng
        recent = homes[-400:]
        for _ in range(5):
            home, other = recent[rng.randrange(len(recent))]
            gap = (birth - other).days
            if home.size < 5 and lo <= (abs(gap) if symmetric else gap) <= hi:
                return home
        return None


def _year_value(table: dict[int, float], year: int, before: float) -> float:
    if year < HISTORY_START.year:
        return before
    return table.get(year, table[max(table)])


def _expected_inflow(
    domain: Domain, volume: float, start: date, end: date
) -> dict[int, tuple[float, float]]:
    """Expected episodes starting per year from ``start`` to ``end``: (regular, the 2019
    household-help spike)."""
    out: dict[int, tuple[float, float]] = {}
    for y, m in calendar_months(start, end):
        first = max(date(y, m, 1), start)
        last = min(date(y, m, days_in_month(y, m)), end)
        base = BASE_MONTHLY_INFLOW[domain] * volume * ((last - first).days + 1) / 30.4375
        regular, spike = out.get(y, (0.0, 0.0))
        regular += base * _year_value(INFLOW[domain], y, 1.0)
        if domain == WMO:
            spike += base * WMO_HH_SPIKE.get(y, 0.0)
        out[y] = (regular, spike)
    return out


def inflow_volumes(
    rng: random.Random, today: date, targets: dict[Domain, int]
) -> dict[Domain, float]:
    """Inflow volumes that leave ``targets`` clients in care on ``today``.

    From 2016 the stock follows from the outflow ratios: stock(today) = stock(1-1-2016) +
    Σ inflow × (1 − ratio). The stock on 1-1-2016 comes from a pilot run of the years before
    (at a fraction of the volume, with its own random generator)."""
    pilot_volume = min(0.3, max(0.08, 3 * targets[JEUGD] / TARGET_IN_CARE[JEUGD]))
    _sim, _world, stock_2016 = simulate(
        rng, today, {WMO: pilot_volume, JEUGD: pilot_volume}, None, pilot=True
    )
    volumes = {}
    for domain in (WMO, JEUGD):
        growth = sum(
            (regular + spike) * (1.0 - _year_value(OUTFLOW_RATIO[domain], y, 1.0))
            for y, (regular, spike) in _expected_inflow(
                domain, 1.0, HISTORY_START, today - DAY
            ).items()
        )
        per_unit = stock_2016[domain] / pilot_volume + growth
        volumes[domain] = targets[domain] / per_unit
    return volumes


def _outflow_plan(
    rng: random.Random,
    starts: list[tuple[date, int, bool]],
    stock_2016: dict[Domain, int],
    targets: dict[Domain, int] | None,
    last_day: date,
) -> dict[Domain, dict[tuple[int, int], int]]:
    """How many episodes end in each month from 2016: the year's inflow × its outflow ratio,
    corrected over the last three years so the stock on ``today`` meets the target; each exit
    falls in a random month of its year."""
    plan: dict[Domain, dict[tuple[int, int], int]] = {}
    for d_index, domain in enumerate((WMO, JEUGD)):
        inflow = Counter(
            day.year
            for day, i, _spike in starts
            if i == d_index and HISTORY_START <= day <= last_day
        )
        years = sorted(inflow)
        out = {y: round(inflow[y] * _year_value(OUTFLOW_RATIO[domain], y, 1.0)) for y in years}
        if targets is not None:
            surplus = stock_2016[domain] + sum(inflow.values()) - sum(out.values())
            surplus -= targets[domain]
            recent = years[-3:]
            total = sum(out[y] for y in recent) or 1
            shares = {y: round(surplus * out[y] / total) for y in recent}
            shares[recent[-1]] += surplus - sum(shares.values())
            for y in recent:
                out[y] += shares[y]
            for n in range(len(years) - 1, 0, -1):  # only at tiny scales: no negative outflow
                if out[years[n]] < 0:
                    out[years[n - 1]] += out[years[n]]
                    out[years[n]] = 0
        months: dict[tuple[int, int], int] = {}
        for y in years:
            slots = [
                ((y, m), (min(date(y, m, days_in_month(y, m)), last_day) - date(y, m, 1)).days + 1)
                for _y, m in calendar_months(date(y, 1, 1), min(date(y, 12, 31), last_day))
            ]
            weights = [w for _k, w in slots]
            for _ in range(max(0, out[y])):
                key = slots[pick(rng, weights)][0]
                months[key] = months.get(key, 0) + 1
        plan[domain] = months
    return plan


def simulate(
    rng: random.Random,
    today: date,
    volume: dict[Domain, float],
    targets: dict[Domain, int] | None,
    pilot: bool = False,
) -> tuple[Simulation, World, dict[Domain, int]]:
    """Draw every episode from the burn-in (2009) to the pipeline horizon and decide its end.

    Month by month: new episodes join the stock; then some leave. Before 2016 the number that
    leaves is the expected number under the hazard weights (filling the stock of 1-1-2016);
    from 2016 it follows the outflow plan. Who leaves is a weighted draw (exponential race) on
    ``_episode_weight``; Jeugd clients leave on their decision end at the latest. ``pilot``
    stops at 1-1-2016 and returns the stock per domain."""
    last_day = today - DAY
    burn_start = date(HISTORY_START.year - BURN_IN_YEARS, 1, 1)
    horizon = today + timedelta(days=PIPELINE_DAYS)
    domains = (WMO, JEUGD)
    starts: list[tuple[date, int, bool]] = []  # (care start, domain 0/1, spike)
    for d_index, domain in enumerate(domains):
        carry = spike_carry = 0.0
        expected = _expected_inflow(domain, volume[domain], burn_start, horizon)
        for y, (regular, spike) in sorted(expected.items()):
            # whole numbers per year (the rest carries over); each start on a random day
            first = date(y, 1, 1)
            days = (min(date(y, 12, 31), horizon) - first).days + 1
            carry += regular
            spike_carry += spike
            n, spikes = int(carry), int(spike_carry)
            carry -= n
            spike_carry -= spikes
            for k in range(n + spikes):
                day = first + timedelta(days=int(rng.random() * days))
                starts.append((day, d_index, k < spikes))
    starts.sort()
    by_domain = {d: [p for p in PROFILES if p.domain == d] for d in domains}
    weights = {d: [p.weight for p in by_domain[d]] for d in domains}
    hh = PROFILE_BY_CODE["WMO-HH"]
    world = World(rng, last_day)
    episodes: list[Episode] = []
    active: dict[Domain, list[Episode]] = {WMO: [], JEUGD: []}
    carry_out = {WMO: 0.0, JEUGD: 0.0}
    deficit = {WMO: 0, JEUGD: 0}
    plan: dict[Domain, dict[tuple[int, int], int]] = {}
    stock_2016 = {WMO: 0, JEUGD: 0}
    index = 0
    for y, m in calendar_months(burn_start, horizon):
        month_first = date(y, m, 1)
        month_last = date(y, m, days_in_month(y, m))
        if month_first == HISTORY_START:
            stock_2016 = {d: len(active[d]) for d in domains}
            if pilot:
                return Simulation([], [], []), world, stock_2016
            plan = _outflow_plan(rng, starts, stock_2016, targets, last_day)
        # 1. new episodes
        while index < len(starts) and starts[index][0] <= month_last:
            care_start, d_index, spike = starts[index]
            index += 1
            ep = _new_episode(rng, world, domains[d_index], care_start, spike, by_domain, weights,
                              hh, last_day)  # fmt: skip
            if ep is None:
                continue
            episodes.append(ep)
            if care_start <= last_day:
                active[ep.domain].append(ep)
        if month_first > last_day:
            continue
        # 2. ends of care
        until = min(month_last, last_day)
        mid = month_first + timedelta(days=14)
        after = AFTER_PLANNED_FACTOR
        rnd = rng.random
        for domain in domains:
            stock = active[domain]
            forced = [e for e in stock if e.limit is not None and e.limit <= until]
            for ep in forced:
                ep.end, ep.capped = ep.limit, True
            free = [e for e in stock if e.end is None]
            hazard = [
                e.rate
                * (EARLY_FACTOR if mid < e.early_until else 1.0)
                * (after[e.need] if mid > e.planned_end else 1.0)
                for e in free
            ]
            if month_first < HISTORY_START:
                carry_out[domain] += sum(hazard) * ((until - month_first).days + 1)
                k = int(carry_out[domain])
                carry_out[domain] -= k
            else:
                k = plan[domain].get((y, m), 0) + deficit[domain] - len(forced)
                # too many forced ends, or too few clients to end: settle in later months
                deficit[domain] = k if k < 0 else max(0, k - len(free))
            if k > 0 and free:
                # an exponential race: each leaves with probability in proportion to its hazard
                keys = [-math.log(1.0 - rnd()) / h for h in hazard]
                for n in heapq.nsmallest(k, range(len(free)), key=keys.__getitem__):
                    ep = free[n]
                    ep.end = day_between(rng, max(ep.care_start, month_first), until)
            for ep in stock:
                if ep.end is not None:
                    _leave(rng, world, ep)
            active[domain] = [e for e in stock if e.end is None]
    kept = []
    for ep in episodes:
        if ep.care_start < HISTORY_START:
            if ep.end is not None and ep.end < HISTORY_START:
                continue  # ended before the history starts: not in the data
            if ep.care_start < LAW_START:
                # Care older than the Wmo 2015 and the Jeugdwet: dated on the transition.
                ep.care_start = ep.planned_start = LAW_START
                ep.decision = LAW_START - timedelta(days=draw_int(rng, 10, 45))
                ep.request = ep.decision - timedelta(days=draw_int(rng, 7, 42))
            elif ep.planned_start < LAW_START:
                ep.planned_start = LAW_START  # contracts under the new laws start then
        kept.append(ep)
    return Simulation(kept, world.persons, world.homes), world, stock_2016


def _new_episode(
    rng: random.Random,
    world: World,
    domain: Domain,
    care_start: date,
    spike: bool,
    by_domain: dict[Domain, list[ProfileSpec]],
    weights: dict[Domain, list[float]],
    hh: ProfileSpec,
    last_day: date,
) -> Episode | None:
    if spike:
        profile, intensity = hh, L
    else:
        profile = by_domain[domain][pick(rng, weights[domain])]
        intensity = profile.intensities[pick(rng, intensity_mix(profile, care_start.year))]
    need = NeedType.BLIJVEND if rng.random() < profile.lasting else NeedType.EINDIG
    request, decision, planned = waits(rng, domain, care_start)
    if request > last_day:
        return None
    ep = Episode(domain, profile, intensity, need, request, decision, planned, care_start)
    historic = care_start < HISTORY_START
    if not historic:
        world.refresh(request - timedelta(days=30))
    person = world.person_for(ep, allow_reuse=not historic)
    ep.person = person
    ep.request, ep.decision = after_birth(person.birth, ep.request, ep.decision)
    planned = ep.planned_start = max(planned, ep.decision)
    ep.rate = _base_rate(profile, intensity, need, planned)
    ep.early_until = care_start + timedelta(days=EARLY_DAYS)
    ep.limit = decision_end_limit(domain, person.birth)
    ep.planned_end = default_end(profile, intensity, planned, person.birth)
    return ep


def _leave(rng: random.Random, world: World, ep: Episode) -> None:
    """After the end of care: some elderly Wmo clients died; the others may come back."""
    person = ep.person
    assert person is not None and ep.end is not None
    p_death = 0.0
    if ep.domain == WMO:
        age = age_on(person.birth, ep.end)
        lasting = ep.need == NeedType.BLIJVEND
        if age >= 75:
            p_death = 0.32 if lasting else 0.1
        elif age >= 60:
            p_death = 0.07 if lasting else 0.025
    if rng.random() < p_death:
        ep.dies = person.dead = True
    else:
        pool = "aged_out" if ep.capped else ep.domain.value
        world.release(person, pool, ep.end + timedelta(days=60))
