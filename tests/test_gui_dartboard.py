"""The dartboard widget: a click lands where the person clicked, in board millimetres, scored like the board."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from motor_trainer.analysis.outcomes import LandingPoint
from motor_trainer.calibration.targets import score_dart, standard_dartboard
from motor_trainer.gui.dartboard_widget import DartboardWidget


@pytest.fixture
def board_widget(qtbot):
    widget = DartboardWidget(standard_dartboard(), aim_mm=np.zeros(2))
    qtbot.addWidget(widget)
    widget.resize(400, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize(("label", "point_mm"), [("T20", (0.0, 103.0)), ("D6", (166.0, 0.0)), ("S3", (0.0, -140.0)), ("BULL", (2.0, -2.0))])
def test_a_click_records_the_landing_point_the_board_scores(board_widget, qtbot, label, point_mm):
    position = board_widget.to_widget(np.array(point_mm))
    with qtbot.waitSignal(board_widget.landed) as landed:
        qtbot.mouseClick(board_widget, Qt.MouseButton.LeftButton, pos=QPoint(round(position.x()), round(position.y())))
    landing = landed.args[0]
    assert isinstance(landing, LandingPoint)
    # One widget pixel is about 1.2 mm at this size: the click lands within a pixel of the point.
    assert np.allclose(landing.point_mm, point_mm, atol=1.5)
    assert score_dart(landing.point_mm).label == label
    assert board_widget.landings_mm[-1] is not None  # the landing is marked on the board


def test_the_board_is_painted_with_its_rings(board_widget):
    image = board_widget.grab().toImage()
    centre = board_widget.to_widget(np.zeros(2))
    bull = image.pixelColor(round(centre.x()), round(centre.y()))
    treble_20 = board_widget.to_widget(np.array([0.0, 103.0]))
    treble = image.pixelColor(round(treble_20.x()), round(treble_20.y()))
    assert bull.red() > 150 and bull.green() < 100  # red bull
    assert treble.red() > 150 and treble.green() < 100  # the 20's treble is red on a standard board
