"""The reference dancer beside the live view: its picture on the music's clock, the count-in dots, the next steps.

A thin view over ``PlayAlong`` (live/play_along_run.py): a timer reads the
camera's clock, starts the sound once the first frame fixed it, and shows
the reference frame at the music's position. Nothing here keeps time itself.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.gui.image_label import ImageLabel
from motor_trainer.live.live_analysis import LiveRun
from motor_trainer.live.play_along import COUNT_IN_BEATS, blend_behind, upcoming_steps
from motor_trainer.live.play_along_run import PlayAlong
from motor_trainer.live.practice_loop import LoopTally
from motor_trainer.live.session_setup import ReferenceLayout

#: How often the reference picture follows the music (faster than any video's frame interval).
TICK_MS = 15
#: Steps shown ahead in the strip.
STEPS_AHEAD = 3
_DOT_ON = "font-size: 30px; color: #E69F00;"
_DOT_OFF = "font-size: 30px; color: #555555;"


class DanceAlongView(QWidget):
    """The reference's picture (or only its strip when it is drawn behind the live view), count-in dots, next steps.

    ``shown`` keeps (music_s when shown, music_s of the frame shown) for every
    reference frame put on screen: how far the picture trailed the music.
    """

    def __init__(self, run: LiveRun, parent: QWidget | None = None):
        super().__init__(parent)
        self.run = run
        self.play_along: PlayAlong | None = None
        self.music_s: float | None = None
        self.reference_image: np.ndarray | None = None  # the newest reference frame, mirrored as shown
        self._last_raw: np.ndarray | None = None  # the same frame as decoded (to notice a new one)
        self.shown: list[tuple[float, float]] = []
        self.caption = QLabel("Reference: loading the routine…")
        self.caption.setStyleSheet("font-weight: bold;")
        self.image = ImageLabel("The reference dancer appears here")
        self.dots = [QLabel("●") for _ in range(COUNT_IN_BEATS)]
        self.count_label = QLabel("")
        self.count_label.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.strip = QLabel("")
        self.strip.setStyleSheet("font-size: 16px;")
        self.loop_label = QLabel("")
        self.loop_label.setWordWrap(True)
        self.loop_label.setStyleSheet("font-size: 15px; font-weight: bold; color: #0072B2;")
        self.loop_label.setVisible(False)
        self.loop_tally: LoopTally | None = None
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #E69F00;")
        dots = QHBoxLayout()
        for dot in self.dots:
            dot.setStyleSheet(_DOT_OFF)
            dots.addWidget(dot)
        dots.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.image, 1)
        layout.addLayout(dots)
        layout.addWidget(QLabel("Next steps"))
        layout.addWidget(self.strip)
        layout.addWidget(self.loop_label)
        layout.addWidget(self.note)
        self._room = layout.count()
        layout.addStretch(0)  # takes the picture's room when the reference is drawn behind the live view
        self._layout = layout
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._timer.start()

    @property
    def behind(self) -> bool:
        return self.play_along is not None and self.play_along.settings.layout is ReferenceLayout.BEHIND

    def _on_tick(self) -> None:
        if self.play_along is None and not self._attach():
            return
        assert self.play_along is not None
        camera_s = self.run.camera_now_s()
        if camera_s is None:
            return
        if not self.play_along.started:
            origin_s = self.run.clock_origin_monotonic_s()
            if origin_s is not None:
                self.play_along.start(origin_s)
        music_s = self.music_s = self.play_along.clock.music_s(camera_s)
        found = self.play_along.reference_frame(music_s)
        if found is not None and (self.reference_image is None or found[1] is not self._last_raw):
            self._last_raw = found[1]
            self.reference_image = np.ascontiguousarray(found[1][:, ::-1]) if self.play_along.settings.mirror else found[1]
            if not self.behind:
                self.image.show_image(self.reference_image)
        if found is not None and music_s >= 0:
            self.shown.append((music_s, found[0]))
        self._show_count_in(music_s)
        self._show_next_steps(music_s)
        if self.loop_tally is not None:
            self._show_loop()

    def _attach(self) -> bool:
        play_along = getattr(self.run.analyser, "play_along", None)
        if play_along is None:
            return False
        self.play_along = play_along
        settings = play_along.settings
        mirrored = ", mirrored" if settings.mirror else ""
        self.caption.setText(f"Reference: {play_along.routine.name} at {settings.speed:g}×{mirrored}")
        self.image.setVisible(not self.behind)
        self._layout.setStretch(self._room, 1 if self.behind else 0)
        self.note.setText("\n".join(play_along.notes))
        if play_along.loop is not None:
            self.loop_tally = LoopTally(play_along.loop, play_along.steps_per_pass or 1)
            self.loop_label.setVisible(True)
            self._show_loop()
        return True

    def _on_steps(self, events: tuple[StepTierEvent, ...]) -> None:
        """Judged steps: a looped section counts its clean passes."""
        if self.loop_tally is None:
            return
        for event in events:
            self.loop_tally.add(event)
        self._show_loop()

    def _show_loop(self) -> None:
        assert self.play_along is not None and self.loop_tally is not None
        length_s = self.play_along.loop_length_s
        playing = 1 if self.music_s is None or length_s is None else int(max(self.music_s, 0.0) // length_s) + 1
        text = self.loop_tally.summary(self.play_along.settings.speed, self.play_along.full_routine_steps, playing)
        if text != self.loop_label.text():
            self.loop_label.setText(text)

    def _show_count_in(self, music_s: float) -> None:
        assert self.play_along is not None
        beat = self.play_along.clock.count_in_beat(music_s)
        for number, dot in enumerate(self.dots, start=1):
            dot.setStyleSheet(_DOT_ON if beat is not None and number <= beat else _DOT_OFF)
        if beat is not None:
            self.count_label.setText(f"Count-in: {beat}")
        elif music_s < 0:
            self.count_label.setText("Get ready")
        else:
            self.count_label.setText("Dance!")

    def _show_next_steps(self, music_s: float) -> None:
        assert self.play_along is not None
        play_along = self.play_along
        first_number = 1 if play_along.loop is None else play_along.loop.first_step
        settings = play_along.settings
        steps = upcoming_steps(
            play_along.routine, music_s, STEPS_AHEAD, settings.mirror, settings.speed, play_along.steps_per_pass, first_number
        )
        text = "   ".join(f"<b>{step.text}</b>" if i == 0 else step.text for i, step in enumerate(steps)) or "End of the routine"
        if text != self.strip.text():
            self.strip.setText(text)

    def behind_live(self, live_rgb: np.ndarray) -> np.ndarray:
        """The live picture with the reference faint behind it (when that layout is chosen and a frame is ready)."""
        if not self.behind or self.reference_image is None:
            return live_rgb
        return blend_behind(live_rgb, self.reference_image)

    def stop(self) -> None:
        """Stop the picture and the sound (the run ended or the screen closes)."""
        self._timer.stop()
        if self.play_along is not None:
            self.play_along.close()
