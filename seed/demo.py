"""The demo municipality: Dronten (about 41,500 inhabitants), from 2016 to today.

``build_demo`` fills an empty, migrated database with a deterministic, realistic data set: the
same ``seed`` and ``today`` always give the same rows (``random.Random(seed)`` and
``Faker("nl_NL")`` seeded with ``seed``). The caller commits. What it builds:

* three kernen (wijken) with Dutch postcodes: Dronten 8251–8253 (68 %), Biddinghuizen 8256
  (17 %), Swifterbant 8255 (15 %);
* 12 fictional providers with 8-digit AGB codes and contracts per profile (main contractor for
  most, three subcontract arrangements, one household-help contract that ended on 31-12-2020);
* 20 support profiles (10 Wmo, 10 Jeugd) over the code-list categories, their allowed
  intensities (household help only Laag and Zwaar, R5) and two tariff versions each: "2019"
  (1-1-2019 … 31-12-2020) and "2021" (from 1-1-2021). Household help Laag got a longer standard
  duration in the 2021 version (the court ruling of October 2020);
* users: the four demo logins ``gids|aanbieder|manager|beheerder@demo.trajectwijzer.nl`` with
  ``password``; a team of ten more gidsen; one planner account per other provider;
* residents in households, requests, trajectories with agreed results and the event trail, from
  2016 to ``today``, with the trends of DOMAIN.md ("Demo data");
* the evaluation cycle of every trajectory with care: the evaluations held so far with a GAS
  score per agreed result, and for running care the next regular and the final evaluation
  planned (about 10 % of the running trajectories have one overdue);
* claims for the trajectories closed since 2019, a few open scaling requests and end-of-care
  reports for the demo gids, and the inbox tasks as after the morning's scheduler run.

Modelling choices (where DOMAIN.md is silent):

* **Episodes.** The generator draws client *episodes* (one client's uninterrupted care in one
  domain). Yearly inflow weights give the inflow trends: Jeugd up to 2019 and then below the
  2016 level; Wmo stable, a 2019 spike of household help Laag (the *abonnementstarief*), then
  falling. Month by month, episodes join the stock and some leave. From 2016 the number that
  leaves in a year is a fixed share of that year's inflow (``OUTFLOW_RATIO``): Jeugd outflow
  below inflow every year but 2018 (the review of long-running care before the switch to
  result-oriented work), rising to 2018 and falling after; Wmo outflow just below inflow, higher
  in 2019 and 2020. *Who* leaves is a weighted draw on a hazard that comes from the planned
  duration (or a long mean for lasting needs), is lower in the first three months and higher
  once the planned end has passed, so durations stay realistic per profile and intensity and
  about a third of the current care is past its planned end (*termijn verstreken*, R4).
* **Before 2016.** The years 2009–2015 are simulated with hazard-driven ends to fill the stock
  of 1-1-2016, so 2016 does not start from zero; only care still running then is kept. Starts
  before 1-1-2015 (the Wmo 2015 and the Jeugdwet took effect then) are dated 1-1-2015, the
  transition; contracts therefore run from 1-1-2015.
* **Calibration.** With outflow tied to inflow, the caseload on ``today`` is
  stock(1-1-2016) + Σ inflow × (1 − ratio), proportional to the inflow volume. A pilot of the
  years before 2016 (its own random generator, 30 % volume) gives the first term, so the
  volume follows by division; the rounding rest is taken up in the outflow of the last three
  years. Exactly round(2,300 × scale) Wmo and round(985 × scale) Jeugd clients then have an
  active trajectory (care started, not ended) on ``today``.
* **Trajectories.** An episode is one trajectory, or a chain when it was scaled up/down (R9:
  closed with reason 37 *omgezet*, category c, and a linked follow-up from the next day with
  another intensity; among them household-help clients moved from Laag to Zwaar after the
  court ruling) or when its provider's contract ended (reason 38, follow-up elsewhere). Some
  clients get a second, parallel trajectory in another profile; some return years later
  (repeat use); some Jeugd clients who turn 18 continue in the Wmo.
* **Prices.** Trajectories planned to start before 2019 (before result-oriented work) have no
  tariff link: their price is hours × that year's hourly rate. From 2019 the tariff valid on
  the planned start applies; about 2.5 % deviate, always with a written reason (R2).
* **Jeugd.** The decision end is the day before the 18th birthday for every Jeugd trajectory
  (R6; the test suite relies on it, although before 2019 Dronten did not always decide that
  way). Planned ends are capped there, and care ends there at the latest.
* **Waiting.** Request to decision 1–6 weeks; decision to start of care: Wmo about three weeks,
  Jeugd growing from about 45 days (2016) to 60 days (2023 and later).
* **Closure** follows the rule table (``workflows.closure_rules``): a: 19/31 (according to
  plan); b: 19/31 and 36; c: 37, 38, 39 and moving away (31/35); d: the premature reasons 21–23 /
  32–34 and death (02). Result achieved mostly yes with 19/31, never with any other reason.
* **Pipeline.** Requests of the last weeks are still open (in behandeling, concept,
  voorgesteld, geaccepteerd); the demo gids additionally gets a fixed handful of concepts,
  proposals (several to the demo provider), returned and accepted trajectories, cancellations
  and pending requests, so every demo login has work to show. About 10 % of requests were
  refused or had no follow-up and have no trajectory.
* **Nothing happens on ``today``**: every recorded date is on or before the day before, so the
  data look like the morning of ``today``.
* **Passwords.** The four demo logins share ``password``, hashed once with
  ``workflows.users.hash_password``. Every other account gets its own random secret from
  ``secrets`` (never from the seeded generator, so nobody can recompute it), hashed with lighter
  Argon2id parameters: with 256 bits of entropy the cost factor adds nothing, and the full
  cost would add several seconds per build. The hashes verify like any other.
* **Evaluations** follow ``workflows.evaluations``: the interval is 12 months for a lasting need,
  else the tariff's (Jeugd 3, Wmo 6 months; also the default without a tariff, before 2019). The
  first regular evaluation is due one interval after the start of care, each next one an interval
  after the day the previous one was held; none on or after the final evaluation's due date
  (planned end − 14 days, not before the start of care), none after the final one was held.
  Evaluations are held around the due date (about a quarter more than a week late) up to the end
  of care or yesterday, with the resident and the provider, often the gids, sometimes the
  network; submitted by the provider's user and reviewed by the gids (*akkoord*, sometimes
  *bespreken* with a remark, more often when it goes badly). About half of those held in the last
  three weeks still wait for the review, and the demo gids always has a few to review. A closed
  trajectory keeps only what was held (nothing planned), and one that closed before its final
  evaluation was due has none. GAS scores start below 0 and drift to 0/+1 towards the planned
  end, or to −1/−2 for trajectories that close without their result. Not generated: extra
  evaluations, ZRM scores, interval overrides, and events for evaluations and claims.
* **Claims.** Every trajectory closed since 1-1-2019 is claimed 2–35 days after its closure,
  unless that falls after yesterday (not claimed yet); the demo provider's five most recently
  closed ones are left unclaimed for the demo login. The amount and its explanation come from
  ``workflows.claims.claimable_amount`` (pro rata policy), called on a light stand-in with the
  trajectory's values. The gids decides 2–25 days later (about 3.5 % refused, with a reason);
  claims whose decision would fall after yesterday are still *ingediend*.
* **Open requests.** Three scaling requests (another allowed intensity of the same profile) and
  two end-of-care reports on running trajectories of the demo gids, the demo provider's first,
  each with the gids's task; every evaluation awaiting review has its *evaluatie beoordelen*
  task, every proposal the provider's *nieuw voorstel*, every returned proposal the gids's
  *teruggestuurd* and every claim awaiting a decision the gids's *declaratie beoordelen*.
  Finally ``workflows.scheduler_jobs.run_all(session, today)`` adds the scheduler's prompts
  (their ``created_at`` is the moment of the build, as the jobs set it).
* These rows come from a second generator seeded from ``seed``, so the trajectories are the same
  as without them.
* **Statistics.** Population figures for 2016 to today (``POPULATION_2020`` inhabitants in
  2020, growing 0.9 % a year; households at 2.45 persons), three outlier months with their
  reasons (January 2019 for both domains: the switch to result-oriented work and the
  *abonnementstarief*; December 2021 for the Wmo), and at the very end the pseudonymised feed
  rebuilt from the rows above (``workflows.stats.feed.rebuild``; the bulk writes below bypass the
  ORM and so its flush hook).
* Rows get explicit ids and are written in batches with the driver's ``executemany`` (see
  ``_write``); on PostgreSQL the id sequences are advanced afterwards. Nothing is written to the
  code-list tables (the migration fills them).
"""

from __future__ import annotations

import heapq
import math
import random
import secrets
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

import argon2
from faker import Faker
from sqlalchemy.orm import Session

from models import (
    AgreedResult,
    Claim,
    ClaimState,
    Contract,
    ContractRole,
    Domain,
    EndOfCareReport,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Household,
    Intensity,
    NeedType,
    OutlierMonth,
    PopulationFigure,
    ProfileIntensity,
    Provider,
    Request,
    RequestOutcome,
    RequestState,
    Resident,
    ResultScore,
    ReviewOutcome,
    Role,
    ScalingRequest,
    SupportProfile,
    Tariff,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
    Wijk,
)
from workflows import clock
from workflows.bsn import bsn_check_digit
from workflows.bulk import write_rows
from workflows.caseload import PROVIDER_RESPONSE_DAYS
from workflows.claims import claimable_amount
from workflows.dates import add_weeks, age_on, jeugd_decision_end
from workflows.evaluations import (
    BLIJVEND_INTERVAL_MONTHS,
    DEFAULT_INTERVAL_MONTHS,
    FINAL_EVALUATION_DAYS_BEFORE_END,
)
from workflows.scheduler_jobs import run_all
from workflows.stats.feed import rebuild as rebuild_feed
from workflows.transitions import Action
from workflows.users import hash_password

WMO, JEUGD = Domain.WMO, Domain.JEUGD
L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR
S = TrajectoryState
DAY = timedelta(days=1)

DEMO_EMAIL_DOMAIN = "demo.trajectwijzer.nl"
TARGET_IN_CARE: dict[Domain, int] = {WMO: 2300, JEUGD: 985}

LAW_START = date(2015, 1, 1)  # Wmo 2015 and Jeugdwet
HISTORY_START = date(2016, 1, 1)
RESULT_ORIENTED = date(2019, 1, 1)
TARIFF_2021 = date(2021, 1, 1)
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

# --- catalogue --------------------------------------------------------------------------------

Prices = tuple[tuple[Intensity, str, int, str, int], ...]  # (intensity, € 2019, wk, € 2021, wk)


@dataclass(frozen=True)
class ProfileSpec:
    code: str
    name: str
    domain: Domain
    category: str
    prices: Prices
    weight: float  # share of the domain's inflow
    lasting: float  # share with a lasting need (blijvend)
    lasting_days: float  # mean duration of a lasting need
    ages: tuple[tuple[float, float, float, float], ...]  # (share, min, max, mode) in years
    family: str  # key into RESULTS / QUESTIONS
    mix: tuple[float, float, float] = (0.35, 0.45, 0.20)  # Wmo shares laag/middel/zwaar

    @property
    def intensities(self) -> list[Intensity]:
        return [p[0] for p in self.prices]


