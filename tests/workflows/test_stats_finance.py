"""The finance figure (docs/statistics.md, "Finance"), computed by hand from a few feed rows:
a trajectory whose commitment begins and ends in one month, a price that deviates from the
tariff, a refused claim, care closed without the result and not claimed yet, and overdue care;
the kept counts and the feed give the same answer; and the published figure hides and moves
sums of money so that no difference of two filters gives one trajectory's price away."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from models import StatsTrajectory
from workflows.claims import ClaimPolicy
from workflows.stats import finance, report
from workflows.stats.anonymity import Disclosure
from workflows.stats.episodes import month_index

from .stats_helpers import fact, load, query

EXACT = Disclosure(exact=True)


def m(label: str) -> int:
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def money_fact(
    client: str,
    decision: date | None,
    start: date | None,
    end: date | None = None,
    **extra: Any,
) -> StatsTrajectory:
    """A feed row with its money columns as the derivation writes them."""
    claim = extra.pop("claim", None)  # (state, amount, submitted month, decided month)
    values: dict[str, Any] = {
        "decision_date": decision,
        "commit_month": month_index(decision or start) if (decision or start) else None,
        "tariff_price": _decimal(extra.pop("tariff", None)),
        "claim_state": None,
        "claim_amount": None,
        "claim_submitted_month": None,
        "claim_decided_month": None,
        "pro_rata_amount": _decimal(extra.pop("pro_rata", None)),
    }
    if claim is not None:
        state, amount, submitted, decided = claim
        values.update(
            claim_state=state,
            claim_amount=Decimal(amount),
            claim_submitted_month=m(submitted),
            claim_decided_month=m(decided) if decided else None,
        )
    row = fact(client, start, end, **values, **extra)
    row.expected_month = (
        None
        if claim is not None
        else month_index(end)
        if end is not None
        else month_index(row.planned_end)
    )
    return row


def hand_rows() -> list[StatsTrajectory]:
    return [
        # A: committed, started and ended in March; claimed and approved in April.
        money_fact(
            "a",
            date(2021, 3, 5),
            date(2021, 3, 10),
            date(2021, 3, 25),
            price="1000.00",
            result_achieved=True,
            claim=("goedgekeurd", "1000.00", "2021-04", "2021-04"),
        ),
        # B: decided in February, care goes on; its price deviates from the tariff.
        money_fact(
            "b",
            date(2021, 2, 10),
            date(2021, 3, 1),
            planned_end=date(2022, 3, 31),
            price="2500.00",
            tariff="2000.00",
        ),
        # C: at the tariff; closed in May without the result; its claim refused in June.
        money_fact(
            "c",
            date(2021, 1, 15),
            date(2021, 1, 20),
            date(2021, 5, 31),
            price="1950.00",
            tariff="1950.00",
            result_achieved=False,
            claim=("afgewezen", "1950.00", "2021-06", "2021-06"),
        ),
        # D: closed in November without the result, not claimed yet: pro rata 600 expected.
        money_fact(
            "d",
            date(2021, 6, 1),
            date(2021, 6, 1),
            date(2021, 11, 30),
            price="1200.00",
            result_achieved=False,
            pro_rata="600.00",
        ),
        # E: decided in December, not started, planned end passed: overdue.
        money_fact("e", date(2021, 12, 1), None, planned_end=date(2021, 12, 31), price="800.00"),
    ]


def amounts(raw: finance.Amount) -> tuple[int, int]:
    return raw.n, raw.cents // 100


def test_the_figure_by_hand(session: Session) -> None:
    load(session, *hand_rows())
    raw = finance.finance(session, query("2021-01", "2021-06"))
    assert raw.kept
    assert [amounts(row.committed) for row in raw.months] == [
        (1, 1950),  # January: C
        (2, 4450),  # February: C and B
        (2, 4450),  # March: A came and went within the month
        (2, 4450),
        (1, 2500),  # May: C ended
        (2, 3700),  # June: D began
    ]
    new = [amounts(row.flows["new_commitments"]) for row in raw.months]
    assert new == [(1, 1950), (1, 2500), (1, 1000), (0, 0), (0, 0), (1, 1200)]
    april, june = raw.months[3].flows, raw.months[5].flows
    assert amounts(april["claimed"]) == amounts(april["approved"]) == (1, 1000)
    assert amounts(june["claimed"]) == amounts(june["refused"]) == (1, 1950)
    assert amounts(june["approved"]) == (0, 0)
    assert amounts(raw.months[0].flows["tariff"]) == (1, 1950)
    assert amounts(raw.months[0].flows["deviating"]) == (0, 0)
    assert amounts(raw.months[1].flows["deviating"]) == (1, 2500)
    totals = {name: amounts(value) for name, value in raw.totals.items()}
    assert totals == {
        "new_commitments": (4, 6650),
        "claimed": (2, 2950),
        "approved": (1, 1000),
        "refused": (1, 1950),
        "tariff": (2, 4450),
        "deviating": (1, 2500),
    }
    # Expected from the current month (cut-off 2021-12): E overdue and D's pro rata now,
    # B at its planned end in March.
    assert raw.expected_from == m("2022-01")
    expected = {month: amounts(value) for month, value in raw.expected}
    assert expected[m("2022-01")] == (2, 1400)
    assert expected[m("2022-03")] == (1, 2500)
    assert sum(n for n, _amount in expected.values()) == 3
    assert amounts(raw.expected_total) == (3, 3900)


def test_the_policy_niets_expects_nothing_for_care_closed_without_the_result(
    session: Session,
) -> None:
    load(session, *hand_rows())
    raw = finance.finance(session, query("2021-01", "2021-06"), ClaimPolicy.NIETS)
    assert amounts(raw.expected[0][1]) == (2, 800)


def test_the_exact_report_shows_the_hand_figures_and_the_deviating_share(
    session: Session,
) -> None:
    load(session, *hand_rows())
    published = report.finance(session, query("2021-01", "2021-06"), EXACT).to_json()
    assert published["claim_policy"] == "pro_rata"
    assert published["months"][2]["committed"] == {"n": 2, "amount": 4450.0}
    assert published["months"][5]["refused"] == {"n": 1, "amount": 1950.0}
    assert published["totals"]["tariff"] == {"n": 2, "deviating": 1, "share_deviating": 0.5}
    assert published["expected"]["from"] == "2022-01"
    assert published["expected"]["total"] == {"n": 3, "amount": 3900.0}


def test_sums_over_fewer_than_k_trajectories_are_hidden(session: Session) -> None:
    load(session, *hand_rows())
    published = report.finance(session, query("2021-01", "2021-06")).to_json()
    march = published["months"][2]
    assert march["committed"]["amount"] is None
    assert "committed.amount" in march["suppressed"]
    assert march["committed"]["n"] in (0, 5)
    assert published["totals"]["claimed"]["amount"] is None
    assert "claimed.amount" in published["totals"]["suppressed"]
    assert published["expected"]["total"]["amount"] is None


def many_rows(seed: int, n: int = 60) -> list[StatsTrajectory]:
    draw = random.Random(seed)
    rows = []
    for i in range(n):
        decision = date(2021, draw.randint(1, 6), draw.randint(1, 28))
        end = None if draw.random() < 0.4 else date(2021, draw.randint(7, 11), 15)
        claim = None
        if end is not None and draw.random() < 0.6:
            claim = (
                draw.choice(["ingediend", "goedgekeurd", "afgewezen"]),
                "900.00",
                "2021-11",
                "2021-11",
            )
        rows.append(
            money_fact(
                f"k{i}",
                decision,
                decision,
                end,
                price=f"{draw.randint(500, 20000)}.{draw.randint(0, 99):02d}",
                tariff="5000.00" if draw.random() < 0.5 else None,
                wijk=draw.choice(["Dronten", "Biddinghuizen", "Swifterbant", None]),
                provider_agb=draw.choice(["12345678", "87654321"]),
                result_achieved=None if end is None else draw.random() < 0.5,
                pro_rata="300.00" if end is not None else None,
                claim=claim,
            )
        )
    return rows


def test_the_kept_counts_and_the_feed_give_the_same_exact_figure(session: Session) -> None:
    load(session, *many_rows(1))
    for filters in ({}, {"provider": "12345678"}, {"wijk": "Dronten"}, {"age_band": "12-17"}):
        kept = finance.finance(session, query("2021-01", "2021-12", **filters))
        scanned = finance.finance(
            session, query("2021-01", "2021-12", category="45", intensity="middel", **filters)
        )  # every row is Jeugd ambulant (45), middel: the same rows, from the feed
        assert kept.kept and not scanned.kept
        assert kept.months == scanned.months
        assert kept.totals == scanned.totals
        assert kept.expected == scanned.expected


def test_a_difference_of_two_filters_does_not_give_a_price_away(session: Session) -> None:
    """All rows but one have a wijk; the total minus the sum over the wijken is that one row.
    Published, the difference is never its price, and it misses by at least a few hundred
    euros: the noise is at least half the cell's mean price."""
    disclosure = Disclosure()
    misses = []
    for seed in range(12):
        rows = many_rows(100 + seed, 60)
        for row in rows:
            row.wijk = row.wijk or "Dronten"
        rows[0].wijk = None
        load(session, *rows)
        whole = report.finance(session, query("2021-01", "2021-12"), disclosure).to_json()
        parts = [
            report.finance(session, query("2021-01", "2021-12", wijk=w), disclosure).to_json()
            for w in ("Dronten", "Biddinghuizen", "Swifterbant")
        ]
        total = whole["totals"]["new_commitments"]["amount"]
        part_sums = [p["totals"]["new_commitments"]["amount"] for p in parts]
        assert total is not None and None not in part_sums
        derived = total - sum(part_sums)
        misses.append(abs(derived - float(rows[0].price)))
    assert min(misses) >= 100
    assert all(miss > 0 for miss in misses)


def test_the_same_cell_is_published_the_same_way_every_time(session: Session) -> None:
    load(session, *many_rows(7))
    first = report.finance(session, query("2021-01", "2021-12")).to_json()
    again = report.finance(session, query("2021-01", "2021-12")).to_json()
    assert first == again
