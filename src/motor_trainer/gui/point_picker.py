"""A frame on which the user clicks named points in a fixed order, with undo.

The image is drawn scaled to fit (aspect kept); clicks are mapped back to
full-resolution image pixels, the space every calibration works in. Left
click places the next point, right click or Backspace takes the last one
back. Lines given by ``set_overlay`` (image pixels) are drawn over the image,
e.g. the board's rings reprojected by a fresh calibration.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from motor_trainer.gui.image_label import to_qimage

_POINT_COLOUR = QColor(255, 200, 0)
_OVERLAY_COLOUR = QColor(0, 230, 255)
_MARK_RADIUS = 6


class PointPicker(QWidget):
    """Collects one click per name in ``point_names``; ``points_changed`` fires after every change."""

    points_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._image: QImage | None = None
        self._image_size_px: tuple[int, int] | None = None
        self.point_names: tuple[str, ...] = ()
        self.points_px: list[tuple[float, float]] = []
        self._overlay_px: list[np.ndarray] = []

    def sizeHint(self) -> QSize:  # noqa: N802 — Qt's name
        return QSize(800, 600)

    @property
    def image_size_px(self) -> tuple[int, int] | None:
        return self._image_size_px

    @property
    def complete(self) -> bool:
        return bool(self.point_names) and len(self.points_px) == len(self.point_names)

    @property
    def next_point_name(self) -> str | None:
        return None if self.complete or not self.point_names else self.point_names[len(self.points_px)]

    def set_image(self, image_rgb: np.ndarray) -> None:
        """Show a new frame; points clicked on another frame size no longer apply and are dropped."""
        size_px = (image_rgb.shape[1], image_rgb.shape[0])
        self._image = to_qimage(image_rgb)
        if size_px != self._image_size_px:
            self.points_px.clear()
        self._image_size_px = size_px
        self._overlay_px = []
        self.update()
        self.points_changed.emit()

    def set_point_names(self, names: tuple[str, ...]) -> None:
        """Start the clicking over with a new list of points (another plane kind)."""
        self.point_names = tuple(names)
        self.points_px.clear()
        self._overlay_px = []
        self.update()
        self.points_changed.emit()

    def set_overlay(self, polylines_px: list[np.ndarray]) -> None:
        """Lines to draw over the image, each an (n, 2) array of image pixels; NaN points break a line."""
        self._overlay_px = [np.asarray(line, dtype=float) for line in polylines_px]
        self.update()

    def undo(self) -> None:
        if self.points_px:
            self.points_px.pop()
            self._overlay_px = []
            self.update()
            self.points_changed.emit()

    # --- coordinates ------------------------------------------------------------------------------

    def image_rect(self) -> QRectF:
        """Where the image is drawn in the widget: scaled to fit, centred."""
        if self._image_size_px is None:
            return QRectF()
        width_px, height_px = self._image_size_px
        scale = min(self.width() / width_px, self.height() / height_px)
        drawn_w, drawn_h = width_px * scale, height_px * scale
        return QRectF((self.width() - drawn_w) / 2, (self.height() - drawn_h) / 2, drawn_w, drawn_h)

    def image_to_widget(self, xy_px: tuple[float, float]) -> QPointF:
        rect = self.image_rect()
        if self._image_size_px is None:  # no image shown: nothing is drawn over one
            return QPointF()
        scale = rect.width() / self._image_size_px[0]
        return QPointF(rect.left() + (xy_px[0] + 0.5) * scale, rect.top() + (xy_px[1] + 0.5) * scale)

    def widget_to_image(self, position: QPointF) -> tuple[float, float] | None:
        """The image pixel under a widget position, or None outside the image."""
        rect = self.image_rect()
        if self._image_size_px is None or not rect.contains(position):
            return None
        scale = rect.width() / self._image_size_px[0]
        return (position.x() - rect.left()) / scale - 0.5, (position.y() - rect.top()) / scale - 0.5

    # --- events -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 — Qt's name
        self.setFocus()
        if event.button() == Qt.MouseButton.RightButton:
            self.undo()
            return
        if event.button() != Qt.MouseButton.LeftButton or self.complete or not self.point_names:
            return
        xy_px = self.widget_to_image(event.position())
        if xy_px is not None:
            self.points_px.append(xy_px)
            self.update()
            self.points_changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 — Qt's name
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.undo()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 — Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 20, 20))
        if self._image is None:
            painter.setPen(QColor(200, 200, 200))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Open an image or a video to click on")
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.image_rect(), self._image)
        painter.setPen(QPen(_OVERLAY_COLOUR, 2))
        for line_px in self._overlay_px:
            for stretch in _finite_stretches(line_px):
                painter.drawPolyline(QPolygonF([self.image_to_widget(tuple(xy)) for xy in stretch]))
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        for index, (name, xy_px) in enumerate(zip(self.point_names, self.points_px)):
            centre = self.image_to_widget(xy_px)
            painter.setPen(QPen(QColor(0, 0, 0), 4))
            painter.drawEllipse(centre, _MARK_RADIUS, _MARK_RADIUS)
            painter.setPen(QPen(_POINT_COLOUR, 2))
            painter.drawEllipse(centre, _MARK_RADIUS, _MARK_RADIUS)
            painter.drawLine(centre - QPointF(_MARK_RADIUS * 2, 0), centre + QPointF(_MARK_RADIUS * 2, 0))
            painter.drawLine(centre - QPointF(0, _MARK_RADIUS * 2), centre + QPointF(0, _MARK_RADIUS * 2))
            _draw_outlined_text(painter, centre + QPointF(_MARK_RADIUS * 2, -_MARK_RADIUS), f"{index + 1} {name}")


def _draw_outlined_text(painter: QPainter, position: QPointF, text: str) -> None:
    """Yellow text with a dark rim, readable on a white board wire or a dark floor alike."""
    painter.setPen(QColor(0, 0, 0))
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        painter.drawText(position + QPointF(dx, dy), text)
    painter.setPen(_POINT_COLOUR)
    painter.drawText(position, text)


def _finite_stretches(line_px: np.ndarray) -> list[np.ndarray]:
    """The runs of finite points in a polyline (a point behind the camera maps to NaN or far away)."""
    finite = np.all(np.isfinite(line_px), axis=1)
    stretches, start = [], None
    for index, ok in enumerate([*finite, False]):
        if ok and start is None:
            start = index
        elif not ok and start is not None:
            if index - start >= 2:
                stretches.append(line_px[start:index])
            start = None
    return stretches
