"""Practice sessions on disk: one folder per sitting that survives a crash.

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

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; see RecordingLock
    fcntl = None  # type: ignore[assignment]

from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.records.verdict import Verdict
from motor_trainer.atomic_files import atomic_write_bytes, write_error
from motor_trainer.errors import UserFacingError
from motor_trainer.media_files import VIDEO_SUFFIXES
from motor_trainer.pose.landmarks import LANDMARK_COUNT, PoseSequence

if TYPE_CHECKING:
    from motor_trainer.workspace import Workspace

#: Bumped when a manifest field changes meaning; older readers refuse newer manifests.
SCHEMA_VERSION = 1

MANIFEST_NAME = "manifest.json"
EVENTS_NAME = "events.jsonl"
LANDMARKS_NAME = "landmarks.npz"
CHUNKS_DIRNAME = "landmarks"
DERIVED_DIRNAME = "derived"
RECORDING_LOCK_NAME = ".recording.lock"
RECORDED_VIDEO_NAME = "video.mkv"

_SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
_CHUNK_NAME = re.compile(r"^chunk_(\d{6})\.npz$")
_SEQUENCE_ARRAYS = ("time_s", "xy_px", "visibility", "presence", "world_m")


class SessionStatus(StrEnum):
    RECORDING = "recording"
    COMPLETE = "complete"


class SourceKind(StrEnum):
    VIDEO_FILE = "video-file"
    VIDEO_AS_CAMERA = "video-as-camera"
    WEBCAM = "webcam"


class EventKind(StrEnum):
    REP = "rep"
    OUTCOME = "outcome"
    VERDICT = "verdict"
    NOTE = "note"


# --------------------------------------------------------------------------- atomic files


def atomic_write_json(path: Path, value: Any) -> None:
    atomic_write_bytes(path, (json.dumps(value, indent=2, sort_keys=True, allow_nan=False) + "\n").encode())


def read_json(path: Path) -> Any:
    """Parse a JSON file, or raise a one-line UserFacingError naming it."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise UserFacingError(f"{path}: file not found") from error
    return parse_json(data, str(path))


def parse_json(data: bytes, source: str) -> Any:
    """Parse JSON bytes; ``source`` names where they came from in the one-line error."""
    try:
        return json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserFacingError(f"{source}: not valid JSON ({_first_line(error)})") from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --------------------------------------------------------------------------- manifest


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
            started_at=_parse_time(data["started_at"]),
            ended_at=None if data.get("ended_at") is None else _parse_time(data["ended_at"]),
            recovered_at=None if data.get("recovered_at") is None else _parse_time(data["recovered_at"]),
            image_size_px=None if size is None else (int(size[0]), int(size[1])),
            fps=None if data.get("fps") is None else float(data["fps"]),
            frame_count=int(data.get("frame_count", 0)),
            video=None if data.get("video") is None else str(data["video"]),
        )


def _parse_time(value: object) -> datetime:
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
        cause = f"missing field {error}" if isinstance(error, KeyError) else _first_line(error)
        raise UserFacingError(f"{source}: bad session manifest: {cause}") from error


def validate_session_id(session_id: str) -> str:
    """Session ids become folder names: refuse anything that could climb out of sessions/."""
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id) or ".." in session_id:
        raise ValueError(f"{session_id!r} is not a valid session id")
    return session_id


def now_utc() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Event:
    """One line of ``events.jsonl``: ``seq`` counts from 0; ``time_s`` is session time when known."""

    seq: int
    kind: EventKind
    wall_time: datetime
    payload: Mapping[str, Any]
    time_s: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "payload", MappingProxyType(dict(self.payload)))

    def to_dict(self) -> dict:
        return {"seq": self.seq, "kind": str(self.kind), "wall_time": self.wall_time.isoformat(),
                "time_s": self.time_s, "payload": dict(self.payload)}

    @classmethod
    def from_dict(cls, data: Mapping) -> Event:
        if not isinstance(data.get("payload"), Mapping):
            raise TypeError("payload is not an object")
        return cls(
            seq=int(data["seq"]),
            kind=EventKind(data["kind"]),
            wall_time=_parse_time(data["wall_time"]),
            time_s=None if data.get("time_s") is None else float(data["time_s"]),
            payload=data["payload"],
        )


