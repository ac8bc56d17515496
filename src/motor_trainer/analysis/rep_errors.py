"""From one open-loop rep to its verdict: features and paths against the reference, outcome, triage.

Every deviation is measured in units of the reference's own spread (z) and
in real units (cm, degrees, ms). Triage sorts each rep into clean, subtle
error, or obvious miss. Obvious misses are what the replay exaggerates and
the coach points out: the cerebellum learns most from errors too large to
ignore (see ../shared/seeds), so the bar for "obvious" is set high and
subtle errors are recorded without being shouted.

Defaults, from the preset, all overridable (the coach tightens them):
- obvious_z 3.5: beyond 3.5 robust SDs of the person's own good reps. One
  normal channel passes it 1 time in 2,000; with about 13 channels (9
  features, 4 paths) a rep that is only normally variable is called obvious
  about 1 time in 150.
- subtle_z 2.0: the usual "outside 95 %".
- outcome: obvious beyond ``obvious_multiple`` x the tolerance of the
  current difficulty (2.5 x 40 mm = 10 cm for darts at the start).

The channel is the responsible feature or body part. When several are out,
the most proximal one is blamed (trunk before shoulder before elbow before
wrist): a drifting elbow also moves the hand, not the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from motor_trainer.analysis.outcomes import Outcome, OutcomeJudgement, judge_outcome
from motor_trainer.analysis.rep_reference import (
    ReferenceMember,
    RepReference,
    SpreadSource,
    anchored_path,
    build_reference,
    path_offsets,
    with_own_spreads,
)
from motor_trainer.records.verdict import Channel, Deviation, Severity, SkillKind, Verdict
from motor_trainer.calibration.targets import DartBoard
from motor_trainer.pose.landmarks import Landmark, PoseSequence
from motor_trainer.skills.open_loop import (
    ArmTrack,
    OpenLoopPreset,
    Rep,
    feature_body_part,
    find_reps,
    measure_features,
    release_window,
)

#: Stature used to turn body lengths into centimetres when the person's own is not given.
DEFAULT_STATURE_CM = 170.0
PATH_SUFFIX = "_path"

#: Blame order: lower is more proximal. Keyed by the end of a landmark name.
_PROXIMAL_RANK = {"hip": 0, "knee": 0, "ankle": 0, "shoulder": 1, "nose": 1, "eye": 1, "ear": 1, "elbow": 2, "wrist": 3}
_TIMING_RANK = 5


@dataclass(frozen=True)
class RepAlignment:
    """How the rep's frames map onto the reference, for the replay's ghost.

    ``reference_frame_for_frame`` (rep frame,) is a fractional row of
    ``ghost_trajectory_bl`` for each frame in ``[start_frame, end_frame)``:
    from the warping path inside the release window, one row per frame
    outside it. The ghost is body-centred (pelvis origin, x forward, y up,
    body lengths); ``ghost_xy_px`` places it on the attempt's body.
    """

    start_frame: int
    end_frame: int
    release_frame: int
    reference_release_row: int
    reference_frame_for_frame: np.ndarray
    ghost_landmarks: tuple[str, ...]
    ghost_trajectory_bl: np.ndarray
    pelvis_px: np.ndarray  # (rep frame, 2), interpolated over frames a live source dropped
    body_length_px: float
    facing_sign: float

    def __post_init__(self) -> None:
        for name in ("reference_frame_for_frame", "ghost_trajectory_bl", "pelvis_px"):
            array = np.array(getattr(self, name), dtype=float, copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if len(self.reference_frame_for_frame) != self.end_frame - self.start_frame:
            raise ValueError("reference_frame_for_frame needs one entry per rep frame")

    def ghost_xy_px(self, frame: int) -> np.ndarray:
        """(ghost landmark, 2) reference pose in image pixels, placed on the attempt's pelvis at ``frame``."""
        row = frame - self.start_frame
        ref = float(np.clip(self.reference_frame_for_frame[row], 0, len(self.ghost_trajectory_bl) - 1))
        low = int(np.floor(ref))
        high = min(low + 1, len(self.ghost_trajectory_bl) - 1)
        pose = self.ghost_trajectory_bl[low] + (ref - low) * (self.ghost_trajectory_bl[high] - self.ghost_trajectory_bl[low])
        return self.pelvis_px[row] + pose * np.array([self.facing_sign, -1.0]) * self.body_length_px


