"""The boundaries the design depends on, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "motor_trainer"


def imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_importing(prefixes: tuple[str, ...]) -> set[str]:
    return {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if any(name == p or name.startswith(p + ".") for name in imported_top_modules(path) for p in prefixes)
    }


def test_only_gui_imports_qt():
    outside_gui = {m for m in modules_importing(("PySide6", "pyqtgraph")) if not m.startswith("gui/")}
    assert outside_gui == set()


def test_only_the_tracker_imports_mediapipe():
    assert modules_importing(("mediapipe",)) <= {"pose/tracker.py"}


def test_only_the_shim_imports_cv2():
    assert modules_importing(("cv2",)) == {"cvshim.py"}


def test_the_layers_contract_holds():
    """pyproject.toml's import-linter contracts: each package imports only from the layers below it, and only gui/ imports Qt."""
    from importlinter.cli import lint_imports

    assert lint_imports(config_filename=str(PACKAGE.parents[1] / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_nothing_unpickles():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "allow_pickle=True" in (text := path.read_text(encoding="utf-8")) or "pickle.load" in text
    ]
    assert offenders == []
