"""`motor-trainer record`: record a live session (camera or a video played as one) to the workspace.

What a coach uses to record drills. It drives the app's own live run (LiveRun):
frames go to H.264 video, landmarks to a chunk every second, and for an
open-loop skill each rep is committed (with the landmarks up to it) the moment
the live analyser confirms it, numbered and saved exactly as the app saves it.
Every commit is reported on stdout as it lands, so a session killed mid-way
keeps everything reported before the kill (`motor-trainer sessions recover`
finishes it).
"""

from __future__ import annotations

import argparse
import math
import queue
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from motor_trainer.commands.sessions import unfinished_notice
from motor_trainer.errors import UserFacingError
from motor_trainer.records.verdict import SkillKind
from motor_trainer.skills.presets import preset_kind, shipped_presets
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.manifest import SessionSource
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import resolve_workspace

if TYPE_CHECKING:  # loaded in run(): MediaPipe, FFmpeg and SciPy would cost every other command 1.5 s
    from motor_trainer.capture.sources import LiveSource
    from motor_trainer.live.live_analysis import LiveRun, OpenLoopAnalyser, RunEnded
    from motor_trainer.storage.recorder import SessionRecorder

#: How often the waiting main thread wakes, so that Ctrl-C is handled promptly.
POLL_EVENTS_S = 0.25


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("record", help="record a live session from a camera or a video played as one")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--camera", type=int, metavar="N", help="webcam index")
    source.add_argument("--video-as-camera", type=Path, metavar="PATH",
                        help="play a video file in real time as if it were a camera")
    parser.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270),
                        help="clockwise rotation for a sideways camera, degrees")
    parser.add_argument("--skill", metavar="NAME",
                        help=f"skill practised ({', '.join(shipped_presets())}, or one taught with `skills new`); "
                             "an open-loop skill has its reps found and saved live")
    parser.add_argument("--model", default="lite", help="pose model: lite, full, heavy or a .task path")
    parser.add_argument("--seconds", type=positive_seconds,
                        help="stop after this many seconds of wall time (default: until the source ends)")
    parser.set_defaults(run=run)


