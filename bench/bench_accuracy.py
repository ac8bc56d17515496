"""Accuracy on footage nobody tuned on: reps, key moments, acting side and left/right labels.

Run: .venv/bin/python bench/bench_accuracy.py [--model lite] [--no-cache] [--crop-noise]

Reads the ground truth in ../shared/media/annotations.toml, tracks each clip
with `track_video` (what `motor-trainer track`/`analyze` run) and analyses it
with its skill's own functions, then prints per clip: reps found / true, the
key-moment error in frames and ms, whether the acting side is right, and the
share of frames where left and right sit where the annotation notes say
(with MediaPipe's own labels beside it, a cross-check: they are right from
behind). One summary line ends the table.

Tracked landmarks are cached under ~/.cache/motor-trainer/bench (or
$XDG_CACHE_HOME), keyed by the video's content, the model and the source of
pose/tracker.py, so a second run takes seconds and a tracker change re-tracks.

With ``--crop-noise``, each clip is also tracked with the model's crop moved
3 px either way or made 2 % smaller or larger, and every figure is printed as
its spread over those runs. MediaPipe's fit moves by several pixels when its
crop does, so any change to what the model is shown (a crop placed a frame
earlier, another size rule) moves the table by about this much: a change is
measured against this spread, not against the single row.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import os
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from motor_trainer.records.verdict import SkillKind
from motor_trainer.errors import UserFacingError
from motor_trainer.pose import tracker
from motor_trainer.pose.landmarks import Landmark, PoseSequence
from motor_trainer.pose.tracker import Labelling, track_video
from motor_trainer.skills.closed_loop import ContactSettings, detect_steps
from motor_trainer.skills.open_loop import find_reps, load_open_loop_preset
from motor_trainer.skills.presets import available_presets, load_preset_table
from motor_trainer.storage.landmark_files import load_landmarks, save_landmarks

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
FALLBACK_SKILL = "generic-throw"


@dataclass(frozen=True)
class ClipCase:
    """One annotated clip: the skill it is analysed with (the first shipped preset of ``skills``)
    and the annotation key that holds its key-moment frames."""

    name: str
    skills: tuple[str, ...]
    moment_key: str


CLIPS = (
    ClipCase("free_throw_side", ("free-throw",), "release_frames"),
    ClipCase("tennis_serve_djokovic_behind", ("tennis-serve",), "contact_frames"),
    ClipCase("golf_dtl_female_60fps", ("golf-swing",), "impact_frames"),
    ClipCase("golf_dtl_senior_30fps", ("golf-swing",), "impact_frames"),
    ClipCase("padel_overhead_good_slice", ("overhand-throw",), "contact_frames"),
    ClipCase("padel_overhead_bad_slice", ("overhand-throw",), "contact_frames"),
    ClipCase("dance_musepose_front_music", ("dance-footwork",), "jump_landing_frames"),
)


class Relation(StrEnum):
    """How one landmark must sit against another in the image (y grows downward)."""

    ABOVE = "above"
    IMAGE_LEFT_OF = "image-left of"
    IMAGE_RIGHT_OF = "image-right of"


@dataclass(frozen=True)
class SideCheck:
    """In frames [start, end) of ``clip``, ``landmark`` lies ``relation`` ``other``: a fact of the
    annotation notes that only holds when left and right are labelled right."""

    clip: str
    start_frame: int
    end_frame: int | None  # None: to the end of the clip
    landmark: Landmark
    relation: Relation
    other: Landmark
    source: str


L = Landmark
SIDE_CHECKS = (
    # "the back is to the camera from about frame 34"; "acting_side = right ... it is on the image right"
    SideCheck("tennis_serve_djokovic_behind", 34, None, L.RIGHT_SHOULDER, Relation.IMAGE_RIGHT_OF, L.LEFT_SHOULDER, "back view"),
    # "contact_frames = [36]": the right hand hits the ball above the head
    SideCheck("tennis_serve_djokovic_behind", 34, 39, L.RIGHT_WRIST, Relation.ABOVE, L.LEFT_WRIST, "contact"),
    # "from about frame 250 the hands finish over the person's LEFT shoulder (image left)
    #  and the RIGHT foot is up on its toe (image right)"
    SideCheck("golf_dtl_female_60fps", 250, None, L.LEFT_SHOULDER, Relation.IMAGE_LEFT_OF, L.RIGHT_SHOULDER, "finish"),
    SideCheck("golf_dtl_female_60fps", 250, None, L.RIGHT_HEEL, Relation.ABOVE, L.LEFT_HEEL, "finish"),
    SideCheck("golf_dtl_female_60fps", 250, None, L.RIGHT_HEEL, Relation.IMAGE_RIGHT_OF, L.LEFT_HEEL, "finish"),
    # "back to the camera from about frame 48" (the right arm hits)
    SideCheck("padel_overhead_bad_slice", 50, None, L.RIGHT_SHOULDER, Relation.IMAGE_RIGHT_OF, L.LEFT_SHOULDER, "back view"),
    # "188-224: her LEFT foot (image right) points out; 236-272: her RIGHT foot (image left) points out"
    SideCheck("dance_musepose_front_music", 188, 225, L.LEFT_FOOT_INDEX, Relation.IMAGE_RIGHT_OF, L.RIGHT_FOOT_INDEX, "front"),
    SideCheck("dance_musepose_front_music", 236, 273, L.RIGHT_FOOT_INDEX, Relation.IMAGE_LEFT_OF, L.LEFT_FOOT_INDEX, "front"),
)


def check_holds(check: SideCheck, xy_px: np.ndarray) -> np.ndarray:
    """(frame,) over the check's frames where both landmarks are found: True where the relation holds."""
    frames = xy_px[check.start_frame : check.end_frame]
    a, b = frames[:, check.landmark], frames[:, check.other]
    found = np.isfinite(a[:, 0]) & np.isfinite(b[:, 0])
    a, b = a[found], b[found]
    holds: dict[Relation, Callable[[], np.ndarray]] = {
        Relation.ABOVE: lambda: a[:, 1] < b[:, 1],
        Relation.IMAGE_LEFT_OF: lambda: a[:, 0] < b[:, 0],
        Relation.IMAGE_RIGHT_OF: lambda: a[:, 0] > b[:, 0],
    }
    return holds[check.relation]()