def read_events(path: Path) -> list[Event]:
    """All events in the file; a torn last line (the process died mid-write) is dropped.

    A bad line anywhere else means the file was damaged or edited: that is refused.
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UserFacingError(f"{path}: events file is not UTF-8 text") from error
    lines = text.split("\n")
    events: list[Event] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        is_torn_tail = number == len(lines)  # no newline after it: the write never finished
        try:
            events.append(Event.from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, ValueError, TypeError) as error:
            if is_torn_tail:
                break
            raise UserFacingError(f"{path}: line {number} is not a valid event ({_first_line(error)})") from error
    return events


class EventLog:
    """Append-only event file; ``append`` returns only once the record is on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        existing = read_events(self.path)
        self._next_seq = existing[-1].seq + 1 if existing else 0
        _drop_torn_tail(self.path)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def append(self, kind: EventKind, payload: Mapping[str, Any], time_s: float | None = None) -> Event:
        event = Event(seq=self._next_seq, kind=EventKind(kind), wall_time=now_utc(), payload=payload, time_s=time_s)
        # NaN stays NaN (a feature that could not be measured): Python's json writes and reads the token.
        try:
            self._file.write(json.dumps(event.to_dict(), sort_keys=True) + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as error:
            raise write_error(self.path, error) from error
        self._next_seq += 1
        return event

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _drop_torn_tail(path: Path) -> None:
    """Cut a half-written last line so the next record starts on a line of its own."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        atomic_write_bytes(path, data[: data.rfind(b"\n") + 1])


# --------------------------------------------------------------------------- landmarks


def _npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buffer:
        np.savez(buffer, **arrays)
        buffer.seek(0)
        return buffer.read()


def save_landmarks(sequence: PoseSequence, path: Path) -> None:
    """The whole sequence as one NPZ (plain arrays only), written atomically."""
    arrays = {name: np.asarray(getattr(sequence, name)) for name in _SEQUENCE_ARRAYS}
    arrays["image_size_px"] = np.asarray(sequence.image_size_px, dtype=np.int64)
    arrays["fps"] = np.asarray(sequence.fps, dtype=np.float64)
    arrays["source"] = np.asarray(sequence.source, dtype=np.str_)
    atomic_write_bytes(path, _npz_bytes(arrays))


def _load_npz_arrays(path: Path, names: Iterable[str]) -> dict[str, np.ndarray]:
    """Named arrays from an NPZ, refusing pickles and anything that is not an NPZ."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in names}
    except FileNotFoundError as error:
        raise UserFacingError(f"{path}: file not found") from error
    except KeyError as error:
        raise UserFacingError(f"{path}: landmarks file lacks the array {error}") from error
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise UserFacingError(f"{path}: holds a pickled object; refused (landmarks must be plain arrays)") from error
        raise UserFacingError(f"{path}: not a landmarks NPZ file ({_first_line(error)})") from error
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise UserFacingError(f"{path}: not a readable landmarks NPZ file ({_first_line(error)})") from error


def load_landmarks(path: Path) -> PoseSequence:
    arrays = _load_npz_arrays(path, (*_SEQUENCE_ARRAYS, "image_size_px", "fps", "source"))
    try:
        return PoseSequence(
            **{name: arrays[name] for name in _SEQUENCE_ARRAYS},
            image_size_px=tuple(int(v) for v in arrays["image_size_px"][:2]),
            source=str(arrays["source"]),
            fps=float(arrays["fps"]),
        )
    except (ValueError, TypeError) as error:
        raise UserFacingError(f"{path}: landmarks arrays are inconsistent ({_first_line(error)})") from error


@dataclass(frozen=True)
class LandmarkChunk:
    """A block of consecutive frames appended while recording; ``index`` orders the blocks."""

    index: int
    time_s: np.ndarray
    xy_px: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world_m: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.time_s)
        shapes = {"time_s": (n,), "xy_px": (n, LANDMARK_COUNT, 2), "visibility": (n, LANDMARK_COUNT),
                  "presence": (n, LANDMARK_COUNT), "world_m": (n, LANDMARK_COUNT, 3)}
        for name, shape in shapes.items():
            value = np.array(getattr(self, name), dtype=np.float64, copy=True)
            if value.shape != shape:
                raise ValueError(f"LandmarkChunk.{name} has shape {value.shape}, expected {shape}")
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.time_s)