OLD = ((0.9, 62, 98, 84), (0.1, 30, 65, 55))
PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec("WMO-HH", "Hulp bij het huishouden", WMO, "01",
                ((L, "3120.00", 104, "4680.00", 156), (Z, "5720.00", 104, "6010.00", 104)),
                0.30, 0.6, 1450, OLD, "hh", (0.66, 0.0, 0.34)),
    ProfileSpec("WMO-HHR", "Hulp bij het huishouden met regie", WMO, "01",
                ((L, "3640.00", 104, "5460.00", 156), (Z, "6240.00", 104, "6550.00", 104)),
                0.05, 0.5, 1300, OLD, "hh", (0.55, 0.0, 0.45)),
    ProfileSpec("WMO-BGI", "Begeleiding individueel", WMO, "02",
                ((L, "2180.00", 26, "2290.00", 26), (M, "4350.00", 39, "4570.00", 39),
                 (Z, "7600.00", 52, "7980.00", 52)),
                0.20, 0.15, 1300, ((1.0, 18, 86, 44),), "bg"),
    ProfileSpec("WMO-BGJ", "Begeleiding jongvolwassenen (18–23)", WMO, "02",
                ((L, "2350.00", 39, "2470.00", 39), (M, "4600.00", 52, "4830.00", 52),
                 (Z, "7900.00", 52, "8300.00", 52)),
                0.03, 0.0, 900, ((1.0, 18, 23.5, 18.5),), "bgj"),
    ProfileSpec("WMO-PV", "Persoonlijke verzorging", WMO, "03",
                ((L, "1950.00", 52, "2050.00", 52), (M, "3900.00", 52, "4100.00", 52),
                 (Z, "6800.00", 52, "7140.00", 52)),
                0.06, 0.4, 1000, ((1.0, 40, 98, 82),), "pv"),
    ProfileSpec("WMO-KV", "Kortdurend verblijf (respijtzorg)", WMO, "04",
                ((M, "2900.00", 13, "3050.00", 13), (Z, "5400.00", 26, "5670.00", 26)),
                0.03, 0.1, 700, ((1.0, 60, 98, 85),), "kv", (0.0, 0.6, 0.4)),
    ProfileSpec("WMO-FIN", "Ondersteuning bij financiën en administratie", WMO, "06",
                ((L, "1400.00", 39, "1470.00", 39), (M, "2600.00", 52, "2730.00", 52)),
                0.07, 0.05, 900, ((1.0, 19, 80, 38),), "fin", (0.5, 0.5, 0.0)),
    ProfileSpec("WMO-DB", "Dagbesteding", WMO, "07",
                ((L, "2400.00", 52, "2520.00", 52), (M, "4300.00", 52, "4520.00", 52),
                 (Z, "6900.00", 52, "7250.00", 52)),
                0.12, 0.5, 1100, ((0.4, 18, 45, 24), (0.6, 58, 96, 80)), "db"),
    ProfileSpec("WMO-DBD", "Dagbesteding dementie", WMO, "07",
                ((M, "6200.00", 104, "6510.00", 104), (Z, "9400.00", 104, "9870.00", 104)),
                0.06, 0.95, 850, ((1.0, 60, 98, 83),), "dem", (0.0, 0.55, 0.45)),
    ProfileSpec("WMO-MW", "Maatwerkarrangement Wmo", WMO, "10",
                ((L, "3000.00", 26, "3150.00", 26), (M, "6000.00", 39, "6300.00", 39),
                 (Z, "9500.00", 52, "9980.00", 52)),
                0.04, 0.2, 1000, ((1.0, 18, 85, 45),), "mw"),
    ProfileSpec("JZ-AMB", "Jeugdhulp ambulant", JEUGD, "45",
                ((L, "3400.00", 26, "3570.00", 26), (M, "7050.00", 39, "7400.00", 39),
                 (Z, "11400.00", 52, "11970.00", 52)),
                0.30, 0.0, 0, ((1.0, 1, 17.8, 10),), "amb"),
    ProfileSpec("JZ-AMB-GGZ", "Ambulante jeugd-ggz", JEUGD, "54",
                ((L, "3850.00", 26, "4040.00", 26), (M, "7900.00", 39, "8300.00", 39),
                 (Z, "11300.00", 52, "11870.00", 52)),
                0.14, 0.0, 0, ((1.0, 4, 17.8, 13),), "ggz"),
    ProfileSpec("JZ-BGGZ", "Generalistische basis-ggz jeugd", JEUGD, "51",
                ((L, "1480.00", 13, "1550.00", 13), (M, "2750.00", 26, "2890.00", 26)),
                0.10, 0.0, 0, ((1.0, 6, 17.8, 14),), "ggz"),
    ProfileSpec("JZ-SGGZ", "Specialistische ggz jeugd", JEUGD, "52",
                ((M, "9900.00", 39, "10400.00", 39), (Z, "18400.00", 52, "19320.00", 52)),
                0.07, 0.0, 0, ((1.0, 6, 17.8, 14),), "ggz"),
    ProfileSpec("JZ-DB", "Dagbehandeling jeugd", JEUGD, "41",
                ((M, "20100.00", 52, "21100.00", 52), (Z, "30400.00", 52, "31920.00", 52)),
                0.05, 0.0, 0, ((1.0, 2, 13, 6),), "dbj"),
    ProfileSpec("JZ-VB", "Verblijf inclusief behandeling", JEUGD, "43",
                ((M, "41500.00", 52, "43580.00", 52), (Z, "56800.00", 78, "59640.00", 78)),
                0.025, 0.0, 0, ((1.0, 8, 17.5, 14),), "vb"),
    ProfileSpec("JZ-GH", "Gezinshuis (verblijf exclusief behandeling)", JEUGD, "44",
                ((M, "29500.00", 78, "30980.00", 78), (Z, "38400.00", 104, "40320.00", 104)),
                0.025, 0.0, 0, ((1.0, 3, 17.0, 10),), "vb"),
    ProfileSpec("JZ-CRISIS", "Crisishulp jeugd", JEUGD, "46",
                ((M, "4900.00", 6, "5150.00", 6), (Z, "9400.00", 12, "9870.00", 12)),
                0.03, 0.0, 0, ((1.0, 8, 17.8, 15),), "crisis"),
    ProfileSpec("JZ-PV", "Persoonlijke verzorging jeugd", JEUGD, "40",
                ((L, "2900.00", 52, "3050.00", 52), (M, "5700.00", 52, "5990.00", 52)),
                0.05, 0.25, 900, ((1.0, 0, 17.8, 6),), "pvj"),
    ProfileSpec("JZ-MW", "Maatwerkarrangement jeugd en gezin", JEUGD, "50",
                ((L, "4050.00", 26, "4250.00", 26), (M, "8100.00", 39, "8500.00", 39),
                 (Z, "11900.00", 52, "12500.00", 52)),
                0.17, 0.0, 0, ((1.0, 0, 17.8, 9),), "mwj"),
)  # fmt: skip
PROFILE_BY_CODE = {p.code: p for p in PROFILES}

# A second, parallel trajectory: which profiles go together.
SECOND_PROFILE: dict[str, tuple[str, ...]] = {
    "WMO-HH": ("WMO-PV", "WMO-DB", "WMO-DBD", "WMO-BGI", "WMO-KV"),
    "WMO-HHR": ("WMO-PV", "WMO-BGI", "WMO-DB"),
    "WMO-BGI": ("WMO-FIN", "WMO-DB", "WMO-HH"),
    "WMO-BGJ": ("WMO-FIN",),
    "WMO-PV": ("WMO-HH", "WMO-KV"),
    "WMO-KV": ("WMO-HH", "WMO-PV"),
    "WMO-FIN": ("WMO-BGI",),
    "WMO-DB": ("WMO-HH", "WMO-PV", "WMO-KV"),
    "WMO-DBD": ("WMO-HH", "WMO-PV", "WMO-KV"),
    "WMO-MW": ("WMO-HH", "WMO-FIN"),
    "JZ-AMB": ("JZ-PV", "JZ-MW", "JZ-BGGZ"),
    "JZ-AMB-GGZ": ("JZ-AMB", "JZ-MW"),
    "JZ-BGGZ": ("JZ-AMB",),
    "JZ-SGGZ": ("JZ-MW", "JZ-AMB"),
    "JZ-DB": ("JZ-PV", "JZ-MW"),
    "JZ-VB": ("JZ-SGGZ",),
    "JZ-GH": ("JZ-AMB-GGZ",),
    "JZ-CRISIS": ("JZ-AMB",),
    "JZ-PV": ("JZ-DB", "JZ-AMB"),
    "JZ-MW": ("JZ-AMB", "JZ-AMB-GGZ"),
}


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    slug: str
    agb: str
    main: tuple[tuple[str, float], ...]  # (profile code, weight among the profile's providers)
    sub: tuple[str, ...] = ()  # profiles it holds a subcontractor contract for
    main_until: date | None = None  # its main contracts ended then


PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec("Zorggroep Polderhart", "zorggroep-polderhart", "98102345",
                 (("WMO-HH", 4.5), ("WMO-HHR", 4.0), ("WMO-BGI", 2.0), ("WMO-PV", 5.0),
                  ("WMO-KV", 5.0), ("WMO-DB", 4.0), ("WMO-DBD", 6.0))),
    ProviderSpec("Thuishulp Wilgenweide", "thuishulp-wilgenweide", "98107713",
                 (("WMO-HH", 1.6),), main_until=date(2020, 12, 31)),
    ProviderSpec("Thuiszorg Ketelmeer", "thuiszorg-ketelmeer", "98114022",
                 (("WMO-HH", 2.6), ("WMO-HHR", 2.0), ("WMO-PV", 3.0))),
    ProviderSpec("Zuiderzee Begeleiding", "zuiderzee-begeleiding", "98121569",
                 (("WMO-BGI", 3.0), ("WMO-BGJ", 3.0), ("WMO-FIN", 2.0), ("WMO-MW", 3.0),
                  ("WMO-DB", 1.5))),
    ProviderSpec("Stichting Naast Elkaar Dronten", "naast-elkaar-dronten", "98133406",
                 (("WMO-BGI", 2.0), ("WMO-FIN", 3.0), ("WMO-MW", 1.0), ("JZ-MW", 2.0))),
    ProviderSpec("Jeugdhulp Kompasroos", "jeugdhulp-kompasroos", "98140017",
                 (("JZ-AMB", 5.0), ("JZ-MW", 4.0), ("JZ-CRISIS", 3.0), ("JZ-PV", 3.0))),
    ProviderSpec("Kinder- en Jeugdpsychologie Noorderlicht", "noorderlicht-jeugd", "94063120",
                 (("JZ-AMB-GGZ", 5.0), ("JZ-BGGZ", 4.0), ("JZ-SGGZ", 5.0))),
    ProviderSpec("Kinderhuis De Waterlinie", "kinderhuis-waterlinie", "98156281",
                 (("JZ-VB", 5.0), ("JZ-GH", 5.0), ("JZ-CRISIS", 2.0))),
    ProviderSpec("Dagbehandeling De Zandplaat", "dagbehandeling-zandplaat", "98162450",
                 (("JZ-DB", 5.0), ("WMO-DB", 1.0), ("JZ-PV", 1.0))),
    ProviderSpec("Gezinshuis Swifterweide", "gezinshuis-swifterweide", "98170934",
                 (), sub=("JZ-GH",)),
    ProviderSpec("Praktijk Lindeboom Jeugd & Gezin", "praktijk-lindeboom", "94071288",
                 (("JZ-AMB", 2.0), ("JZ-BGGZ", 2.0), ("JZ-MW", 1.5)), sub=("JZ-AMB-GGZ",)),
    ProviderSpec("Zorgcoöperatie Flevoweide", "zorgcooperatie-flevoweide", "98189375",
                 (("WMO-HH", 1.3), ("WMO-BGI", 1.0), ("WMO-PV", 1.0)), sub=("WMO-DB",)),
)  # fmt: skip
ENDED_PROVIDER = 1  # Thuishulp Wilgenweide: household help until 31-12-2020
# (profile, main provider index, subcontractor index, share of that main's trajectories)
SUBCONTRACTS: tuple[tuple[str, int, int, float], ...] = (
    ("JZ-GH", 7, 9, 0.35),
    ("JZ-AMB-GGZ", 6, 10, 0.10),
    ("WMO-DB", 0, 11, 0.06),
)

