"""Review progress across saved sessions: one skill's sessions, their success rate, and what the coach reads in them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from motor_trainer.coaching.progress import skill_progress
from motor_trainer.records.session_verdicts import SessionVerdicts

_YOU = (240, 240, 240)
#: Most numbered sessions under the success curve; beyond that every second, fifth... is numbered.
MAX_SESSION_TICKS = 12


class ProgressPanel(QWidget):
    """Built from the saved sessions' verdicts (``Session.progress_record``); ``now`` words the dates.

    A widget of its own so the sessions browser can show it as a tab.
    """

    def __init__(self, sessions: Sequence[SessionVerdicts], now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.sessions = tuple(sessions)
        self.now = now
        self.skill = QComboBox()
        for skill in sorted({s.skill for s in self.sessions}):
            self.skill.addItem(skill, skill)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Session", "Attempts", "Successful"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.statements = QLabel()
        self.statements.setWordWrap(True)
        self.plot = pg.PlotWidget(title="Success rate per session")
        self.plot.setLabel("left", "success (%)")
        self.plot.setLabel("bottom", "session")
        self.plot.setYRange(0, 100)
        self.curve = self.plot.plot(pen=pg.mkPen(_YOU, width=2), symbol="o", symbolSize=8)
        layout = QVBoxLayout(self)
        if not self.sessions:
            layout.addWidget(QLabel("No saved sessions yet: practise with “Save this session” ticked."))
        layout.addWidget(self.skill)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.statements)
        layout.addWidget(self.plot, 1)
        self.skill.currentIndexChanged.connect(self._on_skill_changed)
        self._on_skill_changed()

    def _on_skill_changed(self) -> None:
        skill = self.skill.currentData()
        if skill is None:
            return
        progress = skill_progress(self.sessions, skill, self.now)
        success = progress.success
        self.table.setRowCount(len(success.session_ids))
        for row, (session_id, reps, successes) in enumerate(zip(success.session_ids, success.reps, success.successes)):
            for column, text in enumerate((session_id, str(int(reps)), str(int(successes)))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.statements.setText("\n".join(progress.statements) or "One session so far: progress shows from the second.")
        sessions = len(success.session_ids)
        self.curve.setData(np.arange(1, sessions + 1), 100.0 * success.success_rate)
        every = max(1, math.ceil(sessions / MAX_SESSION_TICKS))  # sessions are counted: no "session 1.4"
        self.plot.getAxis("bottom").setTickSpacing(every, every)


class ProgressView(QDialog):
    """The progress panel in a window of its own; its parts are the panel's (``skill``, ``table``, ``curve``...)."""

    def __init__(self, sessions: Sequence[SessionVerdicts], now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Progress")
        self.resize(760, 620)
        self.panel = ProgressPanel(sessions, now, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel)
        self.sessions, self.skill, self.table = self.panel.sessions, self.panel.skill, self.panel.table
        self.statements, self.plot, self.curve = self.panel.statements, self.panel.plot, self.panel.curve
