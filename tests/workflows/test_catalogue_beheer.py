"""The beheerder keeps providers, contracts, profiles and tariff versions (workflows.providers,
workflows.catalogue): the rules, the change log, and merging what a history import added."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ConfigChange,
    ContractRole,
    Intensity,
    NeedType,
    Provider,
    StatsTrajectory,
    SupportProfile,
    Trajectory,
    TrajectoryState,
)
from workflows import catalogue, providers
from workflows.catalogue import add_tariff, contracted_providers, tariff_on
from workflows.errors import DomainError, NotFound
from workflows.stats import feed
from workflows.stats.history import apply_import, check_import

from ..factories import TODAY, World, make_trajectory
from .history_csv import CLOSED, RUNNING, csv_text

M, L, Z = Intensity.MIDDEL, Intensity.LAAG, Intensity.ZWAAR
MAIN, SUB = ContractRole.HOOFDAANNEMER, ContractRole.ONDERAANNEMER


def fields_of(error: pytest.ExceptionInfo[DomainError]) -> dict[str | None, str]:
    return {p.field: p.render() for p in error.value.problems}


def log_rows(session: Session, object_type: str) -> list[ConfigChange]:
    return list(
        session.scalars(
            select(ConfigChange)
            .where(ConfigChange.object_type == object_type)
            .order_by(ConfigChange.id)
        )
    )


# --- providers ----------------------------------------------------------------------------------


def test_a_provider_is_added_and_logged(session: Session, world: World) -> None:
    provider = providers.create_provider(
        session, world.beheerder, name="  Zorg Nieuw ", agb_code="01234567"
    )
    assert (provider.name, provider.agb_code, provider.active) == ("Zorg Nieuw", "01234567", True)
    rows = log_rows(session, "aanbieder")
    assert {(r.field, r.old, r.new) for r in rows} == {
        ("name", None, "Zorg Nieuw"),
        ("agb_code", None, "01234567"),
        ("active", None, "ja"),
    }
    assert {r.user_id for r in rows} == {world.beheerder.id}
    assert {r.action for r in rows} == {"aangemaakt"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("1234567", "precies 8 cijfers"),
        ("1234567a", "precies 8 cijfers"),
        ("١٢٣٤٥٦٧٨", "precies 8 cijfers"),  # Arabic-Indic digits are no AGB code
        ("", "Vul de AGB-code in"),
        ("12345678", "al een aanbieder met deze AGB-code"),  # Zorg A has it
    ],
)
def test_a_bad_agb_code_is_refused_in_dutch(
    session: Session, world: World, code: str, message: str
) -> None:
    before = session.scalar(select(func.count()).select_from(Provider))
    with pytest.raises(DomainError) as refused:
        providers.create_provider(session, world.beheerder, name="Zorg X", agb_code=code)
    assert message in fields_of(refused)["agb_code"]
    assert session.scalar(select(func.count()).select_from(Provider)) == before
    assert log_rows(session, "aanbieder") == []


def test_only_a_beheerder_keeps_providers(session: Session, world: World) -> None:
    for user in (world.gids, world.aanbieder_a, world.manager):
        with pytest.raises(DomainError, match="U heeft geen recht"):
            providers.create_provider(session, user, name="Zorg X", agb_code="01234567")
        with pytest.raises(DomainError, match="U heeft geen recht"):
            add_tariff(session, world.bg, M, date(2027, 1, 1), Decimal("1"), 26, 6, actor=user)


def test_a_deactivated_provider_is_no_longer_offered_and_keeps_its_trajectories(
    session: Session, world: World
) -> None:
    running = make_trajectory(session, world, TrajectoryState.ACTIEF)
    changes = providers.update_provider(
        session, world.beheerder, world.zorg_a, name="Zorg A", agb_code="12345678", active=False
    )
    assert changes == {"active": (True, False)}
    assert world.zorg_a not in contracted_providers(session, world.bg.id, TODAY)
    session.refresh(running)
    assert (running.provider_id, running.state) == (world.zorg_a.id, TrajectoryState.ACTIEF)
    [row] = log_rows(session, "aanbieder")
    assert (row.field, row.old, row.new, row.action) == ("active", "ja", "nee", "gewijzigd")


def test_the_agb_code_is_fixed_once_the_provider_has_trajectories(
    session: Session, world: World
) -> None:
    providers.update_provider(
        session, world.beheerder, world.zorg_b, name="Zorg B", agb_code="01234567", active=True
    )
    assert world.zorg_b.agb_code == "01234567"
    make_trajectory(session, world)  # with Zorg A
    with pytest.raises(DomainError) as refused:
        providers.update_provider(
            session, world.beheerder, world.zorg_a, name="Zorg A", agb_code="01234568",
            active=True,
        )  # fmt: skip
    assert "ligt vast" in fields_of(refused)["agb_code"]


def test_changing_the_agb_code_to_another_providers_is_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        providers.update_provider(
            session, world.beheerder, world.zorg_a, name="Zorg A", agb_code="87654321",
            active=True,
        )  # fmt: skip
    assert "al een aanbieder" in fields_of(refused)["agb_code"]


# --- contracts ---------------------------------------------------------------------------------


def test_contracts_of_one_provider_for_one_profile_never_overlap(
    session: Session, world: World
) -> None:
    new = providers.create_provider(session, world.beheerder, name="Zorg N", agb_code="01234567")
    first = providers.add_contract(
        session, world.beheerder, new, profile_id=world.bg.id, role=MAIN,
        valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
    )  # fmt: skip
    for start, end, role in [
        (date(2026, 6, 1), None, MAIN),
        (date(2025, 1, 1), date(2026, 1, 1), MAIN),
        (date(2026, 3, 1), date(2026, 4, 1), SUB),  # main and sub on the same day: refused too
    ]:
        with pytest.raises(DomainError) as refused:
            providers.add_contract(
                session, world.beheerder, new, profile_id=world.bg.id, role=role,
                valid_from=start, valid_to=end,
            )  # fmt: skip
        assert "niet overlappen" in fields_of(refused)["valid_from"]
    follow = providers.add_contract(
        session, world.beheerder, new, profile_id=world.bg.id, role=SUB,
        valid_from=date(2027, 1, 1), valid_to=None,
    )  # fmt: skip
    assert contracted_providers(session, world.bg.id, date(2026, 7, 1)).count(new) == 1
    assert new not in contracted_providers(session, world.bg.id, date(2027, 7, 1))
    assert new in contracted_providers(session, world.bg.id, date(2027, 7, 1), SUB)
    assert {first.id, follow.id} == {c.id for c in new.contracts}
    with pytest.raises(DomainError) as refused:
        providers.change_contract_dates(
            session, world.beheerder, first, valid_from=date(2026, 1, 1),
            valid_to=date(2027, 1, 1),
        )  # fmt: skip
    assert "niet overlappen" in fields_of(refused)["valid_from"]


def test_a_contract_ends_on_or_after_it_starts(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        providers.add_contract(
            session, world.beheerder, world.zorg_b, profile_id=world.hh.id, role=MAIN,
            valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 30),
        )  # fmt: skip
    assert "vóór de ingangsdatum" in fields_of(refused)["valid_to"]
    with pytest.raises(DomainError) as refused:
        providers.add_contract(
            session, world.beheerder, world.zorg_b, profile_id=None, role=None,
            valid_from=None, valid_to=None,
        )  # fmt: skip
    assert set(fields_of(refused)) == {"profile_id", "role"}


def test_ending_a_contract_leaves_running_trajectories_unchanged(
    session: Session, world: World
) -> None:
    running = make_trajectory(session, world, TrajectoryState.ACTIEF)
    before = (
        running.provider_id, running.price, running.tariff_id, running.planned_start,
        running.planned_end, running.care_start, running.state, running.version,
    )  # fmt: skip
    contract = next(c for c in world.zorg_a.contracts if c.profile_id == world.bg.id)
    changes = providers.change_contract_dates(
        session, world.beheerder, contract, valid_from=contract.valid_from,
        valid_to=TODAY - timedelta(days=1),
    )  # fmt: skip
    assert changes == {"valid_to": (None, TODAY - timedelta(days=1))}
    session.expire_all()
    running = session.get(Trajectory, running.id)
    assert running is not None
    after = (
        running.provider_id, running.price, running.tariff_id, running.planned_start,
        running.planned_end, running.care_start, running.state, running.version,
    )  # fmt: skip
    assert after == before
    assert world.zorg_a not in contracted_providers(session, world.bg.id, TODAY)
    [row] = log_rows(session, "contract")
    assert (row.field, row.old, row.new, row.action) == (
        "valid_to",
        None,
        "01-11-2026",
        "beeindigd",
    )


# --- tariff versions -------------------------------------------------------------------------


def test_a_back_dated_version_over_a_used_version_is_refused(
    session: Session, world: World
) -> None:
    priced = make_trajectory(session, world)  # begeleiding middel, planned start 09-11-2026
    used = priced.tariff
    assert used is not None and used.valid_from == date(2021, 1, 1)
    with pytest.raises(DomainError) as refused:
        add_tariff(
            session, world.bg, M, date(2026, 1, 1), Decimal("3900.00"), 26, 6,
            actor=world.beheerder,
        )  # fmt: skip
    assert "09-11-2026" in fields_of(refused)["valid_from"]
    assert used.valid_to is None
    assert log_rows(session, "tarief") == []


def test_a_back_dated_version_not_used_is_accepted_and_closes_the_previous(
    session: Session, world: World
) -> None:
    make_trajectory(session, world)  # uses begeleiding middel, not laag
    previous = tariff_on(session, world.bg.id, L, date(2025, 1, 1))
    assert previous is not None
    new = add_tariff(
        session, world.bg, L, date(2025, 1, 1), Decimal("2300.00"), 26, 6, actor=world.beheerder
    )
    assert previous.valid_to == date(2024, 12, 31)
    assert new.valid_to is None
    assert tariff_on(session, world.bg.id, L, date(2025, 1, 1)) is new
    logged = {(r.object_id, r.field, r.old, r.new) for r in log_rows(session, "tarief")}
    assert (previous.id, "valid_to", None, "31-12-2024") in logged
    assert (new.id, "price", None, "2300,00") in logged


def test_a_version_put_between_two_ends_before_the_next(session: Session, world: World) -> None:
    new = add_tariff(
        session, world.bg, L, date(2020, 7, 1), Decimal("2100.00"), 26, 6, actor=world.beheerder
    )
    assert new.valid_to == date(2020, 12, 31)
    assert tariff_on(session, world.bg.id, L, date(2020, 6, 30)).price == Decimal("2000.00")  # type: ignore[union-attr]
    with pytest.raises(DomainError) as refused:
        add_tariff(
            session, world.bg, L, date(2020, 3, 1), Decimal("2100.00"), 26, 6,
            valid_to=date(2021, 2, 1), actor=world.beheerder,
        )  # fmt: skip
    assert "volgende versie" in fields_of(refused)["valid_to"]


def test_trajectories_keep_the_price_they_were_agreed_at(session: Session, world: World) -> None:
    agreed = make_trajectory(session, world, TrajectoryState.ACTIEF)
    price, tariff_id = agreed.price, agreed.tariff_id
    add_tariff(
        session, world.bg, M, date(2026, 12, 1), Decimal("4100.00"), 26, 6, actor=world.beheerder
    )
    session.expire_all()
    agreed = session.get(Trajectory, agreed.id)
    assert agreed is not None and (agreed.price, agreed.tariff_id) == (price, tariff_id)
    later = make_trajectory(session, world, planned_start=date(2026, 12, 7))
    assert later.price == Decimal("4100.00")


def test_bad_tariff_values_are_refused_at_their_fields(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        add_tariff(
            session, world.bg, M, date(2027, 1, 1), Decimal("-1"), 0, 30,
            valid_to=date(2026, 1, 1), actor=world.beheerder,
        )  # fmt: skip
    assert set(fields_of(refused)) == {
        "price", "standard_duration_weeks", "evaluation_interval_months", "valid_to",
    }  # fmt: skip


# --- profiles ----------------------------------------------------------------------------------


def test_a_profile_takes_a_category_from_the_code_lists(session: Session, world: World) -> None:
    profile = catalogue.create_profile(
        session, world.beheerder, code="WMO-DB", name="Dagbesteding", category_code="07",
        intensities=[L, M],
    )  # fmt: skip
    assert (profile.domain.value, profile.active, profile.imported) == ("wmo", True, False)
    assert catalogue.missing_tariffs(profile) == [L, M]
    assert profile in catalogue.profiles_without_tariffs(session)
    with pytest.raises(DomainError) as refused:
        catalogue.create_profile(
            session, world.beheerder, code="WMO-DB", name="Dubbel", category_code="99",
            intensities=[],
        )  # fmt: skip
    problems = fields_of(refused)
    assert "al een profiel met deze code" in problems["code"]
    assert "codelijst" in problems["category_code"]
    assert "intensiteit" in problems["intensities"]
    with pytest.raises(DomainError, match="alleen de intensiteiten Laag en Zwaar"):
        catalogue.create_profile(
            session, world.beheerder, code="WMO-HH2", name="HH", category_code="01",
            intensities=[M],
        )  # fmt: skip


def test_code_and_category_are_fixed_once_a_trajectory_uses_the_profile(
    session: Session, world: World
) -> None:
    make_trajectory(session, world)
    with pytest.raises(DomainError) as refused:
        catalogue.update_profile(
            session, world.beheerder, world.bg, code="WMO-BG2", name="Begeleiding",
            category_code="02", intensities=[L, M, Z], active=True, need_type_default=None,
        )  # fmt: skip
    assert "Code en categorie liggen vast" in fields_of(refused)["code"]
    catalogue.update_profile(
        session, world.beheerder, world.bg, code="WMO-BG", name="Begeleiding individueel",
        category_code="02", intensities=[L, M], active=False, need_type_default="",
    )  # fmt: skip
    assert world.bg.allowed_intensities == [L, M] and not world.bg.active
    changed = {(r.field, r.old, r.new) for r in log_rows(session, "profiel")}
    assert ("active", "ja", "nee") in changed
    assert ("intensities", "laag, middel, zwaar", "laag, middel") in changed


def test_a_profile_takes_a_need_type_default_and_the_log_names_it(
    session: Session, world: World
) -> None:
    profile = catalogue.create_profile(
        session, world.beheerder, code="WMO-DEM", name="Dagbesteding dementie",
        category_code="07", intensities=[M], need_type_default="blijvend",
    )  # fmt: skip
    assert profile.need_type_default == NeedType.BLIJVEND
    assert catalogue.need_type_for(profile) == NeedType.BLIJVEND
    created = {(r.field, r.old, r.new) for r in log_rows(session, "profiel")}
    assert ("need_type_default", None, "blijvend") in created
    plain = catalogue.create_profile(
        session, world.beheerder, code="WMO-X", name="Zonder", category_code="02",
        intensities=[L],
    )  # fmt: skip
    assert plain.need_type_default is None
    assert catalogue.need_type_for(plain) == catalogue.DEFAULT_NEED_TYPE == NeedType.EINDIG
    assert catalogue.need_type_for(None) == NeedType.EINDIG
    # none is not written as a change
    assert not [
        r
        for r in log_rows(session, "profiel")
        if r.object_id == plain.id and r.field == "need_type_default"
    ]


def test_changing_the_need_type_default_is_logged_and_leaves_trajectories_alone(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world)
    before = trajectory.need_type
    assert before == NeedType.EINDIG
    for raw, shown in (("blijvend", "blijvend"), ("eindig", "eindig"), ("", None)):
        catalogue.update_profile(
            session, world.beheerder, world.bg, code=world.bg.code, name=world.bg.name,
            category_code=world.bg.category_code, intensities=world.bg.allowed_intensities,
            active=True, need_type_default=raw,
        )  # fmt: skip
        assert world.bg.need_type_default == (NeedType(raw) if raw else None)
        last = log_rows(session, "profiel")[-1]
        assert (last.field, last.new) == ("need_type_default", shown)
    assert [(r.old, r.new) for r in log_rows(session, "profiel")] == [
        (None, "blijvend"),
        ("blijvend", "eindig"),
        ("eindig", None),
    ]
    session.refresh(trajectory)
    assert trajectory.need_type == before
    # saving the same again writes nothing
    catalogue.update_profile(
        session, world.beheerder, world.bg, code=world.bg.code, name=world.bg.name,
        category_code=world.bg.category_code, intensities=world.bg.allowed_intensities,
        active=True, need_type_default=None,
    )  # fmt: skip
    assert len(log_rows(session, "profiel")) == 3


def test_a_need_type_default_must_be_a_need_type_and_only_the_beheerder_sets_it(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        catalogue.create_profile(
            session, world.beheerder, code="WMO-Y", name="Y", category_code="02",
            intensities=[L], need_type_default="altijd",
        )  # fmt: skip
    assert "eindig, blijvend of geen" in fields_of(refused)["need_type_default"]
    with pytest.raises(DomainError) as refused:
        catalogue.update_profile(
            session, world.beheerder, world.bg, code=world.bg.code, name="",
            category_code=world.bg.category_code, intensities=world.bg.allowed_intensities,
            active=True, need_type_default="BLIJVEND",
        )  # fmt: skip
    assert set(fields_of(refused)) == {"name", "need_type_default"}
    assert world.bg.need_type_default is None
    with pytest.raises(DomainError, match="U heeft geen recht"):
        catalogue.update_profile(
            session, world.gids, world.bg, code=world.bg.code, name=world.bg.name,
            category_code=world.bg.category_code, intensities=world.bg.allowed_intensities,
            active=True, need_type_default="blijvend",
        )  # fmt: skip
    assert world.bg.need_type_default is None
    assert log_rows(session, "profiel") == []


# --- merging what an import added ---------------------------------------------------------------


def import_with_new_entries(session: Session, world: World) -> tuple[SupportProfile, Provider]:
    lines = [
        CLOSED.replace("WMO-BG", "WMO-OUD").replace("12345678", "99999999"),
        RUNNING,
    ]
    check = check_import(session, csv_text(*lines), TODAY, create_missing=True)
    assert check.ok, [p.render() for p in check.problems]
    apply_import(session, check, world.gids, TODAY, by=world.beheerder)
    profile = session.scalar(select(SupportProfile).where(SupportProfile.code == "WMO-OUD"))
    provider = session.scalar(select(Provider).where(Provider.agb_code == "99999999"))
    assert profile is not None and provider is not None
    return profile, provider


def test_merging_an_imported_profile_moves_its_references_and_keeps_the_figures(
    session: Session, world: World
) -> None:
    profile, _provider = import_with_new_entries(session, world)
    moved = session.scalar(select(Trajectory).where(Trajectory.profile_id == profile.id))
    assert moved is not None
    contract = providers.add_contract(
        session, world.beheerder, world.zorg_c, profile_id=profile.id, role=MAIN,
        valid_from=date(2019, 1, 1), valid_to=date(2019, 12, 31),
    )  # fmt: skip
    # A frozen feed row (as a retention purge leaves) that names the imported profile.
    live = make_trajectory(session, world, TrajectoryState.ACTIEF)
    feed.detach(session, [live.id])
    frozen = session.execute(
        StatsTrajectory.__table__.update()
        .where(StatsTrajectory.source_trajectory_id == live.id)
        .values(profile_code="WMO-OUD")
    )
    assert frozen.rowcount == 1
    feed.rebuild_aggregates(session.connection())
    profile_id = profile.id

    count = catalogue.merge_profile(session, world.beheerder, profile_id, world.bg.id)

    assert count == 1
    session.expire_all()
    assert session.get(SupportProfile, profile_id) is None
    assert session.get(Trajectory, moved.id).profile_id == world.bg.id  # type: ignore[union-attr]
    assert session.get(type(contract), contract.id).profile_id == world.bg.id  # type: ignore[union-attr]
    codes = set(session.scalars(select(StatsTrajectory.profile_code)))
    assert "WMO-OUD" not in codes and "WMO-BG" in codes
    assert (
        session.scalar(select(StatsTrajectory.profile_code).where(StatsTrajectory.frozen.is_(True)))
        == "WMO-BG"
    )
    kept = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept
    actions = {(r.object_id, r.action) for r in log_rows(session, "profiel")}
    assert (profile_id, "verwijderd") in actions and (world.bg.id, "samengevoegd") in actions


def test_merging_an_imported_provider_moves_its_trajectories(
    session: Session, world: World
) -> None:
    _profile, provider = import_with_new_entries(session, world)
    provider_id = provider.id
    count = providers.merge_provider(session, world.beheerder, provider_id, world.zorg_b.id)
    assert count == 1
    session.expire_all()
    assert session.get(Provider, provider_id) is None
    agbs = set(session.scalars(select(StatsTrajectory.provider_agb)))
    assert "99999999" not in agbs and "87654321" in agbs
    kept = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept


def test_a_merge_is_refused_where_it_cannot_be_right(session: Session, world: World) -> None:
    profile, provider = import_with_new_entries(session, world)
    with pytest.raises(DomainError, match="hetzelfde domein"):
        catalogue.merge_profile(session, world.beheerder, profile.id, world.amb.id)
    with pytest.raises(DomainError, match="niet toe"):
        catalogue.merge_profile(session, world.beheerder, profile.id, world.hh.id)  # no middel
    with pytest.raises(DomainError, match="Kies het profiel"):
        catalogue.merge_profile(session, world.beheerder, profile.id, None)
    with pytest.raises(NotFound):
        catalogue.merge_profile(session, world.beheerder, world.bg.id, world.amb.id)
    with pytest.raises(NotFound):
        providers.merge_provider(session, world.beheerder, world.zorg_a.id, world.zorg_b.id)
    with pytest.raises(DomainError, match="U heeft geen recht"):
        providers.merge_provider(session, world.gids, provider.id, world.zorg_b.id)
