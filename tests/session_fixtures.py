"""Synthetic sessions with known answers for the storage, bundle and export tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from motor_trainer.records.verdict import Deviation, Severity, SkillKind, Verdict
from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.session_folder import Session, finalise
from motor_trainer.storage.store import SessionStore

FPS = 30.0
IMAGE_SIZE_PX = (640, 480)
FOREARM_PX = 80.0


def right_elbow_angle_deg(time_s: np.ndarray) -> np.ndarray:
    """The known answer: the right elbow flexes between 30° and 150° at 0.5 Hz."""
    return 90.0 + 60.0 * np.sin(2 * np.pi * 0.5 * time_s)


def elbow_flexion_sequence(frame_count: int = 60, missing_frames: tuple[int, ...] = (7,)) -> PoseSequence:
    """A standing figure whose right elbow flexes as ``right_elbow_angle_deg``.

    The upper arm hangs straight up from the elbow to the shoulder; the forearm
    turns about the elbow, so the angle at the elbow is exactly the known one.
    Every other landmark stays at a fixed spot of a rough body; ``missing_frames``
    hold NaN (nobody found), as the tracker writes them.
    """
    time_s = np.arange(frame_count) / FPS
    rng = np.random.default_rng(7)
    base = np.column_stack([rng.uniform(200, 440, LANDMARK_COUNT), rng.uniform(80, 440, LANDMARK_COUNT)])
    xy_px = np.repeat(base[None], frame_count, axis=0)
    elbow = np.array([300.0, 200.0])
    xy_px[:, Landmark.RIGHT_ELBOW] = elbow
    xy_px[:, Landmark.RIGHT_SHOULDER] = elbow + [0.0, -FOREARM_PX]
    theta = np.radians(right_elbow_angle_deg(time_s))
    xy_px[:, Landmark.RIGHT_WRIST] = elbow + FOREARM_PX * np.column_stack([np.sin(theta), -np.cos(theta)])
    visibility = np.full((frame_count, LANDMARK_COUNT), 0.9)
    world_m = np.concatenate([(xy_px - 320.0) / 400.0, np.zeros((frame_count, LANDMARK_COUNT, 1))], axis=2)
    for frame in missing_frames:
        xy_px[frame] = np.nan
        world_m[frame] = np.nan
        visibility[frame] = 0.0
    return PoseSequence(time_s=time_s, xy_px=xy_px, visibility=visibility, presence=visibility.copy(),
                        world_m=world_m, image_size_px=IMAGE_SIZE_PX, source="synthetic_elbow.mp4", fps=FPS)


def example_verdict(index: int, severity: Severity = Severity.OBVIOUS) -> Verdict:
    return Verdict(
        index=index, skill="free_throw", kind=SkillKind.OPEN_LOOP, start_frame=10 * index,
        end_frame=10 * index + 8, start_s=index / 3, end_s=index / 3 + 0.25, severity=severity,
        channel="elbow_drift" if severity is not Severity.CLEAN else "", success=index % 2 == 0,
        deviations=(Deviation("elbow_drift", 2.5, 7.0, "deg", "right_elbow", "out"),),
        outcome_error_mm=120.0 + index, features={"release_angle_deg": 50.0 + index},
    )


def complete_session(store: SessionStore, *, skill: str = "free_throw", verdict_count: int = 3,
                     started_at: datetime | None = None) -> Session:
    """A finished session with landmarks, rep/verdict/note events and a small real video."""
    sequence = elbow_flexion_sequence()
    session = store.create(source=SessionSource(SourceKind.VIDEO_FILE, path="synthetic_elbow.mp4"), model="lite",
                           skill=skill, image_size_px=sequence.image_size_px, fps=FPS,
                           settings={"smoothing_hz": 6.0}, started_at=started_at or datetime.now(UTC))
    session.save_landmarks(sequence)
    write_tiny_video(session.directory / "video.mkv", frame_count=10)
    session = session.update_manifest(video="video.mkv")
    with session.open_event_log() as log:
        for index in range(verdict_count):
            verdict = example_verdict(index)
            log.append(EventKind.REP, {"index": index, "start_frame": verdict.start_frame,
                                       "end_frame": verdict.end_frame}, time_s=verdict.end_s)
            log.append(EventKind.VERDICT, verdict.to_dict(), time_s=verdict.end_s)
        log.append(EventKind.NOTE, {"text": "keep the elbow under the ball"})
    return finalise(session)


def write_tiny_video(path: Path, frame_count: int, size_px: tuple[int, int] = (64, 48)) -> None:
    """A few H.264 frames, enough for a session to have a playable video."""
    import av

    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height = size_px
        stream.pix_fmt = "yuv420p"
        for index in range(frame_count):
            image = np.full((size_px[1], size_px[0], 3), index * 20 % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
