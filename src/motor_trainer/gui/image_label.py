"""An RGB numpy image shown scaled to fit, keeping its aspect ratio."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def to_qimage(image_rgb: np.ndarray) -> QImage:
    """A QImage owning a copy of an (height, width, 3) uint8 RGB array."""
    image_rgb = np.ascontiguousarray(image_rgb)
    height, width = image_rgb.shape[:2]
    return QImage(image_rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class ImageLabel(QLabel):
    """Shows the newest image; rescales it when the widget is resized.

    ``clicked_at(x, y)``: a click on the image, as fractions (0-1) of its width and height,
    whatever size it is shown at (clicks on the margins around it are ignored).
    """

    clicked_at = Signal(float, float)

    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(placeholder, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(160, 120)
        self.setStyleSheet("background: rgb(20, 20, 20); color: rgb(200, 200, 200);")
        self._pixmap: QPixmap | None = None
        self.images_shown = 0

    def show_image(self, image_rgb: np.ndarray) -> None:
        self._pixmap = QPixmap.fromImage(to_qimage(image_rgb))
        self.images_shown += 1
        self._rescale()

    def resizeEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        self._rescale()

    def shown_rect(self) -> QRectF | None:
        """Where the image is drawn in the widget (centred, scaled to fit); None before the first image."""
        shown = self.pixmap()
        if self._pixmap is None or shown.isNull():
            return None
        area = self.contentsRect()
        return QRectF(area.x() + (area.width() - shown.width()) / 2, area.y() + (area.height() - shown.height()) / 2,
                      shown.width(), shown.height())

    def mousePressEvent(self, event) -> None:  # noqa: N802 — Qt's name
        super().mousePressEvent(event)
        rect = self.shown_rect()
        if rect is None or event.button() != Qt.MouseButton.LeftButton:
            return
        x_fraction = (event.position().x() - rect.x()) / rect.width()
        y_fraction = (event.position().y() - rect.y()) / rect.height()
        if 0 <= x_fraction <= 1 and 0 <= y_fraction <= 1:
            self.clicked_at.emit(x_fraction, y_fraction)

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt's name
        return QSize(640, 480)

    def _rescale(self) -> None:
        if self._pixmap is not None:
            self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
