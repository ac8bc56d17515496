"""A dartboard drawn from its geometry: one click records where the dart landed, in board millimetres."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from motor_trainer.analysis.outcomes import LandingPoint
from motor_trainer.calibration.targets import SECTOR_SPAN_DEG, DartBoard

#: Board colours (RGB): the usual black/cream singles and red/green doubles and trebles.
_DARK, _LIGHT = QColor(30, 30, 30), QColor(235, 222, 190)
_RED, _GREEN = QColor(200, 40, 40), QColor(30, 140, 70)
_LANDED = QColor(213, 94, 0)  # Okabe-Ito vermillion, as the replay's error colour
_AIM = QColor(86, 180, 233)  # Okabe-Ito sky blue, as the replay's reference
#: Room around the double ring for the numbers, as a fraction of the double's radius.
_NUMBER_MARGIN = 1.22


class DartboardWidget(QWidget):
    """Click where the dart landed: ``landed`` is emitted with a LandingPoint (+x right, +y up, mm)."""

    landed = Signal(object)  # LandingPoint

    def __init__(self, board: DartBoard, aim_mm: np.ndarray | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.board = board
        self.aim_mm = None if aim_mm is None else np.asarray(aim_mm, dtype=float)
        self.landings_mm: list[np.ndarray] = []
        self.setMinimumSize(220, 220)
        self.setMaximumSize(420, 420)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Click where the dart landed (H: hit, M: miss)")

    # --- geometry between widget pixels and board millimetres ---------------------------------

    def _px_per_mm(self) -> float:
        return min(self.width(), self.height()) / 2 / (self.board.double_outer_radius_mm * _NUMBER_MARGIN)

    def _centre(self) -> QPointF:
        return QPointF(self.width() / 2, self.height() / 2)

    def to_mm(self, point: QPointF) -> np.ndarray:
        scale = self._px_per_mm()
        centre = self._centre()
        return np.array([(point.x() - centre.x()) / scale, (centre.y() - point.y()) / scale])

    def to_widget(self, point_mm: np.ndarray) -> QPointF:
        scale = self._px_per_mm()
        centre = self._centre()
        return QPointF(centre.x() + point_mm[0] * scale, centre.y() - point_mm[1] * scale)

    # --- events --------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 — Qt's name
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point_mm = self.to_mm(event.position())
        self.show_landing(point_mm)
        self.landed.emit(LandingPoint(float(point_mm[0]), float(point_mm[1])))

    def show_landing(self, point_mm: np.ndarray) -> None:
        """Mark a landing (the newest is drawn loudest; the last few stay as faint dots)."""
        self.landings_mm = [*self.landings_mm[-4:], np.asarray(point_mm, dtype=float)]
        self.update()

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802, ARG002 — Qt's name and signature
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = self._px_per_mm()
        centre = self._centre()
        board = self.board
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(15, 15, 15)))
        number_ring_px = board.double_outer_radius_mm * _NUMBER_MARGIN * scale
        painter.drawEllipse(centre, number_ring_px, number_ring_px)
        rings = (
            (board.double_inner_radius_mm, board.double_outer_radius_mm, (_RED, _GREEN)),
            (board.treble_outer_radius_mm, board.double_inner_radius_mm, (_DARK, _LIGHT)),
            (board.treble_inner_radius_mm, board.treble_outer_radius_mm, (_RED, _GREEN)),
            (board.outer_bull_radius_mm, board.treble_inner_radius_mm, (_DARK, _LIGHT)),
        )
        for inner_mm, outer_mm, colours in rings:
            for position in range(len(board.sector_order)):
                painter.setBrush(QBrush(colours[position % 2]))
                painter.drawPath(_wedge(centre, inner_mm * scale, outer_mm * scale, position * SECTOR_SPAN_DEG))
        painter.setBrush(QBrush(_GREEN))
        painter.drawEllipse(centre, board.outer_bull_radius_mm * scale, board.outer_bull_radius_mm * scale)
        painter.setBrush(QBrush(_RED))
        painter.drawEllipse(centre, board.bull_radius_mm * scale, board.bull_radius_mm * scale)
        self._paint_numbers(painter, scale, centre)
        self._paint_marks(painter, scale)
        painter.end()

    def _paint_numbers(self, painter: QPainter, scale: float, centre: QPointF) -> None:
        font = QFont()
        font.setPixelSize(max(8, int(self.board.double_outer_radius_mm * 0.1 * scale)))
        painter.setFont(font)
        painter.setPen(QPen(QColor(240, 240, 240)))
        radius_px = self.board.double_outer_radius_mm * (1 + _NUMBER_MARGIN) / 2 * scale
        box = font.pixelSize() * 1.6
        for position, number in enumerate(self.board.sector_order):
            theta = math.radians(position * SECTOR_SPAN_DEG)
            x = centre.x() + radius_px * math.sin(theta)
            y = centre.y() - radius_px * math.cos(theta)
            painter.drawText(QRectF(x - box / 2, y - box / 2, box, box), Qt.AlignmentFlag.AlignCenter, str(number))

    def _paint_marks(self, painter: QPainter, scale: float) -> None:
        radius = max(4.0, 6.0 * scale)
        if self.aim_mm is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(_AIM, 2))
            painter.drawEllipse(self.to_widget(self.aim_mm), radius * 1.6, radius * 1.6)
        for age, point_mm in enumerate(reversed(self.landings_mm)):
            colour = QColor(_LANDED)
            colour.setAlpha(255 if age == 0 else 110)
            painter.setPen(QPen(QColor(255, 255, 255), 1.5))
            painter.setBrush(QBrush(colour))
            painter.drawEllipse(self.to_widget(point_mm), radius, radius)


def _wedge(centre: QPointF, inner_px: float, outer_px: float, bearing_deg: float) -> QPainterPath:
    """The ring segment centred on a bearing (clockwise from straight up), one sector wide."""
    # Qt angles are counter-clockwise from 3 o'clock.
    start_qt = 90.0 - bearing_deg - SECTOR_SPAN_DEG / 2
    outer = QRectF(centre.x() - outer_px, centre.y() - outer_px, 2 * outer_px, 2 * outer_px)
    inner = QRectF(centre.x() - inner_px, centre.y() - inner_px, 2 * inner_px, 2 * inner_px)
    path = QPainterPath()
    path.arcMoveTo(outer, start_qt)
    path.arcTo(outer, start_qt, SECTOR_SPAN_DEG)
    path.arcTo(inner, start_qt + SECTOR_SPAN_DEG, -SECTOR_SPAN_DEG)
    path.closeSubpath()
    return path
