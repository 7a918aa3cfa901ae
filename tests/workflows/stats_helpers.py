"""Feed rows written directly, for figures computed by hand (the figures read only the feed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models import StatsEpisode, StatsMonthlyCount, StatsRequest, StatsTrajectory, derived_key
from workflows.stats.episodes import month_index
from workflows.stats.feed import rebuild_aggregates
from workflows.stats.selection import StatsQuery

TODAY = date(2022, 1, 10)  # cut-off: 2021-12


def fact(
    client: str,
    start: date | None,
    end: date | None = None,
    *,
    domain: str = "jeugd",
    intensity: str = "middel",
    **extra: Any,
) -> StatsTrajectory:
    values: dict[str, Any] = {
        "client_key": client,
        "household_key": extra.pop("household", client),
        "age_band": "12-17" if domain == "jeugd" else "27-64",
        "wijk": "Dronten",
        "domain": domain,
        "category_code": "45" if domain == "jeugd" else "02",
        "profile_code": "JZ-AMB" if domain == "jeugd" else "WMO-BG",
        "intensity": intensity,
        "provider_agb": "12345678",
        "need_type": "eindig",
        "care_start": start,
        "care_end": end,
        "planned_end": extra.pop("planned_end", end or date(2030, 1, 1)),
        "start_month": month_index(start) if start else None,
        "end_month": month_index(end) if end else None,
        "price": Decimal(extra.pop("price", "1000.00")),
        "extensions": 0,
    }
    values.update(extra)
    # A fixed record key per row, so the published (perturbed) figures repeat from run to run.
    values.setdefault(
        "record_key",
        derived_key("test", *(values[name] for name in sorted(values) if name != "price")),
    )
    return StatsTrajectory(**values)


def request(
    client: str,
    request_date: date,
    decided_on: date | None = None,
    *,
    domain: str = "jeugd",
    **extra: Any,
) -> StatsRequest:
    """A ``stats_requests`` row: an aanmelding, undecided while ``decided_on`` is empty."""
    values: dict[str, Any] = {
        "client_key": client,
        "age_band": "12-17" if domain == "jeugd" else "27-64",
        "wijk": "Dronten",
        "domain": domain,
        "request_date": request_date,
        "decided_on": decided_on,
        "outcome": "in_behandeling" if decided_on is None else "toegekend",
    }
    values.update(extra)
    values.setdefault("record_key", derived_key("test-request", *map(str, values.values())))
    return StatsRequest(**values)


def jeugd_times_five() -> list[StatsTrajectory]:
    """The hand-computed Jeugd example of tests/workflows/test_stats_figures.py, five clients
    for each of its clients (so no count falls under the threshold)."""
    rows = []
    for n in range(5):
        rows += [
            fact(f"a{n}", date(2021, 1, 15), date(2021, 1, 15)),
            fact(f"b{n}", date(2020, 12, 1), date(2021, 1, 31), intensity="zwaar"),
            fact(f"c{n}", date(2021, 2, 1), date(2021, 2, 28)),
            fact(f"c{n}", date(2021, 3, 1), None, intensity="laag"),
            fact(f"d{n}", date(2021, 2, 10), date(2021, 4, 30), intensity="zwaar"),
            fact(f"d{n}", date(2021, 3, 1), date(2021, 3, 31)),
            fact(f"e{n}", date(2021, 1, 1), date(2021, 1, 31)),
            fact(f"e{n}", date(2021, 2, 2), date(2021, 2, 20)),
            fact(f"f{n}", date(2020, 2, 29), None, intensity="laag"),
        ]
    return rows


def load(session: Session, *rows: StatsTrajectory | StatsRequest) -> None:
    """Replace the feed (and ``stats_requests``) with ``rows`` and derive episodes and monthly
    counts from them."""
    session.execute(delete(StatsRequest))
    session.execute(delete(StatsTrajectory))
    session.execute(delete(StatsEpisode))
    session.execute(delete(StatsMonthlyCount))
    session.add_all(rows)
    session.flush()
    rebuild_aggregates(session.connection())


def query(
    start: str, end: str, *, cutoff: str = "2021-12", domain: str | None = "jeugd", **kw: Any
) -> StatsQuery:
    from models import Domain

    def idx(label: str) -> int:
        y, m = label.split("-")
        return int(y) * 12 + int(m) - 1

    filters = {name: kw.pop(name, None) for name in (
        "category", "profile", "intensity", "provider", "wijk", "age_band"
    )}  # fmt: skip
    return StatsQuery(
        start=idx(start),
        end=idx(end),
        cutoff=idx(cutoff),
        domain=Domain(domain) if domain else None,
        filters=filters,
        **kw,
    )


# The feed column each filter narrows, written out here (not taken from the code) so the tests
# check the code's mapping instead of repeating it.
COLUMNS = {
    "category": "category_code",
    "profile": "profile_code",
    "intensity": "intensity",
    "provider": "provider_agb",
    "wijk": "wijk",
    "age_band": "age_band",
}
