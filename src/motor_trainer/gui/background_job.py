"""Run one slow library call (board detection, a calibration, decoding a frame) off the GUI thread.

The call runs in a plain thread and never touches Qt; its result comes back
by signal, which Qt queues to the GUI thread because the job object lives
there. Connect the signals to methods of widgets (QObjects), not to lambdas,
so the slots run on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from motor_trainer.errors import UserFacingError


class BackgroundJob(QObject):
    """One call at a time: ``succeeded(result)`` or ``failed(one-line message)`` follows ``start``.

    ``busy`` turns False on the GUI thread just before the result is handed
    on, so a slot may start the next call at once.
    """

    succeeded = Signal(object)
    failed = Signal(str)
    _returned = Signal(object)
    _raised = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.busy = False
        self._thread: threading.Thread | None = None
        self._returned.connect(self._on_returned)
        self._raised.connect(self._on_raised)

    def start(self, call: Callable[..., Any], *args: Any) -> None:
        if self.busy:
            raise RuntimeError(f"{self.name} is still running")
        self.busy = True
        self._thread = threading.Thread(target=self._run, args=(call, args), name=self.name, daemon=True)
        self._thread.start()

    def wait(self, timeout_s: float = 10.0) -> None:
        """Block until the call has returned: for closing the dialog with nothing left running."""
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            result = call(*args)
        except UserFacingError as error:
            self._raised.emit(str(error))
            return
        except Exception as error:
            # A bug, not bad input: the dialog must not stay busy forever, and the traceback still prints.
            self._raised.emit(f"{self.name} failed unexpectedly: {type(error).__name__}: {error}")
            raise
        self._returned.emit(result)

    def _on_returned(self, result: Any) -> None:
        self.busy = False
        self.succeeded.emit(result)

    def _on_raised(self, message: str) -> None:
        self.busy = False
        self.failed.emit(message)
