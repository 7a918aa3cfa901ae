"""One commit per unit of work, made by whoever owns the unit (a view, a CLI command, a
scheduler run, an import), never by the domain: no ``commit()`` call anywhere in workflows/ or
models/ (docs/architecture.md, "Rules of the house"). A workflow that committed would end its
caller's transaction halfway, and a caller could no longer roll back a step that failed later."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PACKAGES = ("workflows", "models")


def commit_calls(source: str) -> list[int]:
    """The line numbers of the calls to something named ``commit`` in ``source``
    (``session.commit()``, ``transaction.commit()``, a bare ``commit()``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "commit":
            lines.append(node.lineno)
    return lines


def test_the_check_finds_a_commit_however_it_is_written() -> None:
    source = "\n".join(
        [
            "def f(session, t, commit):",
            "    session.commit()",
            "    t.begin().commit()",
            "    commit()",
        ]
    )
    assert commit_calls(source) == [2, 3, 4]
    assert commit_calls("def f(session):\n    session.flush()  # the caller commits\n") == []


def test_workflows_and_models_never_commit() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in DOMAIN_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in commit_calls(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "commit() in the domain (the caller commits): " + ", ".join(found)
