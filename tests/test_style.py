"""The code base stays clean as CI checks on every change: ruff, mypy and the one-way layers of imports."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff(command: list[str]) -> None:
    beside_python = Path(sys.executable).parent / "ruff"
    ruff = str(beside_python) if beside_python.exists() else shutil.which("ruff")
    assert ruff, "ruff is not installed: python -m pip install -e '.[test]'"
    result = subprocess.run([ruff, *command], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    tool = str(beside_python) if beside_python.exists() else shutil.which(name)
    assert tool, f"{name} is not installed: python -m pip install -e '.[test]'"
    return tool


def test_types_check() -> None:
    """mypy (configured in pyproject.toml) finds no error in the package."""
    result = subprocess.run([_tool("mypy")], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_contract() -> None:
    """import-linter: no import runs up a layer (the contract in pyproject.toml)."""
    result = subprocess.run([_tool("lint-imports")], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _layers() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return [name.strip() for layer in contract["layers"] for name in layer.split("|")]


def test_every_module_has_a_layer() -> None:
    """A module missing from the contract would escape it, so each top-level module is placed in a layer."""
    package = REPO / "eventstudy"
    modules = {f"eventstudy.{path.stem}" for path in package.glob("*.py") if path.stem not in {"__init__", "__main__"}}
    modules |= {f"eventstudy.{path.parent.name}" for path in package.glob("*/__init__.py")}
    assert modules - set(_layers()) == set()
    assert set(_layers()) - modules == set(), "the contract names a module that no longer exists"


def _imports_of_eventstudy_inside_functions(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.level or (inner.module or "").startswith("eventstudy")):
                lines.append(inner.lineno)
            elif isinstance(inner, ast.Import) and any(alias.name.startswith("eventstudy") for alias in inner.names):
                lines.append(inner.lineno)
    return lines


def test_no_import_hidden_in_a_function() -> None:
    """Function-level imports of our own modules would hide cycles from the layers contract.

    The command modules are the one exception: they sit on top of every layer (nothing can cycle through them) and
    import the library inside each command so that ``eventstudy --help`` starts in a fraction of a second.
    """
    hidden = {
        str(path.relative_to(REPO)): lines
        for path in sorted((REPO / "eventstudy").rglob("*.py"))
        if "cli" not in path.relative_to(REPO / "eventstudy").parts
        and (lines := _imports_of_eventstudy_inside_functions(path))
    }
    assert hidden == {}
