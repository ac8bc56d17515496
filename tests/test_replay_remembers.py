"""`analyze`, then `replay SESSION N` with N as the table printed it and no other option.

The session remembers what it was judged against (a reference video by path
and content hash, kept as a tracked copy) and the outcomes as entered, so the
replay renders the same obvious miss the table showed. Real footage, tracked
by the real commands.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from conftest import MEDIA
from replay_footage_cases import DANCE, FREE_THROW, delayed_dance

from motor_trainer.capture.sources import open_video
from motor_trainer.cli import main
from motor_trainer.feedback.replay_output import write_mp4


def _late_dance_video(path: Path) -> None:
    """The sideways dance with one step played 0.3 s late, filmed sideways like the original (needs --rotate 270)."""
    reference, attempt, source_frame, _ = delayed_dance(0.3)

    def frames() -> Iterator[np.ndarray]:
        with open_video(MEDIA / DANCE, rotate_deg=270) as video:
            decoded = video.frames()
            current = next(decoded)
            for wanted in source_frame:
                while current.index < wanted:
                    current = next(decoded)
                yield np.ascontiguousarray(np.rot90(current.image_rgb[::2, ::2], k=-1))  # back to the camera's sideways view

    write_mp4(frames(), path, attempt.fps)


def _session_id(printed: str) -> str:
    return re.findall(r"^session (\S+?)[:;]", printed, flags=re.MULTILINE)[-1]


def _obvious_rows(printed: str, channel: str = "") -> list[int]:
    """The numbers of the table rows judged obvious (in ``channel``), as a person reads them off the screen."""
    return [int(line.split()[0]) for line in printed.splitlines()
            if re.match(r"^\s*\d+\s", line) and re.search(rf"\bobvious\b\W+{channel}", line)]


def test_a_dance_analysed_against_a_video_replays_its_late_step_by_the_table_number(tmp_path, capsys):
    attempt, reference = tmp_path / "late_dance.mp4", tmp_path / "coach" / "routine.mp4"
    _late_dance_video(attempt)
    reference.parent.mkdir()
    shutil.copyfile(MEDIA / DANCE, reference)
    workspace = ["--workspace", str(tmp_path / "ws")]

    assert main([*workspace, "analyze", str(attempt), "--skill", "dance-footwork", "--reference", str(reference), "--rotate", "270"]) == 0
    printed = capsys.readouterr().out
    session, late_rows = _session_id(printed), _obvious_rows(printed, "timing")
    step_rows = [line.split() for line in printed.splitlines() if re.match(r"^\s*\d+\s+(left|right)\s", line)]
    reference_s = {int(row[0]): float(row[2]) for row in step_rows}
    # the stretch played 0.3 s late (beyond the 200 ms OK window) holds the step at 3.56 s and, on its ramp, the next
    assert late_rows and all(3.0 < reference_s[row] < 4.6 for row in late_rows), printed
    late = late_rows[0]

    assert main([*workspace, "replay", session, str(late)]) == 0
    replayed = capsys.readouterr()
    assert re.search(r"came \d+ ms late", replayed.out), (printed, replayed)
    mp4 = tmp_path / "ws" / "sessions" / session / "derived" / f"replay_rep{late:03d}.mp4"
    assert mp4.stat().st_size > 10_000
    assert "note" not in replayed.out  # the reference is where and as it was

    reference.rename(reference.with_name("moved.mp4"))
    assert main([*workspace, "replay", session, str(late), "--out", str(tmp_path / "again.mp4")]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note")]
    assert notes == [f"note: the reference {reference} has moved or gone since this session was judged; "
                     "replayed against the copy kept with it"]


def test_a_free_throw_analysed_with_outcomes_replays_the_entered_miss(tmp_path, capsys):
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text("hit\nmiss\n", encoding="utf-8")
    workspace = ["--workspace", str(tmp_path / "ws")]

    assert main([*workspace, "analyze", str(MEDIA / FREE_THROW), "--skill", "free-throw", "--outcomes", str(outcomes)]) == 0
    printed = capsys.readouterr().out
    session = _session_id(printed)
    assert _obvious_rows(printed) == [1], printed  # the one throw, entered as a miss

    assert main([*workspace, "replay", session, "1"]) == 0
    replayed = capsys.readouterr().out
    assert "throw 1 was entered as a miss" in replayed, replayed
    assert (tmp_path / "ws" / "sessions" / session / "derived" / "replay_rep001.mp4").stat().st_size > 10_000

    assert main([*workspace, "sessions", "show", session]) == 0
    shown = capsys.readouterr().out
    assert "Throw 1 was entered: a miss." in shown and "It missed." in shown


def test_sessions_show_says_what_the_session_was_judged_against(tmp_path, capsys):
    """The record analyze keeps, read back as words (a synthetic session: no tracking needed)."""
    from session_fixtures import complete_session

    from motor_trainer.analysis.session_reference import JUDGING_SETTING, REFERENCE_SETTING
    from motor_trainer.storage.store import SessionStore

    session = complete_session(SessionStore(tmp_path / "sessions"))
    session.update_manifest(settings={REFERENCE_SETTING: {"kind": "video", "path": "/clips/coach.mp4", "sha256": "ab"},
                                      JUDGING_SETTING: {"mirror": True, "bpm": 120.0, "first_beat_s": 0.5}})
    assert main(["--workspace", str(tmp_path), "sessions", "show", session.session_id]) == 0
    shown = capsys.readouterr().out
    assert "reference  the routine in the video /clips/coach.mp4" in shown
    assert "judged     mirrored; at 120 beats per minute from 0.5 s" in shown
    assert "{" not in shown