WIJKEN: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("Dronten", 0.68, (8251, 8252, 8253)),
    ("Biddinghuizen", 0.17, (8256,)),
    ("Swifterbant", 0.15, (8255,)),
)

DEMO_USERS: dict[Role, str] = {
    Role.GIDS: "Sanne Visser",
    Role.AANBIEDER: "Mark de Boer",
    Role.MANAGER: "Ingrid Bosman",
    Role.BEHEERDER: "Ruud Kramer",
}
TEAM_SIZE = 10
DEMO_GIDS_SHARE = 0.15

# --- texts ------------------------------------------------------------------------------------

Gas = tuple[str, str, str, str, str]
RESULTS: dict[str, tuple[tuple[str, str, Gas | None], ...]] = {
    "hh": (
        ("Schoon en leefbaar huis",
         "Woonkamer, keuken, sanitair en slaapkamer zijn wekelijks schoon; bekeken bij evaluatie.",
         ("Huis is vervuild; risico voor de gezondheid",
          "Huis is deels schoon; sanitair en keuken blijven achter",
          "Huis is schoon en leefbaar",
          "Inwoner doet zelf weer lichte taken",
          "Inwoner houdt het huis grotendeels zelf bij met hulp van het netwerk")),
        ("Beschikken over schone en passende kleding en beddengoed",
         "De was wordt wekelijks gedaan, gestreken en opgeborgen.", None),
        ("Boodschappen en maaltijden zijn geregeld",
         "Er is elke week voldoende eten in huis; het netwerk of een bezorgdienst helpt.", None),
        ("Het huishouden is georganiseerd",
         "Er is een weekplanning voor het huishouden die de inwoner zelf kan volgen.", None),
    ),
    "bg": (
        ("Zelfstandig de administratie bijhouden",
         "Post wordt wekelijks geopend en rekeningen worden op tijd betaald.",
         ("Nieuwe schulden en aanmaningen",
          "Post blijft liggen; enkele aanmaningen",
          "Rekeningen op tijd betaald met wekelijkse ondersteuning",
          "Inwoner betaalt zelf; maandelijkse controle",
          "Inwoner doet de administratie volledig zelfstandig")),
        ("Een vaste dagstructuur hebben",
         "Inwoner staat op vaste tijden op en werkt met een weekplanning.", None),
        ("Sociaal netwerk uitgebreid",
         "Ten minste twee contacten per week buiten de hulpverlening.", None),
        ("Zelfstandig blijven wonen zonder terugval",
         "Geen crisismeldingen of opnames in de looptijd van het traject.", None),
    ),
    "bgj": (
        ("Een passende dagbesteding, opleiding of werk",
         "Jongere gaat minstens vier dagdelen per week naar school, werk of dagbesteding.", None),
        ("Zelfstandig wonen voorbereid",
         "Jongere kan koken, wassen en boodschappen doen en heeft een woning in zicht.", None),
        ("Zelfstandig de administratie bijhouden",
         "Zorgtoeslag en zorgverzekering zijn geregeld; rekeningen worden op tijd betaald.", None),
    ),
    "pv": (
        ("Dagelijks gewassen en aangekleed",
         "De inwoner is elke ochtend voor tien uur gewassen en aangekleed.", None),
        ("Medicatie wordt op tijd ingenomen",
         "Geen gemiste medicatiemomenten volgens de toedienlijst.", None),
        ("Mantelzorger is ontlast bij de verzorging",
         "Mantelzorger geeft bij evaluatie aan de zorg vol te kunnen houden.", None),
    ),
    "kv": (
        ("Mantelzorger is ontlast",
         "Mantelzorger heeft elke maand een weekend voor zichzelf.",
         ("Mantelzorger is overbelast en dreigt uit te vallen",
          "Mantelzorger houdt het met moeite vol",
          "Mantelzorger houdt de zorg vol met een vrij weekend per maand",
          "Mantelzorger heeft ook doordeweeks tijd voor zichzelf",
          "Mantelzorger ervaart geen overbelasting meer")),
        ("Inwoner kan thuis blijven wonen",
         "Geen opname in de looptijd van het traject.", None),
    ),
    "fin": (
        ("Schulden zijn in beeld en er is een regeling",
         "Alle schuldeisers zijn bekend; er loopt een betalingsregeling.", None),
        ("Zelfstandig de administratie bijhouden",
         "Post wordt wekelijks geopend en geordend; vaste lasten gaan automatisch.", None),
        ("Inkomen is op orde",
         "Alle toeslagen en voorzieningen waar de inwoner recht op heeft zijn aangevraagd.", None),
    ),
    "db": (
        ("Zinvolle daginvulling",
         "Inwoner bezoekt drie dagdelen per week de dagbesteding.", None),
        ("Mantelzorger is overdag ontlast",
         "Mantelzorger heeft twee dagen per week tijd voor werk of zichzelf.", None),
        ("Minder eenzaam",
         "Inwoner geeft aan zich minder eenzaam te voelen (score bij evaluatie).", None),
    ),
    "dem": (
        ("Zo lang mogelijk veilig thuis blijven wonen",
         "Achteruitgang wordt vertraagd; de thuissituatie is veilig volgens de casemanager.",
         ("Thuissituatie is onveilig; opname nodig",
          "Thuissituatie is wankel; er zijn incidenten",
          "Inwoner woont veilig thuis met dagbesteding",
          "Inwoner woont veilig thuis en het netwerk helpt mee",
          "Stabiel; mantelzorger ervaart weinig belasting")),
        ("Mantelzorger kan de zorg volhouden",
         "Mantelzorger scoort bij evaluatie niet hoger dan matig belast.", None),
    ),
    "mw": (
        ("Veilige en stabiele thuissituatie",
         "Geen meldingen van overlast of onveilige situaties.", None),
        ("Zelfstandig de administratie bijhouden",
         "Rekeningen worden op tijd betaald met hulp van het netwerk.", None),
        ("Een vaste dagstructuur hebben",
         "Inwoner heeft een weekplanning en houdt zich er grotendeels aan.", None),
    ),
    "amb": (
        ("Naar school gaan zonder spijbelen",
         "Aanwezigheid op school minstens 95 % volgens de leerplichtambtenaar.",
         ("Kind gaat niet naar school",
          "Kind verzuimt meer dan een dag per week",
          "Kind is minstens 95 % aanwezig op school",
          "Kind is volledig aanwezig en haalt voldoendes",
          "Kind gaat met plezier naar school en heeft vrienden in de klas")),
        ("Ouders hanteren een vaste opvoedstructuur",
         "Ouders passen afspraken over bedtijd en schermtijd consequent toe.", None),
        ("Minder conflicten thuis",
         "Het aantal escalaties per week daalt naar hooguit één.",
         ("Dagelijks escalaties; politie betrokken",
          "Meerdere escalaties per week",
          "Hooguit één escalatie per week",
          "Conflicten worden zonder escalatie uitgepraat",
          "Geen escalaties meer; gezin lost conflicten zelf op")),
        ("Kind heeft een vrijetijdsbesteding",
         "Kind gaat wekelijks naar een club of vereniging.", None),
    ),
    "ggz": (
        ("Angstklachten verminderd",
         "Klachtenscore is bij evaluatie ten minste een derde lager dan bij de start.", None),
        ("Kind kan weer slapen",
         "Kind slaapt minstens vijf nachten per week door.", None),
        ("Kind functioneert weer op school",
         "Kind volgt het volledige lesrooster zonder uitval.", None),
        ("Weerbaarheid vergroot",
         "Kind kan in eigen woorden zeggen wat het helpt als het moeilijk wordt.", None),
    ),
    "dbj": (
        ("Kind kan deelnemen aan een passende onderwijsplek",
         "Kind stroomt door naar (speciaal) onderwijs of een kinderdagverblijf.", None),
        ("Ontwikkeling op gang",
         "Ontwikkelingsdoelen uit het behandelplan zijn bij evaluatie behaald.", None),
        ("Ouders kunnen de zorg thuis aan",
         "Ouders geven bij evaluatie aan de avonden en weekenden aan te kunnen.", None),
    ),
    "vb": (
        ("Veilige en stabiele woonplek",
         "Jeugdige woont op een vaste plek zonder overplaatsingen.", None),
        ("Terugkeer naar huis voorbereid",
         "Er is een perspectiefplan en het kind gaat elk weekend naar huis.",
         ("Geen contact met ouders",
          "Begeleid contact, onregelmatig",
          "Kind gaat elk weekend naar huis",
          "Kind woont weer halve weken thuis",
          "Kind woont weer thuis met ambulante hulp")),
        ("Naar school gaan zonder spijbelen",
         "Aanwezigheid op school minstens 95 %.", None),
    ),
    "crisis": (
        ("Veiligheid hersteld binnen vier weken",
         "Er is een veiligheidsplan en er zijn geen nieuwe incidenten.", None),
        ("Vervolghulp is geregeld",
         "Aan het eind van de crisishulp is duidelijk welke hulp nodig is.", None),
    ),
    "pvj": (
        ("Zelfstandig aan- en uitkleden",
         "Kind kleedt zich 's ochtends zelf aan met hooguit een aanwijzing.", None),
        ("Ouders zijn ontlast bij de verzorging",
         "Ouders geven bij evaluatie aan de verzorging vol te houden.", None),
    ),
    "mwj": (
        ("Ouders kunnen de zorg voor het kind weer dragen",
         "Ouders geven bij evaluatie aan het zonder hulp aan te kunnen.", None),
        ("Gezin heeft een stabiel dagritme",
         "Vaste tijden voor opstaan, eten en naar bed; kinderen op tijd op school.", None),
        ("Netwerk is betrokken",
         "Ten minste twee mensen uit het netwerk helpen wekelijks mee.", None),
        ("Minder conflicten thuis",
         "Het aantal escalaties per week daalt naar hooguit één.", None),
    ),
}  # fmt: skip

