"""Create .venv and install Motor Trainer with its test tools, on Linux, macOS or Windows. Safe to run again.

Run with the Python you want the program to use (3.11 or newer):
``python3 scripts/setup.py`` (Linux, macOS) or ``py scripts\\setup.py`` (Windows).
On Linux it then makes sure the desktop window's system libraries are there:
installed with apt-get when it runs as root or sudo works without a password,
otherwise the command to run is printed. ``--no-system-packages`` skips that.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
VENV = CHECKOUT / ".venv"
MINIMUM_PYTHON = (3, 11)


def venv_python(environment: Path, windows: bool | None = None) -> Path:
    """The interpreter inside a virtual environment: Scripts\\python.exe on Windows, bin/python elsewhere."""
    on_windows = os.name == "nt" if windows is None else windows
    return environment / "Scripts" / "python.exe" if on_windows else environment / "bin" / "python"


def run(command: list[str]) -> None:
    print("setup: " + " ".join(str(part) for part in command), flush=True)
    subprocess.run(command, check=True)


def install_program(environment: Path) -> Path:
    """The virtual environment created (kept if it exists) and the program installed in it, editable, with test tools."""
    if not venv_python(environment).is_file():
        venv.EnvBuilder(with_pip=True).create(environment)
    python = venv_python(environment)
    run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run([str(python), "-m", "pip", "install", "-q", "-e", f"{CHECKOUT}[test]"])
    return python


def missing_desktop_packages(python: Path) -> list[str]:
    """The system packages the desktop window still lacks, as the installed program's own check names them."""
    listing = subprocess.run([str(python), "-m", "motor_trainer.desktop_libraries"], capture_output=True, text=True, check=False)
    return listing.stdout.split()


def install_desktop_packages(packages: list[str]) -> None:
    """apt-get them as root, or through sudo when it needs no password; otherwise print the command to run."""
    if shutil.which("apt-get") is None:
        print(f"setup: the desktop window needs these libraries (Debian names): {' '.join(packages)}")
        return
    install = ["apt-get", "install", "-y", "-qq", *packages]
    as_root: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None or subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode:
            print(f"setup: the desktop window needs {' '.join(packages)}; install them with: sudo {' '.join(install)}")
            return
        as_root = ["sudo", "-n"]
    print("setup: " + " ".join([*as_root, *install]), flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "check": False}
    if subprocess.run([*as_root, *install], **quiet).returncode:
        subprocess.run([*as_root, "apt-get", "update", "-qq"], **quiet)  # a fresh machine's package lists may be empty
        if subprocess.run([*as_root, *install], **quiet).returncode:
            print(f"setup: could not install {' '.join(packages)}; install them with: sudo {' '.join(install)}")
            return
    print(f"setup: installed {' '.join(packages)} for the desktop window")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-system-packages", action="store_true", help="do not install the desktop window's system libraries")
    args = parser.parse_args(argv)
    if sys.version_info < MINIMUM_PYTHON:
        print(f"setup: Motor Trainer needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer; this is {sys.version.split()[0]}")
        return 2
    python = install_program(VENV)
    if sys.platform.startswith("linux") and not args.no_system_packages:
        packages = missing_desktop_packages(python)
        if packages:
            install_desktop_packages(packages)
    print(f"setup: done; run {os.path.relpath(python.parent / 'motor-trainer', Path.cwd())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
