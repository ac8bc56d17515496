"""The exaggerated replay's geometry, checked on numbers and then on the pixels actually drawn."""

from __future__ import annotations

import numpy as np
import pytest
from replay_fixtures import BACKGROUND_RGB, SyntheticRep, synthetic_elbow_rep, synthetic_spec

from motor_trainer.cvshim import cv2
from motor_trainer.feedback.exaggerate import (
    GainFading,
    amplify,
    anchor_reference,
    faded_gain,
    offset_amplify,
    resample_reference,
    slow_motion_timeline,
)
from motor_trainer.feedback.replay import (
    GHOST_OPACITY,
    GHOST_RGB,
    PERSON_RGB,
    WARNING_RGB,
    ReplayMode,
    ReplayRenderer,
)
from motor_trainer.pose.landmarks import SKELETON_EDGES, Landmark

# --- pure geometry -----------------------------------------------------------------------------


def test_anchor_moves_and_scales_the_reference_onto_the_person() -> None:
    rep = synthetic_elbow_rep()
    ghost = anchor_reference(rep.reference_xy_px, rep.person_xy_px)
    undrifted = rep.person_xy_px.copy()
    undrifted[:, Landmark.RIGHT_ELBOW] -= rep.drift_px
    np.testing.assert_allclose(ghost, undrifted, atol=1e-9)


def test_anchor_with_rotation_undoes_a_leaning_reference() -> None:
    rep = synthetic_elbow_rep()
    angle = np.deg2rad(25.0)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    leaning = rep.reference_xy_px @ turn.T + 17.0
    person = rep.person_xy_px.copy()
    person[:, Landmark.RIGHT_ELBOW] -= rep.drift_px
    np.testing.assert_allclose(anchor_reference(leaning, person, rotate=True), person, atol=1e-9)
    assert np.abs(anchor_reference(leaning, person, rotate=False) - person).max() > 20.0


def test_amplify_multiplies_the_distance_from_the_ghost() -> None:
    ghost, person = np.array([100.0, 100.0]), np.array([106.0, 92.0])
    np.testing.assert_allclose(amplify(person, ghost, 2.0), [112.0, 84.0])
    np.testing.assert_allclose(amplify(person, ghost, 1.0), person)


def test_offset_amplify_pushes_a_constant_distance_along_the_error() -> None:
    ghost = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
    person = np.array([[3.0, 4.0], [30.0, 40.0], [5.0, 5.0]])
    pushed = offset_amplify(person, ghost, 10.0)
    np.testing.assert_allclose(pushed, [[9.0, 12.0], [36.0, 48.0], [5.0, 5.0]])


def test_gain_fades_to_true_size_as_success_rises() -> None:
    fading = GainFading(full_gain_until_rate=0.3, true_size_from_rate=0.8)
    gains = [faded_gain(2.0, rate, fading) for rate in (0.0, 0.3, 0.55, 0.8, 1.0)]
    np.testing.assert_allclose(gains, [2.0, 2.0, 1.5, 1.0, 1.0])
    assert faded_gain(3.0, float("nan"), fading) == 3.0


def test_resample_reference_interpolates_between_reference_frames() -> None:
    reference = np.zeros((3, 33, 2))
    reference[:, :, 0] = np.array([0.0, 10.0, 30.0])[:, None]
    resampled = resample_reference(reference, np.array([0.5, 1.25, 7.0, np.nan]))
    np.testing.assert_allclose(resampled[:3, 0, 0], [5.0, 15.0, 30.0])
    assert np.isnan(resampled[3]).all()


def test_slow_motion_timeline_slows_around_the_peak_and_freezes_on_it() -> None:
    timeline = slow_motion_timeline(frame_count=60, peak_frame=30, speed=0.35, window_frames=6, freeze_frames=20)
    source = timeline.source_frame
    assert source[0] == 0 and source[-1] == 59
    assert np.all(np.diff(source) >= 0) and set(source.tolist()) == set(range(60))
    assert np.all(source[timeline.frozen] == 30) and timeline.frozen.sum() == 20
    shown = np.bincount(source, minlength=60)
    assert shown[:20].max() == 1 and shown[45:].max() == 1  # real time away from the peak
    inside = np.delete(shown[24:37], 30 - 24)
    assert inside.mean() == pytest.approx(1 / 0.35, rel=0.15)  # slowed about 0.35x near it
    assert len(timeline) == pytest.approx(60 - 13 + 13 / 0.35 + 20, abs=2)


# --- pixels ------------------------------------------------------------------------------------