def chunk_path(chunks_dir: Path, index: int) -> Path:
    return Path(chunks_dir) / f"chunk_{index:06d}.npz"


def write_landmark_chunk(chunks_dir: Path, chunk: LandmarkChunk) -> Path:
    path = chunk_path(chunks_dir, chunk.index)
    atomic_write_bytes(path, _npz_bytes({name: getattr(chunk, name) for name in _SEQUENCE_ARRAYS}))
    return path


def read_landmark_chunks(chunks_dir: Path) -> list[LandmarkChunk]:
    """Every complete chunk in index order (temporary files of an interrupted write are ignored)."""
    chunks_dir = Path(chunks_dir)
    if not chunks_dir.is_dir():
        return []
    indexed = sorted((int(m.group(1)), p) for p in chunks_dir.iterdir() if (m := _CHUNK_NAME.match(p.name)))
    chunks = []
    for index, path in indexed:
        arrays = _load_npz_arrays(path, _SEQUENCE_ARRAYS)
        try:
            chunks.append(LandmarkChunk(index=index, **arrays))
        except ValueError as error:
            raise UserFacingError(f"{path}: landmark chunk is inconsistent ({_first_line(error)})") from error
    return chunks


def sequence_from_chunks(chunks: list[LandmarkChunk], image_size_px: tuple[int, int], source: str) -> PoseSequence:
    if not chunks:
        return PoseSequence.empty(np.zeros(0), image_size_px, source)
    return PoseSequence(
        **{name: np.concatenate([getattr(c, name) for c in chunks]) for name in _SEQUENCE_ARRAYS},
        image_size_px=image_size_px,
        source=source,
    )


# --------------------------------------------------------------------------- one session


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

    def verdicts(self) -> list[Verdict]:
        """The verdict events as Verdicts, in the order they were committed."""
        verdicts = []
        for event in self.events():
            if event.kind is EventKind.VERDICT:
                try:
                    verdicts.append(Verdict.from_dict(event.payload))
                except (KeyError, ValueError, TypeError) as error:
                    raise UserFacingError(
                        f"{self.events_path}: event {event.seq} is not a valid verdict ({_first_line(error)})"
                    ) from error
        return verdicts

    def landmarks(self) -> PoseSequence:
        """The landmarks: the consolidated NPZ, or the chunks of a session still recording."""
        if self.landmarks_path.exists():
            return load_landmarks(self.landmarks_path)
        size = self.manifest.image_size_px or (0, 0)
        return sequence_from_chunks(read_landmark_chunks(self.chunks_dir), size, self.manifest.source.path or "")

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


