"""What a manager asks for: period, domain, unit, filters — checked before anything is counted.

Every output (page, API, CLI, downloads) parses its parameters here, so bad input gives the same
Dutch message everywhere: a month like ``2021-13``, ``from`` after ``to``, an unknown domain,
profile, provider, wijk, category, intensity or age band. Valid filter values come from the
catalogue (profiles, categories, providers, wijken), never from personal tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Domain, Intensity, ProductCategory, Provider, SupportProfile, Wijk

from ..errors import N_, DomainError, Problem
from .episodes import first_day, last_day, month_index, month_label
from .feed import AGE_BAND_CODES

UNITS = ("traject", "client")
BASES = ("eindstand", "instroom")
FILTER_NAMES = ("category", "profile", "intensity", "provider", "wijk", "age_band")
# The age of a wait (days from the day its stage began to the reference date) in bands, each
# named by its weeks and given by its first day: under 2 weeks; 2 to 6 (the Wmo's six weeks for
# the investigation); 6 to 8 (its two more for the decision: the legal term, as the eight weeks
# for a Jeugd decision); 8 to 13 (past the term, within a quarter); 13 weeks or longer.
WAIT_BANDS: tuple[tuple[int, str], ...] = (
    (0, "0-2"),
    (14, "2-6"),
    (42, "6-8"),
    (56, "8-13"),
    (91, "13+"),
)
WAIT_BAND_CODES = tuple(code for _first_day, code in WAIT_BANDS)
# (a) a request (aanmelding) without a decision; (b) a decision without a start of care.
WAIT_STAGES = ("request", "decision")
# Filters that only a trajectory has: a request without a decision has no profile or provider
# yet, so with any of them set the request stage (and with it the total) does not apply.
TRAJECTORY_ONLY_FILTERS = ("category", "profile", "intensity", "provider")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST_YEAR = 2000
MAX_MONTHS = 240
DEFAULT_MONTHS = 36
DEFAULT_K = 5
DEFAULT_REPEAT_YEARS = 5


@dataclass(frozen=True)
class StatsQuery:
    """A checked request. Months are month indexes (``episodes.month_index``); ``last`` is the
    last month reported: ``to``, or the data cut-off month when ``to`` lies after it."""

    start: int
    end: int
    cutoff: int
    domain: Domain | None = None
    unit: str = "traject"
    basis: str = "eindstand"
    filters: dict[str, str | None] = field(default_factory=dict)

    @property
    def last(self) -> int:
        return min(self.end, self.cutoff)

    @property
    def months(self) -> range:
        return range(self.start, self.last + 1)

    @property
    def cutoff_date(self) -> date:
        return last_day(self.cutoff)

    @property
    def period_first_day(self) -> date:
        return first_day(self.start)

    @property
    def period_last_day(self) -> date:
        return last_day(self.last)

    def value(self, name: str) -> str | None:
        return self.filters.get(name)

    @property
    def narrowing(self) -> tuple[str, ...]:
        """The filters that are set, besides period and domain."""
        return tuple(name for name in FILTER_NAMES if self.filters.get(name))

    def header(self, k: int) -> dict[str, Any]:
        """The fields every JSON answer starts with (docs/statistics.md)."""
        return {
            "unit": self.unit,
            "domain": self.domain.value if self.domain else None,
            "from": month_label(self.start),
            "to": month_label(self.end),
            "filters": {name: self.filters.get(name) for name in FILTER_NAMES},
            "suppression_threshold": k,
            "cutoff": month_label(self.cutoff),
        }


def cutoff_month(today: date) -> int:
    """The data cut-off: the last complete month before today."""
    return month_index(today) - 1


def parse_month(raw: str, name: str, problems: list[Problem]) -> int | None:
    match = MONTH_RE.match(raw.strip())
    if match is None:
        problems.append(
            Problem(
                N_("%(name)s moet een maand zijn in de vorm JJJJ-MM, niet '%(value)s'."),
                name,
                {"name": name, "value": raw[:20]},
            )
        )
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        problems.append(
            Problem(
                N_("%(name)s: maand %(month)s bestaat niet (kies 01 tot en met 12)."),
                name,
                {"name": name, "month": match.group(2)},
            )
        )
        return None
    if not EARLIEST_YEAR <= year <= 2100:
        problems.append(
            Problem(
                N_("%(name)s: het jaar moet tussen %(first)s en 2100 liggen."),
                name,
                {"name": name, "first": EARLIEST_YEAR},
            )
        )
        return None
    return year * 12 + month - 1


def known_values(session: Session) -> dict[str, set[str]]:
    """The values each filter accepts (catalogue tables only)."""
    return {
        "category": set(session.scalars(select(ProductCategory.code))),
        "profile": set(session.scalars(select(SupportProfile.code))),
        "intensity": {i.value for i in Intensity},
        "provider": set(session.scalars(select(Provider.agb_code))),
        "wijk": set(session.scalars(select(Wijk.name))),
        "age_band": set(AGE_BAND_CODES),
    }


FILTER_LABELS = {
    "category": N_("productcategorie"),
    "profile": N_("profiel"),
    "intensity": N_("intensiteit"),
    "provider": N_("aanbieder (AGB-code)"),
    "wijk": N_("wijk"),
    "age_band": N_("leeftijdsgroep"),
}


def parse_query(
    session: Session,
    params: Mapping[str, Any],
    today: date,
    *,
    default_unit: str = "traject",
) -> StatsQuery:
    """Check ``params`` (strings, as from a URL or the command line; empty = not set) and
    return the query, or raise a ``DomainError`` listing every problem with its parameter."""
    problems: list[Problem] = []
    cutoff = cutoff_month(today)

    def text(name: str) -> str:
        value = params.get(name)
        return "" if value is None else str(value).strip()

    start = parse_month(text("from"), "from", problems) if text("from") else None
    end = parse_month(text("to"), "to", problems) if text("to") else cutoff
    if not text("from"):
        start = (end if end is not None else cutoff) - DEFAULT_MONTHS + 1
    if start is not None and end is not None:
        if start > end:
            problems.append(
                Problem(
                    N_("De periode klopt niet: 'from' (%(start)s) ligt na 'to' (%(end)s)."),
                    "from",
                    {"start": month_label(start), "end": month_label(end)},
                )
            )
        elif end - start + 1 > MAX_MONTHS:
            problems.append(
                Problem(
                    N_("Kies een periode van ten hoogste %(max)s maanden."),
                    "to",
                    {"max": MAX_MONTHS},
                )
            )
        elif start > cutoff:
            problems.append(
                Problem(
                    N_(
                        "De periode begint na de laatste volledige maand (%(cutoff)s); "
                        "daar zijn nog geen cijfers van."
                    ),
                    "from",
                    {"cutoff": month_label(cutoff)},
                )
            )
    domain: Domain | None = None
    if text("domain"):
        if text("domain") in {d.value for d in Domain}:
            domain = Domain(text("domain"))
        else:
            problems.append(
                Problem(
                    N_("Onbekend domein '%(value)s': kies wmo of jeugd."),
                    "domain",
                    {"value": text("domain")[:40]},
                )
            )
    unit = text("unit") or default_unit
    if unit not in UNITS:
        problems.append(
            Problem(
                N_("Onbekende eenheid '%(value)s': kies traject of client."),
                "unit",
                {"value": unit[:40]},
            )
        )
    basis = text("basis") or "eindstand"
    if basis not in BASES:
        problems.append(
            Problem(
                N_("Onbekende basis '%(value)s': kies eindstand of instroom."),
                "basis",
                {"value": basis[:40]},
            )
        )
    filters: dict[str, str | None] = {}
    wanted = {name: text(name) for name in FILTER_NAMES if text(name)}
    if wanted:
        known = known_values(session)
        for name, value in wanted.items():
            if value not in known[name]:
                problems.append(
                    Problem(
                        N_("Onbekende waarde '%(value)s' voor het filter %(filter)s."),
                        name,
                        {"value": value[:40], "filter": FILTER_LABELS[name]},
                    )
                )
            else:
                filters[name] = value
    if problems:
        raise DomainError.from_problems(problems)
    assert start is not None and end is not None
    return StatsQuery(
        start=start,
        end=end,
        cutoff=cutoff,
        domain=domain,
        unit=unit,
        basis=basis,
        filters={name: filters.get(name) for name in FILTER_NAMES},
    )


def check_scorecard(query: StatsQuery) -> None:
    """The provider scorecard is asked for a period and a domain: a filter besides those (a
    provider, a wijk, …) is refused with a Dutch message, not silently ignored."""
    problems = [
        Problem(
            N_("Het aanbiedersoverzicht kent alleen periode en domein, geen filter %(filter)s."),
            name,
            {"filter": FILTER_LABELS[name]},
        )
        for name in query.narrowing
    ]
    if problems:
        raise DomainError.from_problems(problems)