QUESTIONS: dict[str, tuple[str, ...]] = {
    "hh": ("Inwoner kan het huishouden niet meer zelf bijhouden na een heupoperatie.",
           "Mevrouw redt het schoonmaken niet meer sinds haar man is overleden.",
           "Meneer heeft COPD en kan geen zwaar huishoudelijk werk meer doen.",
           "Het huis raakt vervuild; de dochter kan niet meer bijspringen."),
    "bg": ("Inwoner raakt het overzicht kwijt over post, afspraken en geld.",
           "Na een opname heeft inwoner hulp nodig om zelfstandig te blijven wonen.",
           "Inwoner is eenzaam en komt de deur nauwelijks uit."),
    "bgj": ("Jongere wordt 18 en heeft nog begeleiding nodig bij school en wonen.",
            "Jongvolwassene zonder dagbesteding; ouders maken zich zorgen."),
    "pv": ("Inwoner kan zich niet meer zelf wassen en aankleden.",
           "Mantelzorger kan de verzorging 's ochtends niet meer aan."),
    "kv": ("Mantelzorger is overbelast en heeft af en toe een weekend vrij nodig.",
           "Echtgenote zorgt dag en nacht voor haar man; ze dreigt uit te vallen."),
    "fin": ("Inwoner heeft schulden en opent de post niet meer.",
            "Na een scheiding is de administratie een puinhoop."),
    "db": ("Inwoner zit thuis zonder daginvulling en vereenzaamt.",
           "Mantelzorger werkt en zoekt dagbesteding voor haar moeder."),
    "dem": ("Meneer heeft de diagnose dementie; zijn vrouw heeft overdag ontlasting nodig.",
            "Mevrouw is vergeetachtig en raakt thuis gedesoriënteerd."),
    "mw": ("Meerdere problemen tegelijk: woning, geld en gezondheid.",
           "Inwoner dreigt uit huis gezet te worden door overlast."),
    "amb": ("Ouders lopen vast in de opvoeding; veel ruzie thuis.",
            "Kind spijbelt en heeft woede-uitbarstingen.",
            "School meldt zorgen over het gedrag van het kind."),
    "ggz": ("Kind heeft angstklachten en durft niet meer naar school.",
            "Huisarts verwijst door vanwege somberheid en slaapproblemen.",
            "Vermoeden van ADHD; school en ouders vragen om onderzoek en behandeling."),
    "dbj": ("Jong kind met een ontwikkelingsachterstand; peuterspeelzaal is niet passend.",
            "Kind kan niet meer naar school; intensieve behandeling overdag nodig."),
    "vb": ("Thuis wonen is niet meer veilig; kind kan tijdelijk niet thuis wonen.",
           "Ouders kunnen de zorg niet meer dragen; er is een woonplek nodig."),
    "crisis": ("Acute onveilige situatie thuis; crisisdienst ingeschakeld.",
               "Jongere is in crisis na een suïcidepoging."),
    "pvj": ("Kind met een lichamelijke beperking heeft hulp nodig bij de verzorging.",),
    "mwj": ("Gezin met meerdere problemen; ouders vragen hulp bij de opvoeding.",
            "Na een scheiding loopt het thuis vast; kinderen hebben hulp nodig."),
}  # fmt: skip

RETURN_REASONS = (
    "Geen capaciteit; de wachttijd is op dit moment ongeveer tien weken.",
    "Het profiel past niet bij de hulpvraag; wij adviseren een hogere intensiteit.",
    "Inwoner woont buiten ons werkgebied; wij kunnen niet tijdig starten.",
    "De gevraagde inzet past niet binnen de trajectprijs; graag overleg.",
)
CANCEL_REASONS = (
    "Inwoner ziet af van ondersteuning.",
    "Inwoner is verhuisd naar een andere gemeente.",
    "Het netwerk pakt de ondersteuning zelf op.",
    "Inwoner is opgenomen met een Wlz-indicatie.",
    "Andere oplossing gevonden via het voorliggend veld.",
)
REFUSAL_REASONS: dict[Domain, tuple[str, ...]] = {
    WMO: ("Voorliggende voorziening toereikend: de algemene voorziening huishoudelijke hulp.",
          "Eigen kracht en netwerk zijn toereikend.",
          "Zorg valt onder de Zorgverzekeringswet (wijkverpleging).",
          "Inwoner heeft een Wlz-indicatie.",
          "Inwoner woont niet in de gemeente Dronten."),
    JEUGD: ("Voorliggende voorziening toereikend: de praktijkondersteuner jeugd van de huisarts.",
            "Hulp via school (passend onderwijs) is toereikend.",
            "Zorg valt onder de Zorgverzekeringswet.",
            "Het gezin woont niet in de gemeente Dronten."),
}  # fmt: skip
NO_FOLLOW_UP_REASONS = (
    "Inwoner heeft de aanvraag ingetrokken.",
    "Inwoner was na drie pogingen niet bereikbaar.",
    None,
)
PRICE_REASONS = (
    "Meerkosten vervoer vanuit Biddinghuizen, afgesproken met de aanbieder.",
    "Combinatie met een lopend traject; lagere prijs afgesproken.",
    "Inzet van een tolk nodig; meerprijs afgesproken.",
    "Complexe situatie; extra inzet gedragswetenschapper afgesproken.",
    "Kortere inzet nodig dan het standaardtraject; prijs naar rato.",
)
# Given names of people born before 1955 (Faker's names are of a younger generation).
# fmt: off
OLD_GIVEN_F = ("Johanna", "Maria", "Cornelia", "Hendrika", "Wilhelmina", "Geertruida", "Aaltje",
               "Grietje", "Anna", "Elisabeth", "Catharina", "Jacoba", "Gerritje", "Neeltje")
OLD_GIVEN_M = ("Johannes", "Hendrik", "Cornelis", "Jan", "Pieter", "Willem", "Gerrit", "Jacobus",
               "Dirk", "Klaas", "Teunis", "Albert", "Hendrikus", "Arie")
# Born 1955–1994, and the staff.
MID_GIVEN_F = ("Marieke", "Anouk", "Sanne", "Linda", "Esther", "Karin", "Ingrid", "Petra", "Mirjam",
               "Annemarie", "Femke", "Lotte", "Ilse", "Nicole", "Monique", "Wendy", "Saskia",
               "Evelien", "Judith", "Renate", "Hanneke", "Kim", "Laura", "Iris", "Marloes",
               "Anja", "Yvonne", "Sandra", "Miranda", "Jolanda", "Fatima", "Naima")
MID_GIVEN_M = ("Mark", "Jeroen", "Martijn", "Bas", "Erik", "Thomas", "Joost", "Niels", "Dennis",
               "Rob", "Maarten", "Sander", "Wouter", "Ruben", "Tim", "Koen", "Jasper", "Arjan",
               "Frank", "Marcel", "Richard", "Patrick", "Michiel", "Edwin", "Mohamed", "Ahmed",
               "Hans", "Peter", "René", "Ronald")
# fmt: on


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
    closure: tuple[str, str, bool] | None = None
    created: date | None = None
    accepted: date | None = None
    returned: tuple[date, int, str] | None = None  # (day, by provider, reason) before a resend
    first_proposal: date | None = None
    cancelled: tuple[date, str] | None = None
    open_return: tuple[date, str] | None = None  # returned and not yet sent again
    price_override: tuple[Decimal, str] | None = None
    id: int = 0


@dataclass(slots=True)
class Simulation:
    episodes: list[Episode]
    persons: list[Person]
    homes: list[Home]


# --- small helpers ----------------------------------------------------------------------------


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _days_in_month(y: int, m: int) -> int:
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return (nxt - date(y, m, 1)).days


def _year_value(table: dict[int, float], year: int, before: float) -> float:
    if year < HISTORY_START.year:
        return before
    return table.get(year, table[max(table)])


def _pick(rng: random.Random, weights: Sequence[float]) -> int:
    """An index drawn with the given relative weights."""
    r = rng.random() * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if r < acc:
            return i
    return len(weights) - 1


def _ri(rng: random.Random, lo: int, hi: int) -> int:
    """Like ``rng.randint`` (both ends included), without its overhead."""
    return lo + int(rng.random() * (hi - lo + 1))


def _between(rng: random.Random, lo: date, hi: date) -> date:
    """A day in [lo, hi] (lo when the range is empty)."""
    span = (hi - lo).days
    return lo if span <= 0 else lo + timedelta(days=_ri(rng, 0, span))


def _age_years(rng: random.Random, ages: tuple[tuple[float, float, float, float], ...]) -> float:
    share, lo, hi, mode = ages[_pick(rng, [a[0] for a in ages])] if len(ages) > 1 else ages[0]
    return rng.triangular(lo, hi, mode)


def _birth_for(age: float, on: date, rng: random.Random) -> date:
    return on - timedelta(days=int(age * 365.25) + _ri(rng, 0, 30))


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
    return 1.0 / (_weeks(profile, intensity, planned) * 7 * DURATION_RATIO[profile.domain])


def _weeks(profile: ProfileSpec, intensity: Intensity, planned_start: date) -> int:
    for i, _p19, w19, _p21, w21 in profile.prices:
        if i == intensity:
            return w21 if planned_start >= TARIFF_2021 else w19
    raise ValueError(f"{intensity} not allowed for {profile.code}")


def _end_of_care(
    rng: random.Random,
    profile: ProfileSpec,
    intensity: Intensity,
    need: NeedType,
    planned_start: date,
    care_start: date,
    last_day: date,
) -> date | None:
    """The end of a parallel trajectory: a draw from the same hazard shape, or None."""
    ep = Episode(profile.domain, profile, intensity, need, planned_start, planned_start,
                 planned_start, care_start)  # fmt: skip
    ep.rate = _base_rate(profile, intensity, need, planned_start)
    ep.early_until = care_start + timedelta(days=EARLY_DAYS)
    ep.planned_end = add_weeks(planned_start, _weeks(profile, intensity, planned_start))
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


def _intensity_mix(profile: ProfileSpec, year: int) -> list[float]:
    if profile.domain == WMO:
        base = profile.mix
    else:
        zwaar = 0.30 if year <= 2018 else max(0.10, 0.30 - 0.028 * (year - 2018))
        base = (0.30, 0.70 - zwaar, zwaar)
    shares = dict(zip((L, M, Z), base, strict=True))
    return [shares[i] for i in profile.intensities]


def _waits(rng: random.Random, domain: Domain, care_start: date) -> tuple[date, date, date]:
    """(request, decision, planned start) for care starting on ``care_start``."""
    mean = 21.0  # Wmo: about three weeks
    if domain == JEUGD:  # growing waiting lists: about 45 days in 2016, 60 days from 2023
        mean = min(60.0, max(42.0, 44.0 + 2.3 * (care_start.year - 2016)))
    wait = max(1, round(rng.gammavariate(2.0, mean / 2.0)))
    decision = care_start - timedelta(days=wait)
    planned = decision + timedelta(days=round(wait * rng.uniform(0.55, 1.0)))
    request = decision - timedelta(days=_ri(rng, 7, 42))
    return request, decision, planned


def _after_birth(birth: date, request: date, decision: date) -> tuple[date, date]:
    """A request (and so its decision) is not made before the resident was born
    (``workflows.eligibility``): a baby's care asked for early is dated from its birth."""
    request = max(request, birth)
    return request, max(decision, request)


def _postcode(rng: random.Random, numbers: tuple[int, ...]) -> str:
    while True:
        letters = chr(65 + _ri(rng, 0, 25)) + chr(65 + _ri(rng, 0, 25))
        if letters not in ("SA", "SD", "SS"):
            return f"{rng.choice(numbers)}{letters}"


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _stamp(rng: random.Random, day: date, after: datetime | None) -> datetime:
    """A moment during office hours on ``day`` (UTC), later than ``after``."""
    at = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC) + timedelta(
        minutes=int(rng.random() * 540)
    )
    if after is not None and at <= after:
        at = after + timedelta(minutes=_ri(rng, 2, 40))
    return at


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the simulation of episodes -----------------------------------------------------------------


class _World:
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
        wijk = _pick(rng, [w[1] for w in WIJKEN])
        gids = 1 if rng.random() < DEMO_GIDS_SHARE else _ri(rng, 2, TEAM_SIZE + 1)
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
        age = _age_years(rng, profile.ages)
        birth = _birth_for(age, c, rng)
        if ep.domain == JEUGD and jeugd_decision_end(birth) < c + timedelta(days=45):
            birth = _birth_for(17.0, c, rng)
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