# --------------------------------------------------------------------------- tracking, cached


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "motor-trainer" / "bench"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CropNudge:
    """A small change to the crop the tracker shows the model: moved by ``shift_px``, side times ``scale``."""

    shift_px: tuple[int, int] = (0, 0)
    scale: float = 1.0

    @property
    def label(self) -> str:
        return f"shift {self.shift_px[0]:+d},{self.shift_px[1]:+d} px, size x{self.scale:.2f}"


AS_IS = CropNudge()
CROP_NUDGES = (AS_IS, CropNudge(shift_px=(3, 0)), CropNudge(shift_px=(-3, 0)), CropNudge(scale=0.98), CropNudge(scale=1.02))


@contextlib.contextmanager
def nudged_crops(nudge: CropNudge) -> Iterator[None]:
    """The tracker's ``subject_crop`` with ``nudge`` applied, for the duration (this process only)."""
    original = tracker.subject_crop

    def nudged(centre_px: np.ndarray, stature_px: float, size_px: tuple[int, int]) -> tracker.CropBox:
        return original(np.asarray(centre_px) + nudge.shift_px, stature_px * nudge.scale, size_px)

    tracker.subject_crop = nudged
    try:
        yield
    finally:
        tracker.subject_crop = original


def tracked(video: Path, model: str, labels: Labelling, use_cache: bool, nudge: CropNudge = AS_IS) -> PoseSequence:
    """``track_video``'s result, from the cache when this video, model, tracker source and crop nudge were tracked before."""
    tracker_source = hashlib.sha256(inspect.getsource(tracker).encode()).hexdigest()[:16]
    nudged = "" if nudge == AS_IS else f"-{nudge.shift_px[0]}_{nudge.shift_px[1]}_{nudge.scale:.2f}"
    key = f"{video.stem}-{_sha256_file(video)[:16]}-{model}-{tracker_source}-{labels}{nudged}.npz"
    path = cache_dir() / key
    if use_cache and path.is_file():
        return load_landmarks(path)
    with nudged_crops(nudge):
        sequence = track_video(video, model=model, labels=labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_landmarks(sequence, path)
    return sequence


# --------------------------------------------------------------------------- one row per clip


@dataclass(frozen=True)
class ClipResult:
    name: str
    skill_note: str
    reps_found: int | None  # None: not a rep skill
    reps_true: int
    moment_error_frames: int | None
    moment_error_ms: float | None
    side_right: bool | None  # None: not annotated
    side_frames_right: int
    side_frames_checked: int
    mediapipe_frames_right: int


def chosen_skill(case: ClipCase) -> tuple[str, str]:
    """The clip's skill preset, and a note when it had to fall back to the generic throw."""
    shipped = set(available_presets())
    for skill in case.skills:
        if skill in shipped:
            return skill, skill
    return FALLBACK_SKILL, f"{FALLBACK_SKILL} (no {'/'.join(case.skills)} preset)"


def _nearest_error(found_frames: list[int], true_frame: int) -> int | None:
    return min((f - true_frame for f in found_frames), key=abs) if found_frames else None


def measure_clip(case: ClipCase, truth: dict, model: str, use_cache: bool, nudge: CropNudge = AS_IS) -> ClipResult:
    video = MEDIA / f"{case.name}.mp4"
    sequence = tracked(video, model, Labelling.SETTLED, use_cache, nudge)
    raw = tracked(video, model, Labelling.MEDIAPIPE, use_cache, nudge)
    skill, note = chosen_skill(case)
    true_frames = list(truth.get(case.moment_key, []))
    if load_preset_table(skill)["kind"] is SkillKind.OPEN_LOOP:
        track, reps = find_reps(sequence, load_open_loop_preset(skill))
        found = [rep.release_frame for rep in reps]
        reps_found: int | None = len(reps)
        expected_side = truth.get("acting_side")
        side_right = None if expected_side is None else str(track.side) == expected_side
    else:
        contact = ContactSettings.from_table(load_preset_table(skill)["contact"])
        found = [step.plant_frame for step in detect_steps(sequence, contact)]
        reps_found, side_right = None, None
        note += " (landing = nearest foot plant)"
    error = _nearest_error(found, true_frames[0]) if true_frames else None
    checks = [c for c in SIDE_CHECKS if c.clip == case.name]
    right = [check_holds(c, sequence.xy_px) for c in checks]
    raw_right = [check_holds(c, raw.xy_px) for c in checks]
    return ClipResult(
        name=case.name,
        skill_note=note,
        reps_found=reps_found,
        reps_true=len(true_frames),
        moment_error_frames=error,
        moment_error_ms=None if error is None else 1000.0 * error / sequence.fps,
        side_right=side_right,
        side_frames_right=int(sum(r.sum() for r in right)),
        side_frames_checked=int(sum(r.size for r in right)),
        mediapipe_frames_right=int(sum(r.sum() for r in raw_right)),
    )


def _share(right: int, checked: int) -> str:
    return f"{right / checked:6.1%} of {checked:>3}" if checked else "-"


def print_table(results: list[ClipResult]) -> None:
    header = (
        f"{'clip':<29} {'reps':>5} {'moment err':>14} {'side':>5}  {'left/right right':<16}"
        f"  {'MediaPipe own':<13}  skill"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        reps = f"{r.reps_found}/{r.reps_true}" if r.reps_found is not None else "-"
        moment = "-" if r.moment_error_frames is None else f"{r.moment_error_frames:+d} f {r.moment_error_ms:+5.0f} ms"
        side = "-" if r.side_right is None else ("yes" if r.side_right else "NO")
        raw = f"{r.mediapipe_frames_right / r.side_frames_checked:6.1%}" if r.side_frames_checked else "-"
        print(
            f"{r.name:<29} {reps:>5} {moment:>14} {side:>5}  {_share(r.side_frames_right, r.side_frames_checked):<16}"
            f"  {raw:<13}  {r.skill_note}"
        )
    rep_rows = [r for r in results if r.reps_found is not None]
    exact_reps = sum(r.reps_found == r.reps_true for r in rep_rows)
    errors = [abs(r.moment_error_frames) for r in results if r.moment_error_frames is not None]
    sides = [r.side_right for r in results if r.side_right is not None]
    checked = sum(r.side_frames_checked for r in results)
    print(
        f"summary: reps exact {exact_reps}/{len(rep_rows)} clips; key moment |error| median "
        f"{np.median(errors):.0f} f, within 1 f {sum(e <= 1 for e in errors)}/{len(errors)}; acting side "
        f"{sum(sides)}/{len(sides)}; left/right right {sum(r.side_frames_right for r in results) / checked:.1%} "
        f"of {checked} checked frames (MediaPipe's own {sum(r.mediapipe_frames_right for r in results) / checked:.1%})"
    )


def _spread(values: list, shown: Callable[[object], str]) -> str:
    """``as-is (lowest..highest)``, or just the value when every run agrees."""
    as_is, *_ = values
    known = sorted(v for v in values if v is not None)
    if all(v == as_is for v in values) or not known:
        return shown(as_is)
    return f"{shown(as_is)} ({shown(known[0])}..{shown(known[-1])})"


def print_spread(runs: list[list[ClipResult]]) -> None:
    """One row per clip: each figure as tracked, and its range over the nudged crops."""
    print(f"crop nudges: {'; '.join(nudge.label for nudge in CROP_NUDGES)}")
    header = f"{'clip':<29} {'reps':>9} {'moment err (f)':>16} {'side right':>11}  left/right right"
    print(header)
    print("-" * len(header))
    for rows in zip(*runs):
        as_is = rows[0]
        reps = "-" if as_is.reps_found is None else _spread([r.reps_found for r in rows], str) + f"/{as_is.reps_true}"
        moment = _spread([r.moment_error_frames for r in rows], lambda f: "-" if f is None else f"{f:+d}")
        sides = [r.side_right for r in rows if r.side_right is not None]
        side = f"{sum(sides)}/{len(sides)}" if sides else "-"
        shares = [r.side_frames_right / r.side_frames_checked for r in rows if r.side_frames_checked]
        share = _spread(shares, lambda v: f"{v:.1%}") if shares else "-"
        print(f"{as_is.name:<29} {reps:>9} {moment:>16} {side:>11}  {share}")
    exact = [sum(r.reps_found == r.reps_true for r in run if r.reps_found is not None) for run in runs]
    within = [sum(abs(r.moment_error_frames) <= 1 for r in run if r.moment_error_frames is not None) for run in runs]
    print(f"summary over {len(runs)} runs: reps exact {min(exact)}-{max(exact)} clips, key moments within 1 f {min(within)}-{max(within)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lite")
    parser.add_argument("--no-cache", action="store_true", help="track every clip again")
    parser.add_argument("--crop-noise", action="store_true", help="also track with the crop nudged; print each figure's spread")
    args = parser.parse_args()
    annotations_path = MEDIA / "annotations.toml"
    try:
        annotations = tomllib.loads(annotations_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        print(f"{annotations_path}: cannot read the ground truth ({error})", file=sys.stderr)
        return 2
    try:
        results = [measure_clip(case, annotations[case.name], args.model, not args.no_cache) for case in CLIPS]
    except UserFacingError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"model: {args.model}; ground truth: {annotations_path}")
    print_table(results)
    if args.crop_noise:
        try:
            nudged = [[measure_clip(case, annotations[case.name], args.model, not args.no_cache, nudge) for case in CLIPS]
                      for nudge in CROP_NUDGES[1:]]
        except UserFacingError as error:
            print(error, file=sys.stderr)
            return 2
        print()
        print_spread([results, *nudged])
    return 0


if __name__ == "__main__":
    sys.exit(main())
