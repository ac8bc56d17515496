"""The live loop without Qt: frames in, frozen events out (the GUI's worker runs this in a thread).

One ``LiveRun`` pulls the newest frame from a live source, tracks the pose,
draws the overlay on a display-sized copy, keeps the last seconds of frames
and poses for a replay, and feeds the skill's online analyser: open-loop reps
(OnlineRepSegmenter, then analyse_rep) or closed-loop steps (LiveFollower).
Everything it reports is a small frozen event put on a queue, so the GUI
thread only ever reads finished results and no Qt object is touched here.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import queue
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from motor_trainer.analysis.alignment import LiveFollower, StepTierEvent
from motor_trainer.analysis.rep_errors import RepAnalysis, analyse_rep
from motor_trainer.analysis.rep_reference import RepReference
from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.live.play_along import PlaybackClock
from motor_trainer.storage.recorder import SessionRecorder
from motor_trainer.capture.sources import Frame, LiveSource
from motor_trainer.cvshim import cv2
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.clips import FrameRingBuffer
from motor_trainer.feedback.overlay import draw_skeleton
from motor_trainer.feedback.replay import WARNING_RGB
from motor_trainer.pose.kinematics import JOINT_ANGLES, joint_angles_deg
from motor_trainer.pose.landmarks import Landmark
from motor_trainer.pose.smoothing import load_filters
from motor_trainer.thread_priority import lower_this_thread_priority
from motor_trainer.skills.closed_loop import ClosedLoopSettings
from motor_trainer.skills.open_loop import (
    DetectedRep,
    OnlineRepSegmenter,
    OpenLoopPreset,
    Rep,
    prepare_arm_track,
    segment_reps,
)
from motor_trainer.storage.events import EventKind

if TYPE_CHECKING:  # the tracker module loads mediapipe; the live run gets its tracker from its caller
    from motor_trainer.live.play_along_run import PlayAlong
    from motor_trainer.pose.tracker import PoseFrame

#: Height of the image the live view shows and the replay buffer keeps; the model still sees full frames.
DISPLAY_HEIGHT_PX = 540
#: Seconds of frames and poses kept for a replay: a rep, its padding, and time to enter the outcome.
REPLAY_MEMORY_S = 12.0
#: The longest delay the delayed mirror offers: its frames come from the replay memory, which must
#: still hold a rep's worth of frames behind the delayed image.
MAX_MIRROR_DELAY_S = 8.0
#: The joint whose angle the trajectory plot follows for a closed-loop skill (the footwork's main hinge).
CLOSED_LOOP_KEY_JOINT = "left_knee"


class RunState(StrEnum):
    PREPARING = "preparing"
    RUNNING = "running"
    ENDED = "ended"


@dataclass(frozen=True)
class LiveFrame:
    """One processed frame as the live view shows it: display-sized, skeleton drawn."""

    index: int
    time_s: float
    image_rgb: np.ndarray
    detected: bool
    tracking_ms: float  # the tracker's time on this frame: the pace the run must keep
    processing_ms: float  # from the tracker taking the frame to the frame ready to show

    def __post_init__(self) -> None:
        self.image_rgb.setflags(write=False)


@dataclass(frozen=True)
class StepProgress:
    """Closed-loop state after one frame: where it sits in the reference, timing offset, the tiers judged now,
    the joints out of shape, the key joint against the reference."""

    frame_index: int
    reference_frame: int
    time_s: float
    timing_offset_ms: float
    step_events: tuple[StepTierEvent, ...]
    joints_in_error: tuple[str, ...]
    key_joint_deg: float
    reference_key_joint_deg: float


@dataclass(frozen=True)
class RepFound:
    """An open-loop rep the moment it is confirmed, judged on form (its outcome comes later)."""

    detected: DetectedRep
    analysis: RepAnalysis


@dataclass(frozen=True)
class LandmarksSaved:
    """A chunk of the recording's landmarks is on disk: rows ``[first_row, end_row)`` up to ``last_time_s``."""

    chunk_index: int
    first_row: int
    end_row: int
    last_time_s: float


