"""The beheerder's budget page ("39.800"-style amounts, bad input kept with a Dutch message, the
change log) and the manager's budget table on the finance page: budget, committed, claimed, the
forecast with its assumptions, and a warning where the forecast exceeds the budget."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Budget
from workflows import budgets

from ..factories import World
from ..workflows.stats_helpers import TODAY, load
from .helpers import field_error, input_value, login_as, post_form
from .test_stats_finance_views import rows_times

PERIOD = {"figuur": "finance", "from": "2021-01", "to": "2021-06", "domain": "jeugd"}


@pytest.mark.parametrize("typed", ["1.250.000", "1250000", " 1.250.000 "])
def test_the_beheerder_records_a_budget_in_dutch_thousands(
    client: FlaskClient, session: Session, world: World, typed: str
) -> None:
    login_as(client, world.beheerder)
    data = {"year": "2021", "category_code": "45", "amount": typed}
    assert post_form(client, "/beheer/begroting", "/beheer/begroting", data).status_code == 302
    row = session.scalars(select(Budget)).one()
    assert (row.year, row.category_code, int(row.amount)) == (2021, "45", 1_250_000)
    page = client.get("/beheer/begroting").get_data(as_text=True)
    assert "€ 1.250.000,00" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "12,5"}, "amount", "zonder komma"),
        ({"amount": "abc"}, "amount", "heel getal"),
        ({"amount": ""}, "amount", "Vul een aantal in"),
        ({"category_code": "99"}, "category_code", "Kies een productcategorie"),
        ({"year": "1999"}, "year", ""),
    ],
)
def test_a_bad_budget_keeps_what_was_typed(
    client: FlaskClient, session: Session, world: World, data: dict[str, str], field: str,
    message: str,
) -> None:  # fmt: skip
    login_as(client, world.beheerder)
    typed = {"year": "2021", "category_code": "45", "amount": "39.800", **data}
    response = post_form(client, "/beheer/begroting", "/beheer/begroting", typed)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in html.unescape(field_error(body, field) or "")
    for name in ("year", "amount"):
        assert input_value(body, name) == typed[name]
    assert session.scalars(select(Budget)).all() == []


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "manager"])
def test_only_the_beheerder_reaches_the_budget_page(
    client: FlaskClient, world: World, who: str
) -> None:
    login_as(client, getattr(world, who))
    assert client.get("/beheer/begroting").status_code == 403
    assert client.post("/beheer/begroting", data={"year": "2021"}).status_code in (400, 403)


def finance_page(client: FlaskClient, world: World) -> str:
    with freeze_time(TODAY):
        login_as(client, world.manager)
        response = client.get("/manager/", query_string=PERIOD)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_forecast_above_the_budget_is_named_with_its_assumptions(
    client: FlaskClient, session: Session, world: World
) -> None:
    load(session, *rows_times(6))
    budgets.set_budget(session, world.beheerder, year=2021, category_code="45", amount=10_000)
    session.flush()
    page = finance_page(client, world)
    # Committed January–June 2021: 6 × (1950 + 2500 + 1000 + 1200) = 39,900; the basis, the
    # 12 months up to June, the same; forecast 39,900 + 6 × 39,900 / 12 = 59,850 (perturbed).
    assert "Prognose boven de begroting" in page
    warning = re.search(r"Let op: de prognose voor Jeugd · 45 [^<]*", page)
    assert warning is not None and "boven de begroting 2021 (€ 10.000,00)" in warning.group(0)
    assert "6 resterende maanden × gemiddelde instroom per maand × gemiddelde prijs" in page
    assert "2020-07 t/m 2021-06" in page
    row = re.search(r'<th scope="row">Jeugd · 45 [^<]*</th>(.*?)</tr>', page, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells[0] == "€ 10.000,00"
    assert cells[-1].startswith("ja, €")


def test_no_warning_within_the_budget(client: FlaskClient, session: Session, world: World) -> None:
    load(session, *rows_times(6))
    budgets.set_budget(session, world.beheerder, year=2021, category_code="45", amount=1_000_000)
    session.flush()
    page = finance_page(client, world)
    assert "Prognose boven de begroting" not in page
    row = re.search(r'<th scope="row">Jeugd · 45 [^<]*</th>(.*?)</tr>', page, re.S)
    assert (
        row is not None and re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[-1] == "nee"
    )


def test_the_budget_does_not_apply_with_other_filters(
    client: FlaskClient, session: Session, world: World
) -> None:
    load(session, *rows_times(6))
    with freeze_time(TODAY):
        login_as(client, world.manager)
        page = client.get("/manager/", query_string={**PERIOD, "wijk": "Dronten"})
    assert "n.v.t.: de begroting geldt per domein en productcategorie" in html.unescape(
        page.get_data(as_text=True)
    )
