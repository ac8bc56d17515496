"""A session's manifest: the versioned summary that lets a session be listed and reopened."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from motor_trainer.errors import UserFacingError
from motor_trainer.storage.json_files import first_line, read_json


#: Bumped when a manifest field changes meaning; older readers refuse newer manifests.
SCHEMA_VERSION = 1
_SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")

class SessionStatus(StrEnum):
    RECORDING = "recording"
    COMPLETE = "complete"


class SourceKind(StrEnum):
    VIDEO_FILE = "video-file"
    VIDEO_AS_CAMERA = "video-as-camera"
    WEBCAM = "webcam"


@dataclass(frozen=True)
class SessionSource:
    """Where the frames came from: a file, a file played as a camera, or a webcam."""

    kind: SourceKind
    path: str | None = None
    rotate_deg: int = 0
    camera_index: int | None = None

    def to_dict(self) -> dict:
        return {"kind": str(self.kind), "path": self.path, "rotate_deg": self.rotate_deg,
                "camera_index": self.camera_index}

    @classmethod
    def from_dict(cls, data: Mapping) -> SessionSource:
        return cls(
            kind=SourceKind(data["kind"]),
            path=None if data.get("path") is None else str(data["path"]),
            rotate_deg=int(data.get("rotate_deg", 0)),
            camera_index=None if data.get("camera_index") is None else int(data["camera_index"]),
        )


@dataclass(frozen=True)
class Manifest:
    """What a session is: enough to find, list and reopen it without loading its data."""

    session_id: str
    status: SessionStatus
    source: SessionSource
    model: str
    started_at: datetime
    skill: str | None = None
    calibration: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    ended_at: datetime | None = None
    recovered_at: datetime | None = None
    image_size_px: tuple[int, int] | None = None
    fps: float | None = None
    frame_count: int = 0
    video: str | None = None
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        validate_session_id(self.session_id)
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        if self.video is not None and Path(self.video).name != self.video:
            raise ValueError(f"video must be a file name inside the session folder, not {self.video!r}")
        for name in ("started_at", "ended_at", "recovered_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Manifest.{name} must carry a time zone")

    @property
    def duration_s(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    def to_dict(self) -> dict:
        return {
            "schema_version": self.schema_version,
            "session_id": self.session_id,
            "status": str(self.status),
            "skill": self.skill,
            "source": self.source.to_dict(),
            "model": self.model,
            "settings": dict(self.settings),
            "calibration": self.calibration,
            "started_at": self.started_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "recovered_at": None if self.recovered_at is None else self.recovered_at.isoformat(),
            "image_size_px": None if self.image_size_px is None else list(self.image_size_px),
            "fps": self.fps,
            "frame_count": self.frame_count,
            "video": self.video,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Manifest:
        """Build from parsed JSON; raises ValueError/KeyError/TypeError on a malformed one."""
        if not isinstance(data, Mapping):
            raise TypeError("the manifest is not a JSON object")
        version = data.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(f"schema_version {version!r} is not a positive integer")
        if version > SCHEMA_VERSION:
            raise ValueError(f"schema version {version} is newer than this Motor Trainer reads "
                             f"({SCHEMA_VERSION}); update Motor Trainer")
        size = data.get("image_size_px")
        return cls(
            schema_version=version,
            session_id=str(data["session_id"]),
            status=SessionStatus(data["status"]),
            skill=None if data.get("skill") is None else str(data["skill"]),
            source=SessionSource.from_dict(data["source"]),
            model=str(data["model"]),
            settings=dict(data.get("settings") or {}),
            calibration=None if data.get("calibration") is None else str(data["calibration"]),
            started_at=parse_time(data["started_at"]),
            ended_at=None if data.get("ended_at") is None else parse_time(data["ended_at"]),
            recovered_at=None if data.get("recovered_at") is None else parse_time(data["recovered_at"]),
            image_size_px=None if size is None else (int(size[0]), int(size[1])),
            fps=None if data.get("fps") is None else float(data["fps"]),
            frame_count=int(data.get("frame_count", 0)),
            video=None if data.get("video") is None else str(data["video"]),
        )


def parse_time(value: object) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"time {value!r} has no time zone")
    return parsed


def read_manifest(path: Path) -> Manifest:
    """Load and check a manifest; a bad one gives a one-line UserFacingError naming the file."""
    return manifest_from_json(read_json(path), str(path))


def manifest_from_json(data: Any, source: str) -> Manifest:
    """Check parsed manifest JSON; ``source`` names where it came from in the one-line error."""
    try:
        return Manifest.from_dict(data)
    except (KeyError, ValueError, TypeError, IndexError) as error:
        cause = f"missing field {error}" if isinstance(error, KeyError) else first_line(error)
        raise UserFacingError(f"{source}: bad session manifest: {cause}") from error


def validate_session_id(session_id: str) -> str:
    """Session ids become folder names: refuse anything that could climb out of sessions/."""
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id) or ".." in session_id:
        raise ValueError(f"{session_id!r} is not a valid session id")
    return session_id


def now_utc() -> datetime:
    return datetime.now(UTC)
