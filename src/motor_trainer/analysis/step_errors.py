"""Per-step errors of a dance attempt against its reference, and their triage into Verdicts.

Rhythm errors teach most (a late step is felt at once, a slightly bent knee
is not), so timing outranks placement and placement outranks posture: a step
is shouted about only for a rhythm miss beyond the OK window, a missing
step, or a gross placement or posture error; small differences are kept as
SUBTLE verdicts that the coach may mention but the replay does not.

Timing is judged against the attempt's own steady tempo (a robust line
through the matched step times), so a dancer who is uniformly 10 % slow is
told about the tempo once instead of being marked late on every step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

from motor_trainer.analysis.alignment import Alignment, StepTierEvent, align_sequences, settle_labels_against
from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.records.units import Unit
from motor_trainer.records.verdict import Channel, Deviation, Severity, SkillKind, Verdict
from motor_trainer.pose.kinematics import JOINT_ANGLES, joint_angles_deg, mirror_sequence
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.skills.closed_loop import (
    BeatGrid,
    ClosedLoopSettings,
    ContactSettings,
    ErrorThresholds,
    Foot,
    FootTracks,
    StepEvent,
    StepTier,
    TimingWindows,
    detect_steps,
    timing_tier,
)


class PlaneMapping(Protocol):
    """A floor calibration (motor_trainer.calibration.plane.PlaneCalibration fits)."""

    def image_to_plane_mm(self, xy_px: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class TempoFit:
    """attempt_s = offset_s + rate · reference_s; rate > 1 means the attempt was slower."""

    rate: float
    offset_s: float

    @property
    def tempo_ratio(self) -> float:
        """The attempt's tempo over the reference's (0.91 = 9 % slower)."""
        return 1.0 / self.rate

    def expected_s(self, reference_s: np.ndarray | float) -> np.ndarray | float:
        return self.offset_s + self.rate * np.asarray(reference_s)


@dataclass(frozen=True)
class RhythmContext:
    """What a beat strip needs, in the attempt's clock: the step, when it was due, and the beats around it."""

    step_s: float
    expected_s: float
    beat_s: np.ndarray

    def __post_init__(self) -> None:
        beats = np.array(self.beat_s, dtype=float, copy=True)
        beats.setflags(write=False)
        object.__setattr__(self, "beat_s", beats)


@dataclass(frozen=True)
class StepReport:
    """One reference step judged in the attempt.

    ``attempt_frame_range`` is half-open: the matched step's swing, or for a
    missing step the frames where it was due. ``posture_error_deg`` maps a
    joint (lower-case landmark name of its vertex) to the median angle
    difference over the step.
    """

    reference_index: int
    reference_step: StepEvent
    attempt_step: StepEvent | None
    attempt_frame_range: tuple[int, int]
    verdict: Verdict
    tier: StepTier
    timing_error_ms: float | None
    placement_error: float | None
    posture_error_deg: Mapping[str, float]
    rhythm: RhythmContext | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "posture_error_deg", MappingProxyType(dict(self.posture_error_deg)))


@dataclass(frozen=True)
class ExtraStep:
    """A step in the attempt that matches no reference step."""

    attempt_step: StepEvent

    @property
    def attempt_frame_range(self) -> tuple[int, int]:
        return self.attempt_step.frame_range


