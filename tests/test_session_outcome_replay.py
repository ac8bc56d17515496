"""A rep that was an obvious outcome miss live is replayed from the saved session too, with where it landed.

One live session is recorded as a person makes it (the free throw through
the real pose model, a board click 14 cm low-right of the bull); the other
cases rewrite its outcome the way the live app stores one
(``outcome_event_payload``), since judging again is what is under test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from gui_helpers import start_from_panel, stop_and_wait
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from test_gui_open_loop import THROW_SPEED, _board_click, _wait_for_rep
from test_gui_session_browser import _select

from motor_trainer.analysis.entered_outcomes import outcome_event_payload, rep_on_rows
from motor_trainer.analysis.outcomes import (
    HitMiss,
    LandingPoint,
    Outcome,
    judge_outcome,
)
from motor_trainer.records.verdict import Severity
from motor_trainer.cli import main
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.session_replay import session_replay
from motor_trainer.gui.main_window import MainWindow
from motor_trainer.gui.session_review import SessionReview
from motor_trainer.skills.open_loop import load_open_loop_preset
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.session_folder import Session
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import Workspace

pytestmark = pytest.mark.footage

#: Where the live session's dart landed: 142 mm low-right of the bull (the single 15).
LANDED_MM = np.array([110.0, -90.0])


@pytest.fixture(scope="module")
def live_workspace(request, qapp, media_dir, tmp_path_factory) -> Path:
    """A workspace holding one session recorded live: one free throw, then a board click far off."""
    qtbot = QtBot(request)
    root = tmp_path_factory.mktemp("live")
    window = MainWindow(cameras=[], workspace=Workspace(root).ensure())
    window.show()
    screen = start_from_panel(window, qtbot, media_dir / "free_throw_side.mp4", "free-throw", speed=THROW_SPEED)
    _wait_for_rep(screen, qtbot)
    _board_click(screen, qtbot, LANDED_MM)
    assert screen.replay.isVisible()  # live, it was an obvious miss replayed at once
    stop_and_wait(screen, qtbot)
    screen.replay.close_replay()
    screen.findChild(QPushButton, "new-session").click()  # back to the start panel: the recording is finished
    window.close()
    return root


def _only_session(root: Path) -> Session:
    (session,) = SessionStore(root / "sessions")
    return session


def _with_outcome(live_root: Path, tmp_path: Path, outcome: Outcome, tolerance_mm: float | None) -> Session:
    """A copy of the live session whose outcome was ``outcome``, stored as the live app stores it."""
    root = tmp_path / "ws"
    shutil.copytree(live_root, root)
    session = _only_session(root)
    events = session.events()
    session.events_path.unlink()
    settings = load_open_loop_preset("dart-throw").outcome
    with session.open_event_log() as log:
        for event in events:
            payload = event.payload
            if event.kind is EventKind.OUTCOME:
                judged = judge_outcome(outcome, settings, tolerance_mm)
                payload = outcome_event_payload(judged, outcome, tolerance_mm, 2.0)
            log.append(event.kind, payload, event.time_s)
    return session


def test_an_obvious_outcome_miss_saved_live_is_replayed_with_where_it_landed(live_workspace, tmp_path, capsys):
    session = _only_session(live_workspace)
    (stored,) = session.verdicts()
    assert stored.channel == "outcome" and stored.is_obvious

    replay = session_replay(session, 1, live_workspace)
    assert replay.verdict.severity is Severity.OBVIOUS and replay.verdict.channel == "outcome"
    assert replay.changed_note is None  # judged again as it was live
    assert "landed 142 mm low-right" in replay.caption
    inset = replay.renderer.spec.outcome
    np.testing.assert_allclose(inset.landing_mm, LANDED_MM, atol=2.0)  # the click, within the board widget's pixel
    assert replay.notes == () and inset.tolerance_mm == 50.0  # judged at the coach's tolerance stored live (level 0)
    assert replay.renderer.render(0).shape[0] == 720

    workspace = ["--workspace", str(live_workspace)]
    assert main([*workspace, "replay", session.session_id, "1", "--out", str(tmp_path / "miss.mp4")]) == 0
    printed = capsys.readouterr().out
    assert "landed 142 mm low-right" in printed
    with av.open(str(tmp_path / "miss.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) > len(replay.renderer.spec.time_s)  # slowed and held


def test_a_hit_is_refused_in_one_line(live_workspace, tmp_path, capsys):
    session = _with_outcome(live_workspace, tmp_path, LandingPoint(10.0, 12.0), 50.0)  # the outer bull
    with pytest.raises(UserFacingError) as refused:
        session_replay(session, 1, tmp_path / "ws")
    line = str(refused.value)
    # The copy keeps the live verdict (obvious) beside the hit entered here: the line says they disagree.
    assert line == (f"rep 1 of session {session.session_id} was saved as obvious live, but judged again it is clean: "
                    "only obvious misses are replayed")
    assert main(["--workspace", str(tmp_path / "ws"), "replay", session.session_id, "1"]) == 2
    assert capsys.readouterr().err.strip().endswith(line)
    assert not (session.derived_dir / "replay_rep001.mp4").exists()


def test_the_tolerance_stored_with_the_outcome_judges_the_rep(live_workspace, tmp_path):
    """8 cm off is obvious at the tolerance of a raised level (30 mm: beyond 75 mm), not at the preset's 40 mm."""
    raised = _with_outcome(live_workspace, tmp_path / "raised", LandingPoint(0.0, -80.0), 30.0)
    replay = session_replay(raised, 1, tmp_path / "raised" / "ws")
    assert replay.verdict.is_obvious and replay.notes == ()
    assert replay.renderer.spec.outcome.tolerance_mm == 30.0

    unknown = _with_outcome(live_workspace, tmp_path / "unknown", LandingPoint(0.0, -80.0), None)
    with pytest.raises(UserFacingError, match="is subtle \\(outcome\\): only obvious misses"):
        session_replay(unknown, 1, tmp_path / "unknown" / "ws")


