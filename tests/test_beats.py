"""Beat detection on synthetic click tracks written to disk, so the PyAV decode path is tested too."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from motor_trainer.errors import UserFacingError
from motor_trainer.skills.beats import decode_audio_mono, detect_beats

RATE_HZ = 44100


def click_track(bpm: float, first_beat_s: float, duration_s: float, seed: int = 0) -> np.ndarray:
    """Decaying 1.5 kHz clicks on every beat over quiet noise; every fourth click accented."""
    rng = np.random.default_rng(seed)
    samples = 0.01 * rng.standard_normal(int(duration_s * RATE_HZ))
    click_t = np.arange(int(0.03 * RATE_HZ)) / RATE_HZ
    click = np.sin(2 * np.pi * 1500 * click_t) * np.exp(-click_t / 0.006)
    for number, beat_s in enumerate(np.arange(first_beat_s, duration_s - 0.05, 60.0 / bpm)):
        start = int(round(beat_s * RATE_HZ))
        gain = 0.8 if number % 4 == 0 else 0.5
        samples[start : start + len(click)] += gain * click[: len(samples) - start]
    return samples.astype(np.float32)


def write_audio(path: Path, samples: np.ndarray, codec: str) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=RATE_HZ, layout="mono")
        frame_format = "s16" if codec == "pcm_s16le" else "fltp"
        block = 1024
        for start in range(0, len(samples), block):
            chunk = samples[start : start + block]
            data = (chunk * 32767).astype(np.int16) if frame_format == "s16" else chunk
            frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format=frame_format, layout="mono")
            frame.sample_rate = RATE_HZ
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.mark.parametrize(
    ("bpm", "first_beat_s", "file_name", "codec"),
    [(117.0, 0.35, "clicks.wav", "pcm_s16le"), (93.5, 0.12, "clicks.mkv", "flac"), (142.0, 0.40, "clicks.mkv", "flac")],
)
def test_tempo_and_phase_of_click_track(tmp_path: Path, bpm: float, first_beat_s: float, file_name: str, codec: str) -> None:
    path = tmp_path / file_name
    write_audio(path, click_track(bpm, first_beat_s, 12.0), codec)
    estimate = detect_beats(path)
    assert estimate is not None
    assert abs(estimate.bpm - bpm) <= 1.0
    # The estimate may name any beat as the first; compare the phase modulo one period.
    period_s = 60.0 / bpm
    phase_error_s = (estimate.first_beat_s - first_beat_s + period_s / 2) % period_s - period_s / 2
    assert abs(phase_error_s) <= 0.020
    assert estimate.strength > 2.0


def test_video_without_audio_has_no_beats(media_dir: Path) -> None:
    assert decode_audio_mono(media_dir / "lab_steps_view1.mp4") is None
    assert detect_beats(media_dir / "lab_steps_view1.mp4") is None


def test_unreadable_file_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "song.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(UserFacingError, match="song.mp4"):
        detect_beats(bad)
