"""Foot-contact steps: synthetic feet with known lifts and plants, and the real dance and lab footage."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.pose.landmarks import LANDMARK_COUNT, Landmark, PoseSequence
from motor_trainer.skills.closed_loop import LIVE_SLOPE_WINDOW_S, ContactSettings, Foot, LiveStepDetector, detect_steps

FPS = 30.0
#: A standing figure 1000 px tall facing the camera (image y grows downward).
STANDING_PX = {
    Landmark.NOSE: (500, 130),
    Landmark.LEFT_SHOULDER: (560, 250), Landmark.RIGHT_SHOULDER: (440, 250),
    Landmark.LEFT_ELBOW: (580, 400), Landmark.RIGHT_ELBOW: (420, 400),
    Landmark.LEFT_WRIST: (585, 530), Landmark.RIGHT_WRIST: (415, 530),
    Landmark.LEFT_HIP: (540, 538), Landmark.RIGHT_HIP: (460, 538),
    Landmark.LEFT_KNEE: (545, 760), Landmark.RIGHT_KNEE: (455, 760),
    Landmark.LEFT_ANKLE: (548, 960), Landmark.RIGHT_ANKLE: (452, 960),
    Landmark.LEFT_HEEL: (550, 985), Landmark.RIGHT_HEEL: (450, 985),
    Landmark.LEFT_FOOT_INDEX: (560, 1000), Landmark.RIGHT_FOOT_INDEX: (440, 1000),
}  # fmt: skip
RIGHT_FOOT = (Landmark.RIGHT_ANKLE, Landmark.RIGHT_HEEL, Landmark.RIGHT_FOOT_INDEX)


def minimum_jerk(time_s: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    """0 → 1 along the smooth profile of a reaching or stepping movement."""
    tau = np.clip((time_s - start_s) / (end_s - start_s), 0.0, 1.0)
    return 10 * tau**3 - 15 * tau**4 + 6 * tau**5


def standing_figure(duration_s: float) -> tuple[np.ndarray, np.ndarray]:
    time_s = np.arange(int(duration_s * FPS)) / FPS
    xy = np.full((len(time_s), LANDMARK_COUNT, 2), np.nan)
    for landmark, point in STANDING_PX.items():
        xy[:, landmark] = point
    return time_s, xy


def as_sequence(time_s: np.ndarray, xy: np.ndarray) -> PoseSequence:
    world = np.zeros((len(time_s), LANDMARK_COUNT, 3))
    ones = np.ones((len(time_s), LANDMARK_COUNT))
    return PoseSequence(time_s=time_s, xy_px=xy, visibility=ones, presence=ones, world_m=world, image_size_px=(1000, 1100))


def right_foot_steps_sideways(lift_s: float, plant_s: float, distance_px: float = 300.0, height_px: float = 60.0) -> PoseSequence:
    """The right foot lifts at ``lift_s``, travels ``distance_px`` to the side along an arc and lands at ``plant_s``."""
    time_s, xy = standing_figure(3.0)
    progress = minimum_jerk(time_s, lift_s, plant_s)
    for landmark in (*RIGHT_FOOT, Landmark.RIGHT_KNEE):
        xy[:, landmark, 0] -= distance_px * progress
        xy[:, landmark, 1] -= height_px * np.sin(np.pi * progress)
    return as_sequence(time_s, xy)


def test_one_sideways_step_is_found_with_its_lift_and_plant() -> None:
    steps = detect_steps(right_foot_steps_sideways(1.0, 1.5))
    assert [step.foot for step in steps] == [Foot.RIGHT]
    step = steps[0]
    # Dated where the foot's speed crosses the swing threshold: inside the movement, near its ends.
    assert 1.0 <= step.lift_s <= 1.12
    assert 1.38 <= step.plant_s <= 1.5
    assert step.plant_xy_px[0] == pytest.approx(step.lift_xy_px[0] - 300.0, abs=15.0)


@pytest.mark.parametrize("every", [2, 3, 7])
def test_a_repeated_picture_does_not_move_the_step(every: int) -> None:
    """A camera that delivers every ``every``-th picture twice (the next one lost) at steady time stamps:
    the stale foot stops for a frame and jumps the next, and the step must still be dated where it was."""
    clean = right_foot_steps_sideways(1.0, 1.5)
    xy = np.array(clean.xy_px, copy=True)
    xy[1::every] = xy[0:-1:every][: len(xy[1::every])]
    (original,), (repeated,) = detect_steps(clean), detect_steps(clean.replace(xy_px=xy))
    assert repeated.lift_s == pytest.approx(original.lift_s, abs=1.0 / FPS)
    assert repeated.plant_s == pytest.approx(original.plant_s, abs=1.0 / FPS)


@pytest.mark.parametrize("swap_s", [0.5, 2.2], ids=["feet-together", "feet-apart"])
def test_a_foot_swap_shown_three_times_is_no_step(swap_s: float) -> None:
    """The pose model names the feet the other way round on one picture, and the camera delivers that picture
    three times: three frames in a row exceed what the median removes, unless the repeats are seen as one picture."""
    from motor_trainer.pose.landmarks import MIRROR_ORDER

    clean = right_foot_steps_sideways(1.0, 1.5)
    xy = np.array(clean.xy_px, copy=True)
    swapped = int(swap_s * FPS)
    xy[swapped : swapped + 3] = xy[swapped][MIRROR_ORDER]
    (original,) = detect_steps(clean)
    (found,) = detect_steps(clean.replace(xy_px=xy))
    assert found.foot is original.foot
    assert (found.lift_s, found.plant_s) == pytest.approx((original.lift_s, original.plant_s), abs=1.0 / FPS)


def test_heel_raise_without_the_toe_leaving_is_not_a_step() -> None:
    time_s, xy = standing_figure(3.0)
    rise = np.sin(np.pi * minimum_jerk(time_s, 1.0, 1.6))
    xy[:, Landmark.RIGHT_HEEL, 1] -= 80.0 * rise
    xy[:, Landmark.RIGHT_ANKLE, 1] -= 50.0 * rise
    assert detect_steps(as_sequence(time_s, xy)) == ()


def test_foot_pausing_in_the_air_is_one_step_not_two() -> None:
    """Out, a 0.1 s hold in the air, on again: a single lift and a single plant."""
    time_s, xy = standing_figure(3.0)
    progress = 0.5 * minimum_jerk(time_s, 1.0, 1.25) + 0.5 * minimum_jerk(time_s, 1.35, 1.6)
    for landmark in RIGHT_FOOT:
        xy[:, landmark, 0] -= 300.0 * progress
    steps = detect_steps(as_sequence(time_s, xy))
    assert len(steps) == 1
    assert steps[0].lift_s < 1.1 and steps[0].plant_s > 1.4


def test_live_detector_finds_the_same_step_a_moment_later() -> None:
    sequence = right_foot_steps_sideways(1.0, 1.5)
    offline = detect_steps(sequence)
    detector = LiveStepDetector()
    found = []
    confirmed_at = []
    for frame, time_s in enumerate(sequence.time_s):
        events = detector.update(frame, float(time_s), sequence.xy_px[frame], body_length=970.0)
        found += events
        confirmed_at += [float(time_s)] * len(events)
    assert [step.foot for step in found] == [Foot.RIGHT]
    assert found[0].plant_s == pytest.approx(offline[0].plant_s, abs=1.0 / FPS)
    # Known one stance time, half the slope window and the de-spiking frame after landing.
    assert confirmed_at[0] - found[0].plant_s <= ContactSettings().min_stance_s + LIVE_SLOPE_WINDOW_S / 2 + 2.0 / FPS


@pytest.mark.footage
def test_dance_kicks_alternate_feet() -> None:
    """Between 2 and 4.3 s the dancer kicks right, left, right, left: four steps, alternating."""
    from footage import tracked

    steps = detect_steps(tracked("webcam_dance_sideways.mp4", rotate_deg=270))
    kicks = [step for step in steps if 2.0 <= step.plant_s <= 4.3]
    assert len(kicks) == 4
    assert all(a.foot is not b.foot for a, b in zip(kicks, kicks[1:]))
    assert all(0.3 <= step.plant_s - step.lift_s <= 0.8 for step in kicks)


@pytest.mark.footage
def test_lab_step_is_found_alike_from_two_cameras() -> None:
    """One take filmed by two cameras: the right foot's step forward, lift and plant within ±2 frames, nothing else."""
    from footage import tracked

    views = [detect_steps(tracked(f"lab_steps_view{n}.mp4")) for n in (1, 2)]
    for steps in views:
        assert [step.foot for step in steps] == [Foot.RIGHT]
    first, second = views[0][0], views[1][0]
    assert abs(first.lift_frame - second.lift_frame) <= 2
    assert abs(first.plant_frame - second.plant_frame) <= 2


@pytest.mark.footage
@pytest.mark.parametrize("view", [1, 2])
def test_live_detector_agrees_with_offline_on_real_footage(view: int) -> None:
    """Frame by frame, with the model's jitter and swaps, the live view finds the lab step where the analysis does."""
    from footage import tracked

    sequence = tracked(f"lab_steps_view{view}.mp4")
    detector = LiveStepDetector()
    live = [step for frame in range(len(sequence)) for step in detector.update(frame, float(sequence.time_s[frame]), sequence.xy_px[frame])]
    offline = detect_steps(sequence)
    assert [step.foot for step in live] == [step.foot for step in offline] == [Foot.RIGHT]
    assert abs(live[0].plant_s - offline[0].plant_s) <= 0.06  # inside the Perfect window
