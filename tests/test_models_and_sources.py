"""Model download and import against a local HTTP server; live sources and the lost-camera watchdog."""

from __future__ import annotations

import http.server
import shutil
import threading
from fractions import Fraction
import time
from functools import partial
from pathlib import Path

import pytest

from motor_trainer.capture.sources import LiveSource, VideoAsCamera
from motor_trainer.cli import main
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.models import ModelVariant, download_model, resolve_model


@pytest.fixture
def model_server(tmp_path, shared_dir):
    """Serves ../shared/models/pose_landmarker_full.task on 127.0.0.1 at MediaPipe's URL layout."""
    root = tmp_path / "www"
    served = root / "pose_landmarker_full" / "float16" / "latest"
    served.mkdir(parents=True)
    shutil.copy(shared_dir / "models" / "pose_landmarker_full.task", served)
    (root / "pose_landmarker_heavy" / "float16" / "latest").mkdir(parents=True)
    (root / "pose_landmarker_heavy" / "float16" / "latest" / "pose_landmarker_heavy.task").write_text("<html>not a model</html>")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_full_model_downloads_atomically_with_progress(model_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTOR_TRAINER_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("MOTOR_TRAINER_MODEL_BASE_URL", model_server)
    progress: list[tuple[int, int]] = []
    path = download_model(ModelVariant.FULL, tmp_path / "models", progress=lambda done, total: progress.append((done, total)))
    assert path.read_bytes() == (Path(__file__).parents[2] / "shared/models/pose_landmarker_full.task").read_bytes()
    assert progress[-1][0] == progress[-1][1] == path.stat().st_size
    assert resolve_model("full") == path  # now found without downloading
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["pose_landmarker_full.task"]


def test_a_bad_download_leaves_nothing_and_says_how_to_import(model_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTOR_TRAINER_MODEL_BASE_URL", model_server)
    with pytest.raises(UserFacingError, match="not usable"):
        download_model(ModelVariant.HEAVY, tmp_path / "models", progress=None)
    monkeypatch.setenv("MOTOR_TRAINER_MODEL_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(UserFacingError, match="motor-trainer models import pose_landmarker_heavy.task"):
        download_model(ModelVariant.HEAVY, tmp_path / "models", progress=None)
    assert list((tmp_path / "models").iterdir()) == []


def test_models_import_installs_a_hand_downloaded_bundle(shared_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOTOR_TRAINER_MODELS", str(tmp_path / "models"))
    assert main(["models", "import", str(shared_dir / "models" / "pose_landmarker_full.task")]) == 0
    assert (tmp_path / "models" / "pose_landmarker_full.task").is_file()
    not_a_model = tmp_path / "pose_landmarker_heavy.task"
    not_a_model.write_text("hello")
    assert main(["models", "import", str(not_a_model)]) == 2
    assert "not a MediaPipe .task bundle" in capsys.readouterr().err


class StallingCamera(LiveSource):
    """Delivers frames at 30 fps for 0.5 s, then nothing: a camera unplugged mid-session."""

    def _run_capture(self) -> None:
        import numpy as np

        start = time.monotonic()
        for _ in range(15):
            self._publish(np.zeros((4, 4, 3), np.uint8), time.monotonic(), start)
            time.sleep(1 / 30)
        self._stop.wait()
        self._finish()


def test_stalled_camera_is_reported_lost_within_one_second():
    camera = StallingCamera("test camera")
    lost_at: list[float] = []
    camera.on_lost(lambda message: lost_at.append(time.monotonic()))
    with camera:
        while camera.frames_captured < 15:
            time.sleep(0.01)
        last_frame_at = time.monotonic()
        deadline = last_frame_at + 3
        while not lost_at and time.monotonic() < deadline:
            time.sleep(0.01)
    assert lost_at, "the stall was never reported"
    assert lost_at[0] - last_frame_at <= 1.0
    assert camera.lost


def test_video_as_camera_plays_in_real_time_and_drops_for_a_slow_consumer(media_dir):
    """free_throw_side.mp4 is 90 frames at 30 fps: 3 s. A consumer taking 70 ms per frame
    sees fewer than half of them, and the newest each time, as from a webcam."""
    camera = VideoAsCamera(media_dir / "free_throw_side.mp4")
    started = time.monotonic()
    seen = []
    with camera:
        for frame in camera.frames():
            seen.append(frame.index)
            time.sleep(0.07)
    elapsed = time.monotonic() - started
    assert 2.8 <= elapsed <= 3.6
    assert camera.frames_captured == 90
    assert len(seen) < 50 and seen == sorted(seen)
    assert camera.frames_dropped == 90 - len(seen)


def test_variable_frame_rate_keeps_the_container_timestamps(tmp_path):
    """A clip whose frames are 1/30 s apart, then 1/10 s apart (a webcam slowing down in dim light):
    the source reports each frame's own time, not index / nominal rate."""
    import av
    import numpy as np

    from motor_trainer.capture.sources import open_video

    path = tmp_path / "vfr.mkv"
    times_s = [i / 30 for i in range(10)] + [10 / 30 + i / 10 for i in range(1, 6)]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.time_base = Fraction(1, 1000)
        for time_s in times_s:
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 100, np.uint8), format="rgb24")
            frame.pts = round(time_s * 1000)
            frame.time_base = stream.time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with open_video(path) as video:
        decoded = [frame.time_s for frame in video.frames()]
    np.testing.assert_allclose(decoded, np.array(times_s) - times_s[0], atol=0.002)


def test_looking_for_cameras_prints_nothing_to_the_terminal(capfd):
    """The app probes camera indices at start; on a machine without them OpenCV would print ~80 lines of errors."""
    from motor_trainer.capture.sources import list_cameras

    cameras = list_cameras()
    assert all(isinstance(index, int) for index in cameras)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("platform, first, also", [
    ("win32", "CAP_MSMF", "CAP_DSHOW"), ("darwin", "CAP_AVFOUNDATION", "CAP_ANY"), ("linux", "CAP_V4L2", None),
])
def test_each_platform_opens_webcams_through_its_own_camera_api(platform, first, also):
    from motor_trainer.capture.sources import camera_backends
    from motor_trainer.cvshim import cv2

    backends = camera_backends(platform)
    assert backends[0] == getattr(cv2, first)
    assert also is None or getattr(cv2, also) in backends[1:]


def test_a_camera_that_gives_nothing_is_one_line_and_names_the_macos_permission():
    from motor_trainer.capture.sources import camera_unavailable_line

    mac = camera_unavailable_line(0, "darwin")
    assert "Privacy & Security > Camera" in mac and "\n" not in mac
    assert "Privacy" not in camera_unavailable_line(0, "linux")


def test_a_missing_camera_is_one_line_not_a_traceback():
    from motor_trainer.capture.sources import WebcamSource
    from motor_trainer.errors import UserFacingError

    with pytest.raises(UserFacingError, match=r"^camera 9: not available \(no camera at that index, or it is in use\)$"):
        WebcamSource(9)
