"""Fixtures shared by the view tests that walk every route and form."""

from __future__ import annotations

import pytest

from .forms import build_variants
from .routes import build_scene


@pytest.fixture
def scene(session, world) -> dict[str, object]:
    """A request and trajectories in several states, all Anna's, all with Zorg A (see
    routes.build_scene)."""
    return build_scene(session, world)


@pytest.fixture
def variants(session, world, scene) -> list[dict[str, int]]:
    """Ids that make every form appear somewhere (see forms.build_variants)."""
    return build_variants(session, world, scene)
