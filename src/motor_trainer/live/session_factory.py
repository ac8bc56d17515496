"""How a SessionSetup becomes a LiveRun: the source, the model and the skill's analyser with its reference (no Qt)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from motor_trainer.analysis.entered_outcomes import BOARD_SETTING, with_board_outcome
from motor_trainer.analysis.rep_reference import RepReference
from motor_trainer.analysis.rep_reference import load_reference as load_rep_reference
from motor_trainer.analysis.routine_reference import ReferenceRoutine, resolve_routine
from motor_trainer.analysis.session_reference import REFERENCE_SETTING, describe_routine_choice, describe_saved_rep_reference
from motor_trainer.records.verdict import SkillKind
from motor_trainer.storage.recorder import SessionRecorder
from motor_trainer.capture.sources import LiveSource, VideoAsCamera, WebcamSource
from motor_trainer.coaching.difficulty import Difficulty, DifficultyLadder
from motor_trainer.errors import UserFacingError
from motor_trainer.live.live_analysis import Analyser, ClosedLoopAnalyser, LiveRun, OpenLoopAnalyser
from motor_trainer.live.play_along import PlayAlongSettings, playback_speed
from motor_trainer.live.play_along_run import prepare_play_along
from motor_trainer.live.session_setup import SessionSetup
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.open_loop import OpenLoopPreset, load_open_loop_preset
from motor_trainer.skills.presets import load_preset_table
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import Workspace

def open_source(setup: SessionSetup) -> LiveSource:
    if setup.video_path is not None:
        return VideoAsCamera(setup.video_path, setup.rotate_deg, speed=setup.speed)
    assert setup.camera_index is not None  # SessionSetup.__post_init__: a camera when there is no video
    return WebcamSource(setup.camera_index, setup.rotate_deg)


def open_loop_preset(setup: SessionSetup) -> OpenLoopPreset:
    """The skill's preset; with board entry, its outcome judged as a dart's landing point."""
    return with_board_outcome(load_open_loop_preset(setup.skill, setup.workspace_root), setup.outcome_on_board)


def load_open_loop_reference(path: Path | None) -> RepReference | None:
    """A saved reference from its ``<id>.json`` path, or None to judge outcomes only."""
    if path is None:
        return None
    return load_rep_reference(path.parent, path.stem)


def load_routine_reference(setup: SessionSetup, settings: ClosedLoopSettings) -> ReferenceRoutine:
    """The chosen routine (a saved routine folder or a video tracked now with the session's rotation and model)."""
    if setup.reference_path is None:
        raise UserFacingError(f"skill '{setup.skill}' follows a reference routine: choose a routine folder or video")
    workspace = None if setup.sessions_dir is None else Workspace(setup.sessions_dir.parent)
    return resolve_routine(str(setup.reference_path), workspace, settings.contact, rotate_deg=setup.rotate_deg, model=setup.model)


def starting_difficulty(setup: SessionSetup) -> Difficulty:
    """The coach's difficulty at ``setup.coach_level`` on a ladder whose level 0 is the preset's own timing windows."""
    ladder = DifficultyLadder()
    if setup.kind is SkillKind.CLOSED_LOOP:
        table = load_preset_table(setup.skill, setup.workspace_root)
        ladder = dataclasses.replace(ladder, timing_windows_ms=ClosedLoopSettings.from_table(table).windows)
    return ladder.at(setup.kind, setup.coach_level)


def dance_speed(setup: SessionSetup) -> float:
    """The run's playback speed: the dancer's choice times the tempo of the coach's level (carried from the last run)."""
    return playback_speed(setup.dance_speed, starting_difficulty(setup).tempo_factor)


def make_analyser(setup: SessionSetup, fps: float) -> Analyser:
    """The skill's online analyser with its reference loaded (slow for a routine video: call off the GUI thread).

    A closed-loop skill plays its routine along (``analyser.play_along``): the
    follower runs on the playback's clock, mirrored when the reference is.
    """
    if setup.kind is SkillKind.CLOSED_LOOP:
        settings = ClosedLoopSettings.from_table(load_preset_table(setup.skill, setup.workspace_root))
        settings = dataclasses.replace(settings, windows=starting_difficulty(setup).timing_windows_ms or settings.windows)
        play_along = prepare_play_along(setup, load_routine_reference(setup, settings), dance_speed(setup))
        settings = dataclasses.replace(settings, mirror=play_along.settings.mirror)
        analyser = ClosedLoopAnalyser(play_along.routine, settings, play_along.clock)
        analyser.play_along = play_along
        return analyser
    return OpenLoopAnalyser(open_loop_preset(setup), fps, load_open_loop_reference(setup.reference_path))


def make_tracker(setup: SessionSetup):
    from motor_trainer.pose.tracker import PoseTracker  # noqa: PLC0415 — mediapipe loads in the worker thread

    return PoseTracker(setup.model)


def session_origin(video_path: Path | None, camera_index: int | None, rotate_deg: int) -> SessionSource:
    """Where a live session's frames came from, as its manifest says: a video played as a camera, or a webcam."""
    if video_path is not None:
        return SessionSource(SourceKind.VIDEO_AS_CAMERA, path=str(video_path), rotate_deg=rotate_deg)
    return SessionSource(SourceKind.WEBCAM, rotate_deg=rotate_deg, camera_index=camera_index)


def open_recorder(setup: SessionSetup, source: LiveSource, play_along: PlayAlongSettings | None = None) -> SessionRecorder | None:
    """A new session in the store, recorded as the run goes; None when the session is not to be saved."""
    if setup.sessions_dir is None:
        return None
    session = SessionStore(setup.sessions_dir).create(
        source=session_origin(setup.video_path, setup.camera_index, setup.rotate_deg),
        model=setup.model,
        skill=setup.skill,
        image_size_px=source.frame_size_px,
        fps=source.fps,
        settings={
            "mode": str(setup.mode),
            BOARD_SETTING: setup.outcome_on_board,
            **_reference_setting(setup),
            **({} if play_along is None else play_along.to_table()),
            **({} if setup.loop is None else {"loop_section": setup.loop.to_table()}),
        },
    )
    return SessionRecorder(session, source.frame_size_px, fps_hint=source.fps)


@dataclass
class _RunParts:
    """The pieces of one run that depend on each other: a video played as a dancer waits out the count-in,
    and the recording stores how the routine was played."""

    setup: SessionSetup
    source: LiveSource | None = None
    play_along: PlayAlongSettings | None = None

    def make_source(self) -> LiveSource:
        self.source = open_source(self.setup)
        return self.source

    def make_analyser(self, fps: float) -> Analyser:
        analyser = make_analyser(self.setup, fps)
        play_along = getattr(analyser, "play_along", None)
        if play_along is not None:
            self.play_along = play_along.settings
            if isinstance(self.source, VideoAsCamera):  # the filmed dancer starts on the music, as a live one would
                self.source.lead_in_s = play_along.clock.camera_s(0.0)
        return analyser

    def make_recorder(self, source: LiveSource) -> SessionRecorder | None:
        return open_recorder(self.setup, source, self.play_along)


def _reference_setting(setup: SessionSetup) -> dict[str, Any]:
    """What the run is judged against, recorded in the session so a replay of it needs no --reference."""
    path = setup.reference_path
    if path is None or not path.exists():
        return {}
    if setup.kind is SkillKind.OPEN_LOOP:
        return {REFERENCE_SETTING: describe_saved_rep_reference(path)}
    workspace = Workspace(setup.sessions_dir.parent) if setup.sessions_dir is not None else Workspace(path.parent)
    return {REFERENCE_SETTING: describe_routine_choice(str(path), workspace)}


def live_run(setup: SessionSetup) -> LiveRun:
    """A LiveRun for ``setup``; nothing opens until ``start()``."""
    parts = _RunParts(setup)
    return LiveRun(
        make_source=parts.make_source,
        make_tracker=partial(make_tracker, setup),
        make_analyser=parts.make_analyser,
        make_recorder=parts.make_recorder,
    )