@dataclass(frozen=True)
class RoutineAnalysis:
    """Everything the table, the JSON, the coach and the replay need about one attempt.

    ``reference_frame_for_frame (attempt frame,)`` comes from the alignment
    path (NaN where nothing matched) so the replay can draw the reference as
    a ghost; ``posture_error_deg (attempt frame, joint)`` follows the path
    with joints in ``joint_names`` order.
    """

    skill: str
    steps: tuple[StepReport, ...]
    extra_steps: tuple[ExtraStep, ...]
    tempo: TempoFit
    placement_unit: Unit
    reference_frame_for_frame: np.ndarray
    posture_error_deg: np.ndarray
    joint_names: tuple[str, ...]
    windows: TimingWindows
    alignment_cost: float
    reference_bpm: float | None = None

    def __post_init__(self) -> None:
        for name in ("reference_frame_for_frame", "posture_error_deg"):
            value = np.array(getattr(self, name), dtype=float, copy=True)
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        return tuple(report.verdict for report in self.steps)

    @property
    def obvious(self) -> tuple[StepReport, ...]:
        return tuple(report for report in self.steps if report.verdict.is_obvious)

    def to_dict(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "tempo_ratio": self.tempo.tempo_ratio,
            "tempo_offset_s": self.tempo.offset_s,
            "reference_bpm": self.reference_bpm,
            "attempt_bpm": None if self.reference_bpm is None else self.reference_bpm * self.tempo.tempo_ratio,
            "timing_windows_ms": vars(self.windows).copy(),
            "placement_unit": str(self.placement_unit),
            "alignment_cost": self.alignment_cost,
            "steps": [
                {
                    "reference_index": report.reference_index,
                    "number": report.reference_index + 1,  # the step as the table and `replay` number it
                    "foot": str(report.reference_step.foot),
                    "tier": str(report.tier),
                    "timing_error_ms": report.timing_error_ms,
                    "placement_error": report.placement_error,
                    "posture_error_deg": dict(report.posture_error_deg),
                    "attempt_frame_range": list(report.attempt_frame_range),
                    "reference_step": report.reference_step.to_dict(),
                    "attempt_step": None if report.attempt_step is None else report.attempt_step.to_dict(),
                    "rhythm": None
                    if report.rhythm is None
                    else {
                        "step_s": report.rhythm.step_s,
                        "expected_s": report.rhythm.expected_s,
                        "beat_s": report.rhythm.beat_s.tolist(),
                    },
                    "verdict": report.verdict.to_dict(),
                }
                for report in self.steps
            ],
            "extra_steps": [extra.attempt_step.to_dict() for extra in self.extra_steps],
            "reference_frame_for_frame": [None if not np.isfinite(v) else float(v) for v in self.reference_frame_for_frame],
        }


def attempt_frame_at(alignment: Alignment, reference_frame: np.ndarray) -> np.ndarray:
    """Where reference frames fall in the attempt, interpolated along the path (clamped at its ends)."""
    mapping = alignment.attempt_frame_for_reference_frame
    known = np.flatnonzero(np.isfinite(mapping))
    return np.interp(reference_frame, known, mapping[known])


def match_steps(
    reference_steps: tuple[StepEvent, ...],
    attempt_steps: tuple[StepEvent, ...],
    due_s: np.ndarray,
    radius_s: float,
) -> dict[int, int]:
    """Reference step index → attempt step index, one to one, same foot, nearest to when the alignment says it was due.

    Pairs are taken closest first, so two candidates never fight over one step.
    """
    pairs = sorted(
        (abs(attempt.plant_s - due_s[r]), r, a)
        for r, reference in enumerate(reference_steps)
        for a, attempt in enumerate(attempt_steps)
        if attempt.foot is reference.foot and np.isfinite(due_s[r]) and abs(attempt.plant_s - due_s[r]) <= radius_s
    )
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for _, r, a in pairs:
        if r not in matched and a not in taken:
            matched[r] = a
            taken.add(a)
    return matched