def _expected_inflow(
    domain: Domain, volume: float, start: date, end: date
) -> dict[int, tuple[float, float]]:
    """Expected episodes starting per year from ``start`` to ``end``: (regular, the 2019
    household-help spike)."""
    out: dict[int, tuple[float, float]] = {}
    for y, m in _months(start, end):
        first = max(date(y, m, 1), start)
        last = min(date(y, m, _days_in_month(y, m)), end)
        base = BASE_MONTHLY_INFLOW[domain] * volume * ((last - first).days + 1) / 30.4375
        regular, spike = out.get(y, (0.0, 0.0))
        regular += base * _year_value(INFLOW[domain], y, 1.0)
        if domain == WMO:
            spike += base * WMO_HH_SPIKE.get(y, 0.0)
        out[y] = (regular, spike)
    return out


def _volumes(rng: random.Random, today: date, targets: dict[Domain, int]) -> dict[Domain, float]:
    """Inflow volumes that leave ``targets`` clients in care on ``today``.

    From 2016 the stock follows from the outflow ratios: stock(today) = stock(1-1-2016) +
    Σ inflow × (1 − ratio). The stock on 1-1-2016 comes from a pilot run of the years before
    (at a fraction of the volume, with its own random generator)."""
    pilot_volume = min(0.3, max(0.08, 3 * targets[JEUGD] / TARGET_IN_CARE[JEUGD]))
    _sim, _world, stock_2016 = _simulate(
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
                ((y, m), (min(date(y, m, _days_in_month(y, m)), last_day) - date(y, m, 1)).days + 1)
                for _y, m in _months(date(y, 1, 1), min(date(y, 12, 31), last_day))
            ]
            weights = [w for _k, w in slots]
            for _ in range(max(0, out[y])):
                key = slots[_pick(rng, weights)][0]
                months[key] = months.get(key, 0) + 1
        plan[domain] = months
    return plan


def _simulate(
    rng: random.Random,
    today: date,
    volume: dict[Domain, float],
    targets: dict[Domain, int] | None,
    pilot: bool = False,
) -> tuple[Simulation, _World, dict[Domain, int]]:
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
    world = _World(rng, last_day)
    episodes: list[Episode] = []
    active: dict[Domain, list[Episode]] = {WMO: [], JEUGD: []}
    carry_out = {WMO: 0.0, JEUGD: 0.0}
    deficit = {WMO: 0, JEUGD: 0}
    plan: dict[Domain, dict[tuple[int, int], int]] = {}
    stock_2016 = {WMO: 0, JEUGD: 0}
    index = 0
    for y, m in _months(burn_start, horizon):
        month_first = date(y, m, 1)
        month_last = date(y, m, _days_in_month(y, m))
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
                    ep.end = _between(rng, max(ep.care_start, month_first), until)
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
                ep.decision = LAW_START - timedelta(days=_ri(rng, 10, 45))
                ep.request = ep.decision - timedelta(days=_ri(rng, 7, 42))
            elif ep.planned_start < LAW_START:
                ep.planned_start = LAW_START  # contracts under the new laws start then
        kept.append(ep)
    return Simulation(kept, world.persons, world.homes), world, stock_2016


