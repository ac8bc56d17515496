"""Live recording survives a kill: what was committed is on disk and recovery makes it a normal session."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import av
import numpy as np
import pytest
from synthetic_recording import SIZE_PX, synthetic_frame, synthetic_pose
from test_export import read_trc

from motor_trainer.storage.recorder import SessionRecorder
from motor_trainer.capture.sources import Frame
from motor_trainer.errors import UserFacingError
from motor_trainer.storage.events import EventKind, read_events
from motor_trainer.storage.landmark_files import read_landmark_chunks
from motor_trainer.storage.manifest import SessionSource, SessionStatus, SourceKind
from motor_trainer.storage.store import SessionStore

REPO_ROOT = Path(__file__).resolve().parents[1]
KILL_AFTER_S = 3.7
REP_LINE = re.compile(r"committed rep (\d+): frames \[(\d+), (\d+)\)")
CHUNK_LINE = re.compile(r"committed landmarks chunk (\d+): frames \[(\d+), (\d+)\) up to ([\d.]+) s")


def decoded_frame_times_s(path: Path) -> list[float]:
    """Presentation time of every frame that decodes (a truncated tail is where decoding stops)."""
    times = []
    with av.open(str(path)) as container:
        try:
            for frame in container.decode(container.streams.video[0]):
                times.append(float(frame.time))
        except av.FFmpegError:
            pass
    return times


def test_recorder_commits_reps_with_their_landmarks_and_finalises(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    session = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="lite",
                           image_size_px=SIZE_PX, fps=30.0)
    with SessionRecorder(session, SIZE_PX, fps_hint=30.0) as recorder:
        for index in range(45):
            time_s = index / 30
            recorder.add_frame(synthetic_frame(index, time_s), synthetic_pose(index, time_s))
            if index == 20:  # a rep ends: it and its landmarks must be on disk when commit returns
                recorder.commit_event(EventKind.REP, {"index": 0, "start_frame": 5, "end_frame": 21}, time_s)
                on_disk = read_events(session.events_path)
                assert [e.payload["end_frame"] for e in on_disk] == [21]
                chunks = read_landmark_chunks(session.chunks_dir)
                assert sum(len(c) for c in chunks) == 21
                assert chunks[-1].xy_px[-1, 0, 0] == 20.0
        assert store.get(session.session_id).manifest.status is SessionStatus.RECORDING
        assert store.unfinished() == [], "a session being recorded is not offered for recovery"
        for refused in (store.recover, store.delete):
            with pytest.raises(UserFacingError, match="is recording this session"):
                refused(session.session_id)
    finished = recorder.session
    assert finished.manifest.status is SessionStatus.COMPLETE and finished.manifest.frame_count == 45
    landmarks = finished.landmarks()
    np.testing.assert_array_equal(landmarks.xy_px[:, 0, 0], np.arange(45))
    times = decoded_frame_times_s(finished.video_path)
    assert len(times) == 45 and times[-1] == pytest.approx(44 / 30, abs=0.002)
    assert not finished.chunks_dir.exists()
    assert sorted(p.name for p in finished.directory.iterdir()) == [
        "events.jsonl", "landmarks.npz", "manifest.json", "video.mkv"]


def _run_cli(workspace: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motor_trainer", "--workspace", str(workspace), *arguments],
                          capture_output=True, text=True, timeout=120, cwd=workspace)


class LiveRecording:
    """A recording program in a subprocess, its stdout lines collected as they arrive."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        self._started = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._started.wait(timeout=60):
            self.process.kill()
            pytest.fail("the recorder never started")
        self.started_monotonic_s = time.monotonic()
        assert self.lines[0].startswith("recording session"), self.lines

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)
            self._started.set()

    def wait_for_line(self, pattern: re.Pattern, timeout_s: float) -> bool:
        deadline_s = time.monotonic() + timeout_s
        while time.monotonic() < deadline_s and self.process.poll() is None:
            if any(pattern.search(line) for line in self.lines):
                return True
            time.sleep(0.005)
        return False

    def kill(self) -> float:
        """SIGKILL, no warning; returns seconds since recording started."""
        killed_after_s = time.monotonic() - self.started_monotonic_s
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        assert self.process.returncode == -signal.SIGKILL, "the recorder had already ended"
        return killed_after_s