# --------------------------------------------------------------------------- the store


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
        if not (folder / MANIFEST_NAME).is_file():
            raise UserFacingError(f"{folder}: no such session (see `motor-trainer sessions list`)")
        return _load_session(folder)

    def __iter__(self) -> Iterator[Session]:
        """Readable sessions, oldest first; a damaged folder is skipped here (``problems`` names it)."""
        sessions, _ = self._scan()
        return iter(sorted(sessions, key=lambda s: (s.manifest.started_at, s.session_id)))

    def problems(self) -> list[str]:
        """One line per session folder whose manifest cannot be read."""
        return self._scan()[1]

    def _scan(self) -> tuple[list[Session], list[str]]:
        sessions, problems = [], []
        if self.sessions_dir.is_dir():
            for folder in sorted(self.sessions_dir.iterdir()):
                if folder.is_dir() and not folder.name.startswith(".") and (folder / MANIFEST_NAME).exists():
                    try:
                        sessions.append(_load_session(folder))
                    except UserFacingError as error:
                        problems.append(str(error))
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

    def query_events(self, kind: EventKind, skill: str | None = None) -> list[SessionEvents]:
        """Events of ``kind`` (e.g. every live rep) of every complete session, oldest session first."""
        return [
            SessionEvents(s.session_id, s.manifest.started_at, s.manifest.skill,
                          tuple(e for e in s.events() if e.kind is kind))
            for s in self._complete_sessions(skill)
        ]

    def _complete_sessions(self, skill: str | None) -> list[Session]:
        return [s for s in self if s.manifest.status is SessionStatus.COMPLETE
                and (skill is None or s.manifest.skill == skill)]

    def query_verdicts(self, skill: str | None = None) -> list[SessionVerdicts]:
        """Verdicts of every complete session (of one skill if given), oldest session first, for progress."""
        return [SessionVerdicts(s.session_id, s.manifest.started_at, s.manifest.skill or "", tuple(s.verdicts()))
                for s in self._complete_sessions(skill)]


@dataclass(frozen=True)
class SessionEvents:
    """One session's events of one kind, with what a progress plot needs to place them."""

    session_id: str
    started_at: datetime
    skill: str | None
    events: tuple[Event, ...]


def _load_session(folder: Path) -> Session:
    manifest = read_manifest(folder / MANIFEST_NAME)
    if manifest.session_id != folder.name:
        raise UserFacingError(f"{folder / MANIFEST_NAME}: names session {manifest.session_id!r} but lies in folder "
                              f"{folder.name!r}; rename the folder back")
    return Session(folder, manifest)


class RecordingLock:
    """An exclusive lock on a session while a program records it (or recovers it).

    The operating system drops the lock when its process dies, however it dies,
    so a held lock means "a live program is writing here" and a free lock on a
    session still marked "recording" means its program was killed. POSIX only
    (fcntl); elsewhere every unfinished session counts as interrupted.
    """

    def __init__(self, session: Session) -> None:
        self.path = session.directory / RECORDING_LOCK_NAME
        self._file = open(self.path, "a")  # noqa: SIM115 - held until release()
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise UserFacingError(f"{session.directory}: a running Motor Trainer is recording this session") from None

    def release(self) -> None:
        """Unlock and remove the lock file (unlinking first so no other process locks a dead file)."""
        if not self._file.closed:
            self.path.unlink(missing_ok=True)
            self._file.close()

    def __enter__(self) -> RecordingLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def is_being_recorded(session: Session) -> bool:
    """Whether a running program holds the session's recording lock."""
    if fcntl is None:
        return False
    try:
        probe = open(session.directory / RECORDING_LOCK_NAME)  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False
    with probe:
        try:
            fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
    return False


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")[:40] or "session"


def finalise(session: Session, *, recovered: bool = False) -> Session:
    """Consolidate landmark chunks into one NPZ, check the video and mark the session complete.

    Used by the recorder's ``close()`` and by recovery; safe to repeat after a
    crash inside it (chunks are removed only after the NPZ is on disk).
    """
    manifest = session.manifest
    chunks = read_landmark_chunks(session.chunks_dir)
    if chunks or not session.landmarks_path.exists():
        size = manifest.image_size_px or (0, 0)
        session.save_landmarks(sequence_from_chunks(chunks, size, manifest.source.path or ""))
    sequence = load_landmarks(session.landmarks_path)
    _drop_torn_tail(session.events_path)
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