def _new_episode(
    rng: random.Random,
    world: _World,
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
        profile = by_domain[domain][_pick(rng, weights[domain])]
        intensity = profile.intensities[_pick(rng, _intensity_mix(profile, care_start.year))]
    need = NeedType.BLIJVEND if rng.random() < profile.lasting else NeedType.EINDIG
    request, decision, planned = _waits(rng, domain, care_start)
    if request > last_day:
        return None
    ep = Episode(domain, profile, intensity, need, request, decision, planned, care_start)
    historic = care_start < HISTORY_START
    if not historic:
        world.refresh(request - timedelta(days=30))
    person = world.person_for(ep, allow_reuse=not historic)
    ep.person = person
    ep.request, ep.decision = _after_birth(person.birth, ep.request, ep.decision)
    planned = ep.planned_start = max(planned, ep.decision)
    ep.rate = _base_rate(profile, intensity, need, planned)
    ep.early_until = care_start + timedelta(days=EARLY_DAYS)
    ep.planned_end = add_weeks(planned, _weeks(profile, intensity, planned))
    if domain == JEUGD:
        ep.limit = jeugd_decision_end(person.birth)
    return ep


def _leave(rng: random.Random, world: _World, ep: Episode) -> None:
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


# --- from episodes to trajectories ----------------------------------------------------------------


class _Builder:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.last_day = today - DAY
        self.trajs: list[Traj] = []
        self.unmet: list[tuple[Person, Domain, date, RequestOutcome, str | None, date | None]] = []
        # providers able to deliver each profile as main contractor: (index, weight, until)
        self.mains: dict[str, list[tuple[int, float, date | None]]] = {p.code: [] for p in PROFILES}
        for index, spec in enumerate(PROVIDERS):
            for code, weight in spec.main:
                self.mains[code].append((index, weight, spec.main_until))

    # -- providers --

    def provider_for(self, profile: ProfileSpec, planned: date, care: date | None) -> int:
        last = max(planned, care or planned)
        options = [
            (i, w) for i, w, until in self.mains[profile.code] if until is None or until >= last
        ]
        return options[_pick(self.rng, [w for _i, w in options])][0]

    def subcontractor_for(self, profile: ProfileSpec, provider: int) -> int | None:
        for code, main, sub, share in SUBCONTRACTS:
            if code == profile.code and main == provider and self.rng.random() < share:
                return sub
        return None

    def other_provider(self, profile: ProfileSpec, provider: int, day: date) -> int | None:
        options = [
            i
            for i, _w, until in self.mains[profile.code]
            if i != provider and (until is None or until >= day)
        ]
        return self.rng.choice(options) if options else None

    # -- closure --

    def closure(self, ep: Episode, end: date, planned_end: date) -> tuple[str, str, bool]:
        rng = self.rng
        wmo = ep.domain == WMO
        on_time = end <= planned_end
        if ep.dies:  # R10 (workflows.closure_rules): death ends care prematurely
            return "d", "02", False
        if ep.capped:
            if rng.random() < 0.45:
                return "c", "39", False
            return "a", "31", rng.random() < 0.65
        assert ep.person is not None
        old = wmo and age_on(ep.person.birth, end) >= 75
        weights = (0.60, 0.14, 0.04, 0.05, 0.04, 0.16 if old else 0.06)
        kind = _pick(rng, weights)
        if kind == 0:  # according to plan
            achieved = rng.random() < (0.9 if on_time else 0.78)
            category = "a" if rng.random() < 0.72 else "b"
            return category, "19" if wmo else "31", achieved
        if kind == 1:  # premature
            codes = ("21", "22", "23") if wmo else ("32", "33", "34")
            return "d", codes[_pick(rng, (0.5, 0.2, 0.3))], False
        if kind == 2:  # the municipality hands over to the voorveld; no result (closure_rules)
            return "b", "36", False
        if kind == 3:
            return "c", "31" if wmo else "35", False
        if kind == 4:
            return "c", "38", False
        return "c", "39", False

    def new_intensity(self, ep: Episode, current: Intensity, day: date) -> Intensity:
        allowed = [i for i in ep.profile.intensities if i != current]
        order = [L, M, Z]
        down_weight = 3.0 if ep.domain == JEUGD and day >= RESULT_ORIENTED else 1.0
        up_weight = 2.0 if ep.domain == WMO else 1.0
        weights = [
            down_weight if order.index(i) < order.index(current) else up_weight for i in allowed
        ]
        return allowed[_pick(self.rng, weights)]

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
            ep.profile.category == "01"
            and ep.intensity == L
            and ep.care_start < date(2020, 10, 15)
            and effective_end > date(2020, 11, 15)
            and rng.random() < 0.15
        )
        if hh_ruling:
            x = _between(rng, date(2020, 10, 15), min(date(2021, 3, 31), effective_end - 30 * DAY))
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
                request = max(start - timedelta(days=_ri(rng, 14, 35)), pieces[k - 1][0])
                decision = _between(rng, max(request, start - timedelta(days=10)), start - DAY)
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
                    traj.closure = ("c", "37", False)
                elif kind == "overstap":
                    traj.closure = ("c", "38", False)
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
            i == provider and (until is None or until >= day)
            for i, _w, until in self.mains[profile.code]
        )

    def change_question(self, ep: Episode, previous: Traj | None, intensity: Intensity) -> str:
        if previous is not None and previous.intensity == intensity:
            provider = PROVIDERS[previous.provider].name
            return f"Overgang naar een nieuwe aanbieder: het contract van {provider} is beëindigd."
        assert previous is not None
        order = [L, M, Z]
        if order.index(intensity) > order.index(previous.intensity):
            return f"Wijzigingsverzoek: opschalen naar {intensity.value.capitalize()}."
        return f"Wijzigingsverzoek: afschalen naar {intensity.value.capitalize()}; het gaat beter."

    def planned_end(self, traj: Traj) -> date:
        end = add_weeks(
            traj.planned_start, _weeks(traj.profile, traj.intensity, traj.planned_start)
        )
        if traj.domain == JEUGD:
            limit = jeugd_decision_end(traj.person.birth)
            if end > limit >= traj.planned_start:
                end = limit
        return end

    def add_return(self, traj: Traj) -> None:
        """The first provider returned the proposal; the gids sent it to another one."""
        rng = self.rng
        assert traj.decision_date is not None
        gap = (traj.decision_date - traj.request_date).days
        other = self.other_provider(traj.profile, traj.provider, traj.planned_start)
        if gap < 8 or other is None:
            return
        first = traj.request_date + timedelta(days=_ri(rng, 2, gap - 5))
        back = first + timedelta(days=_ri(rng, 1, min(5, (traj.decision_date - first).days - 1)))
        traj.first_proposal = first
        traj.returned = (back, other, rng.choice(RETURN_REASONS))

    def second(self, ep: Episode) -> None:
        """A parallel trajectory in another profile of the same domain."""
        rng = self.rng
        assert ep.person is not None
        effective_end = ep.end or self.last_day
        start = ep.care_start + timedelta(days=_ri(rng, 21, 365))
        if start > min(effective_end - 14 * DAY, self.last_day):
            return
        profile = PROFILE_BY_CODE[rng.choice(SECOND_PROFILE[ep.profile.code])]
        if ep.domain == WMO and age_on(ep.person.birth, start) < profile.ages[0][1]:
            return
        intensity = profile.intensities[_pick(rng, _intensity_mix(profile, start.year))]
        need = NeedType.BLIJVEND if rng.random() < profile.lasting else NeedType.EINDIG
        request, decision, planned = _waits(rng, ep.domain, start)
        request, decision = _after_birth(ep.person.birth, request, decision)
        planned = max(planned, decision)
        end = _end_of_care(rng, profile, intensity, need, planned, start, self.last_day)
        if ep.end is not None and (end is None or end > ep.end):
            end = ep.end
        if ep.domain == JEUGD:
            limit = jeugd_decision_end(ep.person.birth)
            if end is not None and end > limit:
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
                    (ep.person, ep.domain, ep.request, RequestOutcome.IN_BEHANDELING, None, None)
                )
                return
            traj.created = _between(rng, ep.request, last_day)
            self.add(traj)
            return
        traj.decision_date = ep.decision
        accept_delay = _ri(rng, 0, 6)
        if rng.random() < 0.06 and (last_day - ep.decision).days >= 1:
            traj.state = S.TERUGGESTUURD
            back = _between(rng, ep.decision + DAY, min(last_day, ep.decision + 5 * DAY))
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
        request = ep.request - timedelta(days=_ri(rng, 60, 300))
        if request < HISTORY_START or request < ep.person.birth:
            return
        decision = request + timedelta(days=_ri(rng, 7, 35))
        planned = decision + timedelta(days=_ri(rng, 10, 45))
        if ep.domain == JEUGD and planned > jeugd_decision_end(ep.person.birth):
            return
        cancel_day = decision + timedelta(days=_ri(rng, 3, 40))
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
            traj.accepted = _between(rng, decision, cancel_day - DAY)
        self.add(traj)

    def unmet_request(self, ep: Episode, world: _World) -> None:
        """A refused request or one without follow-up (R13)."""
        rng = self.rng
        assert ep.person is not None
        person: Person | None = ep.person
        request = ep.request - timedelta(days=_ri(rng, 90, 700))
        if (
            rng.random() < 0.55
            or request < HISTORY_START
            or request < ep.person.birth + timedelta(days=365)
        ):
            person = None
            request = _between(
                rng,
                max(HISTORY_START, ep.request - timedelta(days=400)),
                min(ep.request + timedelta(days=400), self.last_day),
            )
        if person is None:
            age = _age_years(rng, ep.profile.ages)
            birth = _birth_for(min(age, 17.0) if ep.domain == JEUGD else age, request, rng)
            person = Person(birth=birth, female=rng.random() < 0.55, home=world.new_home())
            world.persons.append(person)
        decided = request + timedelta(days=_ri(rng, 7, 42))
        if decided > self.last_day:
            self.unmet.append(
                (person, ep.domain, request, RequestOutcome.IN_BEHANDELING, None, None)
            )
        elif rng.random() < 0.65:
            reason = rng.choice(REFUSAL_REASONS[ep.domain])
            self.unmet.append(
                (person, ep.domain, request, RequestOutcome.AFGEWEZEN, reason, decided)
            )
        else:
            self.unmet.append(
                (
                    person,
                    ep.domain,
                    request,
                    RequestOutcome.GEEN_VERVOLG,
                    rng.choice(NO_FOLLOW_UP_REASONS),
                    decided,
                )
            )

    def demo_pipeline(self, world: _World, demo_provider: int) -> None:
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
            request = last_day - timedelta(days=_ri(rng, 12, 45))
            if state == S.GEACCEPTEERD:
                request -= timedelta(days=20)
            planned = last_day + timedelta(days=_ri(rng, 5, 30))
            if state == S.GEACCEPTEERD and n % 3 != 2:
                planned = last_day - timedelta(days=_ri(rng, 2, 12))  # start zorg verlopen
            person = self.fresh_person(world, profile, request)
            provider = demo_provider if to_demo else self.provider_for(profile, planned, planned)
            traj = Traj(
                person=person,
                domain=profile.domain,
                profile=profile,
                intensity=profile.intensities[_pick(rng, _intensity_mix(profile, last_day.year))],
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
                traj.created = _between(rng, request + DAY, last_day)
            else:
                traj.decision_date = _between(rng, request + 5 * DAY, last_day - 3 * DAY)
                if state == S.VOORGESTELD:
                    traj.decision_date = last_day - timedelta(days=_ri(rng, 0, 3))
                elif state == S.TERUGGESTUURD:
                    traj.open_return = (
                        _between(rng, traj.decision_date + DAY, last_day),
                        rng.choice(RETURN_REASONS),
                    )
                elif state == S.GEACCEPTEERD:
                    traj.decision_date = min(traj.decision_date, planned - 7 * DAY)
                    traj.accepted = _between(rng, traj.decision_date, traj.decision_date + 3 * DAY)
                else:
                    cancel_day = _between(rng, traj.decision_date + DAY, last_day)
                    traj.cancelled = (cancel_day, rng.choice(CANCEL_REASONS))
            self.add(traj)
        for _ in range(3):
            profile = rng.choice(PROFILES)
            request = last_day - timedelta(days=_ri(rng, 1, 20))
            person = self.fresh_person(world, profile, request)
            self.unmet.append(
                (person, profile.domain, request, RequestOutcome.IN_BEHANDELING, None, None)
            )

    def fresh_person(self, world: _World, profile: ProfileSpec, on: date) -> Person:
        rng = self.rng
        age = _age_years(rng, profile.ages)
        if profile.domain == JEUGD:
            age = min(max(age, 2.0), 15.0)
        home = world.new_home()
        home.gids = 1
        person = Person(birth=_birth_for(age, on, rng), female=rng.random() < 0.55, home=home)
        world.persons.append(person)
        return person


# --- rows ---------------------------------------------------------------------------------------


class _Rows:
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
        action: str,
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
        elif t.profile.category == "01":
            rate, factor = 26.80 + 0.70 * (year - 2015), 0.98
        else:
            rate, factor = 51.20 + 1.20 * (year - 2015), 0.98
        hours = max(4, round(reference * factor * rng.uniform(0.8, 1.25) / rate))
        return None, _money(hours * rate), None

    def trajectory(self, t: Traj, request_id: int, gids: int, planned_end: date) -> None:
        rng = self.rng
        tariff_id, price, price_reason = self.price(t)
        decision_end = jeugd_decision_end(t.person.birth) if t.domain == JEUGD else planned_end
        closure = t.closure
        provider_user = self.provider_user[t.provider]
        # events
        created_day = t.created or _between(
            rng, t.request_date, (t.first_proposal or t.decision_date or t.request_date)
        )
        at = _stamp(rng, created_day, None)
        created_at = at
        self.event(t.id, gids, at, "aangemaakt", None, S.CONCEPT)
        state = S.CONCEPT
        if t.returned is not None and t.first_proposal is not None:
            back, other, reason = t.returned
            at = _stamp(rng, t.first_proposal, at)
            self.event(t.id, gids, at, "voorstellen", S.CONCEPT, S.VOORGESTELD)
            at = _stamp(rng, back, at)
            other_user = self.provider_user[other]
            self.event(t.id, other_user, at, "terugsturen", S.VOORGESTELD, S.TERUGGESTUURD, reason)
            at = _stamp(rng, back, at)
            self.event(
                t.id,
                gids,
                at,
                "wijzigen",
                S.TERUGGESTUURD,
                S.TERUGGESTUURD,
                details=f"provider_id: {other + 1} → {t.provider + 1}",
            )
            state = S.TERUGGESTUURD
        if t.decision_date is not None:
            at = _stamp(rng, t.decision_date, at)
            self.event(t.id, gids, at, "voorstellen", state, S.VOORGESTELD)
            state = S.VOORGESTELD
        if t.open_return is not None:
            at = _stamp(rng, t.open_return[0], at)
            self.event(
                t.id,
                provider_user,
                at,
                "terugsturen",
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
                accepted = _between(
                    rng, t.decision_date, min(t.care_start, t.decision_date + 6 * DAY)
                )
            at = _stamp(rng, accepted, at)
            self.event(t.id, provider_user, at, "accepteren", S.VOORGESTELD, S.GEACCEPTEERD)
            state = S.GEACCEPTEERD
        if t.care_start is not None:
            registered = min(
                t.care_start + timedelta(days=rng.choice((0, 0, 0, 1, 2))), self.last_day
            )
            at = _stamp(rng, registered, at)
            self.event(
                t.id,
                provider_user,
                at,
                "zorg_starten",
                S.GEACCEPTEERD,
                S.ACTIEF,
                details=f"start zorg {t.care_start.isoformat()}",
            )
            state = S.ACTIEF
        if t.care_end is not None:
            assert closure is not None
            category, code, achieved = closure
            closed_on = min(t.care_end + timedelta(days=_ri(rng, 0, 10)), self.last_day)
            at = _stamp(rng, closed_on, at)
            self.event(
                t.id,
                gids,
                at,
                "afsluiten",
                S.ACTIEF,
                S.AFGESLOTEN,
                details=f"einde zorg {t.care_end.isoformat()}, categorie {category}, "
                f"reden {code}, resultaat {'behaald' if achieved else 'niet behaald'}",
            )
            state = S.AFGESLOTEN
        if t.cancelled is not None:
            at = _stamp(rng, t.cancelled[0], at)
            self.event(t.id, gids, at, "annuleren", state, S.GEANNULEERD, t.cancelled[1])
            state = S.GEANNULEERD
        assert state == t.state, (state, t.state)
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
                "closure_category": closure[0] if closure else None,
                "end_reason_code": closure[1] if closure else None,
                "result_achieved": closure[2] if closure else None,
                "follows_id": t.follows.id if t.follows is not None else None,
                "version": 1,
                "created_at": created_at,
                "updated_at": at,
            }
        )
        # agreed results
        options = RESULTS[t.profile.family]
        count = min(len(options), 1 + _pick(rng, (0.45, 0.4, 0.15)))
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


# --- evaluations, claims, change requests and tasks -------------------------------------------

EVALUATION_SUMMARIES: dict[str, tuple[str, ...]] = {
    "goed": (
        "Het gaat goed: de afspraken lopen en de inwoner pakt steeds meer zelf op.",
        "Duidelijke vooruitgang; de ondersteuning kan richting afbouw.",
        "De doelen zijn grotendeels in zicht. Netwerk is meer betrokken dan bij de start.",
        "Inwoner is tevreden over de hulp; de geplande aanpak wordt voortgezet.",
    ),
    "matig": (
        "Wisselend verloop. Sommige afspraken lukken, andere nog niet; aanpak blijft gelijk.",
        "Langzame vooruitgang. Afgesproken om het netwerk meer te betrekken.",
        "Situatie is stabiel, nog geen duidelijke stap vooruit. Volgende evaluatie opnieuw kijken.",
        "Een deel van de doelen is gehaald; extra aandacht voor de dagstructuur.",
    ),
    "zorg": (
        "Het gaat minder goed: afspraken komen niet van de grond. Overleg met de gids nodig.",
        "Terugval in de afgelopen periode; de doelen lijken niet haalbaar binnen de termijn.",
        "Inwoner is moeilijk bereikbaar en zegt afspraken af. Zorgen over het vervolg.",
        "Geen vooruitgang; de vraag is of deze ondersteuning nog passend is.",
    ),
}
SCORE_EXPLANATIONS: dict[int, str] = {
    -2: "Veel slechter dan verwacht.",
    -1: "Nog niet op het verwachte niveau.",
    0: "Zoals afgesproken.",
    1: "Beter dan verwacht.",
    2: "Veel beter dan verwacht.",
}
REVIEW_REMARKS = (
    "Graag bespreken hoe het netwerk meer kan worden ingezet.",
    "De scores passen niet bij de samenvatting; graag toelichten in een overleg.",
    "Ik mis de inbreng van de inwoner zelf. Laten we een gesprek plannen.",
    "Is de intensiteit nog passend? Graag bespreken voor de volgende evaluatie.",
)
CLAIM_REFUSALS = (
    "Het resultaat is volgens de eindevaluatie niet behaald; dien opnieuw in naar rato.",
    "De einddatum zorg wijkt af van wat met de gids is afgesproken.",
    "Declaratie betreft een periode waarin de zorg was onderbroken; graag corrigeren.",
)
SCALING_REASONS: dict[bool, tuple[str, ...]] = {
    True: (  # up
        "De situatie thuis is verslechterd; met de huidige inzet zijn de resultaten niet haalbaar.",
        "Mantelzorger valt weg door ziekte; er is tijdelijk meer ondersteuning nodig.",
        "Uit de evaluatie blijkt dat de problemen groter zijn dan bij de start ingeschat.",
    ),
    False: (  # down
        "Het gaat duidelijk beter; de inwoner pakt veel zelf op en het netwerk helpt mee.",
        "Doelen zijn grotendeels behaald; een lichtere inzet volstaat voor de rest van de termijn.",
    ),
}
INTENSITY_ORDER = {L: 0, M: 1, Z: 2}
REVIEW_WAIT_DAYS = 21  # evaluations held this recently are often still waiting for the gids
# Drawn per active trajectory; those with nothing due yet cannot be late, so about 10 % of the
# active trajectories end up with an overdue evaluation.
OVERDUE_SHARE = 0.155
DEMO_OPEN_REVIEWS = 4  # at least this many evaluations for the demo gids to review
DEMO_UNCLAIMED = 5  # recently closed trajectories of the demo provider left to claim
SCALING_REQUESTS, END_OF_CARE_REPORTS = 3, 2


