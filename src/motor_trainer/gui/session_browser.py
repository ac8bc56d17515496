"""The workspace's saved sessions: a table to open or export one, and the progress across them.

A damaged session folder is one line under the table naming the file and
the cause, never a dialog that stops the listing. Opening a session reviews
it (gui/session_review.py); nothing on disk changes until the person exports
or saves a reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.records.verdict import Verdict
from motor_trainer.records.verdict import is_success
from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.errors import UserFacingError
from motor_trainer.gui.background_job import BackgroundJob
from motor_trainer.gui.progress_view import ProgressPanel
from motor_trainer.gui.session_review import SessionReview
from motor_trainer.storage.export import ExportFormat, export_session
from motor_trainer.storage.session_video import missing_video_line, session_video
from motor_trainer.storage.manifest import SessionStatus, SourceKind
from motor_trainer.storage.session_folder import Session
from motor_trainer.storage.store import SessionStore

COLUMNS = ("Date", "Skill", "Source", "Duration", "Attempts", "Successes")


@dataclass(frozen=True)
class SessionRow:
    """One session as the table shows it; ``verdicts`` is None when its events could not be read."""

    session: Session
    verdicts: tuple[Verdict, ...] | None

    def cells(self) -> tuple[str, ...]:
        manifest = self.session.manifest
        started = manifest.started_at.astimezone()  # the computer's own time zone
        date = started.strftime("%Y-%m-%d %H:%M")
        if manifest.status is SessionStatus.RECORDING:
            date += " (unfinished)"
        attempts = "?" if self.verdicts is None else str(len(self.verdicts))
        successes = "?" if self.verdicts is None else str(sum(is_success(v) for v in self.verdicts))
        return (date, manifest.skill or "-", source_words(self.session), duration_words(manifest.duration_s),
                attempts, successes)


def source_words(session: Session) -> str:
    source = session.manifest.source
    if source.kind is SourceKind.WEBCAM:
        return f"camera {source.camera_index if source.camera_index is not None else ''}".strip()
    name = Path(source.path).name if source.path else "?"
    return name if source.kind is SourceKind.VIDEO_FILE else f"{name} (as camera)"


def duration_words(duration_s: float | None) -> str:
    if duration_s is None:
        return "-"
    minutes, seconds = divmod(round(duration_s), 60)
    return f"{minutes}:{seconds:02d}"


def read_rows(store: SessionStore) -> tuple[list[SessionRow], list[str]]:
    """Every readable session, newest first, and one line per problem (a bad manifest, a bad events file,
    no video left to review)."""
    problems = list(store.problems())
    rows = []
    for session in store:
        if session_video(session) is None:
            problems.append(missing_video_line(session))
        try:
            verdicts: tuple[Verdict, ...] | None = tuple(session.verdicts())
        except UserFacingError as error:
            problems.append(str(error))
            verdicts = None
        rows.append(SessionRow(session, verdicts))
    rows.reverse()
    return rows, problems


def progress_records(rows: list[SessionRow]) -> list[SessionVerdicts]:
    """The complete sessions whose verdicts were readable, oldest first, as progress reads them."""
    return [row.session.progress_record(row.verdicts) for row in reversed(rows)
            if row.verdicts is not None and row.session.manifest.status is SessionStatus.COMPLETE]


def export_all_formats(session: Session, folder: Path) -> list[Path]:
    """Runs in a job's thread: every export format and the bundle of one session, into ``folder``."""
    return [path for export_format in ExportFormat for path in export_session(session, export_format, folder)]


class SessionBrowser(QDialog):
    """The sessions in ``sessions_dir`` (a workspace's ``sessions/``) and the progress plots across them.

    ``now`` words the dates of the progress statements; ``workspace_root``
    (default: the folder holding ``sessions_dir``) holds the references.
    """

    def __init__(self, sessions_dir: Path, now: datetime, parent: QWidget | None = None,
                 workspace_root: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Sessions")
        self.resize(900, 640)
        self.sessions_dir = Path(sessions_dir)
        self.workspace_root = Path(workspace_root) if workspace_root is not None else self.sessions_dir.parent
        self.now = now
        self.rows, self.problems = read_rows(SessionStore(self.sessions_dir))
        self.reviews: list[SessionReview] = []
        self.exported: list[Path] = []

        self.table = QTableWidget(len(self.rows), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, entry in enumerate(self.rows):
            for column, text in enumerate(entry.cells()):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.problems_label = QLabel("\n".join(self.problems))
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: rgb(213, 94, 0);")
        self.problems_label.setVisible(bool(self.problems))
        self.open_button = QPushButton("Open")
        self.export_button = QPushButton("Export…")
        self.status = QLabel("" if self.rows else "No saved sessions yet: practise with “Save this session” ticked.")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.problems_label)
        listing_layout.addLayout(buttons)
        listing_layout.addWidget(self.status)

        self.progress = ProgressPanel(progress_records(self.rows), now)
        self.tabs = QTabWidget()
        self.tabs.addTab(listing, "Sessions")
        self.tabs.addTab(self.progress, "Progress")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

        self._export_job = BackgroundJob("session-export", self)
        self._export_job.succeeded.connect(self._on_exported)
        self._export_job.failed.connect(self._on_export_failed)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.open_button.clicked.connect(self._on_open)
        self.export_button.clicked.connect(self._on_export)
        if self.rows:
            self.table.selectRow(0)
        self._on_selection()

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def open_session(self, row: int) -> SessionReview:
        """The review of the session in table row ``row``, shown beside the browser."""
        review = SessionReview(self.rows[row].session, self.workspace_root, self)
        self.reviews.append(review)
        review.show()
        return review

    def export_selected(self, folder: Path) -> None:
        """Write the selected session in every format, and its bundle, into ``folder`` (off the GUI thread)."""
        row = self.selected_row()
        if row is None or self._export_job.busy:
            return
        session = self.rows[row].session
        self.export_button.setEnabled(False)
        self.status.setText(f"exporting {session.session_id} to {folder}…")
        self._export_job.start(export_all_formats, session, Path(folder))

    def _on_selection(self) -> None:
        chosen = self.selected_row() is not None
        self.open_button.setEnabled(chosen)
        self.export_button.setEnabled(chosen and not self._export_job.busy)

    def _on_double_click(self, row: int, _column: int) -> None:
        self.open_session(row)

    def _on_open(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_session(row)

    def _on_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export the session to…", str(Path.home()))
        if folder:
            self.export_selected(Path(folder))

    def _on_exported(self, paths: list[Path]) -> None:
        self.exported = paths
        self.export_button.setEnabled(True)
        folder = paths[0].parent if paths else ""
        self.status.setText(f"exported {len(paths)} files to {folder}: {', '.join(p.name for p in paths)}")

    def _on_export_failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(message)

    def done(self, result: int) -> None:  # Qt calls it on accept, reject and close
        for review in self.reviews:
            review.close()
        self._export_job.wait()
        super().done(result)
