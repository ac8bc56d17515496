"""Before the window opens: does Qt's X11 platform plugin find the system libraries it links to?

Without them (a fresh Debian or Ubuntu desktop lacks libxcb-cursor0 and a
few others) Qt prints "could not load the Qt platform plugin xcb" and aborts
the process with a core dump. This module asks the dynamic loader (``ldd``)
which of the plugin's libraries do not resolve, so the user gets one line
naming the packages and the command that installs them instead.

Standard library only: ``scripts/setup.py`` runs it with the new virtual
environment's Python to install the packages it names.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: The Debian/Ubuntu package that ships each library Qt's xcb plugin links to (sonames as ``ldd`` prints them).
DEBIAN_PACKAGE_FOR_LIBRARY: Mapping[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

#: Every package above: what the set-up installs and the README lists for Debian and Ubuntu.
DESKTOP_PACKAGES: tuple[str, ...] = tuple(dict.fromkeys(DEBIAN_PACKAGE_FOR_LIBRARY.values()))

#: Finds which libraries a shared object links to but the loader cannot resolve (tests point it elsewhere).
UnresolvedFinder = Callable[[Path], list[str]]


def xcb_plugin_path() -> Path | None:
    """PySide6's ``libqxcb.so``, found without importing PySide6 (None when PySide6 or the plugin is absent)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def unresolved_libraries(library: Path) -> list[str]:
    """The sonames ``ldd`` reports as "not found" for ``library``, each once, in its order.

    Returns [] when ``ldd`` is not there to ask (a libc without it): Qt then says itself what failed.
    """
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        listing = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    missing = [line.split("=>")[0].strip() for line in listing.splitlines() if "not found" in line]
    return list(dict.fromkeys(missing))


def uses_xcb(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt will open its window through X11: Linux with a DISPLAY, unless another platform is chosen."""
    if not platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not (environ.get("WAYLAND_DISPLAY") and environ.get("XDG_SESSION_TYPE") == "wayland")


def missing_packages(sonames: list[str]) -> list[str]:
    """The Debian/Ubuntu packages that provide ``sonames`` (libraries not in the table are left out)."""
    return list(dict.fromkeys(DEBIAN_PACKAGE_FOR_LIBRARY[name] for name in sonames if name in DEBIAN_PACKAGE_FOR_LIBRARY))


def install_command(packages: list[str]) -> str:
    """The command that installs ``packages`` here: apt-get (with sudo unless root) on Debian and Ubuntu."""
    names = " ".join(packages)
    if shutil.which("apt-get") is None:
        return f"install your distribution's packages for: {names}"
    sudo = "" if hasattr(os, "geteuid") and os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install -y {names}"


def desktop_libraries_problem(
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    plugin: Path | None = None,
    find_unresolved: UnresolvedFinder | None = None,
) -> str | None:
    """One line naming the missing system packages and how to install them, or None when the window can open.

    Only asked on Linux when Qt will use X11 (offscreen, wayland, Windows and macOS skip it).
    ``find_unresolved`` defaults to :func:`unresolved_libraries`, looked up when called.
    """
    if not uses_xcb(environ, platform):
        return None
    plugin = plugin or xcb_plugin_path()
    if plugin is None:
        return None
    missing = (find_unresolved or unresolved_libraries)(plugin)
    if not missing:
        return None
    packages = missing_packages(missing)
    remedy = f"install with: {install_command(packages)}" if packages else "reinstall with: python scripts/setup.py"
    return (f"the desktop window cannot open: Qt's X11 plugin ({plugin.name}) needs {', '.join(missing)}, "
            f"which this system lacks; {remedy}")


def main() -> int:
    """Print the system packages the desktop window still needs, one a line (``scripts/setup.py`` installs them)."""
    plugin = xcb_plugin_path()
    if plugin is not None and sys.platform.startswith("linux"):
        for package in missing_packages(unresolved_libraries(plugin)):
            print(package)
    return 0


if __name__ == "__main__":
    sys.exit(main())
