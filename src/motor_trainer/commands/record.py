"""`motor-trainer record`: record a live session (camera or a video played as one) to the workspace.

What a coach uses to record drills: frames go to H.264 video, landmarks to a
chunk every second, and for an open-loop skill each rep is committed (with the
landmarks up to it) the moment the live segmenter confirms it. Every commit is
reported on stdout as it lands, so a session killed mid-way keeps everything
reported before the kill (`motor-trainer sessions recover` finishes it).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from motor_trainer.records.verdict import SkillKind
from motor_trainer.commands.sessions import unfinished_notice
from motor_trainer.skills.presets import available_presets, preset_kind
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import resolve_workspace

if TYPE_CHECKING:  # loaded in run(): MediaPipe, FFmpeg and SciPy would cost every other command 1.5 s
    from motor_trainer.storage.recorder import SessionRecorder
    from motor_trainer.capture.sources import LiveSource
    from motor_trainer.pose.tracker import PoseTracker
    from motor_trainer.skills.open_loop import OnlineRepSegmenter


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("record", help="record a live session from a camera or a video played as one")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--camera", type=int, metavar="N", help="webcam index")
    source.add_argument("--video-as-camera", type=Path, metavar="PATH",
                        help="play a video file in real time as if it were a camera")
    parser.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270),
                        help="clockwise rotation for a sideways camera, degrees")
    parser.add_argument("--skill", choices=available_presets(),
                        help="skill practised; an open-loop skill has its reps found and saved live")
    parser.add_argument("--model", default="lite", help="pose model: lite, full, heavy or a .task path")
    parser.add_argument("--seconds", type=float, help="stop after this many seconds (default: until the source ends)")
    parser.set_defaults(run=run)


def _open_source(args: argparse.Namespace) -> tuple[LiveSource, SessionSource]:
    from motor_trainer.capture.sources import VideoAsCamera, WebcamSource

    if args.video_as_camera is not None:
        path = args.video_as_camera
        return (VideoAsCamera(path, rotate_deg=args.rotate),
                SessionSource(SourceKind.VIDEO_AS_CAMERA, path=str(path), rotate_deg=args.rotate))
    return (WebcamSource(args.camera, rotate_deg=args.rotate),
            SessionSource(SourceKind.WEBCAM, rotate_deg=args.rotate, camera_index=args.camera))


def _rep_segmenter(skill: str | None, fps: float) -> OnlineRepSegmenter | None:
    """Live rep finding for an open-loop skill; closed-loop skills are analysed after recording."""
    if skill is None or preset_kind(skill) is not SkillKind.OPEN_LOOP:
        return None
    from motor_trainer.skills.open_loop import OnlineRepSegmenter, load_open_loop_preset

    return OnlineRepSegmenter(load_open_loop_preset(skill), fps=fps)


def _record_until_stopped(source: LiveSource, tracker: PoseTracker, recorder: SessionRecorder,
                          segmenter: OnlineRepSegmenter | None, seconds: float | None) -> str:
    """The live loop; returns why it stopped. Ctrl-C is the normal way to stop a webcam recording.

    Rep frames are rows of the recorded session (frames the loop processed), not
    the source's capture indices, so they index the saved landmarks directly.
    """
    try:
        for frame in source.frames():
            pose = tracker.process(frame)
            chunk = recorder.add_frame(frame, pose)
            if chunk is not None:
                first = recorder.frames_recorded - len(chunk)
                print(f"committed landmarks chunk {chunk.index}: frames [{first}, {recorder.frames_recorded}) "
                      f"up to {chunk.time_s[-1]:.3f} s", flush=True)
            detected = None if segmenter is None else segmenter.push(recorder.frames_recorded - 1, pose.time_s,
                                                                     pose.xy_px)
            if detected is not None:
                rep = detected.rep
                recorder.commit_event(EventKind.REP, dataclasses.asdict(rep), time_s=rep.end_s)
                print(f"committed rep {rep.index}: frames [{rep.start_frame}, {rep.end_frame}) "
                      f"release {rep.release_s:.3f} s", flush=True)
            if seconds is not None and frame.time_s >= seconds:
                return f"{seconds:g} s recorded"
    except KeyboardInterrupt:
        return "stopped with Ctrl-C"
    return "the source ended"


def run(args: argparse.Namespace) -> int:
    from motor_trainer.storage.recorder import SessionRecorder
    from motor_trainer.pose.tracker import PoseTracker

    store = SessionStore(resolve_workspace(args.workspace).ensure().sessions_dir)
    notice = unfinished_notice(store)
    if notice:
        print(notice, file=sys.stderr, flush=True)
    with PoseTracker(args.model) as tracker:  # load the model before the clock starts
        source, description = _open_source(args)
        segmenter = _rep_segmenter(args.skill, source.fps)
        session = store.create(source=description, model=args.model, skill=args.skill,
                               image_size_px=source.frame_size_px, fps=source.fps,
                               settings={"chunk_every_s": 1.0, "seconds": args.seconds})
        print(f"recording session {session.session_id} in {session.directory}", flush=True)
        source.on_lost(lambda message: print(f"warning: {message}", file=sys.stderr, flush=True))
        with SessionRecorder(session, source.frame_size_px, fps_hint=source.fps) as recorder, source:
            reason = _record_until_stopped(source, tracker, recorder, segmenter, args.seconds)
            recorder.commit_event(EventKind.NOTE, {
                "text": f"recording ended: {reason}",
                "frames_captured": source.frames_captured,
                "frames_processed": recorder.frames_recorded,
                "video_frames_dropped": recorder.video_frames_dropped,
            })
        session = recorder.session
    manifest = session.manifest
    print(f"saved session {session.session_id}: {manifest.frame_count} frames, "
          f"{manifest.duration_s or 0.0:.1f} s, {source.frames_captured} captured "
          f"({source.frames_dropped} dropped by the live source)")
    return 0
