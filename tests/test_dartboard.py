"""Dartboard scoring against the standard board, and the miss from an aim point."""

from __future__ import annotations

import numpy as np
import pytest

from motor_trainer.calibration.targets import (
    SECTOR_SPAN_DEG,
    Ring,
    aim_error,
    bearing_deg,
    bearing_point_mm,
    load_dartboard,
    score_dart,
    standard_dartboard,
    standard_dartboard_path,
    workspace_dartboard,
)
from motor_trainer.errors import UserFacingError

CLOCKWISE_FROM_TOP = [20, 1, 18, 4, 13, 6, 10, 15, 2, 17, 3, 19, 7, 16, 8, 11, 14, 9, 12, 5]


@pytest.mark.parametrize(
    ("point_mm", "label", "score", "ring"),
    [
        ((0.0, 0.0), "BULL", 50, Ring.BULL),
        ((4.0, -4.0), "BULL", 50, Ring.BULL),
        ((0.0, 10.0), "25", 25, Ring.OUTER_BULL),
        ((-11.0, -11.0), "25", 25, Ring.OUTER_BULL),
        ((0.0, 50.0), "S20", 20, Ring.INNER_SINGLE),
        ((0.0, 103.0), "T20", 60, Ring.TREBLE),
        ((0.0, 130.0), "S20", 20, Ring.OUTER_SINGLE),
        ((0.0, 166.0), "D20", 40, Ring.DOUBLE),
        ((0.0, 171.0), "MISS", 0, Ring.MISS),
        ((103.0, 0.0), "T6", 18, Ring.TREBLE),
        ((0.0, -166.0), "D3", 6, Ring.DOUBLE),
        ((-166.0, 0.0), "D11", 22, Ring.DOUBLE),
        (tuple(bearing_point_mm(103.0, 11 * 18.0)), "T19", 57, Ring.TREBLE),
    ],
)
def test_scoring_table(point_mm, label, score, ring):
    result = score_dart(np.array(point_mm))
    assert (result.label, result.score, result.ring) == (label, score, ring)


@pytest.mark.parametrize(
    ("inside_mm", "outside_mm", "inside_ring", "outside_ring"),
    [
        (6.3, 6.4, Ring.BULL, Ring.OUTER_BULL),
        (15.8, 16.0, Ring.OUTER_BULL, Ring.INNER_SINGLE),
        (98.9, 99.1, Ring.INNER_SINGLE, Ring.TREBLE),
        (106.9, 107.1, Ring.TREBLE, Ring.OUTER_SINGLE),
        (161.9, 162.1, Ring.OUTER_SINGLE, Ring.DOUBLE),
        (169.9, 170.1, Ring.DOUBLE, Ring.MISS),
    ],
)
@pytest.mark.parametrize("sector_index", [0, 7, 13])
def test_both_sides_of_each_ring_wire(inside_mm, outside_mm, inside_ring, outside_ring, sector_index):
    bearing = sector_index * SECTOR_SPAN_DEG + 3.0
    assert score_dart(bearing_point_mm(inside_mm, bearing)).ring is inside_ring
    assert score_dart(bearing_point_mm(outside_mm, bearing)).ring is outside_ring


def test_just_outside_the_double_ring_scores_nothing_all_round():
    for index, sector in enumerate(CLOCKWISE_FROM_TOP):
        inside = score_dart(bearing_point_mm(169.5, index * SECTOR_SPAN_DEG))
        outside = score_dart(bearing_point_mm(170.5, index * SECTOR_SPAN_DEG))
        assert (inside.label, inside.score) == (f"D{sector}", 2 * sector)
        assert (outside.label, outside.score, outside.sector) == ("MISS", 0, sector)


@pytest.mark.parametrize("index", range(20))
@pytest.mark.parametrize(("radius_mm", "prefix", "multiplier"), [(60.0, "S", 1), (103.0, "T", 3), (130.0, "S", 1), (166.0, "D", 2)])
def test_both_sides_of_each_sector_wire(index, radius_mm, prefix, multiplier):
    """The wire between sector ``index`` and the next one clockwise, 0.3 degrees either side."""
    wire_deg = index * SECTOR_SPAN_DEG + SECTOR_SPAN_DEG / 2
    before, after = CLOCKWISE_FROM_TOP[index], CLOCKWISE_FROM_TOP[(index + 1) % 20]
    left = score_dart(bearing_point_mm(radius_mm, wire_deg - 0.3))
    right = score_dart(bearing_point_mm(radius_mm, wire_deg + 0.3))
    assert (left.sector, left.label, left.score) == (before, f"{prefix}{before}", multiplier * before)
    assert (right.sector, right.label, right.score) == (after, f"{prefix}{after}", multiplier * after)


