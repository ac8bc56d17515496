"""``events.jsonl``: the append-only record of reps, outcomes, verdicts and notes.

JSON lines fsynced one record at a time rather than SQLite in WAL mode: a line
is one ``write`` and one ``fsync``, a torn last line after a kill is
recognisable and dropped, the file travels in a bundle as it is (no checkpoint
step), and a coach can read it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from motor_trainer.atomic_files import atomic_write_bytes, write_error
from motor_trainer.errors import UserFacingError
from motor_trainer.storage.json_files import first_line
from motor_trainer.storage.manifest import now_utc, parse_time


class EventKind(StrEnum):
    REP = "rep"
    OUTCOME = "outcome"
    VERDICT = "verdict"
    NOTE = "note"


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
        if not isinstance(data, Mapping):
            raise TypeError(f"a JSON {type(data).__name__}, not an object")
        if not isinstance(data.get("payload"), Mapping):
            raise TypeError("payload is not an object")
        return cls(
            seq=int(data["seq"]),
            kind=EventKind(data["kind"]),
            wall_time=parse_time(data["wall_time"]),
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
    except OSError as error:
        raise UserFacingError(f"{path}: cannot read ({error.strerror or first_line(error)})") from error
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
            raise UserFacingError(f"{path}: line {number} is not a valid event ({first_line(error)})") from error
    return events


class EventLog:
    """Append-only event file; ``append`` returns only once the record is on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        existing = read_events(self.path)
        self._next_seq = existing[-1].seq + 1 if existing else 0
        drop_torn_tail(self.path)
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


def drop_torn_tail(path: Path) -> None:
    """Cut a half-written last line so the next record starts on a line of its own."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        atomic_write_bytes(path, data[: data.rfind(b"\n") + 1])
