"""The results' cost per calendar year (docs/statistics.md, "Disclosure control", "Money"): the
sum of the started trajectories' prices is published by the same rule as every sum of money in
the finance figure — hidden over fewer than k clients, otherwise moved by a fixed amount from
the cell key — so that a total minus its parts by wijk does not give one trajectory's price
away."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from models import StatsTrajectory
from workflows.stats import report
from workflows.stats.anonymity import Disclosure

from .stats_helpers import fact, load, query

WIJKEN = ("Dronten", "Biddinghuizen", "Swifterbant")


def started_in_2021(seed: int, n: int = 60) -> list[StatsTrajectory]:
    """``n`` clients, each with one trajectory started in 2021 at a price of its own; every
    trajectory but the first has a wijk."""
    draw = random.Random(seed)
    rows = [
        fact(
            f"k{i}",
            date(2021, draw.randint(1, 12), draw.randint(1, 28)),
            price=f"{draw.randint(500, 20000)}.{draw.randint(0, 99):02d}",
            wijk=draw.choice(WIJKEN),
        )
        for i in range(n)
    ]
    rows[0].wijk = None
    return rows


def year_2021(session: Session, disclosure: Disclosure, **filters: str) -> dict[str, object]:
    published = report.results(session, query("2021-01", "2021-12", **filters), disclosure)
    [year] = published.to_json()["years"]
    assert year["year"] == 2021
    return dict(year)


def test_the_total_minus_every_wijk_does_not_give_the_price_without_a_wijk_away(
    session: Session,
) -> None:
    """The one trajectory without a wijk is the total minus the wijken. Published, the
    difference of the price totals is never its price, and misses it by more than 100 euros:
    each sum moves by at least half its cell's mean price per client."""
    disclosure = Disclosure()
    misses = []
    for seed in range(12):
        rows = started_in_2021(200 + seed)
        load(session, *rows)
        total = year_2021(session, disclosure)["price_total"]
        parts = [year_2021(session, disclosure, wijk=w)["price_total"] for w in WIJKEN]
        assert isinstance(total, float) and all(isinstance(p, float) for p in parts)
        derived = total - sum(parts)  # type: ignore[arg-type]
        misses.append(abs(derived - float(rows[0].price)))
    assert min(misses) > 100


def test_with_the_exact_figures_the_attack_gives_the_price_to_the_cent(session: Session) -> None:
    """The attack itself works: without the noise it finds the price (so the test above
    measures the protection, not a broken attack)."""
    rows = started_in_2021(200)
    load(session, *rows)
    exact = Disclosure(exact=True)
    total = year_2021(session, exact)["price_total"]
    parts = [year_2021(session, exact, wijk=w)["price_total"] for w in WIJKEN]
    derived = total - sum(parts)  # type: ignore[operator, arg-type]
    assert round(derived, 2) == float(rows[0].price)


def test_the_cost_of_fewer_than_k_clients_is_hidden_and_named(session: Session) -> None:
    load(session, *started_in_2021(7, n=4))
    year = year_2021(session, Disclosure())
    assert year["price_total"] is None and year["mean_price_per_client"] is None
    assert year["suppressed"] == ["price_total", "mean_price_per_client"]


def test_the_sum_moves_within_its_bounds_and_the_mean_follows_the_published_values(
    session: Session,
) -> None:
    """At least k clients: the sum is moved by ½ … D times the mean price per client, rounded
    to whole euros, the same way every time; the mean per client is the published sum over
    the published count."""
    rows = started_in_2021(11)
    load(session, *rows)
    exact_sum = sum(float(r.price) for r in rows)
    mean = exact_sum / len(rows)
    disclosure = Disclosure()
    year = year_2021(session, disclosure)
    price = year["price_total"]
    assert isinstance(price, float) and price == round(price)
    assert 0.5 * mean - 0.5 <= abs(price - exact_sum) <= disclosure.max_deviation * mean + 0.5
    assert year["mean_price_per_client"] == round(price / year["clients_started"], 2)  # type: ignore[operator]
    assert year_2021(session, disclosure) == year
    assert year["suppressed"] == []
