"""Migration 0032 gives every existing profile a product code: its category and its number
within the category, in the order of the ids, so the same database always gets the same codes
and no two profiles of a category share one. Run on a database of its own (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from .migrating import migrate, old_database


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_existing_profiles_get_a_product_code_per_category_in_id_order(engine: Engine) -> None:
    migrate(engine, "0030")
    profiles = [(3, "WMO-BG", "02"), (1, "WMO-HH", "01"), (7, "WMO-BGJ", "02"), (4, "JZ", "45")]
    with engine.begin() as conn:
        for profile_id, code, category in profiles:
            conn.execute(
                text(
                    "INSERT INTO support_profiles (id, code, name, domain, category_code, active,"
                    " imported) VALUES (:id, :code, :code, 'wmo', :category, 1, 0)"
                ),
                {"id": profile_id, "code": code, "category": category},
            )
    migrate(engine, "0032")
    with engine.begin() as conn:
        codes = dict(conn.execute(text("SELECT code, product_code FROM support_profiles")).all())
    assert codes == {"WMO-HH": "01001", "WMO-BG": "02001", "WMO-BGJ": "02002", "JZ": "45001"}
