"""Running a worker thread below its caller's priority, so the thread that sets the pace keeps the cores."""

from __future__ import annotations

import contextlib
import os
import sys
import threading


def lower_this_thread_priority(nice_steps: int) -> None:
    """Raise the calling thread's niceness by ``nice_steps`` (threads it starts inherit it).

    Linux applies niceness per thread; elsewhere, or where it is not
    permitted, the thread keeps its priority.
    """
    if not sys.platform.startswith("linux"):  # elsewhere a thread id is no process id: leave it be
        return
    thread_id = threading.get_native_id()
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, thread_id, os.getpriority(os.PRIO_PROCESS, thread_id) + nice_steps)
