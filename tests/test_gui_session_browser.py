"""The sessions browser and the review of one session, on sessions `analyze` saved from real footage.

The workspace holds (see ``workspace``):
- "miss": the free throw with the shooting elbow pushed back 0.05 body
  lengths around release (tests/replay_footage_cases.py), judged against the
  real throw saved as reference "real-throw": one obvious miss;
- "three": the real throw played three times in a row (video and landmarks),
  judged against its own reps: three clean throws, enough for a reference;
- a session folder whose manifest is not JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import MEDIA
from footage import tracked
from PySide6.QtCore import QItemSelectionModel
from replay_footage_cases import FREE_THROW, perturbed_free_throw

from motor_trainer.analysis.rep_errors import analyse_clip
from motor_trainer.analysis.rep_reference import (
    build_reference,
    load_reference,
    references_dir,
)
from motor_trainer.records.verdict import Severity
from motor_trainer.capture.seeking import FrameSeeker
from motor_trainer.capture.sources import open_video
from motor_trainer.commands.analyze import save_session
from motor_trainer.cvshim import cv2
from motor_trainer.feedback.overlay import SKELETON_RIGHT_RGB
from motor_trainer.feedback.replay_output import write_mp4
from motor_trainer.gui.session_browser import SessionBrowser
from motor_trainer.gui.session_review import SessionReview
from motor_trainer.pose.landmarks import Landmark, PoseSequence
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import Workspace

pytestmark = pytest.mark.footage

NOW = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
BROKEN = "20260101-000000-broken"


def _repeated(sequence: PoseSequence, times: int) -> PoseSequence:
    """The clip ``times`` times in a row on one clock."""
    step_s = len(sequence) / sequence.fps
    return sequence.replace(
        time_s=np.concatenate([sequence.time_s + k * step_s for k in range(times)]),
        **{name: np.concatenate([getattr(sequence, name)] * times) for name in ("xy_px", "visibility", "presence", "world_m")},
    )


def _repeated_video(path: Path, times: int, size_px: tuple[int, int]) -> Path:
    with open_video(MEDIA / FREE_THROW) as video:
        images = [cv2.resize(f.image_rgb, size_px, interpolation=cv2.INTER_AREA) for f in video.frames()]
        fps = video.fps
    write_mp4((image for _ in range(times) for image in images), path, fps)
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("browser")
    workspace = Workspace(root / "ws").ensure()
    attempt, real, preset = perturbed_free_throw(0.05)
    one_throw = dataclasses.replace(preset.reference, min_reps=1)
    reference = build_reference([real.member], reference_id="real-throw", skill=preset.name,
                                parts=preset.trajectory_parts, fps=attempt.fps, settings=one_throw)
    reference.save(references_dir(workspace.root))
    args = argparse.Namespace(model="lite", rotate=0)  # what `analyze` stores of its command line
    save_session(workspace, MEDIA / FREE_THROW, attempt, analyse_clip(attempt, preset, reference), args, preset, None)
    three = _repeated(tracked(FREE_THROW), 3)
    # Half size: the review scales the landmarks (1920x1080 pixels) to whatever the footage is.
    video = _repeated_video(root / "three_throws.mp4", 3, (960, 540))
    save_session(workspace, video, three, analyse_clip(three, preset), args, preset, None)
    (workspace.sessions_dir / BROKEN).mkdir()
    (workspace.sessions_dir / BROKEN / "manifest.json").write_text("{ not json", encoding="utf-8")
    return workspace


def _sessions(workspace: Workspace) -> dict[str, object]:
    """The two saved sessions by role: "miss" has one rep, "three" three."""
    sessions = list(SessionStore(workspace.sessions_dir))
    return {"miss" if len(s.verdicts()) == 1 else "three": s for s in sessions}


def _disk_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def _review(qtbot, workspace: Workspace, role: str) -> SessionReview:
    review = SessionReview(_sessions(workspace)[role], workspace.root)
    qtbot.addWidget(review)
    review.show()
    return review


def _select(review: SessionReview, *indices: int) -> None:
    review.reps.clearSelection()
    for index in indices:
        review.reps.item(index).setSelected(True)
    review.reps.setCurrentRow(indices[-1], QItemSelectionModel.SelectionFlag.Select)


def test_the_browser_lists_the_sessions_and_names_a_corrupt_manifest_in_one_line(qtbot, workspace):
    browser = SessionBrowser(workspace.sessions_dir, NOW)
    qtbot.addWidget(browser)
    rows = [[browser.table.item(r, c).text() for c in range(browser.table.columnCount())]
            for r in range(browser.table.rowCount())]
    by_source = {row[2]: row for row in rows}
    assert set(by_source) == {"free_throw_side.mp4", "three_throws.mp4"}
    assert by_source["three_throws.mp4"][1:] == ["free-throw", "three_throws.mp4", "0:09", "3", "3"]
    assert by_source["free_throw_side.mp4"][4:] == ["1", "0"]  # the obvious miss is no success
    assert len(browser.problems) == 1
    problem = browser.problems[0]
    assert f"{BROKEN}/manifest.json" in problem and "not valid JSON" in problem and "\n" not in problem
    assert browser.problems_label.text() == problem
    assert browser.progress.table.rowCount() == 2  # the progress tab plots both sessions
    _, rates = browser.progress.curve.getData()
    assert sorted(rates) == [0.0, 100.0]


def test_scrubbing_shows_the_frame_with_the_skeleton_and_changes_nothing_on_disk(qtbot, workspace):
    before = _disk_state(workspace.root)
    review = _review(qtbot, workspace, "miss")
    assert review.problems == []
    qtbot.waitUntil(lambda: review.shown_frame == 0, timeout=10_000)
    release = next(e.payload["release_frame"] for e in review.session.events() if e.kind == "rep")
    slowest_s = 0.0
    for frame in [*range(0, release, 3), release]:  # a drag across the throw: the slider never waits on the decoder
        started = time.perf_counter()
        review.slider.setValue(frame)
        slowest_s = max(slowest_s, time.perf_counter() - started)
        qtbot.wait(5)
    assert slowest_s < 0.05
    qtbot.waitUntil(lambda: review.shown_frame == release, timeout=10_000)  # the newest position wins

    shown = review.shown_image
    scale = np.array([shown.shape[1] / 1920, shown.shape[0] / 1080])
    elbow, wrist = (review.sequence.xy_px[release, lm] * scale for lm in (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST))
    forearm = [np.round(elbow + t * (wrist - elbow)).astype(int) for t in (0.3, 0.5, 0.7)]
    with FrameSeeker(MEDIA / FREE_THROW) as seeker:
        plain = seeker.frame_at(float(review.sequence.time_s[release])).image_rgb
    orange = np.array(SKELETON_RIGHT_RGB)
    for x, y in forearm:  # the right forearm is drawn orange where the video itself is not
        assert np.abs(shown[y, x].astype(int) - orange).max() <= 25, (x, y, shown[y, x])
        assert np.abs(plain[y, x].astype(int) - orange).max() > 40
    review.close()
    assert _disk_state(workspace.root) == before


def test_replay_plays_an_obvious_miss_and_a_clean_rep_says_why_not(qtbot, workspace):
    clean = _review(qtbot, workspace, "three")
    _select(clean, 1)
    assert not clean.replay_button.isEnabled()
    assert clean.status.text() == "rep 2 is clean: only obvious misses are replayed"  # row 1: the second rep

    review = _review(qtbot, workspace, "miss")
    assert review.reference_choice.itemData(1) == "real-throw"  # the saved references of its skill
    review.reference_choice.setCurrentIndex(1)
    _select(review, 0)
    assert review.verdicts[0].severity is Severity.OBVIOUS
    assert review.replay_button.isEnabled()
    assert review.slider.value() == review.verdicts[0].start_frame  # the scrubber jumped to the rep
    review.replay_button.click()
    qtbot.waitUntil(lambda: review.replay_panel.frames_shown >= 3, timeout=30_000)
    assert review.replay_panel.playing and not review.replay_panel.isHidden()
    assert "right elbow" in review.replay_panel.renderer.caption
    review.replay_panel.close_replay()


def test_make_reference_saves_the_chosen_reps_and_refuses_a_bad_name(qtbot, workspace):
    review = _review(qtbot, workspace, "three")
    review.reference_name.setText("three throws/")
    _select(review, 0, 2)
    review.make_reference_button.click()
    qtbot.waitUntil(lambda: "is not valid" in review.status.text(), timeout=10_000)
    assert "\n" not in review.status.text()
    assert not list(references_dir(workspace.root).glob("three*"))

    review.reference_name.setText("three-throws")
    _select(review, 0, 1, 2)
    review.make_reference_button.click()
    qtbot.waitUntil(lambda: review.last_reference_path is not None, timeout=10_000)
    assert review.last_reference_path == references_dir(workspace.root) / "three-throws.json"
    assert str(review.last_reference_path) in review.status.text()
    assert review.reference_choice.findData("three-throws") >= 0  # ready to replay against at once
    saved = load_reference(references_dir(workspace.root), "three-throws")
    assert saved.rep_count == 3 and saved.skill == "free-throw"
    assert saved.source == f"reps 1, 2, 3 of session {review.session.session_id}"  # as the list numbers them


def test_export_writes_every_format_and_the_bundle(qtbot, workspace, tmp_path):
    browser = SessionBrowser(workspace.sessions_dir, NOW)
    qtbot.addWidget(browser)
    browser.table.selectRow(0)
    session_id = browser.rows[0].session.session_id
    browser.export_selected(tmp_path)
    qtbot.waitUntil(lambda: bool(browser.exported), timeout=20_000)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"{session_id}_landmarks.csv", f"{session_id}_reps.csv", f"{session_id}_events.csv",
                            f"{session_id}.trc", f"{session_id}_angles.mot", f"{session_id}_dlc.csv",
                            f"{session_id}.mtbundle.zip"])
    assert all((tmp_path / name).stat().st_size > 0 for name in names)
    with zipfile.ZipFile(tmp_path / f"{session_id}.mtbundle.zip") as bundle:
        assert {"manifest.json", "landmarks.npz", "events.jsonl", "derived/analysis.json"} <= set(bundle.namelist())
    assert f"exported 7 files to {tmp_path}" in browser.status.text()


def test_a_missing_video_falls_back_to_the_source_file_and_each_bad_file_is_one_line(qtbot, workspace, tmp_path):
    original = _sessions(workspace)["miss"]
    copy = Workspace(tmp_path / "ws").ensure()
    folder = copy.sessions_dir / original.session_id
    shutil.copytree(original.directory, folder)
    os.remove(folder / original.manifest.video)
    review = SessionReview(SessionStore(copy.sessions_dir).get(original.session_id), copy.root)
    qtbot.addWidget(review)
    review.show()
    assert review.problems == [] and review.seeker.path == MEDIA / FREE_THROW  # the tracked file, still there
    qtbot.waitUntil(lambda: review.shown_frame == 0, timeout=10_000)
    review.close()

    session = SessionStore(copy.sessions_dir).get(original.session_id)
    gone = dataclasses.replace(session.manifest.source, path=str(tmp_path / "moved_away.mp4"))
    session = session.update_manifest(source=gone)
    browser = SessionBrowser(copy.sessions_dir, NOW)
    qtbot.addWidget(browser)
    line = f"{folder}: no video left to show (neither the session's own nor {tmp_path / 'moved_away.mp4'})"
    assert browser.problems == [line] and browser.table.rowCount() == 1  # still listed, to export its landmarks
    review = SessionReview(session, copy.root)
    qtbot.addWidget(review)
    review.show()
    assert review.problems == [line] and not review.slider.isEnabled()
    review.close()

    landmarks = folder / "landmarks.npz"
    landmarks.write_bytes(landmarks.read_bytes()[:200])  # truncated, as by a full disk
    review = SessionReview(SessionStore(copy.sessions_dir).get(original.session_id), copy.root)
    qtbot.addWidget(review)
    review.show()
    landmark_line = review.problems[0]
    assert str(landmarks) in landmark_line and "\n" not in landmark_line and review.problems[1:] == [line]
    assert not review.slider.isEnabled() and review.status.text() == "\n".join(review.problems)


def test_this_is_the_moment_teaches_a_skill_that_finds_every_throw_of_the_session(qtbot, workspace):
    from motor_trainer.skills.open_loop import find_reps, load_open_loop_preset
    from motor_trainer.skills.presets import available_presets

    review = _review(qtbot, workspace, "three")
    releases = [v.start_frame for v in review.verdicts]  # one throw per copy of the clip
    release = next(e.payload["release_frame"] for e in review.session.events() if e.kind == "rep")
    review.slider.setValue(release)
    review.skill_name.setText("my-shot")
    review.teach_button.click()
    qtbot.waitUntil(lambda: review.last_taught is not None, timeout=10_000)
    assert "taught my-shot" in review.status.text() and "\n" not in review.status.text()
    assert "my-shot" in available_presets(workspace.root)
    _, reps = find_reps(review.sequence, load_open_loop_preset("my-shot", workspace.root))
    rep_releases = [e.payload["release_frame"] for e in review.session.events() if e.kind == "rep"]
    assert len(reps) == len(releases) == 3
    assert [abs(r.release_frame - truth) <= 2 for r, truth in zip(reps, rep_releases)] == [True] * 3

    review.skill_name.setText("golf-swing")  # a shipped name is refused in one line, nothing taught
    review.teach_button.click()
    qtbot.waitUntil(lambda: "shipped skill" in review.status.text(), timeout=10_000)
    assert review.teach_button.isEnabled()
