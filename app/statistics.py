"""The statistics as the web app, the API and the CLI ask for them: the checked query and the
published (anonymised) figure, with the threshold and repeat window from the configuration."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import current_app

from workflows.errors import DomainError
from workflows.stats import report
from workflows.stats.selection import StatsQuery, parse_query

from . import clock
from .extensions import db
from .filters import translate_problem

FIGURE_NAMES = ("flows", "intensity", "durations", "waiting-times", "results")


def threshold() -> int:
    return int(current_app.config["STATS_SUPPRESSION_THRESHOLD"])


def _results(query: StatsQuery) -> Any:
    return report.results(
        db.session, query, threshold(), int(current_app.config["STATS_REPEAT_YEARS"])
    )


FIGURES: dict[str, Callable[[StatsQuery], Any]] = {
    "flows": lambda q: report.flows(db.session, q, threshold()),
    "intensity": lambda q: report.intensity(db.session, q, threshold()),
    "durations": lambda q: report.durations(db.session, q, threshold()),
    "waiting-times": lambda q: report.waiting_times(db.session, q, threshold()),
    "results": _results,
}


def query_from(params: Mapping[str, Any], today: date | None = None) -> StatsQuery:
    """Raises ``DomainError`` (translate with ``problem_messages``) on bad parameters."""
    return parse_query(db.session, params, today or clock.today())


def published(name: str, query: StatsQuery) -> Any:
    return FIGURES[name](query)


def problem_messages(error: DomainError) -> list[tuple[str | None, str]]:
    """(parameter, Dutch message) for each problem."""
    return [(p.field, translate_problem(p)) for p in error.problems]
