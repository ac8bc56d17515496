"""One practice session on disk: a folder per sitting that survives a crash.

Layout of ``sessions/<id>/``::

    manifest.json        versioned summary (skill, source, model, settings, calibration, times)
    video.mkv            the recording (H.264), or the tracked file's own copy
    landmarks.npz        the whole PoseSequence once the session is complete
    landmarks/chunk_000123.npz   landmark blocks appended while recording live
    events.jsonl         append-only record: reps, outcomes, verdicts, notes
    derived/             replays, reports and exports made from the above

Every file that is rewritten (manifest, landmarks, chunks) is written to a
temporary file, fsynced, and renamed over the old one, so a crash leaves the
old or the new version, never half of one. Events are JSON lines fsynced one
record at a time rather than SQLite in WAL mode: a line is one ``write`` and
one ``fsync``, a torn last line after a kill is recognisable and dropped, the
file travels in a bundle as it is (no checkpoint step), and a coach can read it.
Nothing here unpickles: NPZ files load with ``allow_pickle=False``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from motor_trainer.errors import UserFacingError
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.records.verdict import Verdict
from motor_trainer.storage.events import Event, EventKind, EventLog, drop_torn_tail, read_events
from motor_trainer.storage.json_files import atomic_write_json, first_line
from motor_trainer.storage.landmark_files import (
    load_landmarks,
    read_landmark_chunks,
    save_landmarks,
    sequence_from_chunks,
)
from motor_trainer.storage.manifest import Manifest, SessionStatus, now_utc

MANIFEST_NAME = "manifest.json"
EVENTS_NAME = "events.jsonl"
LANDMARKS_NAME = "landmarks.npz"
CHUNKS_DIRNAME = "landmarks"
DERIVED_DIRNAME = "derived"
RECORDING_LOCK_NAME = ".recording.lock"
RECORDED_VIDEO_NAME = "video.mkv"
#: The payload key of the note recovery leaves for each landmark chunk it could not read.
SKIPPED_CHUNK_KEY = "skipped_chunk"
#: How far a video may end before its landmarks and still count as whole: a recording killed
#: mid-session keeps its landmarks to the last chunk (1 s) and its video to the last fsync (1 s).
VIDEO_SHORTFALL_ALLOWED_S = 2.5

@dataclass(frozen=True)
class Session:
    """A session folder and its manifest as last read."""

    directory: Path
    manifest: Manifest

    @property
    def session_id(self) -> str:
        return self.manifest.session_id

    @property
    def manifest_path(self) -> Path:
        return self.directory / MANIFEST_NAME

    @property
    def events_path(self) -> Path:
        return self.directory / EVENTS_NAME

    @property
    def landmarks_path(self) -> Path:
        return self.directory / LANDMARKS_NAME

    @property
    def chunks_dir(self) -> Path:
        return self.directory / CHUNKS_DIRNAME

    @property
    def derived_dir(self) -> Path:
        return self.directory / DERIVED_DIRNAME

    @property
    def video_path(self) -> Path | None:
        return None if self.manifest.video is None else self.directory / self.manifest.video

    def events(self) -> list[Event]:
        return read_events(self.events_path)

    def progress_record(self, verdicts: Sequence[Verdict]) -> SessionVerdicts:
        """What progress reads of this session: its ``verdicts`` (read by the caller, who decides what a
        damaged events file means) and how it was practised (a dance's speed and looped section)."""
        manifest = self.manifest
        return SessionVerdicts(self.session_id, manifest.started_at, manifest.skill or "", tuple(verdicts), manifest.settings)

    def verdicts(self) -> list[Verdict]:
        """The verdict events as Verdicts, in the order they were committed."""
        verdicts = []
        for event in self.events():
            if event.kind is EventKind.VERDICT:
                try:
                    verdicts.append(Verdict.from_dict(event.payload))
                except (KeyError, ValueError, TypeError) as error:
                    raise UserFacingError(
                        f"{self.events_path}: event {event.seq} is not a valid verdict ({first_line(error)})"
                    ) from error
        return verdicts

    def landmarks(self) -> PoseSequence:
        """The landmarks: the consolidated NPZ, or the chunks of a session still recording.

        A complete session without its NPZ is damaged: that is named, not shown as zero frames.
        """
        if self.landmarks_path.exists() or self.manifest.status is SessionStatus.COMPLETE:
            return load_landmarks(self.landmarks_path)
        size = self.manifest.image_size_px or (0, 0)
        return sequence_from_chunks(read_landmark_chunks(self.chunks_dir), size, self.manifest.source.path or "")

    def damage(self) -> str | None:
        """A cheap look for what makes a complete session unusable (one line), for listings."""
        if self.manifest.status is SessionStatus.COMPLETE and not self.landmarks_path.is_file():
            return f"{self.landmarks_path}: file not found"
        return None

    def check_files(self) -> PoseSequence:
        """Read every data file the way the program will, so a damaged one is named before it is
        packed or imported, not by the program that opens it later; returns the landmarks."""
        sequence = self.landmarks()
        self.verdicts()  # reads and checks every event
        if self.manifest.frame_count and self.manifest.frame_count != len(sequence):
            raise UserFacingError(f"{self.landmarks_path}: holds {len(sequence)} frames, the manifest says "
                                  f"{self.manifest.frame_count}")
        video = self.video_path
        if video is not None:
            if not video.is_file():
                raise UserFacingError(f"{video}: file not found")
            video_end_s = video_duration_s(video)
            if video_end_s is None:
                raise UserFacingError(f"{video}: not a playable video")
            landmarks_span_s = float(sequence.time_s[-1] - sequence.time_s[0]) if len(sequence) else 0.0
            if video_end_s + VIDEO_SHORTFALL_ALLOWED_S < landmarks_span_s:
                raise UserFacingError(f"{video}: ends at {video_end_s:.1f} s but the landmarks run "
                                      f"{landmarks_span_s:.1f} s (truncated?)")
        return sequence

    def save_landmarks(self, sequence: PoseSequence) -> None:
        save_landmarks(sequence, self.landmarks_path)

    def open_event_log(self) -> EventLog:
        return EventLog(self.events_path)

    def write_manifest(self, manifest: Manifest) -> Session:
        if manifest.session_id != self.session_id:
            raise ValueError("a session's id cannot change")
        atomic_write_json(self.manifest_path, manifest.to_dict())
        return Session(self.directory, manifest)

    def update_manifest(self, **changes: Any) -> Session:
        return self.write_manifest(replace(self.manifest, **changes))


def finalise(session: Session, *, recovered: bool = False) -> Session:
    """Consolidate landmark chunks into one NPZ, check the video and mark the session complete.

    Used by the recorder's ``close()`` and by recovery; safe to repeat after a
    crash inside it (chunks are removed only after the NPZ is on disk).
    """
    manifest = session.manifest
    damaged_chunks: list[str] = []
    chunks = read_landmark_chunks(session.chunks_dir, damaged_chunks if recovered else None)
    if chunks or not session.landmarks_path.exists():
        size = manifest.image_size_px or (0, 0)
        session.save_landmarks(sequence_from_chunks(chunks, size, manifest.source.path or ""))
    sequence = load_landmarks(session.landmarks_path)
    drop_torn_tail(session.events_path)
    if damaged_chunks:  # kept where they are (nothing saved is deleted) and noted in the record
        with session.open_event_log() as log:
            for problem in damaged_chunks:
                log.append(EventKind.NOTE, {"text": "recovery skipped a damaged landmark chunk",
                                            SKIPPED_CHUNK_KEY: problem})
    else:
        shutil.rmtree(session.chunks_dir, ignore_errors=True)
    video = manifest.video
    if video is not None and video_duration_s(session.directory / video) is None:
        video = None  # killed before the first packet reached the disk: nothing playable
    ended_at = manifest.ended_at
    if ended_at is None:
        last_time_s = float(sequence.time_s[-1]) if len(sequence) else 0.0
        ended_at = manifest.started_at + timedelta(seconds=last_time_s)
    fps = manifest.fps if manifest.fps is not None else (sequence.fps if len(sequence) > 1 else None)
    return session.update_manifest(
        status=SessionStatus.COMPLETE,
        ended_at=ended_at,
        recovered_at=now_utc() if recovered else manifest.recovered_at,
        frame_count=len(sequence),
        fps=fps,
        video=video,
    )


def video_duration_s(path: Path) -> float | None:
    """Time of the last packet in a video file (demuxed, not decoded), or None if unreadable."""
    import av  # local: listing sessions should not pay for loading FFmpeg

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            last_s = None
            for packet in container.demux(stream):
                if packet.pts is not None:
                    time_s = float(packet.pts * packet.time_base)
                    last_s = time_s if last_s is None else max(last_s, time_s)
            return last_s
    except (av.FFmpegError, IndexError, OSError):
        return None
