"""What a session was judged against, kept with it, so `replay`, the review and export need no options again.

The manifest's ``settings["reference"]`` records what the person named (a
saved reference's id, a routine folder, a video by path and content hash, a
session) and ``settings["judging"]`` how it was judged (mirror, tempo,
tolerance). A copy of the reference itself goes into the session's
``derived/reference/``: a routine as a routine folder (its landmarks, steps
and beat grid, so a reference video is never tracked again), a saved rep
reference as its JSON. A replay judges against that copy; when the original
has moved or changed since, it says so in one line.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motor_trainer.analysis.rep_reference import RepReference, load_reference as load_rep_reference
from motor_trainer.analysis.routine_reference import (
    ROUTINE_FILE,
    ReferenceRoutine,
    is_reference_folder,
    load_reference as load_routine,
    routine_folder,
    save_reference as save_routine,
)
from motor_trainer.errors import UserFacingError
from motor_trainer.storage.session_folder import Session
from motor_trainer.workspace import Workspace

REFERENCE_SETTING = "reference"
JUDGING_SETTING = "judging"
#: The copy of the reference inside a session folder.
SNAPSHOT_DIRNAME = "reference"


@dataclass(frozen=True)
class RememberedReference:
    """A reference as the session kept it, with a line for the user when the original moved or changed (else None)."""

    reference: Any  # ReferenceRoutine for a routine, RepReference for open-loop reps
    note: str | None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_routine_choice(choice: str, workspace: Workspace) -> dict[str, Any]:
    """What ``choice`` named, as resolve_routine reads it: a folder, a video (with its content hash), a saved id or a session."""
    path = Path(choice)
    if path.is_dir():
        return {"kind": "folder", "path": str(path.resolve()), "sha256": file_sha256(path / ROUTINE_FILE)}
    if path.is_file():
        return {"kind": "video", "path": str(path.resolve()), "sha256": file_sha256(path)}
    saved = routine_folder(workspace.root, choice) if path.name == choice and not choice.startswith(".") else None
    if saved is not None and is_reference_folder(saved):
        return {"kind": "saved", "id": choice, "path": str(saved), "sha256": file_sha256(saved / ROUTINE_FILE)}
    return {"kind": "session", "id": choice}


def describe_saved_rep_reference(path: Path) -> dict[str, Any]:
    """A saved rep reference (``references/<id>.json``) as a session records it."""
    return {"kind": "saved", "id": path.stem, "path": str(path.resolve()), "sha256": file_sha256(path)}


def remember_routine(session: Session, choice: str, routine: ReferenceRoutine, workspace: Workspace,
                     judging: Mapping[str, Any]) -> Session:
    """Keep the routine ``session`` was judged against (named ``choice``) and how (``judging``: mirror, bpm, first beat)."""
    save_routine(routine, session.derived_dir / SNAPSHOT_DIRNAME)
    return _record(session, describe_routine_choice(choice, workspace), judging)


def remember_rep_reference(session: Session, reference: RepReference | None, saved_dir: Path,
                           judging: Mapping[str, Any]) -> Session:
    """Keep the saved rep reference ``session`` was judged against (None: the video's own reps) and how."""
    if reference is None:
        return _record(session, {"kind": "own-reps"}, judging)
    original = saved_dir / f"{reference.reference_id}.json"
    snapshot = session.derived_dir / SNAPSHOT_DIRNAME
    snapshot.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(original, snapshot / original.name)
    return _record(session, describe_saved_rep_reference(original), judging)


def _record(session: Session, reference: Mapping[str, Any], judging: Mapping[str, Any]) -> Session:
    settings = {**session.manifest.settings, REFERENCE_SETTING: dict(reference), JUDGING_SETTING: dict(judging)}
    return session.update_manifest(settings=settings)


def reference_record(session: Session) -> Mapping[str, Any] | None:
    record = session.manifest.settings.get(REFERENCE_SETTING)
    return record if isinstance(record, Mapping) else None


def judging_setting(session: Session, name: str) -> Any:
    """How the session was judged (``mirror``, ``bpm``, ``first_beat_s``, ``tolerance_mm``); None when it did not say."""
    judging = session.manifest.settings.get(JUDGING_SETTING)
    return judging.get(name) if isinstance(judging, Mapping) else None


def remembered_routine(session: Session, resolve: Callable[[str], ReferenceRoutine]) -> RememberedReference | None:
    """The routine the session was judged against: its kept copy, else (a live session keeps only the record)
    the original, loaded by ``resolve`` (resolve_routine: a video is tracked again). None when the session names none."""
    record = reference_record(session)
    if record is None:
        return None
    snapshot = session.derived_dir / SNAPSHOT_DIRNAME
    if is_reference_folder(snapshot):
        return RememberedReference(load_routine(snapshot), _changed_note(record))
    choice = record.get("path") or record.get("id")
    if not choice:
        return None
    _require_original(session, record)
    return RememberedReference(resolve(str(choice)), _changed_note(record, kept_copy=False))


def remembered_rep_reference(session: Session) -> RememberedReference | None:
    """The saved rep reference the session was judged against: its kept copy, else the original; None for its own reps."""
    record = reference_record(session)
    if record is None or record.get("kind") != "saved":
        return None
    snapshot = session.derived_dir / SNAPSHOT_DIRNAME
    if (snapshot / f"{record['id']}.json").is_file():
        return RememberedReference(load_rep_reference(snapshot, str(record["id"])), _changed_note(record))
    _require_original(session, record)
    original = Path(str(record["path"]))
    return RememberedReference(load_rep_reference(original.parent, original.stem), _changed_note(record, kept_copy=False))


def _require_original(session: Session, record: Mapping[str, Any]) -> None:
    path = record.get("path")
    if path and not Path(path).exists():
        raise UserFacingError(f"the reference {path} session {session.session_id} was judged against has moved or gone: "
                              "pass --reference ID|VIDEO|FOLDER")


def _changed_note(record: Mapping[str, Any], kept_copy: bool = True) -> str | None:
    """One line when the reference the session names is no longer there as it was when it was judged."""
    path, digest = record.get("path"), record.get("sha256")
    if not path or not digest:
        return None
    what = f"reference {record['id']!r}" if record.get("id") else f"reference {path}"
    try:
        now = file_sha256(Path(path) / ROUTINE_FILE if Path(path).is_dir() else Path(path))
    except OSError:
        return f"note: the {what} has moved or gone since this session was judged; replayed against the copy kept with it"
    if now != digest:
        against = "the copy kept with it" if kept_copy else "it as it is now"
        return f"note: the {what} has changed since this session was judged; replayed against {against}"
    return None
