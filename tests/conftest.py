"""Shared fixtures: paths to the shared footage and models, offscreen Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
MEDIA = SHARED / "media"


@pytest.fixture(scope="session")
def media_dir() -> Path:
    if not MEDIA.is_dir():
        pytest.fail(f"shared footage not found at {MEDIA}: clone beside ../shared")
    return MEDIA


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED
