"""Reps chosen in a saved session become a reference: found again by their time, as a live session numbers frames."""

from __future__ import annotations

import numpy as np
import pytest
from arm_model import dart_session

from motor_trainer.analysis.reference_reps import reference_from_session_reps
from motor_trainer.analysis.rep_errors import analyse_clip
from motor_trainer.errors import UserFacingError
from motor_trainer.skills.open_loop import load_open_loop_preset


@pytest.fixture(scope="module")
def preset():
    return load_open_loop_preset("dart-throw")


def test_reps_recorded_live_with_dropped_frames_are_found_by_their_time(preset):
    """A live run kept every other frame before the fifth throw: its rep frame numbers count all frames
    filmed, its landmarks only those analysed, so matching frame numbers would take the wrong stretch."""
    session = dart_session(throws=8, seed=11).sequence
    recorded = analyse_clip(session, preset).analyses  # the reps as the live run numbered them
    kept = np.ones(len(session), dtype=bool)
    kept[1 : recorded[4].rep.start_frame : 2] = False
    analysed = session.replace(
        time_s=session.time_s[kept], xy_px=session.xy_px[kept], visibility=session.visibility[kept],
        presence=session.presence[kept], world_m=session.world_m[kept],
    )
    chosen = [analysis.verdict for analysis in recorded[4:8]]
    reference = reference_from_session_reps(analysed, preset, chosen, "late-throws", source="test")
    expected = reference_from_session_reps(session, preset, chosen, "late-throws", source="test")
    assert reference.rep_count == 4
    np.testing.assert_allclose(reference.feature_centre["elbow_drift_bl"], expected.feature_centre["elbow_drift_bl"], atol=0.01)


def test_a_chosen_rep_that_is_not_in_the_landmarks_is_one_line(preset):
    session = dart_session(throws=4, seed=11).sequence
    recorded = analyse_clip(session, preset).analyses
    first_half = session.slice(0, recorded[2].rep.start_frame)
    with pytest.raises(UserFacingError, match=r"^rep 3 \(\d+\.\d\d-\d+\.\d\d s\) is not found again in the session's landmarks$"):
        reference_from_session_reps(first_half, preset, [a.verdict for a in recorded[1:4]], "x", source="test")
