"""Dancing along: the reference's music and picture on one clock, a count-in, the next steps (no Qt).

A run's clock is the camera's (seconds since the source started). The music
position a dancer hears at camera time ``t`` is

    music_s = first_click_music_s + (t - latency_s) · speed

so the count-in is simply the stretch of negative music time before the
routine's 0, the output's latency delays what is heard, and a slower speed
stretches everything. The follower is fed music time, so every step is
judged against the music the dancer heard, and its timing windows, in the
routine's own milliseconds, widen on the wall clock as the music slows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.audio.time_stretch import MAX_SPEED, MIN_SPEED, stretch_time
from motor_trainer.cvshim import cv2
from motor_trainer.live.session_setup import ReferenceLayout
from motor_trainer.pose.landmarks import Landmark, PoseSequence
from motor_trainer.skills.beats import decode_audio_mono
from motor_trainer.skills.closed_loop import BeatGrid, Foot

#: Silence before the count-in's first click, on the camera's clock: the sound starts once the first
#: frame is shown, a moment after the camera's time 0, and must not cut the first click.
PRE_ROLL_S = 0.5
#: One bar of count-in.
COUNT_IN_BEATS = 4
#: The count-in's tempo when the routine has no beat grid (neither the user nor its music gave one).
DEFAULT_BPM = 120.0
#: Sample rate of the prepared soundtrack.
PLAYBACK_RATE_HZ = 44_100
#: A count-in click: its length, pitch (the bar's first beat higher) and loudness.
CLICK_S = 0.04
CLICK_HZ = 1_000.0
ACCENT_HZ = 1_500.0
CLICK_LEVEL = 0.6
#: Shoulder width over torso length above which a reference is taken to face the camera (side views: near 0).
FACING_WIDTH_RATIO = 0.35
#: A step whose foot moves less than this (in torso lengths) lands in place.
IN_PLACE_TORSO = 0.15


@dataclass(frozen=True)
class PlaybackClock:
    """Music position against the camera's clock (see the module docstring)."""

    speed: float
    beat_period_s: float  # in music time
    first_click_music_s: float  # negative: the count-in's first click, before the routine's 0
    latency_s: float = 0.0
    pre_roll_s: float = PRE_ROLL_S  # camera seconds of silence before the first click (the sound output opening)

    def __post_init__(self) -> None:
        if not MIN_SPEED <= self.speed <= MAX_SPEED:
            raise ValueError(f"playback speed must be within {MIN_SPEED}..{MAX_SPEED}, got {self.speed}")

    @property
    def count_in_s(self) -> float:
        """Wall seconds from the first click to the routine's 0 (as played, before the output's latency)."""
        return -self.first_click_music_s / self.speed

    def music_s(self, camera_s: float) -> float:
        return self.first_click_music_s + (camera_s - self.pre_roll_s - self.latency_s) * self.speed

    def camera_s(self, music_s: float) -> float:
        return (music_s - self.first_click_music_s) / self.speed + self.pre_roll_s + self.latency_s

    def click_music_s(self) -> np.ndarray:
        return self.first_click_music_s + self.beat_period_s * np.arange(COUNT_IN_BEATS)

    def count_in_beat(self, music_s: float) -> int | None:
        """The count-in beat sounding at ``music_s`` (1..4), or None before the first click and once the routine plays."""
        if music_s < self.first_click_music_s or music_s >= 0.0:
            return None
        return min(COUNT_IN_BEATS, int((music_s - self.first_click_music_s) // self.beat_period_s) + 1)


def plan_clock(beat_grid: BeatGrid | None, speed: float, latency_s: float = 0.0, start_s: float = 0.0) -> PlaybackClock:
    """A clock whose one-bar count-in runs on into the routine's own beat (its next beat lands on the grid).

    ``start_s``: where in the routine's clip the music starts (a looped section's start).
    """
    period_s = 60.0 / (beat_grid.bpm if beat_grid is not None else DEFAULT_BPM)
    phase_s = ((beat_grid.first_beat_s - start_s) % period_s) if beat_grid is not None else 0.0
    return PlaybackClock(speed, period_s, phase_s - COUNT_IN_BEATS * period_s, latency_s)


def playback_speed(chosen_speed: float, tempo_factor: float | None) -> float:
    """The run's playback speed: the dancer's choice times the coach's tempo step, within the offered range."""
    return round(min(MAX_SPEED, max(MIN_SPEED, chosen_speed * (tempo_factor or 1.0))), 4)


@dataclass(frozen=True)
class PlayAlongSettings:
    """How the reference is played in one run; stored with the session so runs compare like with like."""

    speed: float = 1.0
    mirror: bool = False
    layout: ReferenceLayout = ReferenceLayout.BESIDE
    audio_offset_ms: float = 0.0
    audio_device: str = ""  # the output's key, "" when the run is silent

    def to_table(self) -> dict[str, object]:
        return {
            "playback_speed": self.speed,
            "reference_mirrored": self.mirror,
            "reference_layout": str(self.layout),
            "audio_offset_ms": self.audio_offset_ms,
            "audio_device": self.audio_device,
        }


def torso_length_px(xy_px: np.ndarray) -> np.ndarray:
    """(frame,) distance from mid-shoulder to mid-hip: a scale that holds whichever way the dancer turns."""
    mid_shoulder = (xy_px[:, Landmark.LEFT_SHOULDER] + xy_px[:, Landmark.RIGHT_SHOULDER]) / 2
    mid_hip = (xy_px[:, Landmark.LEFT_HIP] + xy_px[:, Landmark.RIGHT_HIP]) / 2
    return np.linalg.norm(mid_shoulder - mid_hip, axis=1)


def faces_camera(sequence: PoseSequence) -> bool:
    """Whether the reference dancer faces the camera (wide shoulders, the left one on the image's right).

    Notes: a side view has the shoulders nearly on top of each other; a
    dancer filmed from behind has the left shoulder on the image's left.
    """
    xy = sequence.xy_px
    ratio = (xy[:, Landmark.LEFT_SHOULDER, 0] - xy[:, Landmark.RIGHT_SHOULDER, 0]) / torso_length_px(xy)
    ratio = ratio[np.isfinite(ratio)]
    return bool(len(ratio) and np.median(ratio) > FACING_WIDTH_RATIO)


@dataclass(frozen=True)
class UpcomingStep:
    """One step still to come, as the strip under the reference shows it."""

    number: int  # counted from 1
    foot: Foot
    direction: str  # "←", "→" or "·" (in place), as seen on the screen
    beat_label: str  # "beat 3" on the routine's grid, or "in 1.2 s" without one
    music_s: float

    @property
    def text(self) -> str:
        return f"{self.number}: {self.foot} {self.direction} {self.beat_label}"


def upcoming_steps(
    routine: ReferenceRoutine,
    music_s: float,
    count: int = 3,
    mirror: bool = False,
    speed: float = 1.0,
    steps_per_pass: int | None = None,
    first_number: int = 1,
) -> list[UpcomingStep]:
    """The next ``count`` steps of the routine after ``music_s``: foot, direction on screen, and when.

    Mirrored, the dancer copies a mirror image: the other foot, the other
    way. A looped section's routine (``steps_per_pass`` steps a pass) numbers
    its steps as the whole routine does, from ``first_number``.
    """
    start_s = float(routine.sequence.time_s[0])
    torso = float(np.nanmedian(torso_length_px(routine.sequence.xy_px)))
    upcoming: list[UpcomingStep] = []
    for index, step in enumerate(routine.steps):
        plant_music_s = step.plant_s - start_s
        if plant_music_s <= music_s:
            continue
        dx = step.plant_xy_px[0] - step.lift_xy_px[0]
        if mirror:
            dx = -dx
        moved = math.isfinite(torso) and abs(dx) >= IN_PLACE_TORSO * torso
        direction = ("→" if dx > 0 else "←") if moved else "·"
        foot = (Foot.RIGHT if step.foot is Foot.LEFT else Foot.LEFT) if mirror else step.foot
        when = _beat_label(routine.beat_grid, step.plant_s, plant_music_s - music_s, speed)
        number = (index if steps_per_pass is None else index % steps_per_pass) + first_number
        upcoming.append(UpcomingStep(number, foot, direction, when, plant_music_s))
        if len(upcoming) == count:
            break
    return upcoming


def _beat_label(grid: BeatGrid | None, plant_s: float, ahead_music_s: float, speed: float) -> str:
    if grid is None or len(grid.beat_s) == 0:
        return f"in {ahead_music_s / speed:.1f} s"
    beat = int(np.argmin(np.abs(grid.beat_s - plant_s)))
    return f"beat {beat % COUNT_IN_BEATS + 1}"


def click_samples(accent: bool, rate_hz: int = PLAYBACK_RATE_HZ) -> np.ndarray:
    """One count-in click: a short decaying tone (the bar's first beat higher, as metronomes do)."""
    time_s = np.arange(int(CLICK_S * rate_hz)) / rate_hz
    pitch_hz = ACCENT_HZ if accent else CLICK_HZ
    return (CLICK_LEVEL * np.sin(2 * np.pi * pitch_hz * time_s) * np.exp(-time_s / (CLICK_S / 5))).astype(np.float32)


def play_along_sound(
    clock: PlaybackClock,
    soundtrack_path: Path | None,
    rate_hz: int = PLAYBACK_RATE_HZ,
    section_s: tuple[float, float] | None = None,
    passes: int = 1,
) -> np.ndarray:
    """The whole run's sound, sample 0 at the camera's time 0: a pre-roll, the count-in, then the soundtrack stretched to the speed.

    ``section_s``: only [start, end) of the soundtrack (in its own clock),
    ``passes`` times over (a looped section). A reference without an audio
    track gets the count-in alone. Raises UserFacingError when the soundtrack cannot be decoded.
    """
    music = decode_audio_mono(soundtrack_path, rate_hz) if soundtrack_path is not None else None
    if music is not None and section_s is not None:
        music = music[int(round(section_s[0] * rate_hz)) : int(round(section_s[1] * rate_hz))]
    music_start = int(round((clock.pre_roll_s + clock.count_in_s) * rate_hz))
    stretched = np.zeros(0, np.float32) if music is None else np.tile(stretch_time(music, rate_hz, clock.speed), passes)
    sound = np.zeros(music_start + len(stretched), np.float32)
    sound[music_start:] = stretched
    for beat, click_music_s in enumerate(clock.click_music_s()):
        at = int(round((clock.pre_roll_s + (click_music_s - clock.first_click_music_s) / clock.speed) * rate_hz))
        click = click_samples(accent=beat == 0, rate_hz=rate_hz)
        end = min(len(sound), at + len(click))
        sound[at:end] += click[: end - at]
    return sound


def latency_from_taps(click_s: np.ndarray, tap_s: np.ndarray) -> float | None:
    """The output's latency in ms from a dancer tapping along to clicks: the median lag of each tap behind its nearest click.

    Taps further than half the clicks' spacing from any click are stray and
    left out; None when fewer than three taps remain.
    """
    clicks = np.asarray(click_s, dtype=float)
    if len(clicks) < 2:
        return None
    half_gap_s = float(np.median(np.diff(clicks))) / 2
    lags = []
    for tap in np.asarray(tap_s, dtype=float):
        lag = tap - clicks[int(np.argmin(np.abs(clicks - tap)))]
        if abs(lag) < half_gap_s:
            lags.append(lag)
    return 1000.0 * float(np.median(lags)) if len(lags) >= 3 else None


#: How strongly the reference shows through the live picture when it is drawn behind it.
BEHIND_ALPHA = 0.4


def blend_behind(live_rgb: np.ndarray, reference_rgb: np.ndarray, alpha: float = BEHIND_ALPHA) -> np.ndarray:
    """The live picture with the reference faint behind it: the reference fitted into the live frame, centred."""
    height, width = live_rgb.shape[:2]
    scale = min(width / reference_rgb.shape[1], height / reference_rgb.shape[0])
    fitted = cv2.resize(reference_rgb, (max(1, round(reference_rgb.shape[1] * scale)), max(1, round(reference_rgb.shape[0] * scale))))
    top, left = (height - fitted.shape[0]) // 2, (width - fitted.shape[1]) // 2
    blended = live_rgb.copy()
    region = blended[top : top + fitted.shape[0], left : left + fitted.shape[1]]
    region[:] = ((1 - alpha) * region + alpha * fitted).astype(np.uint8)
    return blended