def _add_months(day: date, months: int) -> date:
    """``workflows.evaluations.add_months`` (the 31st becomes the month's last day if needed)
    without ``relativedelta``'s overhead."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _days_in_month(year, month + 1)))


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
        return _ri(rng, -10, 3)
    if r < 0.93:
        return _ri(rng, 4, 21)
    return _ri(rng, 22, 50)


class _FollowUpRows:
    """Evaluations with their scores, claims, open change requests and inbox tasks, derived from
    the trajectory rows with their own random generator (so the trajectories stay as they were).

    The cycle follows ``workflows.evaluations``: the first regular evaluation one interval
    (``interval_months`` rules) after the start of care, each next one an interval after the day
    the previous one was held, none on or after the final evaluation's due date (planned end −
    14 days, not before the start of care), and no regular one after the final one was held."""

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

    def interval(self, t: dict[str, Any]) -> int:
        """``workflows.evaluations.interval_months`` on the row (the demo sets no override)."""
        if t["need_type"] == NeedType.BLIJVEND.value:
            return BLIJVEND_INTERVAL_MONTHS
        if t["tariff_id"] is not None:
            return self.tariff_interval[t["tariff_id"]]
        return DEFAULT_INTERVAL_MONTHS[Domain(t["domain"])]

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
            "created_at": _stamp(self.rng, min(planned_on, self.last_day), None),
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
        submitted = _stamp(
            rng, min(held + timedelta(days=_pick(rng, (5, 3, 1, 1))), last_day), None
        )
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
        reviewed = _between(rng, submitted.date(), min(submitted.date() + 14 * DAY, last_day))
        bespreken = rng.random() < (0.2 if tone == "zorg" else 0.04)
        row.update(
            review_outcome=(ReviewOutcome.BESPREKEN if bespreken else ReviewOutcome.AKKOORD).value,
            review_remark=rng.choice(REVIEW_REMARKS) if bespreken else None,
            reviewed_by_id=t["gids_id"],
            reviewed_at=_stamp(rng, reviewed, submitted),
        )

    def cycle(self, t: dict[str, Any], results: list[int]) -> None:
        """The evaluations of one trajectory with care, held up to its end (or yesterday)."""
        rng = self.rng
        care_start: date = t["care_start"]
        active = t["state"] == S.ACTIEF.value
        bound = min(t["care_end"] or self.last_day, self.last_day)
        failing = not active and not t["result_achieved"]
        final_due = max(
            t["planned_end"] - timedelta(days=FINAL_EVALUATION_DAYS_BEFORE_END), care_start
        )
        months = self.interval(t)
        overdue = active and rng.random() < OVERDUE_SHARE
        offsets = [rng.gauss(0, 0.35) for _ in results]
        base, stopped = care_start, False
        while True:
            due = _add_months(base, months)
            if due >= final_due:
                break
            if due > bound:
                if active:
                    self._evaluation(t, EvaluationKind.REGULIER, due, base)
                break
            if overdue and final_due > bound and _add_months(due, months) > bound:
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
            submitted_on = closed_on + timedelta(days=_ri(rng, 2, 35))
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
            submitted = _stamp(rng, submitted_on, t["updated_at"])
            decided_on = submitted_on + timedelta(days=_ri(rng, 2, 25))
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
                    decided_at=_stamp(rng, decided_on, submitted),
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
            day = last_day - timedelta(days=_ri(rng, 0, 6))
            at = _stamp(rng, day, None)
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
                    "state": RequestState.INGEDIEND.value,
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
            care_end = max(earliest, last_day - timedelta(days=_ri(rng, 3, 12)))
            day = _between(rng, care_end, last_day)
            at = _stamp(rng, day, None)
            report_id = len(self.reports) + 1
            self.reports.append(
                {
                    "id": report_id,
                    "trajectory_id": t["id"],
                    "reported_by_id": self.provider_user[t["provider_id"]],
                    "reported_at": at,
                    "care_end": care_end,
                    "closure_category": "a",
                    "end_reason_code": "19" if t["domain"] == WMO.value else "31",
                    "result_achieved": True,
                    "state": RequestState.INGEDIEND.value,
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
        (answer within ``PROVIDER_RESPONSE_DAYS``), a returned proposal for the gids, a claim
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
                    t["decision_date"] + timedelta(days=PROVIDER_RESPONSE_DAYS),
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


# --- the entry point ------------------------------------------------------------------------------


def build_demo(
    session: Session,
    *,
    password: str,
    seed: int = 2016,
    today: date | None = None,
    scale: float = 1.0,
) -> str:
    """Fill an empty, migrated database with the demo municipality; return a summary line.

    Deterministic for a given ``seed`` and ``today`` (default: the current date). ``scale``
    multiplies the numbers of residents and trajectories. The caller commits.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    today = today or clock.today()
    last_day = today - DAY
    rng = random.Random(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    targets = {d: max(1, round(TARGET_IN_CARE[d] * scale)) for d in (WMO, JEUGD)}

    # 1. Inflow volumes for the targets (a pilot of the years before 2016), then the run.
    volume = _volumes(random.Random(seed * 7919 + 1), today, targets)
    sim, world, _stock = _simulate(rng, today, volume, targets)

    # 3. Trajectories, requests without trajectory, the pipeline.
    builder = _Builder(rng, today)
    for ep in sim.episodes:
        builder.episode(ep)
        if ep.care_start >= HISTORY_START and ep.care_start <= last_day:
            if rng.random() < 0.012:
                builder.cancelled_before(ep)
            if rng.random() < UNMET_SHARE:
                builder.unmet_request(ep, world)
    per_provider = Counter(t.provider for t in builder.trajs)
    demo_provider = min(per_provider, key=lambda p: (-per_provider[p], p))
    builder.demo_pipeline(world, demo_provider)

    # 4. Ids: residents and households by first request, trajectories and requests by date.
    trajs = builder.trajs
    order = sorted(range(len(trajs)), key=lambda i: (trajs[i].request_date, i))
    trajs = [trajs[i] for i in order]
    for n, t in enumerate(trajs, start=1):
        t.id = n
    request_items: list[tuple[date, int, Traj | None, int]] = []
    for n, t in enumerate(trajs):
        request_items.append((t.request_date, 0, t, n))
    for n, unmet in enumerate(builder.unmet):
        request_items.append((unmet[2], 1, None, n))
    request_items.sort(key=lambda r: (r[0], r[1], r[3]))
    for day, _kind, item, n in request_items:
        person = item.person if item is not None else builder.unmet[n][0]
        if person.first_request is None or day < person.first_request:
            person.first_request = day
    persons = [p for p in world.persons if p.first_request is not None]
    persons.sort(key=lambda p: p.first_request or date.max)
    homes: list[Home] = []
    for n, p in enumerate(persons, start=1):
        p.id = n
        if p.home.id == 0:
            homes.append(p.home)
            p.home.id = len(homes)
            p.home.created = p.first_request

    # 5. Users (ids fixed up front: 1 demo gids, 2..11 team, 12 manager, 13 beheerder,
    #    14.. one per provider).
    rows = _Rows(rng, last_day)
    manager_id, beheerder_id = TEAM_SIZE + 2, TEAM_SIZE + 3
    for index in range(len(PROVIDERS)):
        rows.provider_user[index] = TEAM_SIZE + 4 + index
    users = _users(fake, password, demo_provider, rows.provider_user, manager_id, beheerder_id)

    # 6. Catalogue rows.
    catalogue = _catalogue_rows(rows)

    # 7. Residents and households.
    resident_rows, household_rows = _person_rows(rng, fake, persons, homes)

    # 8. Requests, trajectories, results and events.
    gids_of = {id(p): p.home.gids for p in persons}
    traj_request: dict[int, int] = {}
    for request_id, (day, _kind, item, n) in enumerate(request_items, start=1):
        if item is not None:
            person = item.person
            traj_request[item.id] = request_id
            if item.decision_date is None:
                outcome, reason, decided = RequestOutcome.IN_BEHANDELING, None, None
            else:
                outcome, reason = RequestOutcome.TOEGEKEND, None
                decided = item.first_proposal or item.decision_date
            domain, question = item.domain, item.question
        else:
            person, domain, _d, outcome, reason, decided = builder.unmet[n]
            question = rng.choice(QUESTIONS[_family_for(rng, domain)])
        rows.requests.append(
            {
                "id": request_id,
                "resident_id": person.id,
                "gids_id": gids_of[id(person)],
                "request_date": day,
                "domain": domain.value,
                "question": question,
                "outcome": outcome.value,
                "outcome_reason": reason,
                "decided_on": decided,
                "created_at": _stamp(rng, day, None),
            }
        )
    for t in trajs:
        rows.trajectory(t, traj_request[t.id], gids_of[id(t.person)], builder.planned_end(t))

    # 9. Evaluations and scores, claims, open change requests and their tasks (own generator).
    follow = _FollowUpRows(
        random.Random(seed * 104_729 + 3),
        last_day,
        {r["id"]: r["evaluation_interval_months"] for r in catalogue["tariffs"]},
        {index + 1: user for index, user in rows.provider_user.items()},
    )
    results_of: dict[int, list[int]] = {}
    for r in rows.results:
        results_of.setdefault(r["trajectory_id"], []).append(r["id"])
    for row in rows.trajectories:
        if row["care_start"] is not None:
            follow.cycle(row, results_of.get(row["id"], []))
    follow.make_claims(rows.trajectories, demo_provider + 1)
    follow.demo_work(rows.trajectories, 1, demo_provider + 1)
    follow.review_tasks({r["id"]: r["gids_id"] for r in rows.trajectories})
    follow.handover_tasks(rows.trajectories, rows.events)

    # 10. Write, then the morning's scheduler run fills the inboxes.
    _write(session, "wijken", Wijk, [{"id": i + 1, "name": w[0]} for i, w in enumerate(WIJKEN)])
    _write(session, "providers", Provider, catalogue["providers"])
    _write(session, "support_profiles", SupportProfile, catalogue["profiles"])
    _write(session, None, ProfileIntensity, catalogue["intensities"])
    _write(session, "tariffs", Tariff, catalogue["tariffs"])
    _write(session, "contracts", Contract, catalogue["contracts"])
    _write(session, "users", User, users)
    _write(session, "households", Household, household_rows)
    _write(session, "residents", Resident, resident_rows)
    _write(session, "requests", Request, rows.requests)
    _write(session, "trajectories", Trajectory, rows.trajectories)
    _write(session, "agreed_results", AgreedResult, rows.results)
    _write(session, "trajectory_events", TrajectoryEvent, rows.events)
    _write(session, "evaluations", Evaluation, follow.evaluations)
    _write(session, "result_scores", ResultScore, follow.scores)
    _write(session, "claims", Claim, follow.claims)
    _write(session, "scaling_requests", ScalingRequest, follow.scaling)
    _write(session, "end_of_care_reports", EndOfCareReport, follow.reports)
    _write(session, "tasks", Task, follow.tasks)
    session.flush()
    scheduled = sum(run_all(session, today).values())

    # 11. Statistics: what the beheerder keeps, then the pseudonymised feed from the rows above.
    _write(session, None, PopulationFigure, _population_rows(today))
    _write(session, "stats_outlier_months", OutlierMonth, _outlier_rows(beheerder_id))
    stats = rebuild_feed(session)

    in_care = {
        d: len(
            {
                r["resident_id"]
                for r in rows.trajectories
                if r["domain"] == d.value and r["state"] == S.ACTIEF.value
            }
        )
        for d in (WMO, JEUGD)
    }
    states = Counter(r["state"] for r in rows.trajectories)
    evaluation_states = Counter(r["state"] for r in follow.evaluations)
    overdue = sum(
        r["state"] == EvaluationState.GEPLAND.value and r["due_on"] < today
        for r in follow.evaluations
    )
    evaluation_counts = [f"{evaluation_states[s.value]} {s.value}" for s in EvaluationState]
    evaluation_counts.append(f"{overdue} overdue")
    claims = Counter(r["state"] for r in follow.claims)
    return (
        f"{len(WIJKEN)} wijken, {len(PROVIDERS)} providers, {len(PROFILES)} profiles, "
        f"{len(users)} users, {len(resident_rows)} residents in {len(household_rows)} "
        f"households, {len(rows.requests)} requests, {len(rows.trajectories)} trajectories "
        f"({', '.join(f'{states[s.value]} {s.value}' for s in S)}), "
        f"{len(rows.results)} agreed results, {len(rows.events)} events, "
        f"{len(follow.evaluations)} evaluations ({', '.join(evaluation_counts)}), "
        f"{len(follow.scores)} result scores, {len(follow.claims)} claims "
        f"({', '.join(f'{claims[s.value]} {s.value}' for s in ClaimState)}), "
        f"{len(follow.scaling)} scaling requests, {len(follow.reports)} end-of-care reports, "
        f"{len(follow.tasks) + scheduled} open tasks, {stats.rows} rows in the statistics "
        f"feed; "
        f"in care on {today.isoformat()}: {in_care[WMO]} Wmo and {in_care[JEUGD]} Jeugd clients"
    )


# Inhabitants on 1 January (about 41,500 in 2020, growing about 0.9 % a year) and households at
# 2.45 persons each, so 2,300 Wmo clients in care make the DOMAIN.md order of 100 households with
# a decision per 1,000.
POPULATION_2020 = 41_500
POPULATION_GROWTH = 0.009
PERSONS_PER_HOUSEHOLD = 2.45
OUTLIER_MONTHS = (
    (JEUGD, date(2019, 1, 1), "Omzetting naar resultaatgericht werken: administratieve "
     "herbeschikkingen van lopende jeugdhulp per 1 januari."),
    (WMO, date(2019, 1, 1), "Invoering abonnementstarief: administratieve omzettingen van "
     "lopende hulp bij het huishouden."),
    (WMO, date(2021, 12, 1), "Jaarafsluiting in het oude systeem: trajecten administratief "
     "beëindigd en opnieuw beschikt."),
)  # fmt: skip


def _population_rows(today: date) -> list[dict[str, Any]]:
    rows = []
    for year in range(2016, max(today.year, 2026) + 1):
        inhabitants = round(POPULATION_2020 * (1 + POPULATION_GROWTH) ** (year - 2020))
        households = round(inhabitants / PERSONS_PER_HOUSEHOLD)
        rows.append({"year": year, "inhabitants": inhabitants, "households": households})
    return rows


def _outlier_rows(beheerder_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "domain": domain.value,
            "month": month,
            "reason": reason,
            "created_by_id": beheerder_id,
            "created_at": datetime(2022, 1, 10, 9, 0, tzinfo=UTC),
        }
        for n, (domain, month, reason) in enumerate(OUTLIER_MONTHS, start=1)
    ]