@dataclass(frozen=True)
class RepAnalysis:
    """Everything known about one rep: the rep, its features, its verdict, how it aligns to the reference."""

    rep: Rep
    features: Mapping[str, float]
    verdict: Verdict
    alignment: RepAlignment | None = None
    outcome: OutcomeJudgement | None = None
    member: ReferenceMember | None = field(default=None, repr=False)  # this rep as a reference candidate

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", MappingProxyType(dict(self.features)))


def reference_member(track: ArmTrack, rep: Rep, preset: OpenLoopPreset, features: Mapping[str, float]) -> ReferenceMember:
    window, release_row, first_frame = release_window(
        track, rep, preset.trajectory_parts, preset.pre_release_s, preset.post_release_s
    )
    return ReferenceMember(window, release_row, features, first_frame)


def analyse_rep(
    track: ArmTrack,
    rep: Rep,
    preset: OpenLoopPreset,
    reference: RepReference | None = None,
    outcome: Outcome | None = None,
    *,
    tolerance_mm: float | None = None,
    subtle_z: float | None = None,
    obvious_z: float | None = None,
    stature_cm: float = DEFAULT_STATURE_CM,
    board: DartBoard | None = None,
) -> RepAnalysis:
    """Features, alignment, deviations, outcome and triage of one rep (a few hundred microseconds)."""
    features = measure_features(track, rep, preset.post_release_s, preset.joint_angles)
    member = reference_member(track, rep, preset, features)
    deviations: list[Deviation] = []
    alignment = None
    if reference is not None:
        deviations += feature_deviations(features, reference, preset, track, stature_cm)
        path_devs, alignment = path_deviations(track, rep, member, reference, stature_cm)
        deviations += path_devs
    judged = None if outcome is None else judge_outcome(outcome, preset.outcome, tolerance_mm, board)
    severity, channel = triage(
        deviations,
        judged,
        preset.triage.subtle_z if subtle_z is None else subtle_z,
        preset.triage.obvious_z if obvious_z is None else obvious_z,
    )
    verdict = Verdict(
        index=rep.index,
        skill=preset.name,
        kind=SkillKind.OPEN_LOOP,
        start_frame=rep.start_frame,
        end_frame=rep.end_frame,
        start_s=rep.start_s,
        end_s=rep.end_s,
        severity=severity,
        channel=channel,
        success=None if judged is None else judged.success,
        deviations=tuple(sorted(deviations + outcome_deviation(judged, tolerance_mm, preset), key=lambda d: -abs(d.z_score))),
        outcome_error_mm=None if judged is None else judged.error_mm,
        features=features,
    )
    return RepAnalysis(rep, features, verdict, alignment, judged, member)


def outcome_deviation(judged: OutcomeJudgement | None, tolerance_mm: float | None, preset: OpenLoopPreset) -> list[Deviation]:
    """The outcome error as a deviation named "outcome", in tolerances (so the coach can say "landed low-right by 6 cm").

    Hit/miss outcomes have no size, and a zero tolerance no scale: neither gives one.
    """
    tolerance = preset.outcome.tolerance_mm if tolerance_mm is None else tolerance_mm
    if judged is None or judged.error_mm is None or tolerance <= 0:
        return []
    return [Deviation(Channel.OUTCOME, judged.error_mm / tolerance, abs(judged.error_mm), "mm", None, judged.direction)]


def _real_magnitude(name: str, difference: float, stature_cm: float) -> tuple[float, str]:
    """A feature difference in the units a person reads: cm, degrees, ms, body lengths per second."""
    if name.endswith("_bl_per_s"):
        return difference, "bl_per_s"
    if name.endswith("_bl"):
        return difference * stature_cm, "cm"
    if name.endswith("_deg"):
        return difference, "deg"
    return difference * 1000.0, "ms"


def _bare_name(feature: str) -> str:
    for suffix in ("_bl_per_s", "_bl", "_deg", "_s"):
        if feature.endswith(suffix):
            return feature.removesuffix(suffix)
    return feature


