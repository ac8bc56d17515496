"""Which video shows a saved session, and how to turn it upright.

A session's own video is either a copy of the tracked file (``analyze``,
``track``: stored as filmed, so the source's rotation still applies) or the
live recording (written from upright frames: no rotation). A session without
a video of its own falls back to the source file, if it is still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from motor_trainer.storage.manifest import SourceKind
from motor_trainer.storage.session_folder import Session


@dataclass(frozen=True)
class SessionVideo:
    """A video file and the clockwise rotation that makes its frames upright."""

    path: Path
    rotate_deg: int


def session_video(session: Session) -> SessionVideo | None:
    """The session's video (or its source file) with its rotation; None when neither exists."""
    source = session.manifest.source
    own = session.video_path
    if own is not None and own.is_file():
        return SessionVideo(own, source.rotate_deg if source.kind is SourceKind.VIDEO_FILE else 0)
    if source.path and Path(source.path).is_file():
        return SessionVideo(Path(source.path), source.rotate_deg)
    return None


def missing_video_line(session: Session) -> str:
    """The one line that says a session has no video left to show."""
    source = session.manifest.source.path or "a source file"
    return f"{session.directory}: no video left to show (neither the session's own nor {source})"
