"""scripts/setup.py must run the same on Windows and macOS as on Linux, where CI can run it.

CI is Linux only, so this checks what can be checked here: the script builds
every path with pathlib (no separator written into a string), finds the
interpreter where each platform's venv puts it, and keeps its POSIX-only
step (installing Debian packages with apt-get) behind the Linux check.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from conftest import REPO_ROOT

SETUP = REPO_ROOT / "scripts" / "setup.py"


@pytest.fixture
def setup_module():
    spec = importlib.util.spec_from_file_location("motor_trainer_setup", SETUP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_strings(tree: ast.AST) -> list[str]:
    """String constants other than docstrings."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_paths_are_built_with_pathlib_not_separators_in_strings():
    strings = _code_strings(ast.parse(SETUP.read_text(encoding="utf-8")))
    assert strings, "the scan must see the script's strings"
    with_separator = [s for s in strings if "/" in s or "\\" in s]
    assert with_separator == []


def test_no_shell_or_posix_only_tool_outside_the_linux_step():
    tree = ast.parse(SETUP.read_text(encoding="utf-8"))
    posix_only = {"bash", "sh", "chmod", "source", "sudo", "apt-get", "geteuid"}
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    used_in = {name: {s for s in _code_strings(node) if s in posix_only}
               | {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute) and n.attr in posix_only}
               for name, node in functions.items()}
    assert {name for name, used in used_in.items() if used} == {"install_desktop_packages"}


def test_the_venv_interpreter_is_where_each_platform_puts_it(setup_module):
    assert setup_module.venv_python(Path("v"), windows=True) == Path("v", "Scripts", "python.exe")
    assert setup_module.venv_python(Path("v"), windows=False) == Path("v", "bin", "python")


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_off_linux_the_setup_installs_the_program_and_touches_no_system_packages(setup_module, monkeypatch, capsys, tmp_path, platform):
    installed = []

    def refuse(*args):
        raise AssertionError("system packages are a Linux step")

    monkeypatch.setattr(setup_module.sys, "platform", platform)
    monkeypatch.setattr(setup_module, "install_program", lambda venv: installed.append(venv) or tmp_path / "python")
    monkeypatch.setattr(setup_module, "missing_desktop_packages", refuse)
    monkeypatch.setattr(setup_module, "install_desktop_packages", refuse)
    assert setup_module.main([]) == 0
    assert installed == [setup_module.VENV] and "setup: done" in capsys.readouterr().out