def feature_deviations(
    features: Mapping[str, float], reference: RepReference, preset: OpenLoopPreset, track: ArmTrack, stature_cm: float
) -> list[Deviation]:
    """One signed deviation per judged feature the reference knows."""
    out = []
    for name in preset.judged_features:
        centre, spread = reference.feature_centre.get(name), reference.feature_spread.get(name)
        value = features.get(name)
        if centre is None or spread is None or value is None or not np.isfinite(value) or not np.isfinite(centre):
            continue
        difference = value - centre
        magnitude, unit = _real_magnitude(name, difference, stature_cm)
        part = feature_body_part(name)
        out.append(
            Deviation(
                name=_bare_name(name),
                z_score=float(difference / spread),
                magnitude=float(magnitude),
                unit=unit,
                body_part=None if part is None else track.landmark(part).name.lower(),
                direction="up" if difference > 0 else "down",  # "the elbow drift went up by 8 cm"
            )
        )
    return out


def _direction_words(offset: np.ndarray) -> str:
    """A body-centred (forward, up) offset as words: "forward", "low-back", ..."""
    forward, up = offset
    vertical = "high" if up > 0 else "low"
    horizontal = "forward" if forward > 0 else "back"
    if abs(up) > 2 * abs(forward):
        return vertical
    if abs(forward) > 2 * abs(up):
        return horizontal
    return f"{vertical}-{horizontal}"


def path_deviations(
    track: ArmTrack, rep: Rep, member: ReferenceMember, reference: RepReference, stature_cm: float
) -> tuple[list[Deviation], RepAlignment | None]:
    """Per-part distance from the reference path (z against the reference's own reps) and the alignment."""
    window, release_row = member.window_bl, member.release_row
    if window.shape[1] != len(reference.parts) or not np.all(np.isfinite(window)):
        return [], None
    attempt_rows, reference_rows = anchored_path(window, release_row, reference.mean_trajectory_bl, reference.release_row)
    offsets = path_offsets(window, reference.mean_trajectory_bl, attempt_rows, reference_rows)
    distance = np.linalg.norm(offsets, axis=-1).mean(axis=0)
    mean_offset = offsets.mean(axis=0)
    deviations = []
    for i, part in enumerate(reference.parts):
        landmark = track.landmark(part).name.lower()
        centre = reference.path_distance_centre_bl[part]
        spread = reference.path_distance_spread_bl[part]
        deviations.append(
            Deviation(
                name=landmark + PATH_SUFFIX,
                z_score=float((distance[i] - centre) / spread),
                magnitude=float(distance[i] * stature_cm),
                unit="cm",
                body_part=landmark,
                direction=_direction_words(mean_offset[i]),
            )
        )
    return deviations, _alignment(track, rep, member, attempt_rows, reference_rows, reference)


def _alignment(
    track: ArmTrack,
    rep: Rep,
    member: ReferenceMember,
    attempt_rows: np.ndarray,
    reference_rows: np.ndarray,
    reference: RepReference,
) -> RepAlignment:
    mapped = np.bincount(attempt_rows, weights=reference_rows) / np.maximum(np.bincount(attempt_rows), 1)
    mapped[member.release_row] = reference.release_row
    rows = np.arange(rep.start_frame, rep.end_frame) - member.first_frame  # fractional window rows
    inside = np.clip(rows, 0, len(mapped) - 1)
    reference_frame = np.interp(inside, np.arange(len(mapped)), mapped) + (rows - inside)  # one row per frame beyond
    frames = np.arange(rep.start_frame, rep.end_frame)
    pelvis_track = (track.xy_px[:, Landmark.LEFT_HIP] + track.xy_px[:, Landmark.RIGHT_HIP]) / 2.0
    pelvis = np.stack([np.interp(frames, track.frame_index, pelvis_track[:, axis]) for axis in (0, 1)], axis=-1)
    return RepAlignment(
        start_frame=rep.start_frame,
        end_frame=rep.end_frame,
        release_frame=rep.release_frame,
        reference_release_row=reference.release_row,
        reference_frame_for_frame=reference_frame,
        ghost_landmarks=tuple(track.landmark(p).name.lower() for p in reference.parts),
        ghost_trajectory_bl=reference.mean_trajectory_bl,
        pelvis_px=pelvis,
        body_length_px=track.body_length_px,
        facing_sign=track.facing_sign,
    )


