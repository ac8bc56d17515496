"""Which pose-landmarker bundle to load, and how to get the ones not shipped.

The lite bundle ships inside the package so the program works offline from
its first run. Full and heavy are looked up in a models folder
(``MOTOR_TRAINER_MODELS``, else the user's cache folder) and downloaded from
MediaPipe's model storage when missing, or installed by hand with
``motor-trainer models import FILE``.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from enum import StrEnum
from importlib.resources import as_file, files
from pathlib import Path

import platformdirs

from motor_trainer.atomic_files import atomic_write_bytes
from motor_trainer.errors import UserFacingError


class ModelVariant(StrEnum):
    LITE = "lite"
    FULL = "full"
    HEAVY = "heavy"


MODEL_BASE_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
MODELS_FOLDER_VARIABLE = "MOTOR_TRAINER_MODELS"
MODEL_URL_VARIABLE = "MOTOR_TRAINER_MODEL_BASE_URL"

#: Members every pose-landmarker .task bundle holds (it is a zip archive).
_BUNDLE_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}


def model_filename(variant: ModelVariant) -> str:
    return f"pose_landmarker_{variant}.task"


def model_url(variant: ModelVariant, base_url: str | None = None) -> str:
    base = base_url or os.environ.get(MODEL_URL_VARIABLE) or MODEL_BASE_URL
    return f"{base.rstrip('/')}/pose_landmarker_{variant}/float16/latest/{model_filename(variant)}"


def models_folder() -> Path:
    configured = os.environ.get(MODELS_FOLDER_VARIABLE)
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("motor-trainer")) / "models"


def bundled_lite_model() -> Path:
    resource = files("motor_trainer") / "bundled_models" / model_filename(ModelVariant.LITE)
    with as_file(resource) as path:  # a real file for an installed or editable package
        return Path(path)


def check_bundle(path: Path) -> None:
    """Raise UserFacingError unless ``path`` is a pose-landmarker .task bundle."""
    if not path.is_file():
        raise UserFacingError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise UserFacingError(f"{path}: not a MediaPipe .task bundle (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as bundle:
            missing = _BUNDLE_MEMBERS - set(bundle.namelist())
            damaged = bundle.testzip()  # a truncated or altered member fails its CRC
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise UserFacingError(f"{path}: damaged MediaPipe .task bundle ({error})") from None
    if damaged is not None:
        raise UserFacingError(f"{path}: damaged MediaPipe .task bundle (member {damaged} fails its checksum)")
    if missing:
        raise UserFacingError(f"{path}: not a pose-landmarker bundle (missing {', '.join(sorted(missing))})")


def _print_progress(done_bytes: int, total_bytes: int) -> None:
    if total_bytes > 0:
        width = 30
        filled = int(width * done_bytes / total_bytes)
        sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done_bytes / 1e6:5.1f}/{total_bytes / 1e6:.1f} MB")
    else:
        sys.stderr.write(f"\r  {done_bytes / 1e6:5.1f} MB")
    sys.stderr.flush()


def download_model(
    variant: ModelVariant,
    destination_folder: Path,
    base_url: str | None = None,
    progress: Callable[[int, int], None] | None = _print_progress,
    timeout_s: float = 20.0,
) -> Path:
    """Download a bundle atomically (temp file, fsync, rename): a broken download never leaves a half file."""
    url = model_url(variant, base_url)
    destination_folder.mkdir(parents=True, exist_ok=True)
    target = destination_folder / model_filename(variant)
    handle, temp_name = tempfile.mkstemp(prefix=target.name, suffix=".part", dir=destination_folder)
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as response:
            total_bytes = int(response.headers.get("Content-Length") or 0)
            done_bytes = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                done_bytes += len(chunk)
                if progress:
                    progress(done_bytes, total_bytes)
            out.flush()
            os.fsync(out.fileno())
        if progress:
            sys.stderr.write("\n")
        check_bundle(temp_path)
        os.replace(temp_path, target)
        return target
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        raise UserFacingError(
            f"could not download the {variant} pose model from {url} ({getattr(error, 'reason', error)}); "
            f"download it by hand and run: motor-trainer models import {model_filename(variant)}"
        ) from None
    except UserFacingError as error:
        raise UserFacingError(f"downloaded file from {url} is not usable: {error}") from None
    finally:
        temp_path.unlink(missing_ok=True)


def import_model(source: Path, variant: ModelVariant | None = None,
                 check_runs: Callable[[Path], None] | None = None) -> Path:
    """Copy a downloaded .task bundle into the models folder under its canonical name.

    ``check_runs`` test-loads it (pose/tracker.py's check_pose_model, the one mediapipe importer).
    """
    check_bundle(source)
    if variant is None:
        words = set(re.split(r"[^a-z0-9]+", source.name.lower()))  # "tflite" is not "lite"
        matches = [v for v in ModelVariant if v.value in words]
        if len(matches) != 1:
            raise UserFacingError(f"{source}: cannot tell lite/full/heavy from the name; pass --variant")
        variant = matches[0]
    if check_runs is not None:
        check_runs(source)
    folder = models_folder()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / model_filename(variant)
    atomic_write_bytes(target, source.read_bytes())  # a bundle is tens of MB: fine in memory
    return target


def resolve_model(model: str, allow_download: bool = True) -> Path:
    """The .task file for ``lite|full|heavy`` or a path; downloads full/heavy when missing."""
    try:
        variant = ModelVariant(model)
    except ValueError:
        path = Path(model)
        check_bundle(path)
        return path
    if variant is ModelVariant.LITE:
        return bundled_lite_model()
    installed = models_folder() / model_filename(variant)
    if installed.is_file():
        return installed
    if not allow_download:
        raise UserFacingError(f"the {variant} pose model is not installed in {models_folder()}")
    print(f"Downloading the {variant} pose model to {models_folder()} ...", file=sys.stderr)
    return download_model(variant, models_folder())
