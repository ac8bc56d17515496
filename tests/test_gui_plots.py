"""The open-loop trajectory plot: the last rep's throwing wrist against the reference band (synthetic thrower)."""

from __future__ import annotations

import numpy as np
import pytest
from arm_model import FPS, dart_session

from motor_trainer.analysis.rep_errors import analyse_clip, reference_from_analyses
from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.live.live_analysis import RepFound
from motor_trainer.gui.plots import ProgressPlots
from motor_trainer.live.practice_state import PracticeState
from motor_trainer.skills.open_loop import DetectedRep, load_open_loop_preset

DRIFTED = 5


@pytest.fixture(scope="module")
def preset():
    return load_open_loop_preset("dart-throw")


@pytest.fixture(scope="module")
def reference(preset):
    good = analyse_clip(dart_session(throws=8, seed=11).sequence, preset)
    return reference_from_analyses(list(good.analyses), preset, FPS, "darts-good")


def _plotted_rep(qtbot, preset, reference, drift_throw: int | None) -> ProgressPlots:
    clip = analyse_clip(dart_session(throws=8, drift_throw=drift_throw, seed=3).sequence, preset, reference)
    analysis = clip.analyses[DRIFTED]
    state = PracticeState("dart-throw", SkillKind.OPEN_LOOP, PracticeMode.PRACTICE)
    plots = ProgressPlots(state, preset)
    qtbot.addWidget(plots)
    plots.show()
    plots.show_reference(reference)
    state.add_rep(RepFound(DetectedRep(analysis.rep, clip.track), analysis))
    plots.refresh()
    return plots


def _share_inside_band(plots: ProgressPlots) -> float:
    """Of the rep's samples within the reference's time span, the share inside the band."""
    time_s, wrist_bl = plots.you_curve.getData()
    band_time_s, upper_bl = plots._band_upper.getData()
    _, lower_bl = plots._band_lower.getData()
    within = (time_s >= band_time_s[0]) & (time_s <= band_time_s[-1])
    upper, lower = np.interp(time_s[within], band_time_s, upper_bl), np.interp(time_s[within], band_time_s, lower_bl)
    return float(np.mean((wrist_bl[within] <= upper) & (wrist_bl[within] >= lower)))


def test_a_clean_throw_runs_inside_the_reference_band(qtbot, preset, reference):
    plots = _plotted_rep(qtbot, preset, reference, drift_throw=None)
    time_s, _ = plots.you_curve.getData()
    assert time_s.min() < 0 < time_s.max()  # drawn around the release
    assert len(plots.reference_curve.getData()[0]) == len(reference.mean_trajectory_bl)
    assert _share_inside_band(plots) >= 0.9
    assert "no reference" not in plots.trajectory.getPlotItem().titleLabel.text


def test_a_drifted_elbow_takes_the_wrist_out_of_the_band(qtbot, preset, reference):
    clean = _share_inside_band(_plotted_rep(qtbot, preset, reference, drift_throw=None))
    drifted = _share_inside_band(_plotted_rep(qtbot, preset, reference, drift_throw=DRIFTED))
    assert drifted < clean - 0.2, (clean, drifted)


def test_without_a_reference_the_plot_says_so(qtbot, preset):
    state = PracticeState("dart-throw", SkillKind.OPEN_LOOP, PracticeMode.PRACTICE)
    plots = ProgressPlots(state, preset)
    qtbot.addWidget(plots)
    plots.show_reference(None)
    assert "no reference chosen" in plots.trajectory.getPlotItem().titleLabel.text