def _proximal_rank(deviation: Deviation) -> int:
    if deviation.body_part is None:
        return _TIMING_RANK
    return _PROXIMAL_RANK.get(deviation.body_part.rsplit("_", 1)[-1], 4)


def _exceeds(deviation: Deviation, threshold: float) -> bool:
    """Features count both ways; a path only when it strays further than usual."""
    if deviation.name.endswith(PATH_SUFFIX):
        return deviation.z_score >= threshold
    return abs(deviation.z_score) >= threshold


def _blame(deviations: list[Deviation]) -> str:
    """The most proximal of the deviations, the largest among equals."""
    return min(deviations, key=lambda d: (_proximal_rank(d), -abs(d.z_score))).name


def triage(
    deviations: list[Deviation], outcome: OutcomeJudgement | None, subtle_z: float, obvious_z: float
) -> tuple[Severity, Channel | str]:
    """Severity and responsible channel of one rep (see the module docstring for the rules)."""
    obvious = [d for d in deviations if _exceeds(d, obvious_z)]
    if obvious:
        return Severity.OBVIOUS, _blame(obvious)
    if outcome is not None and outcome.obvious:
        return Severity.OBVIOUS, Channel.OUTCOME
    subtle = [d for d in deviations if _exceeds(d, subtle_z)]
    if subtle:
        return Severity.SUBTLE, _blame(subtle)
    if outcome is not None and not outcome.success:
        return Severity.SUBTLE, Channel.OUTCOME
    return Severity.CLEAN, Channel.NONE


def reference_from_analyses(
    analyses: list[RepAnalysis], preset: OpenLoopPreset, fps: float, reference_id: str, source: str = ""
) -> RepReference:
    """A reference from analysed reps (e.g. the person's successful ones, or ones they picked)."""
    return build_reference(
        [a.member for a in analyses if a.member is not None],
        reference_id=reference_id,
        skill=preset.name,
        parts=preset.trajectory_parts,
        fps=fps,
        settings=preset.reference,
        source=source,
    )


@dataclass(frozen=True)
class ClipAnalysis:
    """All reps of one clip; ``reference`` is the one used (given, or built from the clip's own reps)."""

    track: ArmTrack
    analyses: tuple[RepAnalysis, ...]
    reference: RepReference | None

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        return tuple(a.verdict for a in self.analyses)


def analyse_clip(
    sequence: PoseSequence,
    preset: OpenLoopPreset,
    reference: RepReference | None = None,
    outcomes: Sequence[Outcome | None] = (),
    **options: Any,
) -> ClipAnalysis:
    """Find and judge every rep of a clip. ``options`` go to ``analyse_rep`` (tolerance_mm, obvious_z, ...).

    Without a reference, the clip's own reps are the reference: its
    successful ones when at least ``min_reps`` have an outcome that
    succeeded, else all of them (robust spreads keep a few bad reps from
    hiding themselves). Fewer reps than that: only outcomes are judged.
    Outcomes are matched to reps in order; extra outcomes are ignored.
    A reference judged with the skill's spreads (a single demonstration) takes
    the clip's own spreads instead once the clip has ``min_reps`` reps.
    """
    track, reps = find_reps(sequence, preset)
    outcome_for = [outcomes[i] if i < len(outcomes) else None for i in range(len(reps))]
    first = [analyse_rep(track, rep, preset, reference, out, **options) for rep, out in zip(reps, outcome_for)]
    needs_own = reference is None or reference.spread_source is SpreadSource.SKILL
    if not needs_own or len(first) < preset.reference.min_reps:
        return ClipAnalysis(track, tuple(first), reference)
    successes = [a for a in first if a.verdict.success]
    chosen = successes if len(successes) >= preset.reference.min_reps else first
    fps = sequence.fps if np.isfinite(sequence.fps) else 30.0
    own = reference_from_analyses(chosen, preset, fps, f"{preset.name}-self", source=f"own reps of {sequence.source}")
    used = own if reference is None else with_own_spreads(reference, own)
    final = [analyse_rep(track, rep, preset, used, out, **options) for rep, out in zip(reps, outcome_for)]
    return ClipAnalysis(track, tuple(final), used)