def fit_tempo(reference_s: np.ndarray, attempt_s: np.ndarray, inlier_s: float, fallback: TempoFit) -> TempoFit:
    """The steady tempo the matched steps keep, so that one delayed stretch does not bend it.

    The rate is the median of the local rates between consecutive matched
    steps: a dancer slow throughout is slow between every pair of steps, one
    who fell behind for a stretch is on tempo between most of them (a long
    still gap is one pair like any other, so it cannot outvote them). The offset is the one most steps agree on within
    ``inlier_s``; the line is then refitted by least squares on those steps.
    """
    reference_s, attempt_s = np.asarray(reference_s, float), np.asarray(attempt_s, float)
    if len(reference_s) == 0:
        return fallback
    order = np.argsort(reference_s)
    reference_s, attempt_s = reference_s[order], attempt_s[order]
    span_s = np.diff(reference_s)
    local_rate = np.diff(attempt_s) / np.where(span_s > 0, span_s, np.nan)
    usable = (span_s > 0.2) & np.isfinite(local_rate)
    rate = float(np.median(local_rate[usable])) if usable.any() else fallback.rate
    offsets_s = attempt_s - rate * reference_s
    agreement = (np.abs(offsets_s[:, None] - offsets_s[None, :]) <= inlier_s).sum(axis=1)
    best = int(np.argmax(agreement))
    inliers = np.abs(offsets_s - offsets_s[best]) <= inlier_s
    if inliers.sum() >= 3 and np.ptp(reference_s[inliers]) > 1.0:
        rate, offset_s = np.polyfit(reference_s[inliers], attempt_s[inliers], 1)
        return TempoFit(rate=float(rate), offset_s=float(offset_s))
    return TempoFit(rate=float(rate), offset_s=float(np.median(offsets_s[inliers])))


def _path_tempo(alignment: Alignment, reference: PoseSequence, attempt: PoseSequence) -> TempoFit:
    reference_s = reference.time_s[alignment.path[:, 0]]
    attempt_s = attempt.time_s[alignment.path[:, 1]]
    if np.ptp(reference_s) <= 0:
        return TempoFit(rate=1.0, offset_s=float(np.median(attempt_s - reference_s)))
    slope, intercept = np.polyfit(reference_s, attempt_s, 1)
    return TempoFit(rate=float(slope), offset_s=float(intercept))


#: The attempt's tempo against the reference's is believed within this range; beyond it the alignment failed.
TEMPO_RATE_RANGE = (0.67, 1.5)


def attempt_rate(alignment: Alignment, reference: PoseSequence, attempt: PoseSequence) -> float:
    """How many times slower the attempt is danced than the reference over the whole alignment path (1.1 = 10 % slower)."""
    return float(np.clip(_path_tempo(alignment, reference, attempt).rate, *TEMPO_RATE_RANGE))


def joint_angle_tracks_deg(sequence: PoseSequence) -> np.ndarray:
    """(frame, joint) angles in JOINT_ANGLES order: 3D world angles where tracked (camera independent), else image angles."""
    world = joint_angles_deg(sequence.world_m)
    image = joint_angles_deg(sequence.xy_px)
    return np.stack([np.where(np.isfinite(world[name]), world[name], image[name]) for name in JOINT_ANGLES], axis=1)


def posture_error_along_path(reference: PoseSequence, attempt: PoseSequence, alignment: Alignment) -> np.ndarray:
    """(attempt frame, joint) mean |angle difference| over the reference frames matched to each attempt frame."""
    reference_angles = joint_angle_tracks_deg(reference)
    attempt_angles = joint_angle_tracks_deg(attempt)
    ref_frames, att_frames = alignment.path[:, 0], alignment.path[:, 1]
    difference = np.abs(attempt_angles[att_frames] - reference_angles[ref_frames])
    sums = np.zeros((len(attempt), len(JOINT_ANGLES)))
    counts = np.zeros((len(attempt), len(JOINT_ANGLES)))
    finite = np.isfinite(difference)
    np.add.at(sums, att_frames, np.where(finite, difference, 0.0))
    np.add.at(counts, att_frames, finite)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def rest_to_rest(tracks: FootTracks, foot: Foot, lift_s: float, plant_s: float, plane: PlaneMapping | None) -> np.ndarray:
    """Where the foot went over a step, from where it rested before ``lift_s`` to where it rests after ``plant_s``:
    in mm on the floor with a calibration, else in body lengths."""
    points = np.stack([tracks.resting_xy_px(foot, lift_s, after=False), tracks.resting_xy_px(foot, plant_s, after=True)])
    if plane is not None:
        floor_mm = plane.image_to_plane_mm(points)
        return floor_mm[1] - floor_mm[0]
    return (points[1] - points[0]) / tracks.body_length_px


