"""Progress plots (pyqtgraph): the key joint against the reference band, errors over time, block success vs the band.

Each plot reads the PracticeState and redraws with ``setData`` (never a new
item per update), so refreshing them on every rep or a few times a second
costs little.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from motor_trainer.analysis.rep_reference import RepReference
from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.practice import PracticeSettings
from motor_trainer.live.live_analysis import CLOSED_LOOP_KEY_JOINT
from motor_trainer.live.practice_state import PracticeState
from motor_trainer.skills.closed_loop import StepTier
from motor_trainer.skills.open_loop import OpenLoopPreset

#: Okabe-Ito colours shared with the replay: sky blue for the reference, vermillion for errors.
_REFERENCE = (86, 180, 233)
_YOU = (240, 240, 240)
_ERROR = (213, 94, 0)
_BAND = (0, 158, 115, 60)
#: The open-loop trajectory plot follows the throwing wrist's height around release: the reference band
#: is its median path ± how far the reference's own reps strayed from it.
WRIST_PART = "acting_wrist"
OPEN_LOOP_TRAJECTORY_TITLE = "Throwing wrist, last rep vs reference band"
#: Seconds of live data the closed-loop plots keep in view.
_WINDOW_S = 10.0
#: Half-width of the reference band around the key joint angle, degrees (the posture "subtle" threshold).
KEY_JOINT_BAND_DEG = 15.0


def _plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(title=title)
    widget.setLabel("left", left)
    widget.setLabel("bottom", bottom)
    widget.showGrid(x=True, y=True, alpha=0.2)
    for side in ("left", "bottom"):  # body lengths and seconds read as they are, not as "x0.001" multiples
        widget.getAxis(side).enableAutoSIPrefix(False)
    widget.setClipToView(True)
    widget.setDownsampling(auto=True, mode="peak")
    widget.addLegend(offset=(5, 5))
    return widget


class ProgressPlots(QWidget):
    """Three stacked plots of one session; ``refresh`` redraws them from the state.

    ``preset`` (open-loop): which window part is the wrist, and the "obvious"
    line on the per-rep deviations. ``reference`` (set once the live run has
    loaded it) draws the band the wrist's path is judged against.
    """

    def __init__(
        self,
        state: PracticeState,
        preset: OpenLoopPreset | None = None,
        settings: PracticeSettings | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.state = state
        self.preset = preset
        self.reference: RepReference | None = None
        band = (settings or PracticeSettings()).band
        closed = state.kind is SkillKind.CLOSED_LOOP
        joint = CLOSED_LOOP_KEY_JOINT.replace("_", " ")
        if closed:
            self.trajectory = _plot(f"{joint} angle vs reference ±{KEY_JOINT_BAND_DEG:g}°", "angle (deg)", "time (s)")
            self.errors = _plot("Timing offset (+ behind the music)", "offset (ms)", "time (s)")
        else:
            self.trajectory = _plot(OPEN_LOOP_TRAJECTORY_TITLE, "wrist above the hips (body lengths)", "time from release (s)")
            self.errors = _plot("Largest form deviation per rep (needs a reference)", "|z| (reference spreads)", "rep")
            if preset is not None:
                dashed = pg.mkPen(_ERROR, style=pg.QtCore.Qt.PenStyle.DashLine)
                obvious_line = pg.InfiniteLine(preset.triage.obvious_z, angle=0, pen=dashed, label="obvious")
                self.errors.addItem(obvious_line)
        self.blocks = _plot("Block success rate vs band", "success (%)", "block")
        self.blocks.setYRange(0, 100)
        for level, name in ((band.ease_below, "ease below"), (band.raise_above, "raise above")):
            dashed = pg.mkPen(_BAND[:3], style=pg.QtCore.Qt.PenStyle.DashLine)
            self.blocks.addItem(pg.InfiniteLine(100 * level, angle=0, pen=dashed, label=name))
        self._band_upper = pg.PlotDataItem(pen=pg.mkPen(_REFERENCE, width=1))
        self._band_lower = pg.PlotDataItem(pen=pg.mkPen(_REFERENCE, width=1))
        self.trajectory.addItem(pg.FillBetweenItem(self._band_upper, self._band_lower, brush=pg.mkBrush(*_BAND)))
        self.reference_curve = self.trajectory.plot(pen=pg.mkPen(_REFERENCE, width=2), name="reference")
        self.you_curve = self.trajectory.plot(pen=pg.mkPen(_YOU, width=2), name="you")
        self.error_curve = self.errors.plot(pen=pg.mkPen(_ERROR, width=2), symbol="o" if not closed else None, symbolSize=6, name="error")
        self.miss_marks = self.errors.plot(pen=None, symbol="x", symbolPen=pg.mkPen(_ERROR, width=2), symbolSize=12,
                                           name="missed step" if closed else "obvious miss")
        self.success_curve = self.blocks.plot(pen=pg.mkPen(_YOU, width=2), symbol="o", symbolSize=8, name="success")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot in (self.trajectory, self.errors, self.blocks):
            layout.addWidget(plot)

    def showEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the state; skipped while the plots are out of sight (they redraw when shown)."""
        if not self.isVisible():
            return
        if self.state.kind is SkillKind.CLOSED_LOOP:
            self._refresh_closed_loop()
        else:
            self._refresh_open_loop()
        rates = [100.0 * block.successes / block.reps for block in self.state.coach.blocks]
        self.success_curve.setData(np.arange(1, len(rates) + 1), rates)

    def _refresh_closed_loop(self) -> None:
        if not self.state.key_joint:
            return
        joint = np.array(self.state.key_joint[-int(_WINDOW_S * 30):])
        joint = joint[np.isfinite(joint[:, 2])]  # the band needs an unbroken reference
        if not len(joint):
            return
        time_s, you_deg, reference_deg = joint.T
        self.reference_curve.setData(time_s, reference_deg)
        self._band_upper.setData(time_s, reference_deg + KEY_JOINT_BAND_DEG)
        self._band_lower.setData(time_s, reference_deg - KEY_JOINT_BAND_DEG)
        self.you_curve.setData(time_s, you_deg, connect="finite")
        offsets = np.array(self.state.timing_offsets[-int(_WINDOW_S * 30):])
        self.error_curve.setData(offsets[:, 0], offsets[:, 1])
        misses = [event.time_s for event in self.state.steps if event.tier is StepTier.MISS]
        if misses:
            self.miss_marks.setData(misses, np.interp(misses, offsets[:, 0], offsets[:, 1]))

    def show_reference(self, reference: RepReference | None) -> None:
        """Draw the reference's wrist path and band from now on (None: the rep alone)."""
        self.reference = reference
        self.trajectory.setTitle(OPEN_LOOP_TRAJECTORY_TITLE if reference is not None else "Throwing wrist, last rep (no reference chosen)")
        if reference is None:
            return
        wrist = reference.parts.index(WRIST_PART)
        time_s = (np.arange(len(reference.mean_trajectory_bl)) - reference.release_row) / reference.fps
        height_bl = reference.mean_trajectory_bl[:, wrist, 1]
        half_width_bl = reference.path_distance_centre_bl[WRIST_PART] + reference.path_distance_spread_bl[WRIST_PART]
        self.reference_curve.setData(time_s, height_bl)
        self._band_upper.setData(time_s, height_bl + half_width_bl)
        self._band_lower.setData(time_s, height_bl - half_width_bl)

    def _refresh_open_loop(self) -> None:
        entries = self.state.reps
        if not entries:
            return
        latest = entries[-1]
        member = latest.analysis.member
        if member is not None and self.preset is not None:
            track = latest.found.detected.track
            fps = (len(track) - 1) / (track.time_s[-1] - track.time_s[0])
            wrist = self.preset.trajectory_parts.index(WRIST_PART)
            self.you_curve.setData((np.arange(len(member.window_bl)) - member.release_row) / fps, member.window_bl[:, wrist, 1])
        sizes = [max((abs(d.z_score) for d in e.analysis.verdict.deviations), default=0.0) for e in entries]
        numbers = np.arange(1, len(entries) + 1)
        self.error_curve.setData(numbers, sizes)
        self.errors.setYRange(0, max(5.0, max(sizes) * 1.1))
        obvious = [(n, s) for n, s, e in zip(numbers, sizes, entries) if e.analysis.verdict.is_obvious]
        if obvious:
            self.miss_marks.setData(*np.array(obvious).T)
