"""All sessions of one workspace: create, list, find, delete, recover and query them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from motor_trainer.errors import UserFacingError
from motor_trainer.media_files import VIDEO_SUFFIXES
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.storage.locks import RecordingLock, is_being_recorded
from motor_trainer.storage.manifest import (
    Manifest,
    SessionSource,
    SessionStatus,
    SourceKind,
    now_utc,
    read_manifest,
    validate_session_id,
)
from motor_trainer.storage.session_folder import MANIFEST_NAME, Session, finalise

if TYPE_CHECKING:
    from motor_trainer.workspace import Workspace


class SessionStore:
    """All sessions of one workspace."""

    def __init__(self, sessions_dir: Path) -> None:
        self.sessions_dir = Path(sessions_dir)

    def _folder(self, session_id: str) -> Path:
        try:
            validate_session_id(session_id)
        except ValueError as error:
            raise UserFacingError(f"{session_id!r}: not a session id (see `motor-trainer sessions list`)") from error
        return self.sessions_dir / session_id

    def create(
        self,
        *,
        source: SessionSource,
        model: str,
        skill: str | None = None,
        calibration: str | None = None,
        settings: Mapping[str, Any] | None = None,
        image_size_px: tuple[int, int] | None = None,
        fps: float | None = None,
        started_at: datetime | None = None,
    ) -> Session:
        """A new folder with a manifest in status "recording" (unfinished until finalised)."""
        started_at = started_at or now_utc()
        self.sessions_dir.mkdir(parents=True, exist_ok=True)
        base = started_at.astimezone(UTC).strftime("%Y%m%d-%H%M%S") + (f"-{_slug(skill)}" if skill else "")
        for attempt in range(1000):
            session_id = base if attempt == 0 else f"{base}-{attempt + 1}"
            folder = self.sessions_dir / session_id
            try:
                folder.mkdir()
                break
            except FileExistsError:
                continue
        else:
            raise UserFacingError(f"{self.sessions_dir}: too many sessions named {base}")
        manifest = Manifest(session_id=session_id, status=SessionStatus.RECORDING, source=source, model=model,
                            skill=skill, calibration=calibration, settings=settings or {},
                            image_size_px=image_size_px, fps=fps, started_at=started_at)
        session = Session(folder, manifest)
        session.write_manifest(manifest)
        return session

    def get(self, session_id: str) -> Session:
        folder = self._folder(session_id)
        if not (folder / MANIFEST_NAME).exists():
            raise UserFacingError(f"{folder}: no such session (see `motor-trainer sessions list`)")
        return _load_session(folder)

    def __iter__(self) -> Iterator[Session]:
        """Readable sessions, oldest first; a damaged folder is skipped here (``problems`` names it)."""
        sessions, _ = self._scan()
        return iter(sorted(sessions, key=lambda s: (s.manifest.started_at, s.session_id)))

    def problems(self) -> list[str]:
        """One line per damaged session folder: a manifest that cannot be read, a landmarks file gone."""
        return self._scan()[1]

    def _scan(self) -> tuple[list[Session], list[str]]:
        sessions, problems = [], []
        if self.sessions_dir.is_dir():
            for folder in sorted(self.sessions_dir.iterdir()):
                if folder.is_dir() and not folder.name.startswith(".") and (folder / MANIFEST_NAME).exists():
                    try:
                        session = _load_session(folder)
                    except UserFacingError as error:
                        problems.append(str(error))
                        continue
                    if (damage := session.damage()) is not None:
                        problems.append(damage)
                    else:
                        sessions.append(session)
        return sessions, problems

    def unfinished(self) -> list[Session]:
        """Sessions whose recording died with its program: candidates for recovery.

        A session some running program is still recording is not among them.
        """
        return [s for s in self if s.manifest.status is SessionStatus.RECORDING and not is_being_recorded(s)]

    def delete(self, session_id: str) -> None:
        session = self.get(session_id)
        with RecordingLock(session):  # never pull a folder from under a running recorder
            shutil.rmtree(session.directory)

    def recover(self, session_id: str) -> Session:
        """Turn what an interrupted recording left on disk into a normal, complete session."""
        session = self.get(session_id)
        if session.manifest.status is not SessionStatus.RECORDING:
            raise UserFacingError(f"{session.directory}: session is already complete; nothing to recover")
        with RecordingLock(session):  # refuses a session a running program is still recording
            return finalise(session, recovered=True)


def _load_session(folder: Path) -> Session:
    manifest = read_manifest(folder / MANIFEST_NAME)
    if manifest.session_id != folder.name:
        raise UserFacingError(f"{folder / MANIFEST_NAME}: names session {manifest.session_id!r} but lies in folder "
                              f"{folder.name!r}; rename the folder back")
    return Session(folder, manifest)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:40] or "session"


def save_tracked_session(
    workspace: Workspace,
    video_path: Path,
    sequence: PoseSequence,
    model: str,
    rotate_deg: int = 0,
    skill: str | None = None,
    calibration: str | None = None,
) -> Session:
    """A complete session for a tracked video file: its own copy of the video and the landmarks
    (undistorted with ``calibration``, the camera calibration file used, when there was one).

    ``started_at`` is the file's modification time, the best guess at when the
    drill was filmed, so progress over a coach's folder of drills is in filming
    order. A failure part-way removes the half-made session folder.
    """
    video_path = Path(video_path)
    suffix = video_path.suffix.lower()
    store = SessionStore(workspace.ensure().sessions_dir)
    try:
        filmed_at = datetime.fromtimestamp(video_path.stat().st_mtime, UTC)
    except OSError as error:
        raise UserFacingError(f"{video_path}: cannot read the video ({error.strerror or error})") from error
    session = store.create(
        source=SessionSource(SourceKind.VIDEO_FILE, path=str(video_path.resolve()), rotate_deg=rotate_deg),
        model=model, skill=skill, image_size_px=sequence.image_size_px,
        fps=sequence.fps if np.isfinite(sequence.fps) else None, started_at=filmed_at, calibration=calibration,
    )
    try:
        video_name = f"video{suffix}" if suffix in VIDEO_SUFFIXES else None
        if video_name is not None:
            partial = session.directory / f".{video_name}.partial"
            shutil.copyfile(video_path, partial)
            os.replace(partial, session.directory / video_name)
        session = session.update_manifest(video=video_name)
        session.save_landmarks(sequence)
        return finalise(session)
    except OSError as error:
        shutil.rmtree(session.directory, ignore_errors=True)
        raise UserFacingError(f"{video_path}: could not save the session ({error.strerror or error})") from error