def _own_side(body_part: str, mirror: bool) -> str:
    """A body part named as the student's own side (the analysis runs on the mirrored attempt)."""
    if not mirror:
        return body_part
    if body_part.startswith("left_"):
        return "right_" + body_part[5:]
    if body_part.startswith("right_"):
        return "left_" + body_part[6:]
    return body_part


#: How a step's timing tier counts: beyond the OK window an obvious rhythm miss, in it a subtle one.
TIER_SEVERITY: Mapping[StepTier, Severity] = MappingProxyType(
    {StepTier.PERFECT: Severity.CLEAN, StepTier.GOOD: Severity.CLEAN, StepTier.OK: Severity.SUBTLE, StepTier.MISS: Severity.OBVIOUS}
)


@dataclass(frozen=True)
class StepJudgement:
    """The measured errors of one step before triage (placement in ``placement_unit``)."""

    missing: bool
    timing_error_ms: float | None
    placement_error: float | None
    posture_error_deg: Mapping[str, float]


def triage(
    judgement: StepJudgement, windows: TimingWindows, thresholds: ErrorThresholds, placement_unit: Unit, mirror: bool
) -> tuple[Severity, Channel, StepTier, tuple[Deviation, ...]]:
    """Severity, channel, tier and deviations of one step; rhythm first, then placement, then posture."""
    deviations: list[Deviation] = []
    if judgement.missing:
        return Severity.OBVIOUS, Channel.MISSING, StepTier.MISS, ()
    timing_ms = judgement.timing_error_ms
    assert timing_ms is not None
    tier = timing_tier(windows, timing_ms)
    deviations.append(
        Deviation(Channel.TIMING, timing_ms / windows.good_ms, abs(timing_ms), "ms", direction="late" if timing_ms > 0 else "early")
    )
    subtle_place, obvious_place = (
        (thresholds.placement_subtle_cm, thresholds.placement_obvious_cm)
        if placement_unit is Unit.CM
        else (thresholds.placement_subtle_bl, thresholds.placement_obvious_bl)
    )
    placement = judgement.placement_error
    if placement is not None and np.isfinite(placement):
        deviations.append(Deviation(Channel.PLACEMENT, placement / subtle_place, placement, placement_unit))
    worst_joint, worst_deg = None, 0.0
    for joint, error_deg in judgement.posture_error_deg.items():
        if np.isfinite(error_deg):
            deviations.append(
                Deviation(f"{joint}_angle", error_deg / thresholds.posture_subtle_deg, error_deg, "deg", body_part=_own_side(joint, mirror))
            )
            if error_deg > worst_deg:
                worst_joint, worst_deg = joint, error_deg
    placement_size = placement if placement is not None and np.isfinite(placement) else 0.0
    timing_severity = TIER_SEVERITY[tier]
    if timing_severity is Severity.OBVIOUS:
        return Severity.OBVIOUS, Channel.TIMING, tier, tuple(deviations)
    if placement_size > obvious_place:
        return Severity.OBVIOUS, Channel.PLACEMENT, tier, tuple(deviations)
    if worst_joint is not None and worst_deg > thresholds.posture_obvious_deg:
        return Severity.OBVIOUS, Channel.POSTURE, tier, tuple(deviations)
    if timing_severity is Severity.SUBTLE:
        return Severity.SUBTLE, Channel.TIMING, tier, tuple(deviations)
    if placement_size > subtle_place:
        return Severity.SUBTLE, Channel.PLACEMENT, tier, tuple(deviations)
    if worst_joint is not None and worst_deg > thresholds.posture_subtle_deg:
        return Severity.SUBTLE, Channel.POSTURE, tier, tuple(deviations)
    return Severity.CLEAN, Channel.NONE, tier, tuple(deviations)


