"""The architecture in docs/design.md and the README holds in the code: each package imports only from the
layers below it, and the project's own imports sit at the top of their files, where a reader sees them."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# lowest first; a package may import from its own layer's package and from any lower layer
LAYERS = [
    {"bot.core", "models"},
    {"bot.retrieve"},
    {"bot.guard", "bot.answer", "bot.clinic"},
    {"bot"},  # the composition root (bot/engine.py) and the CLI
    {"ingest"},
    {"evals"},
    {"services"},
    {"webui"},
    {"app", "clinicbot"},
]
PROJECT = ("bot", "ingest", "evals", "services", "webui", "models", "app", "clinicbot")
SUBPACKAGES = ("core", "retrieve", "guard", "answer", "clinic")


def unit(module: str) -> str:
    """The package a module belongs to, as the layers name it."""
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in SUBPACKAGES:
        return f"bot.{parts[1]}"
    return parts[0]


def layer(name: str) -> int:
    return next(i for i, units in enumerate(LAYERS) if name in units)


def project_imports(path: Path):
    """(imported module, line, at top level?) for each import of the project's own code in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" if node.module == "bot" else node.module for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in PROJECT:
                yield name, node.lineno, id(node) in top


def source_files():
    for package in ("bot", "ingest", "evals", "services", "webui", "models", "clinicbot"):
        yield from (REPO / package).rglob("*.py")
    yield REPO / "app.py"


def test_no_import_runs_back_up_the_layers():
    wrong = []
    for path in source_files():
        module = ".".join(path.relative_to(REPO).with_suffix("").parts)
        here = unit(module)
        for name, line, _ in project_imports(path):
            if layer(unit(name)) > layer(here):
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {name} ({unit(name)} is above {here})")
    assert not wrong, "\n".join(wrong)


def test_the_projects_own_imports_are_at_the_top_of_each_file():
    hidden = [
        f"{path.relative_to(REPO)}:{line} {name}"
        for path in source_files()
        for name, line, at_top in project_imports(path)
        if not at_top
    ]
    assert not hidden, "\n".join(hidden)


def test_the_layer_check_sees_an_arrow_back_up(tmp_path):
    # the check itself: a retrieval module importing the engine is caught
    bad = tmp_path / "bad.py"
    bad.write_text("from bot.engine import build_bot\n", encoding="utf-8")
    ((name, _, _),) = project_imports(bad)
    assert layer(unit(name)) > layer(unit("bot.retrieve.hybrid"))
