"""JSON files of the workspace: written atomically, read with a one-line error naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.errors import UserFacingError


def atomic_write_json(path: Path, value: Any) -> None:
    atomic_write_bytes(path, (json.dumps(value, indent=2, sort_keys=True, allow_nan=False) + "\n").encode())


def read_json(path: Path) -> Any:
    """Parse a JSON file, or raise a one-line UserFacingError naming it."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise UserFacingError(f"{path}: file not found") from error
    except OSError as error:  # a folder where a file belongs, no permission, an I/O error
        raise UserFacingError(f"{path}: cannot read ({error.strerror or first_line(error)})") from error
    return parse_json(data, str(path))


def parse_json(data: bytes, source: str) -> Any:
    """Parse JSON bytes; ``source`` names where they came from in the one-line error."""
    try:
        return json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserFacingError(f"{source}: not valid JSON ({first_line(error)})") from error


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
