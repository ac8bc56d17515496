"""Each open-loop rep with its verdict, and each closed-loop step with its tier, one line per attempt."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.analysis.outcomes import HitMiss
from motor_trainer.records.verdict import Severity
from motor_trainer.gui.live_view import TIER_COLOURS
from motor_trainer.live.practice_state import RepEntry

SEVERITY_COLOURS = {
    Severity.CLEAN: QColor(0, 158, 115),
    Severity.SUBTLE: QColor(180, 150, 0),
    Severity.OBVIOUS: QColor(213, 94, 0),
}


def rep_line(entry: RepEntry) -> str:
    """"Rep 2 · MISS, landed 21 cm low-left (S19) · verdict obvious: outcome" — what the list shows for a rep."""
    verdict = entry.analysis.verdict
    judged = entry.analysis.outcome
    if entry.outcome is None or judged is None:
        result = "waiting for the outcome: click the board, or H / M"
    elif isinstance(entry.outcome, HitMiss):
        result = "HIT" if judged.success else "MISS"
    else:
        where = f" ({judged.label})" if judged.label else ""
        size = "" if judged.error_mm is None else f", landed {judged.error_mm / 10:.0f} cm {judged.direction}"
        result = f"{'HIT' if judged.success else 'MISS'}{size}{where}"
    severity = str(verdict.severity) if not verdict.channel else f"{verdict.severity}: {verdict.channel.replace('_', ' ')}"
    judged_on = "form" if entry.outcome is None else "verdict"
    return f"Rep {entry.number} · {result} · {judged_on} {severity}"


def step_line(event: StepTierEvent) -> str:
    timing = "never landed" if event.timing_error_ms is None else f"{event.timing_error_ms:+.0f} ms"
    return f"Step {event.reference_index + 1} ({event.foot} foot) · {event.tier.upper()} · {timing}"


class AttemptList(QListWidget):
    """Reps (open-loop) or steps (closed-loop) as they are judged; the newest stays in view."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)

    def _on_rep(self, entry: RepEntry) -> None:
        """Add a new rep, or rewrite its line once its outcome is in."""
        row = entry.number - 1
        item = self.item(row) if row < self.count() else None
        if item is None:
            item = QListWidgetItem()
            self.addItem(item)
        item.setText(rep_line(entry))
        if entry.outcome is not None:
            item.setForeground(SEVERITY_COLOURS[entry.analysis.verdict.severity])
        self.scrollToBottom()

    def _on_steps(self, events: tuple[StepTierEvent, ...]) -> None:
        for event in events:
            item = QListWidgetItem(step_line(event))
            item.setForeground(QColor(TIER_COLOURS[event.tier]))
            self.addItem(item)
        if events:
            self.scrollToBottom()
