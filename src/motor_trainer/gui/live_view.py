"""The live image with its skeleton, and the closed-loop heads-up line: timing offset and the last step's tier."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from motor_trainer.gui.image_label import ImageLabel
from motor_trainer.live.live_analysis import LiveFrame, StatusChanged, StepProgress
from motor_trainer.skills.closed_loop import StepTier

#: Tier colours (Okabe-Ito): bluish green, sky blue, orange, vermillion.
TIER_COLOURS = {
    StepTier.PERFECT: "#009E73",
    StepTier.GOOD: "#56B4E9",
    StepTier.OK: "#E69F00",
    StepTier.MISS: "#D55E00",
}


def offset_words(offset_ms: float) -> str:
    if abs(offset_ms) < 0.5:
        return "on the beat"
    return f"{abs(offset_ms):.0f} ms {'behind' if offset_ms > 0 else 'ahead'}"


class LiveView(QWidget):
    """Shows frames from the worker; for a closed-loop skill also the running offset and each step's tier."""

    def __init__(self, closed_loop: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = ImageLabel("Starting the camera…")
        self.image.setCursor(Qt.CursorShape.CrossCursor)
        self.image.setToolTip("Skeleton on someone else? Click the person to coach")
        self.shown_time_s: float | None = None  # when the shown image was filmed (the mirror shows the past)
        self._looking_for_clicked = False
        self.mirror_caption = QLabel("")
        self.mirror_caption.setStyleSheet("font-size: 16px; font-weight: bold; color: #56B4E9;")
        self.mirror_caption.setVisible(False)
        self.status = QLabel("")
        self.offset_label = QLabel("")
        self.tier_label = QLabel("")
        self.tier_label.setStyleSheet("font-size: 20px; font-weight: bold;")
        heads_up = QHBoxLayout()
        heads_up.addWidget(self.tier_label, 1)
        heads_up.addWidget(self.offset_label)
        self.offset_label.setVisible(closed_loop)
        self.tier_label.setVisible(closed_loop)
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mirror_caption)
        layout.addWidget(self.image, 1)
        layout.addLayout(heads_up)
        layout.addWidget(self.status)

    def _on_frame(self, frame: LiveFrame, delayed: tuple[float, np.ndarray] | None = None) -> None:
        """Show the newest frame, or with the delayed mirror on, the ``(time_s, image)`` filmed earlier."""
        self.shown_time_s, image = delayed if delayed is not None else (frame.time_s, frame.image_rgb)
        self.image.show_image(image)
        if self._looking_for_clicked:
            if frame.detected:
                self._looking_for_clicked = False
                self.status.setText("Following the person you clicked")
        elif not frame.detected:
            self.status.setText("Nobody in view: step into the picture")
        elif self.status.text().startswith("Nobody"):
            self.status.setText("")

    def look_for_clicked_person(self) -> None:
        """Say so until someone is found (the clicked person is in view: 'nobody in view' would be wrong)."""
        self._looking_for_clicked = True
        self.status.setText("Looking for the person you clicked…")

    def _on_status(self, status: StatusChanged) -> None:
        self.status.setText(status.message)

    def _on_step_progress(self, progress: StepProgress) -> None:
        self.offset_label.setText(f"Timing: {offset_words(progress.timing_offset_ms)}")
        for event in progress.step_events:
            colour = TIER_COLOURS[event.tier]
            detail = "" if event.timing_error_ms is None else f" ({event.timing_error_ms:+.0f} ms)"
            self.tier_label.setText(f"Step {event.reference_index + 1}: {event.tier.upper()}{detail}")
            self.tier_label.setStyleSheet(f"font-size: 20px; font-weight: bold; color: {colour};")
