"""One live session on screen: live view (with the replay beside it), attempts and outcome entry, coach, plots.

The screen connects the LiveSession's signals to the state and the widgets;
every handler runs on the GUI thread and does only light work (judging a rep
with its outcome takes well under a millisecond; replay frames are drawn in
the replay panel's own thread).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.analysis.entered_outcomes import outcome_event_payload
from motor_trainer.analysis.outcomes import HitMiss, Outcome, aim_point_mm
from motor_trainer.records.verdict import SkillKind
from motor_trainer.calibration.targets import standard_dartboard
from motor_trainer.gui.attempt_list import AttemptList
from motor_trainer.gui.coach_panel import CoachPanel
from motor_trainer.gui.dance_along_view import DanceAlongView
from motor_trainer.gui.dartboard_widget import DartboardWidget
from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.live.live_analysis import (
    MAX_MIRROR_DELAY_S,
    ClosedLoopAnalyser,
    LiveFrame,
    OpenLoopAnalyser,
    RepFound,
    RunEnded,
    StepProgress,
)
from motor_trainer.gui.live_view import LiveView
from motor_trainer.gui.live_worker import LiveSession
from motor_trainer.feedback.replay import ReplayRenderer
from motor_trainer.feedback.replay_inputs import outcome_inset
from motor_trainer.live.open_loop_outcome import replay_for
from motor_trainer.gui.plots import ProgressPlots
from motor_trainer.live.practice_state import PracticeState, step_verdict
from motor_trainer.gui.replay_panel import ReplayPanel
from motor_trainer.live.session_factory import open_loop_preset, starting_difficulty
from motor_trainer.live.session_setup import SessionSetup
from motor_trainer.live.step_replay import step_replay
from motor_trainer.storage.events import EventKind

#: How often the plots are redrawn during a live run.
PLOT_REFRESH_MS = 1000


class PracticeScreen(QWidget):
    """The practice view of one session; ``closed`` asks the window to go back to the start panel.

    ``mirror_delay_s``: the delayed mirror's delay to start with (0: the live picture).
    ``sound_cue``: start with the short sound on an obvious miss on (the system's bell; off by default).
    """

    closed = Signal()

    def __init__(
        self, setup: SessionSetup, session: LiveSession, mirror_delay_s: float = 0.0, sound_cue: bool = False, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setup = setup
        self.session = session
        closed_loop = setup.kind is SkillKind.CLOSED_LOOP
        self.state = PracticeState(setup.skill, setup.kind, setup.mode, starting_difficulty(setup))
        self.live_view = LiveView(closed_loop)
        self.replay = ReplayPanel()
        self.attempts = AttemptList()
        self.coach = CoachPanel(self.state)
        self.plots = ProgressPlots(self.state, None if closed_loop else open_loop_preset(setup))
        self.dartboard: DartboardWidget | None = None
        self.dance_along = DanceAlongView(session.run) if closed_loop else None

        views = QWidget()  # a layout, not a splitter: the live view takes the replay's room back when it closes
        views_layout = QHBoxLayout(views)
        views_layout.setContentsMargins(0, 0, 0, 0)
        if self.dance_along is not None:
            views_layout.addWidget(self.dance_along, 1)
        views_layout.addWidget(self.live_view, 1)
        views_layout.addWidget(self.replay, 1)
        attempts_page = QWidget()
        attempts_layout = QVBoxLayout(attempts_page)
        attempts_layout.addWidget(QLabel("Steps, as judged" if closed_loop else "Reps, newest last"))
        attempts_layout.addWidget(self.attempts, 1)
        if not closed_loop:
            self._add_outcome_entry(attempts_layout)
        self.tabs = QTabWidget()
        self.tabs.addTab(attempts_page, "Steps" if closed_loop else "Reps")
        self.tabs.addTab(self.coach, "Coach")
        self.tabs.addTab(self.plots, "Plots")
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(views)
        body.addWidget(self.tabs)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setSizes([1000, 440])
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self._on_stop)
        back = QPushButton("New session")
        back.setObjectName("new-session")
        back.clicked.connect(self._on_back)
        title = QLabel(f"<b>{setup.skill}</b> · {setup.source_name} · {setup.mode}")
        self.mirror_delay = QDoubleSpinBox()
        self.mirror_delay.setRange(0.0, MAX_MIRROR_DELAY_S)
        self.mirror_delay.setSingleStep(0.5)
        self.mirror_delay.setDecimals(1)
        self.mirror_delay.setSuffix(" s late")
        self.mirror_delay.setSpecialValueText("off (live)")
        self.mirror_delay.setToolTip("Delayed mirror: show the picture this many seconds late, to watch your last rep from where you stand")
        self.mirror_delay.valueChanged.connect(self._on_mirror_delay_changed)
        self.mirror_delay.setValue(mirror_delay_s)
        self.sound_cue = QCheckBox("Sound on a miss")
        self.sound_cue.setToolTip("A short beep when an obvious miss is replayed, for when you are not looking at the screen")
        self.sound_cue.setChecked(sound_cue)
        self.cues_sounded = 0
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(QLabel("Mirror"))
        top.addWidget(self.mirror_delay)
        top.addWidget(self.sound_cue)
        top.addWidget(self.stop_button)
        top.addWidget(back)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(body, 1)

        session.frame_ready.connect(self._on_frame)
        self.live_view.image.clicked_at.connect(self._on_person_clicked)
        session.status_changed.connect(self.live_view._on_status)
        session.step_progress.connect(self._on_step_progress)
        session.rep_found.connect(self._on_rep_found)
        session.ended.connect(self._on_ended)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.replay.close_replay)
        self._plot_timer = QTimer(self)
        self._plot_timer.timeout.connect(self.plots.refresh)
        self._plot_timer.start(PLOT_REFRESH_MS)

    def _add_outcome_entry(self, layout: QVBoxLayout) -> None:
        if self.setup.outcome_on_board:
            preset = open_loop_preset(self.setup)
            board = standard_dartboard()
            self.dartboard = DartboardWidget(board, aim_point_mm(preset.outcome, board))
            self.dartboard.landed.connect(self._on_outcome)
            layout.addWidget(QLabel("Where did it land? Click the board (or press H for a hit, M for a miss)."))
            layout.addWidget(self.dartboard, 2)
        else:
            layout.addWidget(QLabel("After each rep: press H for a hit, M for a miss."))
        QShortcut(QKeySequence(Qt.Key.Key_H), self, lambda: self._on_outcome(HitMiss(True)))
        QShortcut(QKeySequence(Qt.Key.Key_M), self, lambda: self._on_outcome(HitMiss(False)))

    # --- handlers -----------------------------------------------------------------------------

    def _on_frame(self, frame: LiveFrame) -> None:
        if self.dance_along is not None and self.dance_along.behind:
            frame = dataclasses.replace(frame, image_rgb=self.dance_along.behind_live(frame.image_rgb))
        delay_s = self.mirror_delay.value()
        delayed = self.session.run.delayed_image(frame.time_s, delay_s) if delay_s > 0 else None
        if delay_s > 0:
            self.live_view.mirror_caption.setText(
                f"Delayed mirror: {delay_s:g} s ago" if delayed else f"Delayed mirror: starts once {delay_s:g} s are filmed"
            )
        self.live_view._on_frame(frame, delayed)

    def _on_person_clicked(self, x_fraction: float, y_fraction: float) -> None:
        """Follow the person clicked in the live image. With the delayed mirror on, the point is where they
        were then; the model looks around it (a square 0.6 of the frame's short side) until it finds them."""
        width_px, height_px = self.session.run.image_size_px
        if not width_px:
            return  # the camera has not sent a frame yet
        self.session.run.follow_subject_near((x_fraction * width_px, y_fraction * height_px))
        self.live_view.look_for_clicked_person()

    def _on_mirror_delay_changed(self, delay_s: float) -> None:
        self.live_view.mirror_caption.setVisible(delay_s > 0)

    def _on_rep_found(self, found: RepFound) -> None:
        analyser = self.session.run.analyser
        if not self.state.reps and isinstance(analyser, OpenLoopAnalyser):  # the analyser and its reference exist once reps come
            self.plots.show_reference(analyser.reference)
        self.attempts._on_rep(self.state.add_rep(found))
        self.session.run.record_rep(found.detected.rep)

    def _on_outcome(self, outcome: Outcome) -> None:
        analyser = self.session.run.analyser
        if not isinstance(analyser, OpenLoopAnalyser):
            return
        difficulty = self.state.coach.difficulty  # the rep is judged at this one; observing it may end a block and change it
        result = self.state.enter_outcome(outcome, analyser)
        if result is None:
            self.live_view.status.setText("No rep yet: throw first, then enter where it landed")
            return
        entry, said = result
        verdict = entry.analysis.verdict
        payload = outcome_event_payload(entry.analysis.outcome, outcome, difficulty.outcome_tolerance_mm, difficulty.trajectory_z_threshold)
        self.session.run.record_event(EventKind.OUTCOME, payload, verdict.end_s)
        self.session.run.record_event(EventKind.VERDICT, verdict.to_dict(), verdict.end_s)
        self.attempts._on_rep(entry)
        self.coach._on_messages(said)
        self.plots.refresh()
        run = self.session.run
        if run.frames is None or run.poses is None:  # nothing filmed yet to replay from
            return
        inset = outcome_inset(outcome, analyser.preset.outcome, difficulty.outcome_tolerance_mm)
        renderer = replay_for(entry.analysis, run.frames, run.poses, inset, run.image_size_px)
        if renderer is not None:
            self._replay_miss(renderer, renderer.caption or "Where it landed, against where you aimed.")

    def _on_step_progress(self, progress: StepProgress) -> None:
        said = self.state.add_step_progress(progress)
        self.live_view._on_step_progress(progress)
        self.attempts._on_steps(progress.step_events)
        if self.dance_along is not None:
            self.dance_along._on_steps(progress.step_events)
        self.coach._on_messages(said)
        for event in progress.step_events:
            self.session.run.record_event(EventKind.VERDICT, step_verdict(event, self.setup.skill).to_dict(), event.time_s)
            self._replay_missed_step(event)

    def _replay_missed_step(self, event: StepTierEvent) -> None:
        """A missed step's replay opens at once, unless another is still playing (half a replay teaches nothing)."""
        analyser = self.session.run.analyser
        run = self.session.run
        if self.replay.playing or not isinstance(analyser, ClosedLoopAnalyser) or run.frames is None or run.poses is None:
            return
        verdict = step_verdict(event, self.setup.skill)
        renderer = step_replay(
            event, verdict, analyser.routine, list(self.state.followed), run.frames, run.poses, run.image_size_px, analyser.ok_window_s
        )
        if renderer is not None:
            caption = f"Step {event.reference_index + 1}: your {event.foot} foot did not land in time. The blue ghost dances the step."
            self._replay_miss(renderer, caption)

    def _replay_miss(self, renderer: ReplayRenderer, caption: str) -> None:
        """Open the replay of an obvious miss beside the live view, with the sound cue if it is on."""
        self.replay.play(renderer, caption)
        if self.sound_cue.isChecked():
            QApplication.beep()
            self.cues_sounded += 1

    def _on_ended(self, ended: RunEnded) -> None:
        self.stop_button.setEnabled(False)
        if self.dance_along is not None:
            self.dance_along.stop()
        if ended.error:
            self.live_view.status.setText(ended.error)
            return
        if self.state.kind is SkillKind.CLOSED_LOOP:
            self.coach._on_messages(self.state.finish())
        self.plots.refresh()
        self.live_view.status.setText(f"Ended: {ended.frames_processed} of {ended.frames_captured} frames analysed")

    def _on_stop(self) -> None:
        self.session.stop()

    def _on_back(self) -> None:
        self.closed.emit()

    def close_session(self) -> Path | None:
        """Stop the live run, close any replay and finish the recording: the saved session's folder, if any."""
        self.session.shutdown()
        if self.dance_along is not None:
            self.dance_along.stop()
        self.replay.close_replay()
        return self.session.run.close_recording()