def _family_for(rng: random.Random, domain: Domain) -> str:
    return rng.choice([p.family for p in PROFILES if p.domain == domain])


def _users(
    fake: Faker,
    password: str,
    demo_provider: int,
    provider_user: dict[int, int],
    manager_id: int,
    beheerder_id: int,
) -> list[dict[str, Any]]:
    demo_hash = hash_password(password)
    light = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    start = datetime(2016, 1, 4, 8, 0, tzinfo=UTC)

    def row(
        uid: int, email: str, name: str, role: Role, provider: int | None, pw_hash: str
    ) -> dict[str, Any]:
        return {
            "id": uid,
            "email": email,
            "name": name,
            "password_hash": pw_hash,
            "role": role.value,
            "provider_id": provider,
            "active": True,
            "created_at": start,
        }

    def random_hash() -> str:
        return light.hash(secrets.token_urlsafe(32))

    users = [row(1, f"gids@{DEMO_EMAIL_DOMAIN}", DEMO_USERS[Role.GIDS], Role.GIDS, None, demo_hash)]
    emails = {users[0]["email"]}
    while len(users) < TEAM_SIZE + 1:
        female = fake.random.random() < 0.75
        given = fake.random.choice(MID_GIVEN_F if female else MID_GIVEN_M)
        family = fake.last_name()
        email = f"{_ascii(given)}.{_ascii(family)}@dronten.example"
        if email in emails:
            continue
        emails.add(email)
        users.append(
            row(len(users) + 1, email, f"{given} {family}", Role.GIDS, None, random_hash())
        )
    users.append(
        row(
            manager_id,
            f"manager@{DEMO_EMAIL_DOMAIN}",
            DEMO_USERS[Role.MANAGER],
            Role.MANAGER,
            None,
            demo_hash,
        )
    )
    users.append(
        row(
            beheerder_id,
            f"beheerder@{DEMO_EMAIL_DOMAIN}",
            DEMO_USERS[Role.BEHEERDER],
            Role.BEHEERDER,
            None,
            demo_hash,
        )
    )
    for index, spec in enumerate(PROVIDERS):
        if index == demo_provider:
            users.append(
                row(
                    provider_user[index],
                    f"aanbieder@{DEMO_EMAIL_DOMAIN}",
                    DEMO_USERS[Role.AANBIEDER],
                    Role.AANBIEDER,
                    index + 1,
                    demo_hash,
                )
            )
        else:
            female = fake.random.random() < 0.6
            given = fake.random.choice(MID_GIVEN_F if female else MID_GIVEN_M)
            name = f"{given} {fake.last_name()}"
            users.append(
                row(
                    provider_user[index],
                    f"planner@{spec.slug}.example",
                    name,
                    Role.AANBIEDER,
                    index + 1,
                    random_hash(),
                )
            )
    return users


def _catalogue_rows(rows: _Rows) -> dict[str, list[dict[str, Any]]]:
    providers = [
        {"id": i + 1, "name": p.name, "agb_code": p.agb, "active": True, "imported": False}
        for i, p in enumerate(PROVIDERS)
    ]
    profiles: list[dict[str, Any]] = []
    intensities: list[dict[str, Any]] = []
    tariffs: list[dict[str, Any]] = []
    for i, p in enumerate(PROFILES):
        profile_id = i + 1
        profiles.append(
            {
                "id": profile_id,
                "code": p.code,
                "name": p.name,
                "domain": p.domain.value,
                "category_code": p.category,
                "active": True,
                "imported": False,
            }
        )
        interval = 3 if p.domain == JEUGD else 6
        for intensity, p19, w19, p21, w21 in p.prices:
            intensities.append({"profile_id": profile_id, "intensity": intensity.value})
            for version, price, weeks, valid_from, valid_to in (
                (2019, p19, w19, RESULT_ORIENTED, date(2020, 12, 31)),
                (2021, p21, w21, TARIFF_2021, None),
            ):
                tariff_id = len(tariffs) + 1
                tariffs.append(
                    {
                        "id": tariff_id,
                        "profile_id": profile_id,
                        "intensity": intensity.value,
                        "valid_from": valid_from,
                        "valid_to": valid_to,
                        "price": Decimal(price),
                        "standard_duration_weeks": weeks,
                        "evaluation_interval_months": interval,
                    }
                )
                rows.tariffs[(p.code, intensity, version)] = (tariff_id, Decimal(price))
    contracts = []
    for i, spec in enumerate(PROVIDERS):
        for code, _w in spec.main:
            contracts.append((i, code, ContractRole.HOOFDAANNEMER, spec.main_until))
        for code in spec.sub:
            contracts.append((i, code, ContractRole.ONDERAANNEMER, None))
    contract_rows = [
        {
            "id": n,
            "provider_id": i + 1,
            "profile_id": PROFILES.index(PROFILE_BY_CODE[code]) + 1,
            "role": role.value,
            "valid_from": LAW_START,
            "valid_to": until,
        }
        for n, (i, code, role, until) in enumerate(contracts, start=1)
    ]
    return {
        "providers": providers,
        "profiles": profiles,
        "intensities": intensities,
        "tariffs": tariffs,
        "contracts": contract_rows,
    }


def _person_rows(
    rng: random.Random, fake: Faker, persons: list[Person], homes: list[Home]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    bsns: set[str] = set()
    residents = []
    for p in persons:
        while True:
            first_eight = f"{_ri(rng, 1, 6)}{_ri(rng, 0, 9_999_999):07d}"
            bsn = bsn_check_digit(first_eight)
            if bsn is not None and bsn != "000000000" and bsn not in bsns:
                bsns.add(bsn)
                break
        if p.birth.year < 1955 and rng.random() < 0.7:
            given = rng.choice(OLD_GIVEN_F if p.female else OLD_GIVEN_M)
        elif p.birth.year < 1995 and rng.random() < 0.6:
            given = rng.choice(MID_GIVEN_F if p.female else MID_GIVEN_M)
        else:
            given = fake.first_name_female() if p.female else fake.first_name_male()
        home = p.home
        if not home.family_name:
            home.family_name = fake.last_name()
            family = home.family_name
        else:
            family = home.family_name if rng.random() < 0.8 else fake.last_name()
        assert p.first_request is not None
        residents.append(
            {
                "id": p.id,
                "bsn": bsn,
                "given_name": given,
                "family_name": family,
                "birth_date": p.birth,
                "postcode": home.postcode,
                "wijk_id": home.wijk,
                "household_id": home.id,
                "created_at": _stamp(rng, max(p.first_request, p.birth), None),
            }
        )
    households = [
        {
            "id": h.id,
            "gids_id": h.gids,
            "created_at": _stamp(rng, h.created or HISTORY_START, None),
        }
        for h in homes
    ]
    return residents, households


def _write(
    session: Session, table: str | None, model: type[Any], rows: list[dict[str, Any]]
) -> None:
    """Bulk insert ``rows`` (dicts with the same keys, ids included) on the session's connection,
    inside its transaction (``workflows.bulk.write_rows``: COPY on PostgreSQL, the driver's
    executemany on SQLite); on PostgreSQL the id sequence of ``table`` is advanced after."""
    if not rows:
        return
    connection = session.connection()
    write_rows(connection, model.__table__, rows)
    if table is not None and connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