@dataclass(frozen=True)
class StatusChanged:
    state: RunState
    message: str


@dataclass(frozen=True)
class RunEnded:
    """The source ended or was stopped; ``error`` is a one-line reason when it failed."""

    frames_captured: int
    frames_processed: int
    error: str = ""


LiveEvent = LiveFrame | StepProgress | RepFound | LandmarksSaved | StatusChanged | RunEnded


class PoseEstimator(Protocol):
    def process(self, frame: Frame): ...

    def follow_subject_near(self, point_px: tuple[float, float]) -> None: ...


class TrackedFrame(NamedTuple):
    """A frame on its way from the tracking thread to the finishing thread."""

    frame: Frame
    pose: PoseFrame
    started_s: float  # time.monotonic() when the tracker took it
    tracking_ms: float
    new_subject: bool  # the first frame tracked after the user pointed at someone else


class PoseHistory:
    """The newest poses by frame index, shared between the worker and the GUI thread (for replays)."""

    def __init__(self, capacity_frames: int):
        self._poses: deque[tuple[int, float, np.ndarray]] = deque(maxlen=capacity_frames)
        self._lock = threading.Lock()

    def append(self, index: int, time_s: float, xy_px: np.ndarray) -> None:
        with self._lock:
            self._poses.append((index, time_s, xy_px))

    def xy_for(self, frame_index: np.ndarray) -> np.ndarray:
        """(frame, landmark, 2) poses for the given frame indices; NaN where none is kept."""
        with self._lock:
            by_index = {index: xy for index, _, xy in self._poses}
        return np.stack([by_index.get(int(i), np.full((len(Landmark), 2), np.nan)) for i in frame_index])


def warm_up(tracker: PoseEstimator, size_px: tuple[int, int]) -> None:
    """Run the model once on a blank frame: its first inference is several times slower than the rest,
    and would otherwise cost the first live frames (the start of a throw)."""
    width, height = size_px
    tracker.process(Frame(-1, 0.0, np.zeros((height, width, 3), dtype=np.uint8)))


#: Tracked frames waiting for the finishing thread; more would only add latency (the tracker then waits).
FINISH_QUEUE_FRAMES = 2

#: How much lower than the GUI thread the worker threads run (Linux nice steps).
WORKER_NICE_STEPS = 5


def lower_thread_priority() -> None:
    """Run the calling thread (and the threads it starts) below the GUI thread's priority.

    On a busy machine the GUI thread otherwise waits its turn behind the
    pose model and the replay renderer, and the live view stutters; the
    workers lose little, they are the ones dropping frames anyway. The
    capture threads keep the normal priority (a camera does not slow down
    for a busy program; see ``LiveRun._launch_source``). Linux only
    (per-thread nice); elsewhere a no-op.
    """
    lower_this_thread_priority(WORKER_NICE_STEPS)


def settle_garbage_collector() -> None:
    """Collect once, then exempt everything alive (modules, models, widgets) from later full collections.

    With PySide6, scipy and the pose model loaded, a full collection walks
    hundreds of thousands of objects: 50-75 ms on a loaded machine, a visible
    stutter in the live view. Collected once here, before the frames start, the
    later full collections only walk what the live run itself allocates.
    """
    gc.collect()
    gc.freeze()


def display_scale(size_px: tuple[int, int]) -> float:
    """Factor from source pixels to the live view's pixels (never enlarges)."""
    return min(1.0, DISPLAY_HEIGHT_PX / size_px[1])


