"""The beheerder's pages for providers, contracts, profiles and tariff versions, and merging
what an import added: forms that keep what was typed, Dutch messages at the field, 403 for
every other role, one provider for a double submit."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ConfigChange, Contract, NeedType, Provider, SupportProfile, Tariff, Trajectory
from workflows import catalogue

from ..factories import World, make_trajectory
from ..workflows.history_csv import CLOSED, csv_text
from .helpers import (
    checked_value,
    csrf_token,
    field_error,
    input_value,
    login_as,
    post_form,
    upload_history,
)
from .test_double_submit import PARALLEL, all_at_once, count, in_parallel, one_result

PAGES = [
    ("GET", "/beheer/"),
    ("GET", "/beheer/aanbieders"),
    ("POST", "/beheer/aanbieders"),
    ("GET", "/beheer/aanbieders/{provider}"),
    ("POST", "/beheer/aanbieders/{provider}"),
    ("POST", "/beheer/aanbieders/{provider}/contracten"),
    ("POST", "/beheer/contracten/{contract}"),
    ("GET", "/beheer/profielen/nieuw"),
    ("POST", "/beheer/profielen/nieuw"),
    ("GET", "/beheer/profielen/{profile}"),
    ("POST", "/beheer/profielen/{profile}"),
    ("POST", "/beheer/profielen/{profile}/tarieven"),
    ("POST", "/beheer/geimporteerd/profiel/{profile}/samenvoegen"),
    ("POST", "/beheer/geimporteerd/aanbieder/{provider}/samenvoegen"),
]


@pytest.mark.parametrize("role", ["gids", "aanbieder_a", "manager"])
def test_every_other_role_gets_403_on_every_page_and_post(
    client: FlaskClient, session: Session, world: World, role: str
) -> None:
    login_as(client, getattr(world, role))
    name, token = csrf_token(client.get("/account"))
    ids = {
        "provider": world.zorg_a.id,
        "contract": world.zorg_a.contracts[0].id,
        "profile": world.bg.id,
    }
    changes = session.scalar(select(func.count()).select_from(ConfigChange))
    for method, pattern in PAGES:
        url = pattern.format(**ids)
        data = {
            name: token,
            "name": "X",
            "agb_code": "01234567",
            "target": str(world.bg.id),
            "need_type_default": "blijvend",
        }
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        assert response.status_code == 403, (method, url, response.status_code)
    assert session.scalar(select(func.count()).select_from(ConfigChange)) == changes
    assert session.scalar(select(Provider).where(Provider.agb_code == "01234567")) is None
    session.refresh(world.bg)
    assert world.bg.need_type_default is None


def test_the_beheerder_adds_a_provider_and_a_bad_agb_code_keeps_what_was_typed(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    for code, message in [
        ("1234567", "Een AGB-code bestaat uit precies 8 cijfers."),
        ("12a45678", "Een AGB-code bestaat uit precies 8 cijfers."),
        ("12345678", "Er is al een aanbieder met deze AGB-code."),
    ]:
        bad = post_form(
            client, "/beheer/aanbieders", "/beheer/aanbieders",
            {"name": "Zorg Nieuw", "agb_code": code},
        )  # fmt: skip
        body = bad.get_data(as_text=True)
        assert bad.status_code == 422
        assert field_error(body, "agb_code") == message
        assert (input_value(body, "name"), input_value(body, "agb_code")) == ("Zorg Nieuw", code)
    good = post_form(
        client, "/beheer/aanbieders", "/beheer/aanbieders",
        {"name": "Zorg Nieuw", "agb_code": "01234567"},
    )  # fmt: skip
    provider = session.scalar(select(Provider).where(Provider.agb_code == "01234567"))
    assert provider is not None and provider.name == "Zorg Nieuw"
    assert good.status_code == 302 and good.headers["Location"].endswith(f"/{provider.id}")
    assert "Zorg Nieuw" in client.get(f"/beheer/aanbieders/{provider.id}").get_data(as_text=True)


def test_contracts_are_added_and_an_overlap_is_refused_at_the_field(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    page = f"/beheer/aanbieders/{world.zorg_b.id}"
    action = f"{page}/contracten"
    typed = {
        "nieuw-profile_id": str(world.hh.id),
        "nieuw-role": "hoofdaannemer",
        "nieuw-valid_from": "2026-01-01",
        "nieuw-valid_to": "",
    }
    assert post_form(client, page, action, typed, prefix="nieuw").status_code == 302
    again = post_form(
        client, page, action, {**typed, "nieuw-valid_from": "2026-06-01"}, prefix="nieuw"
    )
    body = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "niet overlappen" in field_error(body, "nieuw-valid_from")
    assert input_value(body, "nieuw-valid_from") == "2026-06-01"
    contracts = session.scalars(
        select(Contract).where(Contract.provider_id == world.zorg_b.id)
    ).all()
    assert len([c for c in contracts if c.profile_id == world.hh.id]) == 1


def test_ending_a_contract_on_the_page_leaves_running_trajectories_unchanged(
    client: FlaskClient, session: Session, world: World
) -> None:
    from models import TrajectoryState

    running = make_trajectory(session, world, TrajectoryState.ACTIEF)
    before = (running.provider_id, running.price, running.planned_start, running.planned_end)
    contract = next(c for c in world.zorg_a.contracts if c.profile_id == world.bg.id)
    login_as(client, world.beheerder)
    prefix = f"c{contract.id}"
    response = post_form(
        client, f"/beheer/aanbieders/{world.zorg_a.id}", f"/beheer/contracten/{contract.id}",
        {f"{prefix}-valid_from": "2019-01-01", f"{prefix}-valid_to": "2026-10-31"},
        prefix=prefix,
    )  # fmt: skip
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Contract, contract.id).valid_to == date(2026, 10, 31)  # type: ignore[union-attr]
    running = session.get(Trajectory, running.id)
    assert running is not None
    assert (
        running.provider_id,
        running.price,
        running.planned_start,
        running.planned_end,
    ) == before


def tariff_data(**values: str) -> dict[str, str]:
    data = {
        "intensity": "middel",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "price": "3.950,00",
        "standard_duration_weeks": "26",
        "evaluation_interval_months": "6",
    }
    data.update(values)
    return {f"tarief-{k}": v for k, v in data.items()}


def test_tariff_versions_on_the_profile_page(
    client: FlaskClient, session: Session, world: World
) -> None:
    make_trajectory(session, world)  # priced with begeleiding middel from 2021, starts 09-11-2026
    login_as(client, world.beheerder)
    page = f"/beheer/profielen/{world.bg.id}"
    action = f"{page}/tarieven"
    refused = post_form(client, page, action, tariff_data(), prefix="tarief")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "09-11-2026" in field_error(body, "tarief-valid_from")
    assert input_value(body, "tarief-price") == "3.950,00"
    accepted = post_form(
        client, page, action, tariff_data(intensity="laag", price="2300"), prefix="tarief"
    )
    assert accepted.status_code == 302
    session.expire_all()
    versions = session.scalars(
        select(Tariff).where(Tariff.profile_id == world.bg.id).order_by(Tariff.valid_from)
    ).all()
    laag = [(t.valid_from, t.valid_to, t.price) for t in versions if t.intensity.value == "laag"]
    assert laag[-2][1] == date(2025, 12, 31)
    assert laag[-1][0] == date(2026, 1, 1) and str(laag[-1][2]) == "2300.00"
    bad = post_form(client, page, action, tariff_data(price="veel"), prefix="tarief")
    assert "Vul een bedrag in" in field_error(bad.get_data(as_text=True), "tarief-price")


def test_a_profile_without_tariffs_is_marked_and_fixable(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    response = post_form(
        client, "/beheer/profielen/nieuw", "/beheer/profielen/nieuw",
        {"code": "WMO-DB", "name": "Dagbesteding", "category_code": "07",
         "intensities": ["laag", "middel"]},
    )  # fmt: skip
    profile = session.scalar(select(SupportProfile).where(SupportProfile.code == "WMO-DB"))
    assert profile is not None and response.status_code == 302
    index = client.get("/beheer/").get_data(as_text=True)
    assert "Nog geen tarieven." in index and f"/beheer/profielen/{profile.id}#tarief" in index
    page = client.get(f"/beheer/profielen/{profile.id}").get_data(as_text=True)
    assert "Nog geen tarieven" in page and 'id="tarief-intensity"' in page
    post_form(
        client, f"/beheer/profielen/{profile.id}", f"/beheer/profielen/{profile.id}/tarieven",
        tariff_data(intensity="laag", price="900"), prefix="tarief",
    )  # fmt: skip
    session.refresh(profile)
    assert catalogue.missing_tariffs(profile) == [profile.allowed_intensities[1]]
    bad = post_form(
        client, "/beheer/profielen/nieuw", "/beheer/profielen/nieuw",
        {"code": "WMO DB!", "name": "", "category_code": "zz", "intensities": []},
    )  # fmt: skip
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "hoogstens 20 tekens" in field_error(body, "code")
    assert "codelijst" in field_error(body, "category_code")
    assert input_value(body, "code") == "WMO DB!"


def profile_data(profile: SupportProfile, **changes: object) -> dict[str, object]:
    return {
        "code": profile.code,
        "name": profile.name,
        "category_code": profile.category_code,
        "product_code": profile.product_code or "",
        "intensities": [i.value for i in profile.allowed_intensities],
        "active": "y",
        **changes,
    }


def test_the_beheerder_sets_a_profiles_need_type_default(
    client: FlaskClient, session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world)
    login_as(client, world.beheerder)
    page = f"/beheer/profielen/{world.bg.id}"
    body = client.get(page).get_data(as_text=True)
    assert checked_value(body, "need_type_default") == ""  # none yet
    assert "Zonder standaard: Eindig (tijdelijk)." in body
    saved = post_form(client, page, page, profile_data(world.bg, need_type_default="blijvend"))
    assert saved.status_code == 302
    session.refresh(world.bg)
    assert world.bg.need_type_default == NeedType.BLIJVEND
    assert checked_value(client.get(page).get_data(as_text=True), "need_type_default") == "blijvend"
    logged = session.scalars(
        select(ConfigChange).where(ConfigChange.field == "need_type_default")
    ).all()
    assert [(c.object_id, c.old, c.new, c.user_id) for c in logged] == [
        (world.bg.id, None, "blijvend", world.beheerder.id)
    ]
    session.refresh(trajectory)
    assert trajectory.need_type == NeedType.EINDIG  # existing trajectories keep theirs
    # a value that is not a need type comes back at the field, with what was typed kept
    bad = post_form(client, page, page, profile_data(world.bg, name="Nieuw", need_type_default="x"))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "eindig, blijvend of geen standaard" in field_error(text, "need_type_default")
    assert input_value(text, "name") == "Nieuw"
    session.refresh(world.bg)
    assert (world.bg.name, world.bg.need_type_default) == (
        "Begeleiding individueel",
        NeedType.BLIJVEND,
    )
    # back to none
    post_form(client, page, page, profile_data(world.bg, need_type_default=""))
    session.refresh(world.bg)
    assert world.bg.need_type_default is None
    # a new profile with a default
    created = post_form(
        client, "/beheer/profielen/nieuw", "/beheer/profielen/nieuw",
        {"code": "WMO-DBD", "name": "Dagbesteding dementie", "category_code": "07",
         "intensities": ["middel"], "need_type_default": "blijvend"},
    )  # fmt: skip
    assert created.status_code == 302
    profile = session.scalar(select(SupportProfile).where(SupportProfile.code == "WMO-DBD"))
    assert profile is not None and profile.need_type_default == NeedType.BLIJVEND


def test_merging_an_imported_profile_on_the_review_page(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    upload_history(client, world, csv_text(CLOSED.replace("WMO-BG", "WMO-OUD")), create_missing="y")
    imported = session.scalar(select(SupportProfile).where(SupportProfile.code == "WMO-OUD"))
    assert imported is not None and imported.imported
    trajectory = session.scalar(select(Trajectory).where(Trajectory.profile_id == imported.id))
    assert trajectory is not None
    imported_id = imported.id
    response = post_form(
        client, "/beheer/geimporteerd", f"/beheer/geimporteerd/profiel/{imported_id}/samenvoegen",
        {"target": str(world.bg.id)},
    )  # fmt: skip
    assert response.status_code == 302
    session.expire_all()
    assert session.get(SupportProfile, imported_id) is None
    assert session.get(Trajectory, trajectory.id).profile_id == world.bg.id  # type: ignore[union-attr]
    assert "Samengevoegd: 1 trajecten" in client.get("/beheer/geimporteerd").get_data(as_text=True)


def test_a_double_submit_creates_one_provider(app: Flask, committed_world: World) -> None:
    typed = {"name": "Zorg Dubbel", "agb_code": "55555555"}
    with all_at_once("INSERT INTO providers"):
        responses = in_parallel(app, [(committed_world.beheerder, "/beheer/aanbieders")], typed)
    for body in one_result(responses):
        assert "Er is al een aanbieder met deze AGB-code." in body
        assert input_value(body, "agb_code") == "55555555"
    assert count(Provider, Provider.agb_code == "55555555") == 1


def test_parallel_posts_of_one_contract_add_it_once(app: Flask, committed_world: World) -> None:
    url = f"/beheer/aanbieders/{committed_world.zorg_b.id}/contracten"
    page = f"/beheer/aanbieders/{committed_world.zorg_b.id}"
    typed = {
        "nieuw-profile_id": str(committed_world.hh.id),
        "nieuw-role": "hoofdaannemer",
        "nieuw-valid_from": "2026-01-01",
        "nieuw-valid_to": "",
    }
    with all_at_once("INSERT INTO contracts"):
        responses = in_parallel_to(app, committed_world, page, url, typed)
    for body in one_result(responses):
        assert "niet overlappen" in body
    assert (
        count(
            Contract,
            Contract.provider_id == committed_world.zorg_b.id,
            Contract.profile_id == committed_world.hh.id,
        )
        == 1
    )


def in_parallel_to(app: Flask, world: World, page: str, url: str, data: dict[str, str]) -> list:  # type: ignore[type-arg]
    """As ``in_parallel``, for a form whose page and action differ."""
    clients = []
    for _ in range(PARALLEL):
        client = app.test_client()
        login_as(client, world.beheerder)
        clients.append((client, *csrf_token(client.get(page), "nieuw")))
    start = threading.Barrier(PARALLEL)
    responses: list = [None] * PARALLEL  # type: ignore[type-arg]

    def post(i: int) -> None:
        client, name, token = clients[i]
        start.wait()
        responses[i] = client.post(url, data={name: token, **data})

    threads = [threading.Thread(target=post, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses
