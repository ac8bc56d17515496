"""Strict reading and safe writing of the calibration TOML files.

A calibration file is user data that may be hand-edited, truncated or left
over from another camera, so every read checks each key's type, shape and
finiteness and fails with ONE line naming the file and the cause. Writes go
to a temporary file first and replace the old one only when complete, so a
crash never leaves a half-written calibration behind.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import tomli_w

from motor_trainer.atomic_files import atomic_write_bytes, write_error
from motor_trainer.errors import UserFacingError

#: Bigger than any calibration we write; a guard against opening a video by mistake.
MAX_FILE_BYTES = 1_000_000


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed table, or a one-line UserFacingError if the file is missing, huge or not TOML."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserFacingError(f"{path}: {size} bytes is too big for a calibration file")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UserFacingError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise UserFacingError(f"{path}: not a text file (expected TOML)") from None
    except OSError as error:
        raise UserFacingError(f"{path}: cannot read ({error.strerror})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        first_line = str(error).splitlines()[0] if str(error) else "parse error"
        raise UserFacingError(f"{path}: not valid TOML ({first_line})") from None


def write_toml(path: Path, table: Mapping[str, Any], header: str = "") -> Path:
    """Write atomically: the old file stays intact until the new one is complete."""
    path = Path(path)
    text = (f"# {header}\n" if header else "") + tomli_w.dumps(dict(table))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(path, error) from None
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


class TableReader:
    """Typed access to one parsed TOML table; every failure names the file and the key."""

    def __init__(self, path: Path, table: Mapping[str, Any]) -> None:
        self.path = Path(path)
        self.table = table

    def fail(self, cause: str) -> UserFacingError:
        return UserFacingError(f"{self.path}: {cause}")

    def _get(self, key: str) -> Any:
        if key not in self.table:
            raise self.fail(f"missing key '{key}'")
        return self.table[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string")
        return value

    def number(self, key: str, minimum: float | None = None, maximum: float | None = None) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"'{key}' must be a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise self.fail(f"'{key}' is {value}, expected a finite number")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise self.fail(f"'{key}' = {value} is outside [{minimum}, {maximum}]")
        return float(value)

    def array(self, key: str, shape: tuple[int | None, ...]) -> np.ndarray:
        """A finite float array of the given shape (None = any length on that axis)."""
        value = self._get(key)
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise self.fail(f"'{key}' must be numbers in nested lists") from None
        if array.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, array.shape)):
            wanted = "x".join("n" if s is None else str(s) for s in shape)
            raise self.fail(f"'{key}' has shape {'x'.join(map(str, array.shape)) or 'scalar'}, expected {wanted}")
        if not np.all(np.isfinite(array)):
            raise self.fail(f"'{key}' contains NaN or infinite values")
        return array

    def whole_pair(self, key: str) -> tuple[int, int]:
        """Two positive whole numbers, e.g. ``image_size_px = [width, height]``."""
        value = self._get(key)
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 100_000 for v in value)
        ):
            raise self.fail(f"'{key}' must be two positive whole numbers, got {value!r}")
        return int(value[0]), int(value[1])

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"'{key}' must be a list of strings")
        return tuple(value)

    def timestamp(self, key: str) -> dt.datetime:
        value = self._get(key)
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        raise self.fail(f"'{key}' must be a TOML date or date-time")

    def kind(self, expected: str) -> None:
        """Guard against loading, say, a plane calibration as a camera one."""
        found = self._get("kind")
        if found != expected:
            raise self.fail(f"'kind' is {found!r}, expected {expected!r}")


def now_utc() -> dt.datetime:
    """Creation stamps are whole seconds in UTC so files written on any machine compare."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def frozen_array(values: Any) -> np.ndarray:
    array = np.array(values, dtype=float, copy=True)
    array.setflags(write=False)
    return array


def safe_stem(name: str) -> str:
    """A user-given calibration name made safe as part of a file name (no paths, no spaces)."""
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in name.strip()).strip("_")
    if not stem:
        raise UserFacingError(f"calibration name {name!r} has no letters or digits")
    return stem


class _Calibration(Protocol):
    """What newest_for_size reads of a calibration (read-only: calibrations are frozen dataclasses)."""

    @property
    def image_size_px(self) -> tuple[int, int]: ...

    @property
    def created(self) -> dt.datetime: ...


CalibrationT = TypeVar("CalibrationT", bound=_Calibration)


def newest_for_size(
    directory: Path,
    pattern: str,
    load: Callable[[Path], CalibrationT],
    image_size_px: tuple[int, int],
    wanted: Callable[[CalibrationT], bool] = lambda _: True,
) -> tuple[CalibrationT | None, list[str]]:
    """The newest file matching ``pattern`` made for exactly this frame size, and one line per file passed over.

    Never raises for a bad file: the caller goes on uncalibrated and shows the
    lines (missing keys, NaN, not TOML, another resolution) to the user.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return None, []
    width, height = int(image_size_px[0]), int(image_size_px[1])
    matches: list[CalibrationT] = []
    warnings: list[str] = []
    for path in sorted(directory.glob(pattern)):
        try:
            calibration = load(path)
        except UserFacingError as error:
            warnings.append(f"{error}; ignored")
            continue
        if not wanted(calibration):
            continue
        if calibration.image_size_px == (width, height):
            matches.append(calibration)
        else:
            made_for = "x".join(map(str, calibration.image_size_px))
            warnings.append(f"{path}: made for {made_for} frames, the source is {width}x{height}; ignored")
    if not matches:
        return None, warnings
    return max(matches, key=lambda calibration: calibration.created), warnings
