"""Choosing and keeping the subject among candidate poses (synthetic skeletons, known answers)."""

from __future__ import annotations

import numpy as np

from motor_trainer.pose.landmarks import LANDMARK_COUNT, MIRROR_ORDER, Landmark
from motor_trainer.pose.tracker import LeftRightChain, SubjectFollower

SIZE_PX = (1000, 800)


def skeleton(centre_x: float, torso_px: float = 100.0, hips_y: float = 500.0) -> np.ndarray:
    """A stick person: every landmark at the torso centre except shoulders and hips."""
    xy = np.zeros((LANDMARK_COUNT, 2))
    xy[:] = (centre_x, hips_y - torso_px / 2)
    xy[Landmark.LEFT_HIP] = (centre_x + 20, hips_y)
    xy[Landmark.RIGHT_HIP] = (centre_x - 20, hips_y)
    xy[Landmark.LEFT_SHOULDER] = (centre_x + 30, hips_y - torso_px)
    xy[Landmark.RIGHT_SHOULDER] = (centre_x - 30, hips_y - torso_px)
    return xy


def test_first_choice_is_the_large_central_person_or_the_hinted_one():
    candidates = [skeleton(150, torso_px=60), skeleton(500, torso_px=100)]
    assert SubjectFollower().choose(candidates, 0.0, SIZE_PX) == 1
    assert SubjectFollower(subject_hint_px=(160, 450)).choose(candidates, 0.0, SIZE_PX) == 0


def test_a_passer_by_never_takes_over_while_the_subject_is_unseen():
    """The subject stands at x=500; for two seconds the model loses them while a passer-by of the
    same size walks from x=900 to x=130, 2.5 torso lengths lower in the image (in front of them).
    The follower reports nobody rather than the passer-by, then takes the subject back."""
    follower = SubjectFollower()
    follower.accept(skeleton(500), 0.0)
    chosen = []
    for step in range(60):
        time_s = (step + 1) / 30
        passer_by = skeleton(900 - step * 13, hips_y=750)
        index = follower.choose([passer_by], time_s, SIZE_PX)
        chosen.append(index)
        if index is not None:
            follower.accept(passer_by, time_s)
    assert chosen == [None] * 60
    assert follower.choose([skeleton(510)], 2.1, SIZE_PX) == 0  # the subject comes back


def test_a_collapsed_misfit_does_not_teach_the_follower_a_wrong_size():
    follower = SubjectFollower()
    for step in range(10):
        follower.accept(skeleton(500), step / 30)
    misfit = skeleton(505, torso_px=20)
    assert follower.choose([misfit], 10 / 30, SIZE_PX) is None
    assert follower.choose([skeleton(505)], 11 / 30, SIZE_PX) == 0


def test_a_pointed_at_person_is_waited_for_and_looked_for_around_the_point():
    """With a point given, a skeleton elsewhere (a phantom in a sun flare) is not taken, and until
    the person is found the model is shown a crop around the point."""
    follower = SubjectFollower(subject_hint_px=(200, 450))
    assert follower.choose([skeleton(700)], 0.0, SIZE_PX) is None
    crop = follower.crop_for(0.0, SIZE_PX)
    assert crop.x0_px <= 200 <= crop.x0_px + crop.width_px and crop.width_px < SIZE_PX[0]
    assert follower.choose([skeleton(700), skeleton(210)], 0.1, SIZE_PX) == 1


def test_an_upside_down_fit_of_the_subject_is_refused():
    """The model sometimes fits the subject upside down: the torso keeps its middle and its length,
    but shoulders and hips trade places. Two frames after the last right fit (67 ms), the shoulders
    of such a fit are a torso length away (15 torso lengths per second, faster than a sprint), so
    it is refused, while the subject standing as before is taken."""
    follower = SubjectFollower()
    for step in range(10):
        follower.accept(skeleton(500), step / 30)
    upside_down = skeleton(500, torso_px=-100.0, hips_y=400.0)  # hips at y 400, shoulders at y 500
    torso = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
    assert np.allclose(upside_down[torso].mean(axis=0), skeleton(500)[torso].mean(axis=0))
    assert follower.choose([upside_down], 11 / 30, SIZE_PX) is None
    assert follower.choose([upside_down, skeleton(505)], 11 / 30, SIZE_PX) == 1


def side_view(shoulder_offset_px: float) -> np.ndarray:
    """A person seen from the side: each left limb landmark 20 px right of its right twin, the
    shoulders only ``shoulder_offset_px`` apart (their order, noise in a side view, decides whether
    the person seems to face the camera or away: facing-away score -0.02 at +2 px, +0.02 at -2 px)."""
    xy = skeleton(500)
    for landmark in Landmark:
        if landmark.name.startswith("LEFT_") and landmark >= Landmark.LEFT_SHOULDER:
            twin = Landmark[landmark.name.replace("LEFT_", "RIGHT_")]
            half = shoulder_offset_px / 2 if landmark == Landmark.LEFT_SHOULDER else 10.0
            centre = (xy[landmark] + xy[twin]) / 2
            xy[landmark], xy[twin] = centre + (half, 0), centre - (half, 0)
    return xy


def test_live_labels_hold_through_a_side_view_and_follow_a_real_swap():
    """Seen from the side, the shoulders' order flickers (here: facing the camera for 10 frames,
    then slightly away for 20) while MediaPipe keeps every label in place: the live labels must not
    change, or each wrist would jump to the other hand mid-throw. When MediaPipe itself swaps the
    labels of a person facing the camera, the live labels swap back at once."""
    chain = LeftRightChain()
    live = [chain.step(side_view(+2.0)) for _ in range(10)] + [chain.step(side_view(-2.0)) for _ in range(20)]
    assert not any(live)

    chain = LeftRightChain()
    front = skeleton(500)
    live = [chain.step(front) for _ in range(10)] + [chain.step(front[MIRROR_ORDER]) for _ in range(5)]
    assert live == [False] * 10 + [True] * 5


def test_restarting_near_a_point_forgets_the_followed_person_and_waits_for_the_pointed_one():
    """The user clicks someone else mid-session: the follower lets go of the person it followed
    (still in view, right where it saw them), looks around the point until the new person is
    found, then keeps them."""
    follower = SubjectFollower()
    for step in range(10):
        follower.accept(skeleton(500), step / 30)
    follower.restart_near((200.0, 450.0))
    assert follower.choose([skeleton(500)], 10 / 30, SIZE_PX) is None
    crop = follower.crop_for(10 / 30, SIZE_PX)
    assert crop.x0_px <= 200 <= crop.x0_px + crop.width_px and crop.width_px < SIZE_PX[0]
    assert follower.choose([skeleton(500), skeleton(205)], 11 / 30, SIZE_PX) == 1
    follower.accept(skeleton(205), 11 / 30)
    assert follower.choose([skeleton(500), skeleton(210)], 12 / 30, SIZE_PX) == 1
