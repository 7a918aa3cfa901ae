"""The statistics as the web app, the API and the CLI ask for them: the checked query and the
published (perturbed, docs/statistics.md "Disclosure control") figure, with the threshold, the
noise and the repeat window from the configuration. Only the CLI's audited ``--exact`` asks for
exact figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import current_app

from workflows.claims import ClaimPolicy
from workflows.errors import DomainError
from workflows.stats import report
from workflows.stats.anonymity import Disclosure, PublishedScorecard
from workflows.stats.selection import StatsQuery, check_scorecard, parse_query

from . import clock
from .extensions import db
from .filters import translate_problem

FIGURE_NAMES = ("flows", "intensity", "durations", "waiting-times", "results", "finance")


def threshold() -> int:
    return int(current_app.config["STATS_SUPPRESSION_THRESHOLD"])


def disclosure(*, exact: bool = False) -> Disclosure:
    """How the figures are protected, from the configuration (exact: the CLI's ``--exact``)."""
    return Disclosure(
        k=threshold(),
        max_deviation=int(current_app.config["STATS_MAX_DEVIATION"]),
        variance=float(current_app.config["STATS_VARIANCE"]),
        exact=exact,
    )


def _results(query: StatsQuery, protection: Disclosure) -> Any:
    return report.results(
        db.session, query, protection, int(current_app.config["STATS_REPEAT_YEARS"])
    )


def _finance(query: StatsQuery, protection: Disclosure) -> Any:
    policy = ClaimPolicy(current_app.config["CLAIM_POLICY"])
    return report.finance(db.session, query, protection, policy)


FIGURES: dict[str, Callable[[StatsQuery, Disclosure], Any]] = {
    "flows": lambda q, d: report.flows(db.session, q, d),
    "intensity": lambda q, d: report.intensity(db.session, q, d),
    "durations": lambda q, d: report.durations(db.session, q, d),
    "waiting-times": lambda q, d: report.waiting_times(db.session, q, d),
    "results": _results,
    "finance": _finance,
}


def query_from(params: Mapping[str, Any], today: date | None = None) -> StatsQuery:
    """Raises ``DomainError`` (translate with ``problem_messages``) on bad parameters."""
    return parse_query(db.session, params, today or clock.today())


def published(name: str, query: StatsQuery, *, exact: bool = False) -> Any:
    """The figure as it may be shown; ``exact`` only for the CLI's audited ``--exact``."""
    return FIGURES[name](query, disclosure(exact=exact))


def problem_messages(error: DomainError) -> list[tuple[str | None, str]]:
    """(parameter, Dutch message) for each problem."""
    return [(p.field, translate_problem(p)) for p in error.problems]


def published_scorecard(params: Mapping[str, Any]) -> PublishedScorecard:
    """Every provider's scorecard and the municipality's, as it may be shown; raises
    ``DomainError`` on bad parameters or a filter (``check_scorecard``)."""
    query = query_from(params)
    check_scorecard(query)
    return report.scorecard(db.session, query, disclosure())
