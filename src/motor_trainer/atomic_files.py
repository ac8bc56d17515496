"""Files written so that a crash leaves either the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from motor_trainer.errors import UserFacingError


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Permissions of files we write: what ``open`` would give (mkstemp alone gives 0600).
FILE_MODE = 0o666 & ~_current_umask()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one.

    A disk that refuses (full, read-only, gone) is a one-line UserFacingError
    naming the file; whatever was there before stays.
    """
    path = Path(path)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise write_error(path, error) from error
    try:
        os.fchmod(handle, FILE_MODE)
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
        fsync_folder(path.parent)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise write_error(path, error) from error
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_error(path: Path, error: OSError) -> UserFacingError:
    return UserFacingError(f"{path}: could not write ({error.strerror or error}); what was saved before is kept")


def fsync_folder(folder: Path) -> None:
    """Make a rename durable: the folder entry must reach the disk too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