def test_the_session_review_replays_the_outcome_miss(live_workspace, qtbot):
    review = SessionReview(_only_session(live_workspace), live_workspace)
    qtbot.addWidget(review)
    review.show()
    _select(review, 0)
    assert review.replay_button.isEnabled()
    review.replay_button.click()
    qtbot.waitUntil(lambda: review.replay_panel.frames_shown >= 3, timeout=30_000)
    assert "landed 142 mm low-right" in review.replay_panel.renderer.caption
    assert review.status.text().startswith("replaying")  # judged as it was live: nothing to add
    review.replay_panel.close_replay()


def test_a_miss_entered_with_the_m_key_is_replayed_and_captioned_as_a_miss(live_workspace, tmp_path):
    session = _with_outcome(live_workspace, tmp_path, HitMiss(False), 50.0)
    replay = session_replay(session, 1, tmp_path / "ws")
    assert replay.verdict.is_obvious and replay.renderer.spec.outcome is None  # no landing point to draw
    assert replay.caption == "throw 1 was entered as a miss: watch the throw"


def test_a_live_rep_is_placed_on_the_saved_landmarks_by_its_times_not_its_camera_frames():
    """Camera frames 26-48 at 22.5 fps (release at 45, 2.0 s); only the odd ones were analysed and saved."""
    saved_time_s = np.arange(1, 68, 2) / 22.5  # row r holds camera frame 2r + 1
    recorded = {"index": 0, "side": "right", "start_frame": 26, "end_frame": 48, "cock_frame": 41, "release_frame": 45,
                "start_s": 26 / 22.5, "end_s": 48 / 22.5, "release_s": 45 / 22.5, "peak_speed_bl_per_s": 1.0}
    rep = rep_on_rows(recorded, saved_time_s)
    assert (rep.start_frame, rep.cock_frame, rep.release_frame, rep.end_frame) == (13, 20, 22, 24)
    with pytest.raises(ValueError, match="outside the saved landmarks"):
        rep_on_rows(recorded, saved_time_s[:10])  # the recording lost its end


def test_a_damaged_outcome_is_one_line_naming_the_events_file(live_workspace, tmp_path):
    session = _with_outcome(live_workspace, tmp_path, LandingPoint(0.0, -80.0), 30.0)
    events = session.events_path.read_text(encoding="utf-8").replace('"x_mm": 0.0', '"x_mm": "left"')
    session.events_path.write_text(events, encoding="utf-8")
    with pytest.raises(UserFacingError) as refused:
        session_replay(session, 1, tmp_path / "ws")
    assert str(session.events_path) in str(refused.value) and "x_mm must be a finite number" in str(refused.value)
    assert "\n" not in str(refused.value)
