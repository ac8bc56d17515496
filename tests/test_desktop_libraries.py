"""A desktop without Qt's X11 libraries gets one line naming the packages, not a core dump."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motor_trainer import cli, desktop_libraries
from motor_trainer.desktop_libraries import desktop_libraries_problem, unresolved_libraries, xcb_plugin_path

FRESH_DEBIAN_MISSING = ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0"]


@pytest.fixture
def x11_desktop(monkeypatch):
    """An X11 session as a desktop login sets it: DISPLAY, no platform chosen, no Wayland."""
    monkeypatch.setenv("DISPLAY", ":0")
    for variable in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(desktop_libraries.sys, "platform", "linux")


def test_missing_xcb_libraries_end_the_app_in_one_line_with_exit_2(x11_desktop, monkeypatch, capsys, tmp_path):
    asked = []
    monkeypatch.setattr(desktop_libraries, "xcb_plugin_path", lambda: tmp_path / "libqxcb.so")
    monkeypatch.setattr(desktop_libraries, "unresolved_libraries", lambda plugin: asked.append(plugin) or FRESH_DEBIAN_MISSING)
    code = cli.main(["--workspace", str(tmp_path / "ws")])
    error_lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert asked == [tmp_path / "libqxcb.so"]
    assert len(error_lines) == 1
    assert "libxcb-cursor.so.0" in error_lines[0]
    assert "apt-get install -y libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0" in error_lines[0]


@pytest.mark.parametrize("environ, platform", [
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux"),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux"),  # no X server: the display check speaks instead
    ({"DISPLAY": ":0"}, "win32"),
    ({"DISPLAY": ":0"}, "darwin"),
])
def test_platforms_without_x11_skip_the_check(environ, platform, tmp_path):
    def everything_missing(plugin: Path) -> list[str]:
        return FRESH_DEBIAN_MISSING

    assert desktop_libraries_problem(environ, platform, tmp_path / "libqxcb.so", everything_missing) is None


def test_x11_chosen_explicitly_is_checked(tmp_path):
    problem = desktop_libraries_problem({"DISPLAY": ":1", "QT_QPA_PLATFORM": "xcb"}, "linux", tmp_path / "libqxcb.so",
                                        lambda plugin: ["libxcb-keysyms.so.1", "libfoo.so.3"])
    assert problem is not None
    assert "libxcb-keysyms.so.1, libfoo.so.3" in problem and "apt-get install -y libxcb-keysyms1" in problem
    assert "libfoo.so.3" not in problem.split("install with:")[1]


needs_ldd = pytest.mark.skipif(shutil.which("ldd") is None or xcb_plugin_path() is None, reason="needs ldd and PySide6's xcb plugin")


@needs_ldd
def test_ldd_names_a_library_the_loader_cannot_find(tmp_path):
    """The plugin copied away from PySide6's Qt/lib folder loses its own Qt libraries: ldd must say so."""
    plugin = xcb_plugin_path()
    assert plugin is not None
    assert "libQt6XcbQpa.so.6" not in unresolved_libraries(plugin)
    moved = tmp_path / "platforms" / "libqxcb.so"
    moved.parent.mkdir()
    shutil.copy2(plugin, moved)
    assert "libQt6XcbQpa.so.6" in unresolved_libraries(moved)
