"""The Qt side of a live run: the GUI thread drains the worker's events and re-emits them as signals.

The worker (``LiveRun``, a plain thread) never touches Qt. It calls back after
each frame, which posts a wake-up to the GUI thread, and a timer drains
whatever else arrives; each time, the session takes every event that arrived,
keeps only the newest frame (a slow paint drops frames instead of queuing
them), and emits signals from the GUI thread, so every widget slot runs where
widgets may be touched.
"""

from __future__ import annotations

import queue
import sys
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from motor_trainer.live.live_analysis import LiveFrame, LiveRun, RepFound, RunEnded, RunState, StatusChanged, StepProgress

#: How often the GUI looks for results besides the frames it is woken for (status, the run's end).
TICK_MS = 15
#: The interpreter's thread switch interval during a live run. The default 5 ms lets a busy worker
#: (decode, capture, analysis) keep the GIL long enough, on a loaded machine, to delay the GUI by
#: several switch rounds; 2 ms hands it back sooner at a negligible cost.
LIVE_SWITCH_INTERVAL_S = 0.002


class LiveSession(QObject):
    """Owns one LiveRun and turns its events into signals.

    ``tick_gaps_ms`` records how smooth the GUI stayed while frames were flowing
    (loading the model holds the interpreter for a moment before that, once).
    """

    frame_ready = Signal(object)  # LiveFrame
    step_progress = Signal(object)  # StepProgress
    rep_found = Signal(object)  # RepFound
    status_changed = Signal(object)  # StatusChanged
    ended = Signal(object)  # RunEnded
    _frame_waiting = Signal()  # emitted from the worker thread; delivered in the GUI thread

    def __init__(self, run: LiveRun, parent: QObject | None = None):
        super().__init__(parent)
        self.run = run
        # A frame is shown as soon as it is processed, not up to a timer tick (15 ms) later.
        self._frame_waiting.connect(self._on_tick, Qt.ConnectionType.QueuedConnection)
        run.frame_ready = self._frame_waiting.emit
        self.tick_gaps_ms: list[float] = []
        self._last_tick_s: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self.is_live = False
        self.is_running = False  # frames flowing (model loaded, source open)

    def start(self) -> None:
        sys.setswitchinterval(min(sys.getswitchinterval(), LIVE_SWITCH_INTERVAL_S))
        self.is_live = True
        self.run.start()
        self._timer.start()

    def stop(self) -> None:
        """Ask the worker to stop; ``ended`` follows from a later tick (the GUI never waits for it)."""
        self.run.request_stop()

    def shutdown(self) -> None:
        """Stop and wait for the worker: for closing the screen or the window."""
        self.run.frame_ready = None  # a worker outliving the wait must not signal a session being closed
        self.run.stop()
        self._timer.stop()
        self.is_live = False

    def _on_tick(self) -> None:
        now_s = time.monotonic()
        if self._last_tick_s is not None and self.is_running:
            self.tick_gaps_ms.append(1000.0 * (now_s - self._last_tick_s))
        self._last_tick_s = now_s
        newest_frame = None
        events = []
        while True:
            try:
                event = self.run.events.get_nowait()
            except queue.Empty:
                break
            if isinstance(event, LiveFrame):
                newest_frame = event
            else:
                events.append(event)
        if newest_frame is not None:
            self.frame_ready.emit(newest_frame)
        for event in events:
            self._emit(event)

    def _emit(self, event: object) -> None:
        if isinstance(event, StepProgress):
            self.step_progress.emit(event)
        elif isinstance(event, RepFound):
            self.rep_found.emit(event)
        elif isinstance(event, StatusChanged):
            self.is_running = event.state is RunState.RUNNING
            self.status_changed.emit(event)
        elif isinstance(event, RunEnded):
            self._timer.stop()
            self.is_live = self.is_running = False
            self.ended.emit(event)
