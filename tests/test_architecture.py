"""The layout's rules, checked on the source so a newcomer's shortcut fails here, not in review.

- Imports run one way: ``models`` ← ``workflows`` ← ``app``; ``seed`` and ``bench`` use models and
  workflows, never the web layer's internals. No Flask below ``app/``.
- No module imports another module's private name (``from x import _y``, or ``x._y`` on a module),
  so what a module offers others is exactly its public names.
- No import inside a function in ``models/`` or ``workflows/``: such an import hides a circle.
  Within ``workflows/`` the module-level imports form no circle either.
- The README's layout section is a true map of the tree.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "models", "workflows", "seed", "tests", "bench")
# Who may import whom (first-level package → packages it may import).
ALLOWED = {
    "models": {"models"},
    "workflows": {"models", "workflows"},
    "seed": {"models", "workflows", "seed"},
}
WEB = {"flask", "flask_babel", "flask_login", "flask_wtf", "wtforms", "werkzeug", "jinja2"}


def _sources(*packages: str) -> list[Path]:
    return sorted(
        p for pkg in packages for p in (ROOT / pkg).rglob("*.py") if ".venv" not in p.parts
    )


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path) -> list[tuple[ast.stmt, str, list[str]]]:
    """Every import in a file: (node, absolute module, imported names)."""
    found: list[tuple[ast.stmt, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node, _absolute(path, node), [a.name for a in node.names]))
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_project(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_run_one_way_and_no_flask_below_app(package: str) -> None:
    wrong = []
    for path in _sources(package):
        for node, module, _names in _imports(path):
            top = module.split(".")[0]
            if (_is_project(module) and top not in ALLOWED[package]) or top in WEB:
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module}")
    assert wrong == []


def test_no_module_imports_a_private_name_from_another_module() -> None:
    wrong = []
    for path in _sources(*PACKAGES):
        tree = ast.parse(path.read_text(), str(path))
        module_aliases: set[str] = set()
        for node, module, names in _imports(path):
            if not _is_project(module):
                continue
            if isinstance(node, ast.Import):
                alias = next(a for a in node.names if a.name == module)
                module_aliases.add(alias.asname or module.split(".")[0])
            for alias in getattr(node, "names", []):
                if isinstance(node, ast.ImportFrom):
                    target = f"{module}.{alias.name}"
                    if (ROOT / Path(*target.split("."))).with_suffix(".py").exists() or (
                        ROOT / Path(*target.split("."))
                    ).is_dir():
                        module_aliases.add(alias.asname or alias.name)
            wrong += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports {name} from {module}"
                for name in names
                if _is_private(name)
            ]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases
                and _is_private(node.attr)
            ):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}"
                )
    assert wrong == []


def test_models_and_workflows_import_at_module_level_only() -> None:
    wrong = []
    for path in _sources("models", "workflows"):
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} in {function.name}()")
    assert wrong == []


def test_the_workflows_import_each_other_without_a_circle() -> None:
    graph: dict[str, set[str]] = {}
    for path in _sources("workflows"):
        name = _module_name(path)
        deps = graph.setdefault(name, set())
        for node, module, names in _imports(path):
            if isinstance(node, ast.ImportFrom) and module.startswith("workflows"):
                # ``from . import x`` names a module; otherwise the module itself.
                subs = [f"{module}.{n}" for n in names]
                deps.update(
                    s for s in subs if (ROOT / Path(*s.split("."))).with_suffix(".py").exists()
                )
                deps.add(module)
            elif module.startswith("workflows"):
                deps.add(module)
        deps.discard(name)
    # Importing a package runs its __init__; a module depending on its own package is not a circle.
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not name.startswith(d + ".") and d in graph}

    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        assert node not in visiting, " → ".join([*visiting[visiting.index(node) :], node])
        visiting.append(node)
        for dep in sorted(graph[node]):
            visit(dep)
        visiting.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Layout\n", 1)[1]
    return section.split("```", 2)[1]


def test_the_readme_layout_names_every_top_level_folder_and_only_what_exists() -> None:
    """The README's layout section is the newcomer's map: each top-level folder of the project
    (what git tracks) has a line, and every path the section names exists."""
    block = _layout_block()
    listed = {line.split()[0].rstrip("/") for line in block.splitlines() if line[:1].strip()}
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    tracked = {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in ignored
    }
    assert tracked - listed == set(), "top-level folders missing from the README's layout"
    named = set(re.findall(r"\b(?:app|models|workflows|seed|tests|bench|docs)/[\w/.]*\w", block))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == [], missing
