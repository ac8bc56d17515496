"""Tempo and beat phase of a reference video's soundtrack.

A dance is judged against its music, so the beat grid comes from the audio
when the reference has a track: PyAV decodes it, a spectral-flux onset
envelope marks where sound energy rises, the envelope's autocorrelation
gives the beat period, and a fine search over tempo and phase of a pulse
train refines both (the autocorrelation alone is only good to one hop).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from motor_trainer.errors import UserFacingError

ANALYSIS_RATE_HZ = 22050
HOP_SAMPLES = 128  # 5.8 ms per envelope frame at 22.05 kHz: fine enough for a ±20 ms phase
WINDOW_SAMPLES = 1024
MIN_BPM = 60.0
MAX_BPM = 200.0


@dataclass(frozen=True)
class BeatEstimate:
    """A tempo and the time of the first beat, both in the clip's own clock.

    ``strength`` is the pulse train's mean envelope at the beats over the
    envelope's mean (1 = no pulse at all); below about 1.5 the music has no
    clear beat and the user should give the tempo.
    """

    bpm: float
    first_beat_s: float
    strength: float

    @property
    def period_s(self) -> float:
        return 60.0 / self.bpm


def decode_audio_mono(path: Path | str, rate_hz: int = ANALYSIS_RATE_HZ) -> np.ndarray | None:
    """The first audio stream as mono float32 at ``rate_hz``, or None when the file has no audio.

    Raises UserFacingError when the file cannot be opened or decoded.
    """
    path = Path(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate_hz)
            chunks = []
            for frame in container.decode(stream):
                for resampled in resampler.resample(frame):
                    chunks.append(resampled.to_ndarray().reshape(-1))
            for resampled in resampler.resample(None):
                chunks.append(resampled.to_ndarray().reshape(-1))
    except (av.error.FFmpegError, OSError) as error:
        raise UserFacingError(f"{path}: cannot read the audio track ({error})") from None
    if not chunks:
        return None
    return np.concatenate(chunks).astype(np.float32)


def onset_envelope(samples: np.ndarray, rate_hz: int = ANALYSIS_RATE_HZ) -> np.ndarray:
    """Half-wave-rectified spectral flux of the log spectrum, one value per hop.

    Notes: the log (1 + 1000·|X|) compresses loudness so a quiet click counts
    like a loud one; only rises in energy count, so a decaying note adds nothing.
    Envelope frame k is centred at sample k·HOP_SAMPLES.
    """
    samples = np.asarray(samples, dtype=np.float64)
    padded = np.pad(samples, (WINDOW_SAMPLES // 2, WINDOW_SAMPLES // 2))
    frame_count = 1 + (len(padded) - WINDOW_SAMPLES) // HOP_SAMPLES
    if frame_count < 2:
        return np.zeros(max(frame_count, 0))
    starts = np.arange(frame_count) * HOP_SAMPLES
    frames = padded[starts[:, None] + np.arange(WINDOW_SAMPLES)] * np.hanning(WINDOW_SAMPLES)
    log_magnitude = np.log1p(1000.0 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(np.diff(log_magnitude, axis=0), 0.0).sum(axis=1)
    return np.concatenate([[0.0], flux])


def _pulse_score(envelope: np.ndarray, frame_rate_hz: float, period_s: float, phase_s: np.ndarray) -> np.ndarray:
    """Mean envelope at the beats of a pulse train, for each candidate phase."""
    beat_count = int((len(envelope) / frame_rate_hz - phase_s.max()) / period_s)
    if beat_count < 1:
        return np.zeros(len(phase_s))
    beat_frame = (phase_s[:, None] + period_s * np.arange(beat_count)) * frame_rate_hz
    return np.interp(beat_frame, np.arange(len(envelope)), envelope).mean(axis=1)


def estimate_beats(envelope: np.ndarray, frame_rate_hz: float) -> BeatEstimate | None:
    """Tempo and phase of the strongest regular pulse between MIN_BPM and MAX_BPM.

    The autocorrelation peak gives a coarse period; a search over ±3 % of it
    in 0.05 % steps, and over every phase, maximises the pulse train's mean
    envelope. Returns None when the envelope is silent or shorter than two beats.
    """
    envelope = np.asarray(envelope, dtype=np.float64)
    envelope = np.maximum(envelope - _moving_median(envelope, int(frame_rate_hz)), 0.0)
    if len(envelope) < 2 * frame_rate_hz * 60.0 / MAX_BPM or not np.any(envelope > 0):
        return None
    centred = envelope - envelope.mean()
    spectrum = np.fft.rfft(centred, 2 * len(centred))
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum))[: len(centred)]
    min_lag = int(np.floor(frame_rate_hz * 60.0 / MAX_BPM))
    max_lag = min(int(np.ceil(frame_rate_hz * 60.0 / MIN_BPM)), len(centred) // 2)
    if max_lag <= min_lag:
        return None
    lag = min_lag + int(np.argmax(autocorrelation[min_lag:max_lag]))
    coarse_period_s = lag / frame_rate_hz
    best = (-np.inf, coarse_period_s, 0.0)
    for period_s in coarse_period_s * np.linspace(0.97, 1.03, 121):
        phase_s = np.arange(0.0, period_s, 1.0 / frame_rate_hz / 2)
        scores = _pulse_score(envelope, frame_rate_hz, period_s, phase_s)
        index = int(np.argmax(scores))
        if scores[index] > best[0]:
            best = (float(scores[index]), float(period_s), float(phase_s[index]))
    score, best_period_s, first_beat_s = best
    mean = float(envelope.mean())
    return BeatEstimate(bpm=60.0 / best_period_s, first_beat_s=first_beat_s, strength=score / mean if mean > 0 else 0.0)


def _moving_median(values: np.ndarray, width: int) -> np.ndarray:
    """A slow baseline so a long swell in loudness does not read as onsets."""
    width = max(3, width | 1)
    padded = np.pad(values, width // 2, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return np.median(windows[:, ::4], axis=1)


def detect_beats(path: Path | str) -> BeatEstimate | None:
    """Tempo and first beat of a video's or audio file's soundtrack; None when it has no audio."""
    samples = decode_audio_mono(path)
    if samples is None or len(samples) < ANALYSIS_RATE_HZ:
        return None
    return estimate_beats(onset_envelope(samples), ANALYSIS_RATE_HZ / HOP_SAMPLES)
