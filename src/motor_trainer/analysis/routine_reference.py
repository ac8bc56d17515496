"""A reference routine: the coach's (or a saved good run's) landmarks, steps and beat grid.

Saved as a folder with ``routine.json`` (name, source, steps, beat grid,
contact settings) and ``landmarks.npz`` (plain arrays, loaded without
pickle), so a routine built once from a video is reused without tracking again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motor_trainer.errors import UserFacingError
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.skills.beats import detect_beats
from motor_trainer.skills.closed_loop import BeatGrid, ContactSettings, StepEvent, detect_steps
from motor_trainer.storage.json_files import atomic_write_json, read_json
from motor_trainer.storage.landmark_files import load_landmarks, save_landmarks
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import Workspace

#: The workspace folder of saved references (open-loop ones are files in it, routines folders).
REFERENCES_DIRNAME = "references"
ROUTINE_FILE = "routine.json"
LANDMARKS_FILE = "landmarks.npz"
FORMAT_VERSION = 1
#: Below this pulse strength the soundtrack has no usable beat (speech, silence, noise).
MIN_BEAT_STRENGTH = 1.5


@dataclass(frozen=True)
class ReferenceRoutine:
    """What an attempt is aligned to; ``beat_grid`` is None when neither the user nor the audio gave a tempo."""

    name: str
    sequence: PoseSequence
    steps: tuple[StepEvent, ...]
    beat_grid: BeatGrid | None
    contact: ContactSettings = ContactSettings()

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))


def beat_grid_for(sequence: PoseSequence, bpm: float | None, first_beat_s: float | None, audio_path: Path | None) -> BeatGrid | None:
    """The user's tempo when given, else the soundtrack's beat when it has a clear one, else None."""
    start_s, end_s = float(sequence.time_s[0]), float(sequence.time_s[-1])
    if bpm is not None:
        if not bpm > 0:
            raise UserFacingError(f"--bpm must be positive, got {bpm}")
        return BeatGrid.from_tempo(bpm, start_s if first_beat_s is None else first_beat_s, start_s, end_s)
    if audio_path is None:
        return None
    estimate = detect_beats(audio_path)
    if estimate is None or estimate.strength < MIN_BEAT_STRENGTH:
        return None
    return BeatGrid.from_tempo(estimate.bpm, estimate.first_beat_s, start_s, end_s)


def build_reference(
    sequence: PoseSequence,
    *,
    name: str,
    bpm: float | None = None,
    first_beat_s: float | None = None,
    audio_path: Path | None = None,
    contact: ContactSettings = ContactSettings(),
) -> ReferenceRoutine:
    """Steps and beat grid of a tracked reference clip; a clip without any step is a user error."""
    steps = detect_steps(sequence, contact)
    if not steps:
        raise UserFacingError(f"{sequence.source or name}: no foot steps found in the reference (is the whole body in view?)")
    return ReferenceRoutine(
        name=name,
        sequence=sequence,
        steps=steps,
        beat_grid=beat_grid_for(sequence, bpm, first_beat_s, audio_path),
        contact=contact,
    )


def save_reference(routine: ReferenceRoutine, folder: Path) -> Path:
    """Write the routine into ``folder`` (landmarks first, so a routine.json always has its landmarks)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserFacingError(f"{folder}: cannot create the reference folder ({error.strerror or error})") from None
    save_landmarks(routine.sequence, folder / LANDMARKS_FILE)
    atomic_write_json(
        folder / ROUTINE_FILE,
        {
            "format_version": FORMAT_VERSION,
            "name": routine.name,
            "steps": [step.to_dict() for step in routine.steps],
            "beat_grid": None if routine.beat_grid is None else routine.beat_grid.to_dict(),
            "contact": vars(routine.contact).copy(),
        },
    )
    return folder


def is_reference_folder(path: Path) -> bool:
    return (Path(path) / ROUTINE_FILE).is_file()


