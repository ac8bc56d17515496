"""What the coach says, newest last: block reflections, difficulty changes, rest, rewards, obvious misses."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from motor_trainer.coaching.practice import CoachMessage, MessageKind
from motor_trainer.live.practice_state import PracticeState

KIND_TITLES = {
    MessageKind.BLOCK_SUMMARY: "Block",
    MessageKind.SCORE: "Score",
    MessageKind.REFLECTION: "Reflect",
    MessageKind.KEEP_GOING: "Keep going",
    MessageKind.REST: "Rest",
    MessageKind.DIFFICULTY: "Difficulty",
    MessageKind.REWARD: "Notice this",
    MessageKind.OBVIOUS_MISS: "Miss",
}
KIND_COLOURS = {
    MessageKind.REWARD: QColor(0, 158, 115),
    MessageKind.REST: QColor(204, 121, 167),
    MessageKind.DIFFICULTY: QColor(0, 114, 178),
    MessageKind.OBVIOUS_MISS: QColor(213, 94, 0),
}


class CoachPanel(QWidget):
    """Lists ``state.messages``; call ``_on_messages`` with what the coach just said."""

    def __init__(self, state: PracticeState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.header = QLabel()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.list, 1)
        self._on_messages(state.messages)

    def _on_messages(self, said: list[CoachMessage]) -> None:
        for message in said:
            item = QListWidgetItem(f"{KIND_TITLES[message.kind]}: {message.text}")
            colour = KIND_COLOURS.get(message.kind)
            if colour is not None:
                item.setForeground(colour)
            self.list.addItem(item)
        if said:
            self.list.scrollToBottom()
        self._show_header()

    def _show_header(self) -> None:
        coach = self.state.coach
        score = coach.score
        scored = f" · score {score.successes}/{score.reps}" if score is not None else ""
        self.header.setText(f"{coach.mode.capitalize()} mode · difficulty level {coach.difficulty.level}{scored}")