def step_verdict(
    index: int,
    skill: str,
    frame_range: tuple[int, int],
    time_range_s: tuple[float, float],
    judgement: StepJudgement,
    triaged: tuple[Severity, Channel, StepTier, tuple[Deviation, ...]],
    features: Mapping[str, float] = MappingProxyType({}),
) -> Verdict:
    """The Verdict on one step, offline or live: the only place step verdicts are made.

    A step has no entered outcome, so ``success`` stays None and
    ``is_success`` decides by severity: the step table, the stored verdict,
    the coach and the app then count the same obvious misses.
    """
    severity, channel, _, deviations = triaged
    measured = dict(features)
    if judgement.timing_error_ms is not None:
        measured["timing_error_ms"] = judgement.timing_error_ms
    return Verdict(
        index=index,
        skill=skill,
        kind=SkillKind.CLOSED_LOOP,
        start_frame=frame_range[0],
        end_frame=frame_range[1],
        start_s=time_range_s[0],
        end_s=time_range_s[1],
        severity=severity,
        channel=channel,
        success=None,
        deviations=deviations,
        features=measured,
    )


def live_step_verdict(event: StepTierEvent, skill: str) -> Verdict:
    """A step judged live: timing only (the follower measures no placement), its tier as the follower judged it
    at the windows of the moment, counted as offline (TIER_SEVERITY); a step never made is missing, as offline."""
    timing_ms = event.timing_error_ms
    missing = timing_ms is None
    judgement = StepJudgement(missing, timing_ms, None, {})
    severity = TIER_SEVERITY[event.tier]
    deviations: tuple[Deviation, ...] = ()
    if timing_ms is not None:
        direction = "late" if timing_ms > 0 else "early"
        deviations = (Deviation(Channel.TIMING, float("nan"), abs(timing_ms), "ms", f"{event.foot}_ankle", direction),)
    channel = Channel.MISSING if missing else (Channel.NONE if severity is Severity.CLEAN else Channel.TIMING)
    triaged = (severity, channel, event.tier, deviations)
    return step_verdict(event.reference_index, skill, event.frame_range, (event.time_s, event.time_s), judgement, triaged)