def load_reference(folder: Path) -> ReferenceRoutine:
    """Read a saved routine; a damaged or foreign file is a user error naming it."""
    folder = Path(folder)
    routine_path = folder / ROUTINE_FILE
    data: Any = read_json(routine_path)
    sequence = load_landmarks(folder / LANDMARKS_FILE)
    try:
        if int(data["format_version"]) > FORMAT_VERSION:
            raise UserFacingError(f"{routine_path}: written by a newer Motor Trainer (format {data['format_version']})")
        return ReferenceRoutine(
            name=str(data["name"]),
            sequence=sequence,
            steps=tuple(StepEvent.from_dict(step) for step in data["steps"]),
            beat_grid=None if data["beat_grid"] is None else BeatGrid.from_dict(data["beat_grid"]),
            contact=ContactSettings.from_table(data["contact"]),
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise UserFacingError(f"{routine_path}: not a valid reference routine ({type(error).__name__}: {error})") from None


def replace_beat_grid(routine: ReferenceRoutine, bpm: float | None, first_beat_s: float | None) -> ReferenceRoutine:
    """The routine with the user's tempo, when one is given (it overrides a saved or detected grid)."""
    if bpm is None:
        return routine
    return dataclasses.replace(routine, beat_grid=beat_grid_for(routine.sequence, bpm, first_beat_s, None))


def routine_folder(workspace_root: Path, routine_id: str) -> Path:
    """Where a routine saved under ``routine_id`` lives: ``references/<id>/`` in the workspace.

    An id is one plain folder name, so a saved routine can never land outside the workspace.
    """
    if not routine_id or Path(routine_id).name != routine_id or routine_id.startswith("."):
        raise UserFacingError(f"reference id '{routine_id}' is not valid: one plain name, no folders")
    return Path(workspace_root) / REFERENCES_DIRNAME / routine_id


def run_as_reference(
    attempt: PoseSequence,
    name: str,
    reference_grid: BeatGrid | None,
    rate: float,
    offset_s: float,
    contact: ContactSettings = ContactSettings(),
) -> ReferenceRoutine:
    """A good run of the student's, to dance against next time.

    The run was danced to the reference's music at ``run_s = offset_s + rate
    · reference_s`` (the tempo fit), so the music's beats are carried over on
    that line rather than detected again.
    """
    routine = build_reference(attempt, name=name, contact=contact)
    if reference_grid is None:
        return routine
    grid = BeatGrid(
        bpm=reference_grid.bpm / rate,
        first_beat_s=offset_s + rate * reference_grid.first_beat_s,
        beat_s=offset_s + rate * reference_grid.beat_s,
    )
    return dataclasses.replace(routine, beat_grid=grid)


def resolve_routine(
    choice: str,
    workspace: Workspace | None,
    contact: ContactSettings,
    *,
    rotate_deg: int = 0,
    model: str = "lite",
    bpm: float | None = None,
    first_beat_s: float | None = None,
) -> ReferenceRoutine:
    """The routine a person named, the same way on the command line, in the app and in a replay.

    ``choice`` is a saved routine folder, a video of the routine (tracked now
    with ``rotate_deg`` and ``model``: coach and student usually share a camera
    set-up; its soundtrack gives the beat grid unless ``bpm`` does), a saved
    routine's id in the workspace, or the id of a saved session. ``bpm`` and
    ``first_beat_s`` replace the routine's beat grid when given. Without a
    workspace only folders and videos can be named.
    """
    path = Path(choice)
    if path.is_dir():
        if not is_reference_folder(path):
            raise UserFacingError(f"{path}: not a saved reference routine (no routine.json)")
        return replace_beat_grid(load_reference(path), bpm, first_beat_s)
    if path.is_file():
        from motor_trainer.pose.tracker import track_video  # noqa: PLC0415 — loads the pose model only when needed

        sequence = track_video(path, rotate_deg=rotate_deg, model=model)
        return build_reference(sequence, name=path.stem, bpm=bpm, first_beat_s=first_beat_s, audio_path=path, contact=contact)
    if workspace is None:
        raise UserFacingError(f"{choice}: no such routine folder or video")
    if path.name == choice and is_reference_folder(routine_folder(workspace.root, choice)):
        return replace_beat_grid(load_reference(routine_folder(workspace.root, choice)), bpm, first_beat_s)
    session = SessionStore(workspace.sessions_dir).get(choice)
    return build_reference(
        session.landmarks(),
        name=session.session_id,
        bpm=bpm,
        first_beat_s=first_beat_s,
        audio_path=session.video_path if session.video_path is not None and session.video_path.is_file() else None,
        contact=contact,
    )
