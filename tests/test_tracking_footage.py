"""What only real footage shows: detection, rotation, one subject among several, left stays left."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.pose.kinematics import pelvis_centre
from motor_trainer.pose.landmarks import Landmark

from conftest import MEDIA
from footage import tracked

pytestmark = pytest.mark.footage


def head_above_hips_fraction(sequence) -> float:
    """Share of detected frames where the nose is higher in the image than the hip centre."""
    detected = sequence.detected
    nose_y = sequence.xy_px[detected, Landmark.NOSE, 1]
    hip_y = pelvis_centre(sequence.xy_px[detected])[:, 1]
    return float(np.sum(nose_y < hip_y) / len(sequence))


@pytest.mark.parametrize(
    ("name", "rotate_deg"),
    [("lab_steps_view1.mp4", 0), ("lab_steps_view2.mp4", 0), ("webcam_dance_sideways.mp4", 270)],
)
def test_person_found_upright_in_nearly_every_frame(name, rotate_deg):
    sequence = tracked(name, rotate_deg)
    assert sequence.detection_rate >= 0.95
    assert head_above_hips_fraction(sequence) >= 0.95


def test_sideways_dance_is_not_upright_without_rotation():
    assert head_above_hips_fraction(tracked("webcam_dance_sideways.mp4", 0)) < 0.95


def torso_length_px(sequence) -> np.ndarray:
    xy = sequence.xy_px
    shoulders = (xy[:, Landmark.LEFT_SHOULDER] + xy[:, Landmark.RIGHT_SHOULDER]) / 2
    return np.linalg.norm(shoulders - pelvis_centre(xy), axis=1)


@pytest.mark.parametrize(
    ("name", "frames"),
    [
        # The man flips off the box at frame ~160 and lands out of the model's reach; what it
        # reports after that is partly a phantom in the sun flare (see the note in tests/footage.py).
        ("outdoor_jumps_and_walk.mp4", slice(0, 160)),
        ("lab_two_people_view1.mp4", slice(None)),
    ],
)
def test_subject_never_switches_to_the_other_person(name, frames):
    """From one frame to the next the hip centre moves less than half a torso length. The fastest
    a person moves is about 12 torso lengths per second (a sprint), 0.4 a frame at 30 fps; the other
    person is never that close to the subject (the walker passes about two torso lengths below the
    box; in the lab the second person stands a body width aside), so a switch would jump further."""
    sequence = tracked(name).slice(*frames.indices(len(tracked(name)))[:2])
    hips = pelvis_centre(sequence.xy_px)
    torso = np.nanmedian(torso_length_px(sequence))
    adjacent_jumps_torso = np.linalg.norm(np.diff(hips, axis=0), axis=1) / torso
    adjacent_jumps_torso = adjacent_jumps_torso[np.isfinite(adjacent_jumps_torso)]
    assert adjacent_jumps_torso.size > 0.4 * len(sequence)
    assert adjacent_jumps_torso.max() <= 0.5


def test_outdoor_subject_is_the_man_on_the_box_until_his_flip():
    """Pointed at (the model's own first choice is a phantom skeleton in the sun flare), the man on
    the box is followed while he jumps there: his hips stay above the box top (y ~ 450 px) and
    around x ~ 640-790 px, while the woman walking across has hers at y ~ 700 px and reaches x = 0.
    He takes off for his flip at frame ~160 and lands out of the box's view."""
    sequence = tracked("outdoor_jumps_and_walk.mp4")
    on_the_box = slice(0, 160)
    hips = pelvis_centre(sequence.xy_px[on_the_box])
    found = np.isfinite(hips[:, 0])
    assert found.mean() >= 0.9
    assert np.all(hips[found, 1] < 450)
    assert np.all((hips[found, 0] > 550) & (hips[found, 0] < 850))


def test_left_stays_left_while_mediapipe_swaps_sides():
    """In lab_steps_view2 the man faces the camera throughout, so his left shoulder and wrist are on
    the image's right. MediaPipe swaps the whole skeleton for frames ~36-64 (and flickers elsewhere).
    Counted over frames where the shoulders are clearly apart (> 0.3 torso lengths; when he turns
    sideways they overlap and the order means nothing)."""
    sequence = tracked("lab_steps_view2.mp4")
    xy = sequence.xy_px
    torso = torso_length_px(sequence)
    shoulder_gap = xy[:, Landmark.LEFT_SHOULDER, 0] - xy[:, Landmark.RIGHT_SHOULDER, 0]
    clear = np.abs(shoulder_gap) > 0.3 * torso
    assert clear.sum() > 80
    assert np.mean(shoulder_gap[clear] > 0) >= 0.98
    centre_x = pelvis_centre(xy)[:, 0]
    left_wrist_on_left = xy[clear, Landmark.LEFT_WRIST, 0] > centre_x[clear] - 0.3 * torso[clear]
    right_wrist_on_right = xy[clear, Landmark.RIGHT_WRIST, 0] < centre_x[clear] + 0.3 * torso[clear]
    assert np.mean(left_wrist_on_left & right_wrist_on_right) >= 0.95
    assert np.all(shoulder_gap[36:64][clear[36:64]] > 0)


def test_live_tracking_keeps_left_and_right_mostly_right():
    """Frame by frame (as the live view sees it) the chain cannot look ahead, so it is allowed to
    be wrong through MediaPipe's ambiguous frames, but not for most of the clip: the raw model
    output has the man facing the camera in only about half of lab_steps_view2."""
    from motor_trainer.capture.sources import open_video
    from motor_trainer.pose.tracker import PoseTracker, facing_away_score

    with open_video(MEDIA / "lab_steps_view2.mp4") as video, PoseTracker() as tracker:
        live_xy = np.array([tracker.process(frame).xy_px for frame in video.frames()])
    facing_camera = facing_away_score(live_xy) < 0
    assert np.mean(facing_camera[np.isfinite(live_xy[:, Landmark.LEFT_HIP, 0])]) >= 0.75


def share_where(sequence, frames: slice, holds) -> float:
    """Share of the detected frames in ``frames`` where ``holds(xy)`` (xy: (frame, landmark, 2)) is True."""
    xy = sequence.xy_px[frames]
    xy = xy[np.isfinite(xy[:, Landmark.LEFT_HIP, 0])]
    assert len(xy) > 0
    return float(np.mean(holds(xy)))


def image_x(xy, landmark):
    return xy[:, landmark, 0]


def test_back_view_serve_keeps_mediapipes_right_labels():
    """Djokovic serves with his back to the camera from about frame 34; his right arm hits the ball
    (frame 36) above his head on the image's right. MediaPipe labels this right; main's former
    facing prior swapped every back-view frame, so the tracked right wrist was below the left at
    contact in 100 % of frames."""
    sequence = tracked("tennis_serve_djokovic_behind.mp4")
    contact = slice(34, 39)
    assert share_where(sequence, contact, lambda xy: xy[:, Landmark.RIGHT_WRIST, 1] < xy[:, Landmark.LEFT_WRIST, 1]) >= 0.9
    back_view = slice(34, None)
    assert share_where(
        sequence, back_view, lambda xy: image_x(xy, Landmark.RIGHT_SHOULDER) > image_x(xy, Landmark.LEFT_SHOULDER)
    ) >= 0.9


def test_golf_finish_from_behind_has_the_hands_over_the_left_shoulder():
    """Down the line, the golfer finishes (from frame 250) with her back to the camera: her left
    shoulder on the image's left with the hands over it, her right foot up on its toe on the image's
    right (the annotation's note). Before, 98.6 % of these frames had every label swapped."""
    sequence = tracked("golf_dtl_female_60fps.mp4")
    finish = slice(250, None)
    left, right = Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER
    assert share_where(sequence, finish, lambda xy: image_x(xy, left) < image_x(xy, right)) >= 0.9
    assert share_where(
        sequence, finish, lambda xy: image_x(xy, Landmark.RIGHT_HEEL) > image_x(xy, Landmark.LEFT_HEEL)
    ) >= 0.9

    def hands_nearer_left_shoulder(xy):
        hands_x = (image_x(xy, Landmark.LEFT_WRIST) + image_x(xy, Landmark.RIGHT_WRIST)) / 2
        return np.abs(hands_x - image_x(xy, left)) < np.abs(hands_x - image_x(xy, right))

    assert share_where(sequence, finish, hands_nearer_left_shoulder) > 0.5


@pytest.mark.parametrize(
    ("name", "back_view"),
    # "back to the camera from about frame 48"; "side-on, turning the back to the camera after the hit" (27)
    [("padel_overhead_bad_slice.mp4", slice(50, None)), ("padel_overhead_good_slice.mp4", slice(35, None))],
)
def test_padel_player_turning_away_keeps_the_right_arm_on_the_image_right(name, back_view):
    sequence = tracked(name)
    assert share_where(
        sequence, back_view, lambda xy: image_x(xy, Landmark.RIGHT_SHOULDER) > image_x(xy, Landmark.LEFT_SHOULDER)
    ) >= 0.9


def test_live_and_offline_labels_agree_on_a_back_view():
    """The live view (frame by frame, no look-ahead) and the saved clip (the whole clip at once) name
    the same limbs left and right in at least 95 % of the tennis serve's frames. A frame agrees when
    the live limbs lie nearer the offline ones as labelled than mirrored."""
    from motor_trainer.capture.sources import open_video
    from motor_trainer.pose.landmarks import MIRROR_ORDER
    from motor_trainer.pose.tracker import PoseTracker

    name = "tennis_serve_djokovic_behind.mp4"
    with open_video(MEDIA / name) as video, PoseTracker() as tracker:
        live_xy = np.array([tracker.process(frame).xy_px for frame in video.frames()])
    offline_xy = tracked(name).xy_px
    both = np.isfinite(live_xy[:, Landmark.LEFT_HIP, 0]) & np.isfinite(offline_xy[:, Landmark.LEFT_HIP, 0])
    assert both.mean() >= 0.9
    as_labelled = np.nansum(np.linalg.norm(live_xy[both] - offline_xy[both], axis=2), axis=1)
    mirrored = np.nansum(np.linalg.norm(live_xy[both] - offline_xy[both][:, MIRROR_ORDER], axis=2), axis=1)
    assert np.mean(as_labelled < mirrored) >= 0.95