def judge_attempt(
    *,
    skill: str,
    reference: PoseSequence,
    reference_steps: tuple[StepEvent, ...],
    attempt: PoseSequence,
    attempt_steps: tuple[StepEvent, ...],
    alignment: Alignment,
    windows: TimingWindows = TimingWindows(),
    thresholds: ErrorThresholds = ErrorThresholds(),
    beat_grid: BeatGrid | None = None,
    mirror: bool = False,
    reference_plane: PlaneMapping | None = None,
    attempt_plane: PlaneMapping | None = None,
    contact: ContactSettings = ContactSettings(),
) -> RoutineAnalysis:
    """Match, measure and triage every reference step of an (already mirrored, if needed) attempt.

    Placement is in cm only when both clips have a floor calibration (and
    the attempt is not mirrored, where floor axes would not correspond);
    otherwise in body lengths of each dancer. It compares where the foot
    rested before and after the step (``rest_to_rest``); the attempt's
    start is read where the alignment puts the reference's lift, so an
    attempt whose detector cut the step in two is still measured over the
    whole step.
    """
    use_cm = reference_plane is not None and attempt_plane is not None and not mirror
    placement_unit = Unit.CM if use_cm else Unit.BL
    reference_tracks = FootTracks.of(reference, contact)
    attempt_tracks = FootTracks.of(attempt, contact)

    frames = np.arange(len(attempt))
    due_frame = attempt_frame_at(alignment, np.array([step.plant_frame for step in reference_steps], dtype=float))
    lift_due_frame = attempt_frame_at(alignment, np.array([step.lift_frame for step in reference_steps], dtype=float))
    due_s = np.interp(due_frame, frames, attempt.time_s)
    lift_due_s = np.interp(lift_due_frame, frames, attempt.time_s)
    matched = match_steps(reference_steps, attempt_steps, due_s, thresholds.match_radius_s)

    pairs = sorted(matched.items())
    tempo = fit_tempo(
        np.array([reference_steps[r].plant_s for r, _ in pairs]),
        np.array([attempt_steps[a].plant_s for _, a in pairs]),
        inlier_s=windows.perfect_ms / 1000.0,
        fallback=_path_tempo(alignment, reference, attempt),
    )
    posture_path = posture_error_along_path(reference, attempt, alignment)
    joint_names = tuple(JOINT_ANGLES)

    reports = []
    for r, reference_step in enumerate(reference_steps):
        attempt_index = matched.get(r)
        attempt_step = None if attempt_index is None else attempt_steps[attempt_index]
        if attempt_step is None:
            frame_range = (int(np.floor(lift_due_frame[r])), int(np.ceil(due_frame[r])) + 1)
            judgement, rhythm = StepJudgement(True, None, None, {}), None
        else:
            frame_range = attempt_step.frame_range
            expected_s = float(tempo.expected_s(reference_step.plant_s))
            placement = None
            if reference_tracks is not None and attempt_tracks is not None:
                foot, planes = reference_step.foot, (reference_plane, attempt_plane) if use_cm else (None, None)
                reference_move = rest_to_rest(reference_tracks, foot, reference_step.lift_s, reference_step.plant_s, planes[0])
                attempt_move = rest_to_rest(attempt_tracks, foot, float(lift_due_s[r]), attempt_step.plant_s, planes[1])
                placement = float(np.linalg.norm(attempt_move - reference_move)) / (10.0 if use_cm else 1.0)
            window = posture_path[frame_range[0] : frame_range[1]]
            with np.errstate(all="ignore"):
                posture = {name: float(np.nanmedian(window[:, k])) for k, name in enumerate(joint_names) if np.isfinite(window[:, k]).any()}
            judgement = StepJudgement(
                missing=False,
                timing_error_ms=1000.0 * (attempt_step.plant_s - expected_s),
                placement_error=placement,
                posture_error_deg=posture,
            )
            beats = np.zeros(0) if beat_grid is None else np.asarray(tempo.expected_s(beat_grid.beats_near(reference_step.plant_s)))
            rhythm = RhythmContext(step_s=attempt_step.plant_s, expected_s=expected_s, beat_s=beats)
        start = int(np.clip(frame_range[0], 0, len(attempt) - 1))
        end = int(np.clip(frame_range[1], start + 1, len(attempt)))
        triaged = triage(judgement, windows, thresholds, placement_unit, mirror)
        reports.append(
            StepReport(
                reference_index=r,
                reference_step=reference_step,
                attempt_step=attempt_step,
                attempt_frame_range=(start, end),
                verdict=step_verdict(
                    r, skill, (start, end), (float(attempt.time_s[start]), float(attempt.time_s[end - 1])), judgement, triaged,
                    {"tempo_ratio": tempo.tempo_ratio}
                    | ({} if judgement.placement_error is None else {f"placement_error_{placement_unit}": judgement.placement_error}),
                ),
                tier=triaged[2],
                timing_error_ms=judgement.timing_error_ms,
                placement_error=judgement.placement_error,
                posture_error_deg=judgement.posture_error_deg,
                rhythm=rhythm,
            )
        )
    taken = set(matched.values())
    extras = tuple(ExtraStep(step) for a, step in enumerate(attempt_steps) if a not in taken)
    return RoutineAnalysis(
        skill=skill,
        steps=tuple(reports),
        extra_steps=extras,
        tempo=tempo,
        placement_unit=placement_unit,
        reference_frame_for_frame=alignment.reference_frame_for_frame,
        posture_error_deg=posture_path,
        joint_names=joint_names,
        windows=windows,
        alignment_cost=alignment.cost,
        reference_bpm=None if beat_grid is None else beat_grid.bpm,
    )


