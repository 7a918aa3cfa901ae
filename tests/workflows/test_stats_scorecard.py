"""The provider scorecard (docs/statistics.md, "Provider scorecard") on small data computed by
hand, its protection, and the differencing attack on a provider with few trajectories."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from models import StatsProviderEvent, derived_key
from workflows.errors import DomainError
from workflows.stats import anonymity, figures
from workflows.stats.anonymity import Disclosure
from workflows.stats.episodes import month_index
from workflows.stats.selection import check_scorecard

from .stats_helpers import fact, load, query

D = date
P1, P2, P3 = "11111111", "22222222", "33333333"


def event(kind: str, provider: str, day: date, domain: str = "jeugd") -> StatsProviderEvent:
    return StatsProviderEvent(
        kind=kind, provider_agb=provider, domain=domain, day=day, month=month_index(day),
        record_key=derived_key("test-event", kind, provider, day.isoformat()),
    )  # fmt: skip


@pytest.fixture
def providers(session: Session) -> None:
    load(
        session,
        # P1: closed in 2021-07 … 2021-12: on time (a), late (b), without result (d)
        fact(
            "a",
            D(2021, 1, 1),
            D(2021, 8, 1),
            provider_agb=P1,
            planned_end=D(2021, 9, 1),
            result_achieved=True,
            closure_category="a",
            price="1000.00",
        ),
        fact(
            "b",
            D(2021, 1, 1),
            D(2021, 9, 15),
            provider_agb=P1,
            planned_end=D(2021, 9, 1),
            result_achieved=True,
            closure_category="b",
            price="2000.00",
        ),
        fact(
            "c",
            D(2021, 1, 1),
            D(2021, 10, 1),
            provider_agb=P1,
            result_achieved=False,
            closure_category="d",
            price="500.00",
        ),
        fact(
            "x",
            D(2020, 1, 1),
            D(2021, 6, 30),
            provider_agb=P1,
            result_achieved=True,
            closure_category="b",
            price="9999.00",
        ),  # closed before the period
        # P2: one closed on time (b)
        fact(
            "d",
            D(2021, 2, 1),
            D(2021, 11, 30),
            provider_agb=P2,
            planned_end=D(2022, 1, 1),
            result_achieved=True,
            closure_category="b",
            price="3000.00",
        ),
        # decisions in the period: P1 started after 10 days, P1 still waiting at R
        fact("t1", D(2021, 7, 11), provider_agb=P1, decision_date=D(2021, 7, 1)),
        fact("t2", None, provider_agb=P1, decision_date=D(2021, 8, 1)),
        fact("t3", D(2021, 7, 20), provider_agb=P2, decision_date=D(2021, 6, 1)),  # before
        # a proposal returned by each, one scaling request of P1; one returned before
        event("returned", P1, D(2021, 9, 3)),
        event("returned", P2, D(2021, 10, 3)),
        event("scaling", P1, D(2021, 11, 3)),
        event("returned", P1, D(2021, 6, 3)),
        event("returned", P1, D(2021, 9, 3), domain="wmo"),  # another domain
    )


def test_the_scorecard_by_hand(session: Session, providers: None) -> None:
    result = figures.scorecard(session, query("2021-07", "2021-12"), [P1, P2, P3])
    p1, p2, p3 = result.providers
    assert p1.counts == {
        "closed": 3, "achieved_on_time": 1, "achieved_late": 1, "category_b": 1,
        "category_d": 1, "returned": 1, "scaling_requests": 1,
    }  # fmt: skip
    assert (p1.achieved, p1.achieved_price) == (2, Decimal("3000.00"))
    # t1 waited 10 days, t2 is censored at R after 152: S(10) = ½
    assert p1.decision_to_start == figures.WaitSurvival(2, 1, 1, 10)
    assert p2.counts["closed"] == 1 and p2.counts["category_b"] == 1
    assert p2.counts["returned"] == 1 and p2.decision_to_start.n == 0
    assert p3.counts == dict.fromkeys(figures.SCORECARD_COUNTS, 0)
    town = result.municipality
    assert town.counts == {
        "closed": 4, "achieved_on_time": 2, "achieved_late": 1, "category_b": 2,
        "category_d": 1, "returned": 2, "scaling_requests": 1,
    }  # fmt: skip
    assert (town.achieved, town.achieved_price) == (3, Decimal("6000.00"))
    assert town.decision_to_start == figures.WaitSurvival(2, 1, 1, 10)
    both = figures.scorecard(session, query("2021-07", "2021-12", domain=None), [P1])
    assert both.providers[0].counts["returned"] == 2  # the Wmo one too


def test_the_published_scorecard(session: Session, providers: None) -> None:
    raw = figures.scorecard(session, query("2021-07", "2021-12"), [P1, P2])
    exact = anonymity.protect_scorecard(raw, {P1: "Zorg Een"}, {}, Disclosure(exact=True))
    p1 = exact.providers[0]
    assert (p1["agb"], p1["name"]) == (P1, "Zorg Een")
    assert exact.providers[1]["name"] == P2  # not in the catalogue: its code
    assert p1["share_achieved_on_time"] == pytest.approx(0.3333)
    assert p1["price_per_achieved_result"] == 1500.0
    assert exact.municipality["price_per_achieved_result"] == 2000.0
    assert p1["decision_to_start"]["km_median_days"] == 10
    published = anonymity.protect_scorecard(raw, {}, {}, Disclosure(k=5)).to_json()
    for column in (*published["providers"], published["municipality"]):
        for name in (*figures.SCORECARD_COUNTS, "achieved"):
            assert column[name] in (0, 5), name  # every count here is 1 … 4
        assert column["price_per_achieved_result"] is None
        assert "price_per_achieved_result" in column["suppressed"]
        assert column["decision_to_start"]["km_median_days"] is None
    assert "decision_to_start.km_median_days" in published["municipality"]["suppressed"]
    only = anonymity.protect_scorecard(raw, {}, {}, Disclosure()).only(P2)
    assert [p["agb"] for p in only.providers] == [P2]


def test_the_scorecard_takes_no_filter_but_the_domain() -> None:
    check_scorecard(query("2021-07", "2021-12", domain=None))
    with pytest.raises(DomainError) as refused:
        check_scorecard(query("2021-07", "2021-12", provider=P1, wijk="Dronten"))
    assert [p.field for p in refused.value.problems] == ["provider", "wijk"]


def test_a_small_provider_is_not_recovered_by_differencing(session: Session) -> None:
    """All providers minus the others: the municipality is a cell of its own, so its published
    total less the published others misses a small provider's exact count most of the time,
    and the small provider itself is published as 0 or k."""
    tried = hits = 0
    for seed in range(12):
        rng = random.Random(seed)
        rows = []
        small = rng.randint(1, 4)
        for n in range(small):
            end = D(2021, 9, rng.randint(1, 28))
            rows.append(fact(f"s{seed}-{n}", D(2021, 1, 1), end, provider_agb=P3,
                             result_achieved=True, closure_category="a"))  # fmt: skip
        for n in range(rng.randint(20, 40)):
            end = D(2021, 7, 1) + timedelta(days=rng.randrange(180))
            rows.append(fact(f"c{seed}-{n}", D(2021, 1, 1), end, provider_agb=rng.choice((P1, P2)),
                             result_achieved=rng.random() < 0.7, closure_category="b"))  # fmt: skip
        load(session, *rows)
        published = anonymity.protect_scorecard(
            figures.scorecard(session, query("2021-07", "2021-12"), [P1, P2, P3]),
            {}, {}, Disclosure(k=5),
        )  # fmt: skip
        by_agb = {p["agb"]: p for p in published.providers}
        assert by_agb[P3]["closed"] in (0, 5)
        derived = published.municipality["closed"] - by_agb[P1]["closed"] - by_agb[P2]["closed"]
        tried += 1
        hits += derived == small
    assert hits < tried / 2, (hits, tried)