def test_preset_holds_the_standard_board():
    board = standard_dartboard()
    assert board.sector_order == tuple(CLOCKWISE_FROM_TOP)
    assert board.ring_radii_mm == (6.35, 15.9, 99.0, 107.0, 162.0, 170.0)
    assert (board.centre_height_m, board.throw_line_m) == (1.73, 2.37)


def test_preset_click_points_lie_where_their_names_say():
    board = standard_dartboard()
    edge_radius_mm = {"double_outer": 170.0, "treble_outer": 107.0}
    assert len(board.default_click_points) == 4
    for name, point in board.click_points_mm.items():
        point_mm = np.array(point)
        if name == "bull":
            assert np.allclose(point_mm, 0.0)
            continue
        edge, _, sectors = name.rpartition("_")
        if edge.count("_") == 2:  # "double_outer_5_20": the corner at the wire between 5 and 20
            edge, _, first = edge.rpartition("_")
            expected_deg = board.sector_centre_deg(int(sectors)) - SECTOR_SPAN_DEG / 2
            assert board.sector_order.index(int(first)) == (board.sector_order.index(int(sectors)) - 1) % 20
        else:
            expected_deg = board.sector_centre_deg(int(sectors))
        assert np.hypot(*point_mm) == pytest.approx(edge_radius_mm[edge], abs=0.01)
        assert (bearing_deg(point_mm) - expected_deg + 180) % 360 - 180 == pytest.approx(0.0, abs=0.01)


def test_named_aim_points_score_what_they_name():
    board = standard_dartboard()
    for sector in range(1, 21):
        for prefix in "TDS":
            assert score_dart(board.aim_point_mm(f"{prefix}{sector}")).label == f"{prefix}{sector}"
    assert score_dart(board.aim_point_mm("bull")).score == 50
    with pytest.raises(UserFacingError, match="no sector 21"):
        board.aim_point_mm("T21")


@pytest.mark.parametrize(
    ("landing_mm", "direction", "clock_hour", "angle_deg"),
    [
        ((0.0, 110.0), "high", 12, 0.0),
        ((10.0, 103.0), "right", 3, 90.0),
        ((-7.0, 96.0), "low-left", 8, 225.0),
        ((5.0, 108.0), "high-right", 2, 45.0),
        ((0.0, 90.0), "low", 6, 180.0),
    ],
)
def test_aim_error_says_how_far_and_which_way(landing_mm, direction, clock_hour, angle_deg):
    error = aim_error(np.array(landing_mm), standard_dartboard().aim_point_mm("T20"))
    assert error.direction == direction and error.clock_hour == clock_hour
    assert error.angle_deg == pytest.approx(angle_deg)
    assert error.distance_mm == pytest.approx(np.hypot(landing_mm[0], landing_mm[1] - 103.0))


def test_a_dart_in_the_aim_point_is_on_target():
    error = aim_error(np.array([0.2, 103.3]), np.array([0.0, 103.0]))
    assert error.on_target and error.direction == "on target"


def test_workspace_copy_of_the_board_is_used_when_present(tmp_path):
    assert workspace_dartboard(tmp_path) is standard_dartboard()
    edited = standard_dartboard_path().read_text().replace("throw_line_m = 2.37", "throw_line_m = 2.44")
    (tmp_path / standard_dartboard_path().name).write_text(edited)
    assert workspace_dartboard(tmp_path).throw_line_m == 2.44


@pytest.mark.parametrize(
    ("edit", "cause"),
    [
        (("double_inner_radius_mm = 162.0", "double_inner_radius_mm = 175.0"), "radii must be positive and increase"),
        (("[20, 1, 18,", "[20, 20, 18,"), "each number 1–20 exactly once"),
        (("throw_line_m = 2.37", "throw_line_m = nan"), "'throw_line_m' is nan"),
        (("bull = [0.0, 0.0]", "bull = [0.0]"), "'bull' has shape 1, expected 2"),
        (('default_click_points = ["double_outer_5_20"', 'default_click_points = ["double_outer_5_21"'), "no entry in click_points_mm"),
    ],
)
def test_bad_board_file_is_one_line_naming_file_and_cause(tmp_path, edit, cause):
    path = tmp_path / "dartboard_standard.toml"
    text = standard_dartboard_path().read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]))
    with pytest.raises(UserFacingError) as raised:
        load_dartboard(path)
    message = str(raised.value)
    assert str(path) in message and cause in message and "\n" not in message