def shrink(image_rgb: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return image_rgb.copy()
    size = (round(image_rgb.shape[1] * scale), round(image_rgb.shape[0] * scale))
    return cv2.resize(image_rgb, size, interpolation=cv2.INTER_AREA)


def mark_joints(image_rgb: np.ndarray, xy_px: np.ndarray, joints: tuple[str, ...]) -> None:
    """Ring the vertex of each named joint angle (``left_knee``) in the warning colour, in place."""
    radius = max(6, image_rgb.shape[0] // 45)
    for name in joints:
        point = xy_px[JOINT_ANGLES[name].vertex]
        if np.all(np.isfinite(point)):
            centre = (int(round(point[0])), int(round(point[1])))
            cv2.circle(image_rgb, centre, radius, WARNING_RGB, 3, cv2.LINE_AA)


#: Longest run of dropped frames bridged by interpolation for the rep segmenter.
MAX_BRIDGED_FRAMES = 4


def bridge_dropped_frames(
    previous: tuple[int, float, np.ndarray] | None, current: tuple[int, float, np.ndarray]
) -> list[tuple[int, float, np.ndarray]]:
    """Rows for the frames the camera captured but the model skipped between two analysed ones.

    The rep segmenter measures speeds and the elbow's opening frame by frame;
    a frame missing at the release (the model was busy) can hide a whole
    throw. Short runs of skipped frames are filled by linear interpolation
    in time (NaN where either side is NaN); longer ones are left as gaps.
    """
    if previous is None:
        return []
    (first, first_s, first_xy), (last, last_s, last_xy) = previous, current
    missing = last - first - 1
    if not 0 < missing <= MAX_BRIDGED_FRAMES:
        return []
    rows = []
    for step in range(1, missing + 1):
        weight = step / (missing + 1)
        rows.append((first + step, first_s + weight * (last_s - first_s), first_xy + weight * (last_xy - first_xy)))
    return rows


class OpenLoopAnalyser:
    """Reps as they happen, judged on form against the reference (their outcome comes later).

    Frames the model skipped are bridged first (``bridge_dropped_frames``).
    The online segmenter reports a rep once the hand has been quiet for a
    moment. A rep whose end it never sees (the thrower walks out of view
    straight after, or the video ends) is recovered by ``flush``: the same
    gate run offline over the frames since the last reported rep, as soon as
    the person has been out of view for ``LOST_FOR_S`` and when the source ends.
    A taught skill's reps are those its template matches, as offline: the
    gate of the skill it was taught like only says when to match (a full
    match over the frames since the last rep costs tens of milliseconds, too
    much for every frame).
    """

    LOST_FOR_S = 0.5

    def __init__(self, preset: OpenLoopPreset, fps: float, reference: RepReference | None):
        self.preset = preset
        self.reference = reference
        self._fps = fps
        self._segmenter = OnlineRepSegmenter(preset, fps)
        self._rows: deque[tuple[int, float, np.ndarray]] = deque(maxlen=int(REPLAY_MEMORY_S * fps) + 1)
        self._reported_until_frame = -1
        self._last_rep_start_frame = -1
        self._refractory_until_s = -math.inf  # the arm falling after a reported rep is no rep, whatever flush segments
        self._last_seen_s: float | None = None
        self._flushed_since_seen = False
        self._count = 0

    def push(self, pose) -> list[LiveEvent]:
        row = (int(pose.index), float(pose.time_s), np.asarray(pose.xy_px, dtype=float))
        found = []
        for bridged in bridge_dropped_frames(self._rows[-1] if self._rows else None, row):
            found += self._push_row(bridged)
        found += self._push_row(row)
        if pose.detected:
            self._last_seen_s, self._flushed_since_seen = float(pose.time_s), False
        elif self._last_seen_s is not None and not self._flushed_since_seen and pose.time_s - self._last_seen_s >= self.LOST_FOR_S:
            self._flushed_since_seen = True
            return found + self.flush()
        return found

    def new_subject(self) -> None:
        """Someone else is followed from the next frame on (the user clicked them). What the last person
        did is no rep of theirs: the jump from one body to the other would read as a fast movement, and
        the last person's size and acting arm would scale and steer the new one's (their first throw
        was lost in a synthetic switch). The reps reported so far stay."""
        self._segmenter = OnlineRepSegmenter(self.preset, self._fps)
        self._rows.clear()
        self._last_seen_s, self._flushed_since_seen = None, False

    def _push_row(self, row: tuple[int, float, np.ndarray]) -> list[LiveEvent]:
        self._rows.append(row)
        detected = self._segmenter.push(*row)
        if detected is None or detected.rep.start_frame <= self._reported_until_frame:
            return []
        if self.preset.template is not None:  # a taught skill: the movement just closed is placed by its template
            return self.flush()
        return [self._found(detected)]

    def flush(self) -> list[LiveEvent]:
        """Reps the online gate has not closed yet, found offline over the frames from the last reported one on
        (so its refractory period still hides the arm coming down after it; should this pass segment the
        reported rep differently, a "rep" starting inside that rep's refractory period is dropped all the same)."""
        rows = [row for row in self._rows if row[0] >= self._last_rep_start_frame]
        if len(rows) < 2:
            return []
        xy = np.stack([row[2] for row in rows])
        time_s = np.array([row[1] for row in rows])
        try:
            frame_index = np.array([row[0] for row in rows])
            track = prepare_arm_track(xy, time_s, self.preset, self._segmenter.side, frame_index=frame_index)
        except ValueError:
            return []
        reps = [
            rep
            for rep in segment_reps(track, self.preset)
            if rep.start_frame > self._reported_until_frame and rep.start_s >= self._refractory_until_s
        ]
        return [self._found(DetectedRep(rep, track)) for rep in reps]

    def _found(self, detected: DetectedRep) -> RepFound:
        rep = dataclasses.replace(detected.rep, index=self._count)
        self._count += 1
        self._reported_until_frame = rep.end_frame - 1
        self._last_rep_start_frame = rep.start_frame
        self._refractory_until_s = rep.end_s + self.preset.segmentation.refractory_s
        analysis = analyse_rep(detected.track, rep, self.preset, self.reference)
        return RepFound(DetectedRep(rep, detected.track), analysis)

    def joints_in_error(self) -> tuple[str, ...]:
        return ()


class ClosedLoopAnalyser:
    """Follows the reference routine frame by frame: timing offset, step tiers, joints out of shape.

    With a ``clock`` (the routine played along, live/play_along.py) the
    follower runs on the music's position, frames of the count-in are not
    followed, and the times reported are put back on the camera's clock.
    """

    def __init__(self, routine: ReferenceRoutine, settings: ClosedLoopSettings, clock: PlaybackClock | None = None):
        self.routine = routine
        self.clock = clock
        self.play_along: PlayAlong | None = None  # sound and picture on ``clock``, set by whoever prepared it
        self.ok_window_s = settings.windows.ok_ms / 1000.0
        self._follower = LiveFollower(routine, settings.windows, mirror=settings.mirror, slack_s=settings.slack_s)
        self._posture_obvious_deg = settings.thresholds.posture_obvious_deg
        reference_angles = joint_angles_deg(routine.sequence.xy_px)[CLOSED_LOOP_KEY_JOINT]
        self._reference_key_deg = np.asarray(reference_angles, dtype=float)
        self._joints_in_error: tuple[str, ...] = ()

    def push(self, pose) -> list[LiveEvent]:
        music_s = float(pose.time_s) if self.clock is None else self.clock.music_s(float(pose.time_s))
        if self.clock is not None and music_s < 0:  # the count-in: nothing to follow yet
            return []
        self._follower.start_clock(music_s if self.clock is None else 0.0)
        if not pose.detected:  # the follower keeps its place while nobody is in view
            return []
        state = self._follower.update(pose, music_s)
        step_events = state.step_events
        if self.clock is not None:
            step_events = tuple(dataclasses.replace(event, time_s=self.clock.camera_s(event.time_s)) for event in step_events)
        self._joints_in_error = tuple(
            name for name, error_deg in state.posture_error_deg.items() if error_deg > self._posture_obvious_deg
        )
        key_deg = float(joint_angles_deg(np.asarray(pose.xy_px)[None])[CLOSED_LOOP_KEY_JOINT][0])
        progress = StepProgress(
            frame_index=int(pose.index),
            reference_frame=state.reference_frame,
            time_s=float(pose.time_s),
            timing_offset_ms=state.timing_offset_ms,
            step_events=step_events,
            joints_in_error=self._joints_in_error,
            key_joint_deg=key_deg,
            reference_key_joint_deg=float(self._reference_key_deg[state.reference_frame]),
        )
        return [progress]

    def joints_in_error(self) -> tuple[str, ...]:
        return self._joints_in_error

    def flush(self) -> list[LiveEvent]:
        """Steps are judged as they land or their window closes: nothing is left pending."""
        return []


Analyser = OpenLoopAnalyser | ClosedLoopAnalyser


@dataclass
class LiveRun:
    """Runs one live session in a background thread; read its events with ``events.get_nowait()``.

    ``make_source`` and ``make_tracker`` open the camera and load the model
    inside the thread (both take a moment, and the window must not wait);
    ``make_analyser(fps)`` builds the skill's analyser once the frame rate is known
    (None: the frames are only recorded, as ``record`` does for a closed-loop skill);
    ``make_recorder(source)`` opens the session recording (or returns None);
    ``frame_ready()``, if set, is called from the worker after each processed
    frame is queued, so a reader can take it at once instead of at its next poll.
    The recording outlives the frames (outcomes are entered after the last
    rep): ``close_recording`` ends it once the worker has stopped.
    """

    make_source: Callable[[], LiveSource]
    make_tracker: Callable[[], AbstractContextManager]
    make_analyser: Callable[[float], Analyser | None]
    make_recorder: Callable[[LiveSource], SessionRecorder | None] = lambda source: None
    events: queue.Queue = field(default_factory=queue.Queue)
    recorder: SessionRecorder | None = None
    frames: FrameRingBuffer | None = None
    poses: PoseHistory | None = None
    analyser: Analyser | None = None
    image_size_px: tuple[int, int] = (0, 0)
    frame_ready: Callable[[], None] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _source: LiveSource | None = None
    _launch: queue.Queue = field(default_factory=queue.Queue)
    _record_lock: threading.Lock = field(default_factory=threading.Lock)
    _frames_finished: int = 0
    _subject_points: queue.Queue = field(default_factory=queue.Queue)

    def start(self) -> None:
        # The launcher is started here, at the caller's priority, so the capture threads it starts keep it.
        threading.Thread(target=self._launch_source, name="live-launch", daemon=True).start()
        self._thread = threading.Thread(target=self._run, name="live-run", daemon=True)
        self._thread.start()

    def _launch_source(self) -> None:
        """Start the source the worker hands over (None: the run ended before it had one)."""
        source, started = self._launch.get()
        if source is not None:
            source.start()
        started.set()

    def request_stop(self) -> None:
        """Ask the worker to stop after its current frame, without waiting; RunEnded follows on the queue.

        The source's ``stop`` joins its capture thread, so it is called from a
        helper thread: the GUI thread that asks must not wait for a camera.
        """
        self._stop.set()
        if self._source is not None:
            threading.Thread(target=self._source.stop, name="live-source-stop", daemon=True).start()

    def stop(self, timeout_s: float = 3.0) -> None:
        """Stop and wait for the worker (blocks: for closing, not for a button)."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def follow_subject_near(self, point_px: tuple[float, float]) -> None:
        """Follow the person at ``point_px`` (source-frame pixels) from the next tracked frame on;
        any thread may ask (the GUI does, when the user clicks someone in the live image)."""
        self._subject_points.put(point_px)

    def record_event(self, kind: EventKind, payload: Mapping[str, Any], time_s: float | None = None) -> None:
        """Commit one event (rep, outcome, verdict) to the recording, with every landmark before it."""
        with self._record_lock:
            if self.recorder is not None:
                self.recorder.commit_event(kind, payload, time_s)

    def record_rep(self, rep: Rep) -> None:
        """Commit a rep the analyser found, stamped at its release (the app and ``record`` save reps alike)."""
        self.record_event(EventKind.REP, dataclasses.asdict(rep), rep.release_s)

    def close_recording(self) -> Path | None:
        """Finish the recording (after ``stop``): the session's folder, or None when nothing was recorded."""
        with self._record_lock:
            recorder, self.recorder = self.recorder, None
        return None if recorder is None else recorder.close().directory

    def delayed_image(self, newest_time_s: float, delay_s: float) -> tuple[float, np.ndarray] | None:
        """(time_s, display image with its skeleton) of the frame filmed ``delay_s`` before ``newest_time_s``.

        The delayed mirror: a person watches their last rep without walking
        to the screen. None until the run has filmed ``delay_s`` of frames.
        """
        if self.frames is None or self.poses is None or newest_time_s - delay_s < 0:
            return None
        found = self.frames.latest_at(newest_time_s - delay_s)
        if found is None:
            return None
        index, time_s, image = found
        draw_skeleton(image, self.poses.xy_for(np.array([index]))[0] * display_scale(self.image_size_px), thickness_px=2)
        return time_s, image

    def clock_origin_monotonic_s(self) -> float | None:
        """``time.monotonic()`` at the camera clock's 0 (frames are stamped from it); None before the first frame."""
        origin_s = math.nan if self._source is None else self._source.clock_origin_s
        return None if math.isnan(origin_s) else origin_s

    def camera_now_s(self) -> float | None:
        """Now on the camera's clock; None before the first frame."""
        origin_s = self.clock_origin_monotonic_s()
        return None if origin_s is None else time.monotonic() - origin_s

    @property
    def source(self) -> LiveSource | None:
        """The live source once the worker has opened it."""
        return self._source

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        lower_thread_priority()  # before the model starts its own threads (the source's start at normal priority)
        captured = processed = 0
        error = ""
        started = threading.Event()
        try:
            self.events.put(StatusChanged(RunState.PREPARING, "loading the pose model"))
            with self.make_tracker() as tracker:
                source = self.make_source()
                self._source = source
                self.image_size_px = source.frame_size_px
                self.events.put(StatusChanged(RunState.PREPARING, "loading the skill and its reference"))
                analyser = self.analyser = self.make_analyser(source.fps)
                self.recorder = self.make_recorder(source)
                warm_up(tracker, source.frame_size_px)
                load_filters()  # imported on first use elsewhere: not at the first rep
                settle_garbage_collector()
                self.frames = FrameRingBuffer(REPLAY_MEMORY_S, source.fps, max_height_px=None)
                self.poses = PoseHistory(int(REPLAY_MEMORY_S * source.fps) + 1)
                self._launch.put((source, started))
                started.wait()
                self.events.put(StatusChanged(RunState.RUNNING, f"live: {source.name}"))
                try:
                    self._loop(source, tracker, analyser)
                finally:
                    processed = self._frames_finished  # shown, recorded and analysed: also when the run failed
                    source.stop()
                    captured = source.frames_captured
        except UserFacingError as failure:
            error = str(failure)
        except Exception as failure:  # noqa: BLE001 — a worker must always report its end, or the GUI waits forever
            traceback.print_exc()
            error = f"the live analysis stopped: {type(failure).__name__}: {failure}"
        finally:
            if not started.is_set():
                self._launch.put((None, started))
        self.events.put(RunEnded(captured, processed, error))

    def _loop(self, source: LiveSource, tracker: PoseEstimator, analyser: Analyser | None) -> None:
        """Track each frame here and hand it to the finishing thread (display image, recording, analysis).

        The model waits in native code with the interpreter free, so the
        finishing of one frame (5-6 ms on 2 cores: the JPEG for replays, the
        drawing, the analysis) overlaps the tracking of the next instead of
        adding to it: the time this thread needs per frame is the tracker's.
        """
        tracked: queue.Queue[TrackedFrame | None] = queue.Queue(maxsize=FINISH_QUEUE_FRAMES)
        failures: list[BaseException] = []
        finisher = threading.Thread(target=self._finish_frames, args=(tracked, analyser, failures), name="live-finish",
                                    daemon=True)
        finisher.start()
        try:
            for frame in source.frames():  # ends when the source ends or stop() stops it
                if self._stop.is_set() or failures:
                    break
                new_subject = False
                while not self._subject_points.empty():  # the user clicked someone (the last click counts)
                    tracker.follow_subject_near(self._subject_points.get())
                    new_subject = True
                started = time.monotonic()
                pose = tracker.process(frame)
                tracked.put(TrackedFrame(frame, pose, started, 1000.0 * (time.monotonic() - started), new_subject))
        finally:
            tracked.put(None)
            finisher.join()
        if failures:
            raise failures[0]
        for event in [] if analyser is None else analyser.flush():
            self.events.put(event)

    def _finish_frames(self, tracked: queue.Queue, analyser: Analyser | None, failures: list[BaseException]) -> None:
        """The finishing thread: every tracked frame, in order, until None; the first failure is kept for the
        tracking thread to raise, and the frames after it are only taken off the queue."""
        scale = None
        frames, poses = self.frames, self.poses
        assert frames is not None and poses is not None  # _run makes both before the loop starts
        self._frames_finished = 0
        while (item := tracked.get()) is not None:
            if failures:
                continue
            try:
                scale = display_scale(item.frame.size_px) if scale is None else scale
                # A routine's follower reads body-scaled features and keeps its place through a switch
                # (synthetic: a dancer replaced by one 0.6 the size elsewhere, every later step still perfect).
                if item.new_subject and isinstance(analyser, OpenLoopAnalyser):
                    analyser.new_subject()
                self._finish_frame(item, scale, frames, poses, analyser)
                self._frames_finished += 1
            except BaseException as failure:  # noqa: BLE001 — raised again in the tracking thread
                failures.append(failure)

    def _finish_frame(self, tracked: TrackedFrame, scale: float, frames: FrameRingBuffer, poses: PoseHistory,
                      analyser: Analyser | None) -> None:
        frame, pose = tracked.frame, tracked.pose
        image = shrink(frame.image_rgb, scale)
        frames.push(frame.index, frame.time_s, image)
        saved = self._record_frame(frame, pose)
        poses.append(frame.index, frame.time_s, pose.xy_px)
        events = [] if analyser is None else analyser.push(pose)
        shown_xy = pose.xy_px * scale
        if pose.detected:
            draw_skeleton(image, shown_xy, thickness_px=2)
            if analyser is not None:
                mark_joints(image, shown_xy, analyser.joints_in_error())
        processing_ms = 1000.0 * (time.monotonic() - tracked.started_s)
        self.events.put(LiveFrame(frame.index, frame.time_s, image, pose.detected, tracked.tracking_ms, processing_ms))
        for event in (*saved, *events):
            self.events.put(event)
        if self.frame_ready is not None:
            self.frame_ready()

    def _record_frame(self, frame: Frame, pose: PoseFrame) -> list[LiveEvent]:
        """Hand the frame to the recording; a landmark chunk it completed is reported."""
        if self.recorder is None:
            return []
        chunk = self.recorder.add_frame(frame, pose)
        if chunk is None:
            return []
        end_row = self.recorder.frames_recorded
        return [LandmarksSaved(chunk.index, end_row - len(chunk), end_row, float(chunk.time_s[-1]))]

