"""The exaggerated replay beside the live view: frames drawn in a thread, shown at the replay's pace.

Drawing a replay frame takes tens of milliseconds, so a render thread draws
ahead into a small queue and a GUI timer shows one frame per replay frame
interval. The panel closes itself when the replay ends, or on Escape / the
close button; the live view beside it never stops.
"""

from __future__ import annotations

import queue
import threading

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from motor_trainer.feedback.replay import ReplayRenderer
from motor_trainer.gui.image_label import ImageLabel
from motor_trainer.live.live_analysis import lower_thread_priority

#: Frames drawn ahead of the one shown.
_AHEAD_FRAMES = 6


LIVE_REPLAY_TITLE = "Replay of the last obvious miss (the live view keeps running)"


class ReplayPanel(QWidget):
    """Plays one ReplayRenderer at a time; ``started`` and ``finished`` tell the window; ``title`` heads it."""

    started = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget | None = None, title: str = LIVE_REPLAY_TITLE):
        super().__init__(parent)
        self.renderer: ReplayRenderer | None = None
        self.frames_shown = 0
        self._frames: queue.Queue = queue.Queue(maxsize=_AHEAD_FRAMES)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._title = QLabel(title)
        self._title.setStyleSheet("font-weight: bold; color: rgb(213, 94, 0);")
        self._caption = QLabel()
        self._caption.setWordWrap(True)
        self.image = ImageLabel()
        close = QPushButton("Close replay (Esc)")
        close.clicked.connect(self.close_replay)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget in (self._title, self.image, self._caption, close):
            layout.addWidget(widget)
        layout.setStretch(1, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_frame_due)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self, renderer: ReplayRenderer, caption: str) -> None:
        """Start ``renderer`` now, replacing any replay still playing; ``caption`` says what it shows."""
        self._stop_rendering()
        self.renderer = renderer
        self.frames_shown = 0
        self._frames = queue.Queue(maxsize=_AHEAD_FRAMES)
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._render_all, args=(renderer, self._frames, self._cancel), name="replay-render",
                                        daemon=True)
        self._thread.start()
        self._caption.setText(caption)
        self._timer.start(max(15, round(1000.0 / renderer.fps)))
        self.show()
        self.started.emit()

    def close_replay(self) -> None:
        if self.renderer is None:
            return
        self._stop_rendering()
        self.renderer = None
        self.hide()
        self.finished.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802 — Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.close_replay()
        else:
            super().keyPressEvent(event)

    @staticmethod
    def _render_all(renderer: ReplayRenderer, frames: queue.Queue, cancel: threading.Event) -> None:
        """Draw every frame ahead of the player, then None for the end; give up when cancelled."""
        lower_thread_priority()

        def offer(item: np.ndarray | None) -> bool:
            while not cancel.is_set():
                try:
                    frames.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        for image in renderer.frames():
            if not offer(image):
                return
        offer(None)

    def _on_frame_due(self) -> None:
        try:
            image: np.ndarray | None = self._frames.get_nowait()
        except queue.Empty:
            return  # the renderer is behind: keep the last frame a little longer
        if image is None:
            self.close_replay()
            return
        self.image.show_image(image)
        self.frames_shown += 1

    def _stop_rendering(self) -> None:
        self._timer.stop()
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(1.0)
            self._thread = None
