"""Which program is recording a session: an advisory lock the operating system releases on death."""

from __future__ import annotations

from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; see RecordingLock
    fcntl = None  # type: ignore[assignment]

from motor_trainer.errors import UserFacingError
from motor_trainer.storage.session_folder import RECORDING_LOCK_NAME

if TYPE_CHECKING:
    from motor_trainer.storage.session_folder import Session


class RecordingLock:
    """An exclusive lock on a session while a program records it (or recovers it).

    The operating system drops the lock when its process dies, however it dies,
    so a held lock means "a live program is writing here" and a free lock on a
    session still marked "recording" means its program was killed. POSIX only
    (fcntl); elsewhere every unfinished session counts as interrupted.
    """

    def __init__(self, session: Session) -> None:
        self.path = session.directory / RECORDING_LOCK_NAME
        self._file = open(self.path, "a")  # noqa: SIM115 - held until release()
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                raise UserFacingError(f"{session.directory}: a running Motor Trainer is recording this session") from None

    def release(self) -> None:
        """Unlock and remove the lock file (unlinking first so no other process locks a dead file)."""
        if not self._file.closed:
            self.path.unlink(missing_ok=True)
            self._file.close()

    def __enter__(self) -> RecordingLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def is_being_recorded(session: Session) -> bool:
    """Whether a running program holds the session's recording lock."""
    if fcntl is None:
        return False
    try:
        probe = open(session.directory / RECORDING_LOCK_NAME)  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False
    with probe:
        try:
            fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
    return False