def positive_seconds(text: str) -> float:
    """argparse type for --seconds: a finite positive duration."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a positive number of seconds")
    return seconds


def _open_source(args: argparse.Namespace) -> LiveSource:
    """The camera, or the video played as one; a lost camera is a warning on stderr, the run goes on."""
    from motor_trainer.capture.sources import VideoAsCamera, WebcamSource

    source: LiveSource
    if args.video_as_camera is not None:
        source = VideoAsCamera(args.video_as_camera, rotate_deg=args.rotate)
    else:
        source = WebcamSource(args.camera, rotate_deg=args.rotate)
    source.on_lost(lambda message: print(f"warning: {message}", file=sys.stderr, flush=True))
    return source


def rep_analyser(skill: str | None, workspace_root: Path | None, fps: float) -> OpenLoopAnalyser | None:
    """Live rep finding for an open-loop skill (shipped, or taught in the workspace); closed-loop skills are
    analysed after recording."""
    if skill is None or preset_kind(skill, workspace_root) is not SkillKind.OPEN_LOOP:
        return None
    from motor_trainer.live.live_analysis import OpenLoopAnalyser
    from motor_trainer.skills.open_loop import load_open_loop_preset

    return OpenLoopAnalyser(load_open_loop_preset(skill, workspace_root), fps, reference=None)


def _open_recorder(store: SessionStore, origin: SessionSource, model: str, skill: str | None,
                   settings: dict[str, object], source: LiveSource) -> SessionRecorder:
    from motor_trainer.storage.recorder import SessionRecorder

    session = store.create(source=origin, model=model, skill=skill, image_size_px=source.frame_size_px,
                           fps=source.fps, settings=settings)
    return SessionRecorder(session, source.frame_size_px, fps_hint=source.fps)


def recording_run(open_source: Callable[[], LiveSource], origin: SessionSource, store: SessionStore, model: str,
                  skill: str | None, settings: dict[str, object], workspace_root: Path | None = None) -> LiveRun:
    """The app's live run, recording into ``store``; reps are found live for an open-loop ``skill``
    (a taught one is looked up in ``workspace_root``)."""
    from motor_trainer.live.live_analysis import LiveRun
    from motor_trainer.pose.tracker import PoseTracker

    return LiveRun(
        make_source=open_source,
        make_tracker=partial(PoseTracker, model),
        make_analyser=partial(rep_analyser, skill, workspace_root),
        make_recorder=partial(_open_recorder, store, origin, model, skill, settings),
    )


def follow_recording(live: LiveRun, seconds: float | None) -> tuple[str, RunEnded]:
    """Report every commit as it lands until the run ends; returns why it stopped and how it ended.

    Ctrl-C is the normal way to stop a webcam recording: the run then stops
    after its current frame and everything it did is still saved. ``seconds``
    counts wall time from the start of recording, so a source that stalls (a
    camera gone dark, a file with frames far apart) cannot hold the run past it.
    """
    from motor_trainer.live.live_analysis import LandmarksSaved, RepFound, RunEnded, RunState, StatusChanged

    reason = "the source ended"
    deadline_s: float | None = None
    while True:
        try:
            if deadline_s is not None and time.monotonic() >= deadline_s and reason == "the source ended":
                reason = f"{seconds:g} s recorded"
                live.request_stop()
            try:
                event = live.events.get(timeout=POLL_EVENTS_S)
            except queue.Empty:
                continue
            if isinstance(event, RunEnded):
                return reason, event
            if isinstance(event, StatusChanged) and event.state is RunState.RUNNING and live.recorder is not None:
                deadline_s = None if seconds is None else time.monotonic() + seconds
                session = live.recorder.session
                print(f"recording session {session.session_id} in {session.directory}", flush=True)
            elif isinstance(event, LandmarksSaved):
                print(f"committed landmarks chunk {event.chunk_index}: frames [{event.first_row}, {event.end_row}) "
                      f"up to {event.last_time_s:.3f} s", flush=True)
            elif isinstance(event, RepFound):
                rep = event.detected.rep
                live.record_rep(rep)
                print(f"committed rep {rep.index + 1}: frames [{rep.start_frame}, {rep.end_frame}) "
                      f"release {rep.release_s:.3f} s", flush=True)
        except KeyboardInterrupt:
            reason = "stopped with Ctrl-C"
            live.request_stop()


def run(args: argparse.Namespace) -> int:
    from motor_trainer.live.session_factory import session_origin

    workspace = resolve_workspace(args.workspace).ensure()
    if args.skill is not None:
        preset_kind(args.skill, workspace.root)  # an unknown skill is named before the camera opens
    store = SessionStore(workspace.sessions_dir)
    notice = unfinished_notice(store)
    if notice:
        print(notice, file=sys.stderr, flush=True)
    origin = session_origin(args.video_as_camera, args.camera, args.rotate)
    live = recording_run(partial(_open_source, args), origin, store, args.model, args.skill,
                         {"chunk_every_s": 1.0, "seconds": args.seconds}, workspace.root)
    live.start()
    reason, ended = follow_recording(live, args.seconds)
    recorder = live.recorder
    if recorder is None:  # the source, the model or the skill failed before anything was recorded
        raise UserFacingError(ended.error or "the recording never started")
    live.record_event(EventKind.NOTE, {
        "text": f"recording ended: {ended.error or reason}",
        "frames_captured": ended.frames_captured,
        "frames_processed": ended.frames_processed,
        "video_frames_dropped": recorder.video_frames_dropped,
    })
    live.close_recording()
    if recorder.frames_recorded == 0:  # nothing to keep: no empty "complete" session is left behind
        store.delete(recorder.session.session_id)
        raise UserFacingError(ended.error or f"{origin.path or f'camera {origin.camera_index}'}: no frame arrived; "
                                             "nothing was saved")
    if ended.error:
        raise UserFacingError(f"{ended.error} (the session so far is saved as {recorder.session.session_id})")
    manifest = recorder.session.manifest
    print(f"saved session {recorder.session.session_id}: {manifest.frame_count} frames, "
          f"{manifest.duration_s or 0.0:.1f} s, {ended.frames_captured} captured "
          f"({ended.frames_captured - ended.frames_processed} dropped by the live source)")
    if recorder.session.landmarks().detection_rate == 0:
        print(f"warning: {origin.path or f'camera {origin.camera_index}'}: no person found in any of the "
              f"{manifest.frame_count} frames", file=sys.stderr)
    return 0
