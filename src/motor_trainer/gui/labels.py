"""Labels every screen shares: where a problem is said in one line, in one colour."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

#: Okabe-Ito vermillion: the colour the app gives misses and problems alike.
PROBLEM_STYLE = "color: rgb(213, 94, 0);"


def problem_label() -> QLabel:
    """An empty, word-wrapped label for one-line problems (a bad file, a missing choice)."""
    label = QLabel("")
    label.setStyleSheet(PROBLEM_STYLE)
    label.setWordWrap(True)
    return label
