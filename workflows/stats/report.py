"""The only way out for statistics: each function computes a figure from the feed and passes it
through ``anonymity`` before anyone sees it. Pages, downloads, the API and the CLI call these,
never ``figures`` directly (a test checks that)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import anonymity, figures
from .anonymity import (
    PublishedDurations,
    PublishedFlows,
    PublishedIntensity,
    PublishedResults,
    PublishedWaiting,
)
from .selection import DEFAULT_K, DEFAULT_REPEAT_YEARS, StatsQuery


def flows(session: Session, query: StatsQuery, k: int = DEFAULT_K) -> PublishedFlows:
    return anonymity.protect_flows(figures.flows(session, query), query.header(k), k)


def intensity(session: Session, query: StatsQuery, k: int = DEFAULT_K) -> PublishedIntensity:
    header = {**query.header(k), "unit": "traject"}
    return anonymity.protect_intensity(figures.intensity(session, query), header, query.basis, k)


def durations(session: Session, query: StatsQuery, k: int = DEFAULT_K) -> PublishedDurations:
    return anonymity.protect_durations(figures.durations(session, query), query.header(k), k)


def waiting_times(session: Session, query: StatsQuery, k: int = DEFAULT_K) -> PublishedWaiting:
    header = {**query.header(k), "unit": "traject"}
    return anonymity.protect_waiting(figures.waiting_times(session, query), header, k)


def results(
    session: Session,
    query: StatsQuery,
    k: int = DEFAULT_K,
    repeat_years: int = DEFAULT_REPEAT_YEARS,
) -> PublishedResults:
    header = {**query.header(k), "unit": "traject"}
    return anonymity.protect_results(
        figures.results(session, query, repeat_years), header, k, repeat_years
    )