@pytest.mark.footage
def test_killed_live_recording_keeps_every_commit_and_recovers(tmp_path, media_dir):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    video = media_dir / "webcam_dance_sideways.mp4"
    recording = LiveRecording([sys.executable, "-m", "motor_trainer", "--workspace", str(workspace), "record",
                               "--video-as-camera", str(video), "--rotate", "270", "--skill", "dance-footwork"],
                              cwd=workspace)
    time.sleep(KILL_AFTER_S)  # mid-run, at no particular point of a chunk
    killed_after_s = recording.kill()
    lines = recording.lines

    commits = [tuple(map(float, m.groups())) for line in lines if (m := CHUNK_LINE.search(line))]
    assert len(commits) >= 1, lines
    store = SessionStore(workspace / "sessions")
    [session] = store.unfinished()
    chunks = read_landmark_chunks(session.chunks_dir)
    for index, start, end, last_time_s in commits:
        chunk = chunks[int(index)]
        assert chunk.index == index and len(chunk) == end - start
        assert chunk.time_s[-1] == pytest.approx(last_time_s, abs=0.001)
    times = decoded_frame_times_s(session.directory / "video.mkv")
    assert times, "no frame of the video decodes"
    print(f"killed after {killed_after_s:.2f} s; video decodes to {times[-1]:.2f} s; "
          f"{len(commits)} chunks reported, {len(chunks)} on disk")
    assert times[-1] >= killed_after_s - 1.0
    assert times[-1] >= commits[-1][3] - 1.0

    next_start = _run_cli(workspace, "models", "list")  # the next start of any command offers recovery
    assert f"unfinished session(s) from an interrupted recording: {session.session_id}" in next_start.stderr
    assert "motor-trainer sessions recover" in next_start.stderr
    recovered = _run_cli(workspace, "sessions", "recover")
    assert recovered.returncode == 0, recovered.stderr
    assert f"recovered session {session.session_id}" in recovered.stdout
    shown = _run_cli(workspace, "sessions", "show", session.session_id)
    assert shown.returncode == 0, shown.stderr
    assert "(complete, recovered" in shown.stdout and "video      video.mkv" in shown.stdout
    exported = _run_cli(workspace, "export", session.session_id, "--format", "trc", "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    frame_count = store.get(session.session_id).manifest.frame_count
    assert frame_count >= commits[-1][2]
    trc = read_trc((tmp_path / "out" / f"{session.session_id}.trc").read_text())
    assert int(trc.header["NumFrames"]) == frame_count == len(trc.frame)


@pytest.mark.footage
def test_record_command_saves_a_complete_session_when_the_source_ends(tmp_path, media_dir, capsys):
    from motor_trainer.cli import main

    assert main(["--workspace", str(tmp_path), "record", "--video-as-camera",
                 str(media_dir / "lab_steps_view1.mp4"), "--skill", "dance-footwork"]) == 0
    out = capsys.readouterr().out
    [session] = list(SessionStore(tmp_path / "sessions"))
    manifest = session.manifest
    assert f"saved session {session.session_id}" in out
    assert manifest.status is SessionStatus.COMPLETE and manifest.skill == "dance-footwork"
    assert manifest.image_size_px == (1080, 1920) and manifest.video == "video.mkv"
    landmarks = session.landmarks()
    assert len(landmarks) == manifest.frame_count > 10
    assert landmarks.detection_rate > 0.8, "the person in lab_steps_view1 is found live too"
    [note] = session.events()
    assert note.payload["text"] == "recording ended: the source ended"
    assert note.payload["frames_processed"] == manifest.frame_count
    times = decoded_frame_times_s(session.video_path)
    assert len(times) + note.payload["video_frames_dropped"] == manifest.frame_count
    nearest_landmark_s = np.abs(np.subtract.outer(np.array(times), landmarks.time_s)).min(axis=1)
    assert nearest_landmark_s.max() < 0.0015, "each video frame carries its landmarks' capture time"


def test_a_failing_video_writer_is_reported_and_landmarks_are_kept(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    session = store.create(source=SessionSource(SourceKind.WEBCAM, camera_index=0), model="lite")
    recorder = SessionRecorder(session, (1, 1), fps_hint=30.0)  # no H.264 frame is 0x0: the encoder fails
    with pytest.raises(UserFacingError, match="video.mkv: recording failed"):
        deadline_s = time.monotonic() + 10
        index = 0
        while time.monotonic() < deadline_s:  # the live loop learns of the failure at its next frame
            recorder.add_frame(Frame(index, index / 30, np.zeros((1, 1, 3), np.uint8)), synthetic_pose(index, index / 30))
            index += 1
            time.sleep(0.01)
    recorder.commit_event(EventKind.NOTE, {"text": "still durable"})
    with pytest.raises(UserFacingError, match="sessions recover") as caught:
        recorder.close()
    assert "\n" not in str(caught.value)
    assert sum(len(chunk) for chunk in read_landmark_chunks(session.chunks_dir)) == index
    assert [e.payload["text"] for e in read_events(session.events_path)] == ["still durable"]
    assert store.get(session.session_id).manifest.status is SessionStatus.RECORDING


def test_every_rep_reported_before_a_kill_is_on_disk_with_its_landmarks(tmp_path):
    """A subprocess commits a rep every 10 frames in real time and is killed at no particular frame."""
    sessions_dir = tmp_path / "sessions"
    recording = LiveRecording([sys.executable, str(Path(__file__).with_name("synthetic_recording.py")),
                               str(sessions_dir)], cwd=tmp_path)
    assert recording.wait_for_line(re.compile(r"committed rep 4:"), timeout_s=30), recording.lines
    time.sleep(0.13)  # part-way into rep 5
    killed_after_s = recording.kill()
    reported = [tuple(map(int, m.groups())) for line in recording.lines if (m := REP_LINE.search(line))]
    assert len(reported) >= 5

    store = SessionStore(sessions_dir)
    [session] = store.unfinished()
    on_disk = [(e.payload["index"], e.payload["start_frame"], e.payload["end_frame"])
               for e in read_events(session.events_path)]
    assert on_disk[: len(reported)] == reported, "every rep reported before the kill survived it, in order"
    landmarks = session.landmarks()
    last_end = reported[-1][2]
    assert len(landmarks) >= last_end, "each rep's landmarks were committed with it"
    np.testing.assert_array_equal(landmarks.xy_px[:, 0, 0], np.arange(len(landmarks)))
    times = decoded_frame_times_s(session.directory / "video.mkv")
    print(f"killed after {killed_after_s:.2f} s; {len(reported)} reps reported, {len(on_disk)} on disk; "
          f"{len(landmarks)} landmark frames; video decodes to {times[-1]:.2f} s")
    assert times[-1] >= killed_after_s - 1.0

    recovered = store.recover(session.session_id)
    assert recovered.manifest.status is SessionStatus.COMPLETE and recovered.manifest.frame_count == len(landmarks)
    assert [e.payload["end_frame"] for e in recovered.events()][: len(reported)] == [r[2] for r in reported]


@pytest.mark.footage
def test_record_loop_finds_and_commits_a_free_throw_rep(tmp_path, media_dir):
    """The live run of `record` on free_throw_side.mp4 played as a camera: the throw is committed as a rep."""
    from motor_trainer.capture.sources import VideoAsCamera
    from motor_trainer.commands.record import follow_recording, recording_run

    video = media_dir / "free_throw_side.mp4"
    store = SessionStore(tmp_path / "sessions")
    live = recording_run(partial(VideoAsCamera, video), SessionSource(SourceKind.VIDEO_AS_CAMERA, path=str(video)),
                         store, "lite", "free-throw", {})
    live.start()
    reason, ended = follow_recording(live, None)
    session = live.recorder.session
    [rep] = [e for e in read_events(session.events_path) if e.kind is EventKind.REP]  # durable already
    committed = read_landmark_chunks(session.chunks_dir)
    live.close_recording()
    assert reason == "the source ended" and ended.error == ""
    assert committed[-1].time_s[-1] >= rep.payload["end_s"], "the rep's landmarks were committed with it"
    assert 1.0 < rep.payload["release_s"] < 2.0, "the ball leaves the hand about 1.5 s into the clip"
    assert rep.payload["start_frame"] < rep.payload["release_frame"] < rep.payload["end_frame"] <= 90


@pytest.mark.footage
def test_record_finds_reps_for_a_skill_taught_in_the_workspace_it_is_given(tmp_path, media_dir, capsys):
    """A skill taught into a workspace other than the default one is recorded with its own rules."""
    from motor_trainer.cli import main

    taught = tmp_path / "skills" / "my-shot" / "skill.toml"
    taught.parent.mkdir(parents=True)
    shipped = (Path(__file__).parents[1] / "src" / "motor_trainer" / "presets" / "skills" / "free-throw.toml").read_text()
    taught.write_text(shipped.replace('name = "free-throw"', 'name = "my-shot"'))
    assert main(["--workspace", str(tmp_path), "record", "--video-as-camera",
                 str(media_dir / "free_throw_side.mp4"), "--skill", "my-shot"]) == 0
    assert "committed rep 1:" in capsys.readouterr().out
    [session] = list(SessionStore(tmp_path / "sessions"))
    assert session.manifest.skill == "my-shot"
    assert [e.kind for e in session.events()].count(EventKind.REP) == 1

    assert main(["--workspace", str(tmp_path), "record", "--video-as-camera",
                 str(media_dir / "free_throw_side.mp4"), "--skill", "no-such-skill"]) == 2
    assert "unknown skill 'no-such-skill'" in capsys.readouterr().err
    assert len(list(SessionStore(tmp_path / "sessions"))) == 1, "nothing was recorded for the unknown skill"
