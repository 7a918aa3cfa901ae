"""The iStandaarden schemas for tests: read from ``../shared/istandaarden`` beside the repository
(never copied into it). A test that needs them takes the ``xsd_dir`` or ``schemas`` fixture and
is skipped, with the reason, when the folder is absent.

Use it from a test module with ``from tests.berichten.xsd import schemas, xsd_dir  # noqa: F401``
or from a ``conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workflows.berichten.schemas import Schemas

REPO_ROOT = Path(__file__).resolve().parents[2]
ISTANDAARDEN = REPO_ROOT / ".." / "shared" / "istandaarden"

_loaded: dict[Path, Schemas] = {}


def _candidates() -> list[Path]:
    """``ISTANDAARDEN_XSD_DIR`` when set, ``../shared/istandaarden`` beside the repository, and
    beside the main checkout when this one is a git worktree (``.git`` is then a file naming
    ``<main>/.git/worktrees/<name>``)."""
    found = (
        [Path(os.environ["ISTANDAARDEN_XSD_DIR"])] if os.environ.get("ISTANDAARDEN_XSD_DIR") else []
    )
    found.append(ISTANDAARDEN)
    git = REPO_ROOT / ".git"
    if git.is_file():
        pointer = git.read_text().strip().removeprefix("gitdir:").strip()
        main = Path(pointer).resolve().parents[2]
        found.append(main / ".." / "shared" / "istandaarden")
    return found


def istandaarden_dir() -> Path | None:
    """The schema folder, or None when this checkout has none beside it."""
    for folder in _candidates():
        if (folder / "jw" / "JW301.xsd").is_file():
            return folder.resolve()
    return None


@pytest.fixture
def xsd_dir() -> Path:
    folder = istandaarden_dir()
    if folder is None:
        pytest.skip(f"the iStandaarden schemas are not at {ISTANDAARDEN} (shared/istandaarden)")
    return folder


@pytest.fixture
def schemas(xsd_dir: Path) -> Schemas:
    """One ``Schemas`` for the whole run (the schemas load once)."""
    if xsd_dir not in _loaded:
        _loaded[xsd_dir] = Schemas(xsd_dir)
    return _loaded[xsd_dir]