def analyse_attempt(
    routine: ReferenceRoutine,
    attempt: PoseSequence,
    settings: ClosedLoopSettings,
    *,
    mirror: bool = False,
    reference_plane: PlaneMapping | None = None,
    attempt_plane: PlaneMapping | None = None,
) -> RoutineAnalysis:
    """The whole offline path for one attempt: mirror if asked, align, find its steps at its own tempo, judge them."""
    analysed = settle_labels_against(routine.sequence, mirror_sequence(attempt) if mirror else attempt, settings.slack_s)
    alignment = align_sequences(routine.sequence, analysed, slack_s=settings.slack_s)
    return judge_attempt(
        skill=settings.skill,
        reference=routine.sequence,
        reference_steps=routine.steps,
        attempt=analysed,
        attempt_steps=detect_steps(analysed, settings.contact.at_tempo(attempt_rate(alignment, routine.sequence, analysed))),
        alignment=alignment,
        windows=settings.windows,
        thresholds=settings.thresholds,
        beat_grid=routine.beat_grid,
        mirror=mirror,
        reference_plane=reference_plane,
        attempt_plane=attempt_plane,
        contact=settings.contact,
    )


def _describe_tempo(analysis: RoutineAnalysis) -> str:
    ratio = analysis.tempo.tempo_ratio
    change = (ratio - 1.0) * 100.0
    pace = "at the same tempo as" if abs(change) < 1.0 else f"{abs(change):.0f} % {'faster' if change > 0 else 'slower'} than"
    bpm = "" if analysis.reference_bpm is None else f" ({analysis.reference_bpm * ratio:.1f} vs {analysis.reference_bpm:.1f} BPM)"
    return f"tempo: you danced {pace} the reference{bpm}; timing below is against your own steady tempo"


def format_step_table(analysis: RoutineAnalysis, routine: ReferenceRoutine) -> str:
    """The per-step table printed by `analyze`, worst news first in each row: rhythm, placement, posture."""
    unit = analysis.placement_unit
    lines = [
        f"{len(routine.steps)} reference steps ({routine.name}); timing windows ±{analysis.windows.perfect_ms:.0f} / "
        f"±{analysis.windows.good_ms:.0f} / ±{analysis.windows.ok_ms:.0f} ms",
        _describe_tempo(analysis),
        "",
        f"{'#':>3} {'foot':<6}{'ref s':>7}{'yours s':>9}{'timing ms':>11} {'tier':<8}{'place ' + unit:>10} {'worst joint':<22}{'verdict'}",
    ]
    for report in analysis.steps:
        step, attempt = report.reference_step, report.attempt_step
        timing = "" if report.timing_error_ms is None else f"{round(report.timing_error_ms):+d}"
        place = "" if report.placement_error is None else f"{report.placement_error:.2f}"
        worst = max(report.posture_error_deg.items(), key=lambda item: item[1], default=None)
        joint = "" if worst is None or worst[1] < 1.0 else f"{worst[0]} {worst[1]:.0f}°"
        verdict = report.verdict
        label = "ok" if verdict.channel is Channel.NONE else f"{verdict.severity}: {verdict.channel}"
        lines.append(
            f"{report.reference_index + 1:>3} {step.foot:<6}{step.plant_s:>7.2f}"
            f"{'' if attempt is None else f'{attempt.plant_s:.2f}':>9}{timing:>11} {report.tier:<8}{place:>10} {joint:<22}{label}"
        )
    obvious = len(analysis.obvious)
    lines.append("")
    extras = "".join(f"\n  extra: {extra.attempt_step.foot} foot landing at {extra.attempt_step.plant_s:.2f} s"
                     for extra in analysis.extra_steps)
    lines.append(f"{obvious} obvious miss{'es' if obvious != 1 else ''}; {len(analysis.extra_steps)} extra step(s){extras}")
    return "\n".join(lines)
