"""The app must survive a long practice session: Qt's bindings may not leak references per signal or repaint.

PySide6 6.12.0 dropped one reference to ``True`` on every ``Signal.emit``;
the live view emits at least one signal per frame, so after a few thousand
frames (minutes of practice) True's count reached zero and Python aborted
("Fatal Python error: bool_dealloc"). pyproject.toml keeps that release out;
these tests catch a binding that brings such a leak back.
"""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import QObject, Signal

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.gui.plots import ProgressPlots
from motor_trainer.live.practice_state import PracticeState

#: Frames of a 30 fps session of about a minute.
EMITS = 2_000


class _Frames(QObject):
    frame_ready = Signal(object)


def _bool_references() -> tuple[int, int]:
    return sys.getrefcount(True), sys.getrefcount(False)


def test_emitting_a_signal_per_frame_for_a_minute_leaks_no_reference(qtbot):
    frames = _Frames()
    shown = []
    frames.frame_ready.connect(shown.append)
    before = _bool_references()
    for index in range(EMITS):
        frames.frame_ready.emit(index)
    after = _bool_references()
    assert len(shown) == EMITS
    assert after[0] - before[0] >= -10 and after[1] - before[1] >= -10, (before, after)


def test_redrawing_the_plots_leaks_no_reference(qtbot):
    plots = ProgressPlots(PracticeState("dart-throw", SkillKind.OPEN_LOOP, PracticeMode.PRACTICE))
    qtbot.addWidget(plots)
    plots.show()
    curve = plots.you_curve
    before = _bool_references()
    for _ in range(200):
        curve.setData(np.arange(50.0), np.random.default_rng(0).random(50))
        plots.repaint()
    after = _bool_references()
    assert after[0] - before[0] >= -10, (before, after)