def _mask(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    return (np.abs(image.astype(int) - np.array(colour)).max(axis=2) <= tolerance).astype(np.uint8)


def _warning_disc_centre(image: np.ndarray) -> np.ndarray:
    """Centre of the thickest warning-coloured blob: the amplified joint's disc, not the thinner bones or text."""
    distance = cv2.distanceTransform(_mask(image, WARNING_RGB), cv2.DIST_L2, 5)
    rows, columns = np.nonzero(distance >= distance.max() - 0.5)
    return np.array([columns.mean(), rows.mean()])


def _freeze_frame(renderer: ReplayRenderer) -> np.ndarray:
    """The first held frame at the peak: past the opening flash, the error at its largest."""
    return renderer.render(int(np.flatnonzero(renderer.timeline.frozen)[0]))


def _renderer(gain: float = 2.0, mode: ReplayMode = ReplayMode.GAIN) -> tuple[ReplayRenderer, SyntheticRep]:
    rep = synthetic_elbow_rep()
    return ReplayRenderer(synthetic_spec(rep, gain=gain, mode=mode)), rep


@pytest.mark.parametrize("gain", [2.0, 3.0])
def test_amplified_elbow_is_drawn_at_reference_plus_gain_times_drift(gain: float) -> None:
    renderer, rep = _renderer(gain)
    assert renderer.timeline.peak_frame == rep.peak_frame
    reference_elbow = rep.person_xy_px[rep.peak_frame, Landmark.RIGHT_ELBOW] - rep.drift_px[rep.peak_frame]
    expected = reference_elbow + gain * rep.drift_px[rep.peak_frame]
    np.testing.assert_allclose(_warning_disc_centre(_freeze_frame(renderer)), expected, atol=2.0)


def test_with_gain_one_the_faulty_part_sits_on_the_persons_own_joint() -> None:
    renderer, rep = _renderer(1.0)
    elbow = rep.person_xy_px[rep.peak_frame, Landmark.RIGHT_ELBOW]
    np.testing.assert_allclose(_warning_disc_centre(_freeze_frame(renderer)), elbow, atol=2.0)


def test_offset_mode_pushes_the_elbow_a_constant_distance_beyond_the_person() -> None:
    renderer, rep = _renderer(mode=ReplayMode.OFFSET)
    elbow = rep.person_xy_px[rep.peak_frame, Landmark.RIGHT_ELBOW]
    centre = _warning_disc_centre(_freeze_frame(renderer))
    push = centre - elbow
    torso_px = 0.22 * rep.image_size_px[1]
    assert np.linalg.norm(push) == pytest.approx(0.06 * torso_px / 0.288, abs=2.0)
    assert push[1] < 0 and abs(push[0]) <= 2.0  # further up, the way the elbow drifted


def test_person_and_ghost_colours_are_where_the_joints_are() -> None:
    renderer, rep = _renderer()
    image = _freeze_frame(renderer)
    peak = rep.peak_frame
    ghost_blend = GHOST_OPACITY * np.array(GHOST_RGB) + (1 - GHOST_OPACITY) * np.array(BACKGROUND_RGB)
    joints = sorted({lm for edge in SKELETON_EDGES for lm in edge} - {Landmark.RIGHT_ELBOW})
    for landmark in joints:
        x, y = np.round(rep.person_xy_px[peak, landmark]).astype(int)
        assert np.abs(image[y, x].astype(int) - PERSON_RGB).max() <= 12, f"person colour missing at {landmark.name}"
        halo = image[y - 7 : y + 8, x - 7 : x + 8]
        assert (np.abs(halo.astype(int) - ghost_blend).max(axis=2) <= 12).sum() >= 10, f"no ghost around {landmark.name}"
    gx, gy = np.round(rep.person_xy_px[peak, Landmark.RIGHT_ELBOW] - rep.drift_px[peak]).astype(int)
    patch = image[gy - 2 : gy + 3, gx - 2 : gx + 3].reshape(-1, 3).astype(int)
    nearest_ghost = np.minimum(np.abs(patch - ghost_blend).max(axis=1), np.abs(patch - GHOST_RGB).max(axis=1))
    assert np.median(nearest_ghost) <= 15, "the ghost's elbow is not drawn in the ghost colour"
    assert _mask(image[gy - 2 : gy + 3, gx - 2 : gx + 3], WARNING_RGB).sum() == 0


def test_warning_and_ghost_colours_stay_apart_for_red_green_colour_blindness() -> None:
    """Machado et al. (2009) deuteranopia and protanopia matrices (severity 1) on linear RGB."""
    deuteranopia = np.array([[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]])
    protanopia = np.array([[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]])

    def linear(rgb: tuple[int, int, int]) -> np.ndarray:
        c = np.array(rgb) / 255.0
        return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)

    for matrix in (deuteranopia, protanopia):
        warning, ghost = np.clip(matrix @ linear(WARNING_RGB), 0, 1), np.clip(matrix @ linear(GHOST_RGB), 0, 1)
        assert np.abs(warning - ghost).max() > 0.3  # one channel differs by a third of its range
