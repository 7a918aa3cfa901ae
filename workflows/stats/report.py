"""The only way out for statistics: each function computes a figure from the feed and passes it
through ``anonymity`` before anyone sees it. Pages, downloads, the API and the CLI call these,
never ``figures`` directly (a test checks that). ``disclosure`` says how: perturbed by the cell
key method (the default), or exact for an operator's audited ``--exact``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import anonymity, figures
from .anonymity import (
    DEFAULT_DISCLOSURE,
    Disclosure,
    PublishedDurations,
    PublishedFlows,
    PublishedIntensity,
    PublishedResults,
    PublishedWaiting,
)
from .selection import DEFAULT_REPEAT_YEARS, StatsQuery


def flows(
    session: Session, query: StatsQuery, disclosure: Disclosure = DEFAULT_DISCLOSURE
) -> PublishedFlows:
    return anonymity.protect_flows(
        figures.flows(session, query), query.header(disclosure.k), disclosure
    )


def intensity(
    session: Session, query: StatsQuery, disclosure: Disclosure = DEFAULT_DISCLOSURE
) -> PublishedIntensity:
    header = {**query.header(disclosure.k), "unit": "traject"}
    return anonymity.protect_intensity(
        figures.intensity(session, query), header, query.basis, disclosure
    )


def durations(
    session: Session, query: StatsQuery, disclosure: Disclosure = DEFAULT_DISCLOSURE
) -> PublishedDurations:
    return anonymity.protect_durations(
        figures.durations(session, query), query.header(disclosure.k), disclosure
    )


def waiting_times(
    session: Session, query: StatsQuery, disclosure: Disclosure = DEFAULT_DISCLOSURE
) -> PublishedWaiting:
    header = {**query.header(disclosure.k), "unit": "traject"}
    return anonymity.protect_waiting(figures.waiting_times(session, query), header, disclosure)


def results(
    session: Session,
    query: StatsQuery,
    disclosure: Disclosure = DEFAULT_DISCLOSURE,
    repeat_years: int = DEFAULT_REPEAT_YEARS,
) -> PublishedResults:
    header = {**query.header(disclosure.k), "unit": "traject"}
    return anonymity.protect_results(
        figures.results(session, query, repeat_years), header, disclosure, repeat_years
    )
