"""The only way out for statistics: each function computes a figure from the feed and passes it
through ``anonymity`` before anyone sees it. Pages, downloads, the API and the CLI call these,
never ``figures`` directly (a test checks that). ``how`` (a ``Disclosure``) says how: perturbed
by the cell key method (the default), or exact for an operator's audited ``--exact``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Provider

from ..claims import ClaimPolicy
from . import anonymity, figures
from . import finance as finance_module
from .anonymity import (
    DEFAULT_DISCLOSURE,
    Disclosure,
    PublishedDurations,
    PublishedFinance,
    PublishedFlows,
    PublishedIntensity,
    PublishedResults,
    PublishedScorecard,
    PublishedWaiting,
)
from .selection import DEFAULT_REPEAT_YEARS, StatsQuery

PUBLISHED = DEFAULT_DISCLOSURE


def flows(session: Session, query: StatsQuery, how: Disclosure = PUBLISHED) -> PublishedFlows:
    """Monthly stocks and flows, and the yearly means of the flows."""
    return anonymity.protect_flows(figures.flows(session, query), query.header(how.k), how)


def intensity(
    session: Session, query: StatsQuery, how: Disclosure = PUBLISHED
) -> PublishedIntensity:
    """Trajectories per intensity per month (always unit traject)."""
    raw = figures.intensity(session, query)
    header = {**query.header(how.k), "unit": "traject"}
    return anonymity.protect_intensity(raw, header, query.basis, how)


def durations(
    session: Session, query: StatsQuery, how: Disclosure = PUBLISHED
) -> PublishedDurations:
    """Durations of ended care, and the Kaplan–Meier median per start-year cohort."""
    raw = figures.durations(session, query)
    return anonymity.protect_durations(raw, query.header(how.k), how)


def waiting_times(
    session: Session, query: StatsQuery, how: Disclosure = PUBLISHED
) -> PublishedWaiting:
    """Waiting times by month of start, the waiting list at the cut-off date by stage and age
    of the wait, the waits of the period with the still-waiting censored, and the unmet demand
    per month (always unit traject)."""
    header = {**query.header(how.k), "unit": "traject"}
    return anonymity.protect_waiting(
        figures.waiting_times(session, query),
        figures.waiting_now(session, query),
        header,
        how,
        figures.censored_waits(session, query),
        figures.unmet_demand(session, query),
    )


def results(
    session: Session,
    query: StatsQuery,
    how: Disclosure = PUBLISHED,
    repeat_years: int = DEFAULT_REPEAT_YEARS,
) -> PublishedResults:
    """Results, closure categories, extensions, repeat use, cost and rates per year."""
    header = {**query.header(how.k), "unit": "traject"}
    return anonymity.protect_results(
        figures.results(session, query, repeat_years), header, how, repeat_years
    )


def finance(
    session: Session,
    query: StatsQuery,
    how: Disclosure = PUBLISHED,
    policy: ClaimPolicy = ClaimPolicy.PRO_RATA,
) -> PublishedFinance:
    """Committed spend, claims, deviations from the tariff and the claims expected, in money
    (always unit traject); the claim policy sets what care closed without the result may
    still claim."""
    header = {**query.header(how.k), "unit": "traject"}
    return anonymity.protect_finance(finance_module.finance(session, query, policy), header, how)


def scorecard(
    session: Session, query: StatsQuery, how: Disclosure = PUBLISHED
) -> PublishedScorecard:
    """Every provider of the catalogue side by side for the period and domain, and the
    municipality (all providers together); a provider's portal shows its own column beside the
    municipality's (``PublishedScorecard.only``). Always unit traject."""
    names = {
        agb: name
        for agb, name in session.execute(
            select(Provider.agb_code, Provider.name).order_by(Provider.name)
        )
    }
    header = {**query.header(how.k), "unit": "traject"}
    raw = figures.scorecard(session, query, list(names))
    return anonymity.protect_scorecard(raw, names, header, how)
