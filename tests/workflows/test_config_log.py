"""The beheerder's change log: one row per changed field, values as a reader sees them, nothing
for an unchanged field, never a secret, and rolled back with the change it describes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ConfigChange, Intensity
from workflows import config_log

from ..factories import World


def rows(session: Session) -> list[tuple[str, str | None, str | None, str | None]]:
    return [
        (c.action, c.field, c.old, c.new)
        for c in session.scalars(select(ConfigChange).order_by(ConfigChange.id))
    ]


def test_assign_logs_only_what_differs_as_shown_values(session: Session, world: World) -> None:
    provider = world.zorg_a
    old_name = provider.name
    changes = config_log.assign(
        session,
        world.beheerder,
        provider,
        "aanbieder",
        "Zorg A",
        {"name": "Zorg A Nieuw", "agb_code": provider.agb_code, "active": False},
    )
    assert set(changes) == {"name", "active"}
    assert provider.name == "Zorg A Nieuw" and provider.active is False
    assert sorted(rows(session)) == [
        ("gewijzigd", "active", "ja", "nee"),
        ("gewijzigd", "name", old_name, "Zorg A Nieuw"),
    ]
    batches = {c.batch for c in session.scalars(select(ConfigChange))}
    assert len(batches) == 1
    assert {c.user_id for c in session.scalars(select(ConfigChange))} == {world.beheerder.id}


def test_assign_without_a_difference_writes_nothing(session: Session, world: World) -> None:
    config_log.assign(
        session, world.beheerder, world.zorg_a, "aanbieder", "Zorg A", {"name": world.zorg_a.name}
    )
    assert rows(session) == []


def test_values_are_written_as_a_dutch_reader_reads_them() -> None:
    assert config_log.shown(date(2026, 3, 1)) == "01-03-2026"
    assert config_log.shown(Decimal("3800")) == "3800,00"
    assert config_log.shown(Intensity.MIDDEL) == Intensity.MIDDEL.value
    assert config_log.shown(True) == "ja"
    assert config_log.shown(None) is None
    assert config_log.shown([Intensity.ZWAAR, Intensity.LAAG]) == ", ".join(
        sorted([Intensity.ZWAAR.value, Intensity.LAAG.value])
    )


def test_secrets_are_never_logged(session: Session, world: World) -> None:
    config_log.record(
        session,
        world.beheerder,
        "gebruiker",
        world.gids.id,
        world.gids.email,
        config_log.CHANGED,
        {"password_hash": ("a", "b"), "totp_secret": (None, "x")},
    )
    assert rows(session) == []


def test_an_ending_without_fields_is_one_row(session: Session, world: World) -> None:
    config_log.record(session, None, "contract", 7, "Contract", config_log.ENDED)
    assert rows(session) == [("beeindigd", None, None, None)]


def test_a_rolled_back_change_leaves_no_entry(session: Session, world: World) -> None:
    savepoint = session.begin_nested()
    config_log.assign(
        session, world.beheerder, world.zorg_b, "aanbieder", "Zorg B", {"name": "Weg"}
    )
    savepoint.rollback()
    assert rows(session) == []


def test_listing_is_newest_first_and_filters_by_kind(session: Session, world: World) -> None:
    config_log.record(session, world.beheerder, "aanbieder", 1, "A", config_log.CREATED)
    config_log.record(session, world.beheerder, "tarief", 2, "T", config_log.CREATED)
    page = config_log.listing(session)
    assert page.total == 2 and [c.object_type for c in page.items] == ["tarief", "aanbieder"]
    only = config_log.listing(session, "aanbieder")
    assert only.total == 1 and only.items[0].object_label == "A"
