"""Play a soundtrack slower or faster with its pitch kept: WSOLA (waveform-similarity overlap-add).

Resampling would slow the music and lower it (0.75x: a fourth down); a
dancer practising slowly wants the song as it sounds, only longer. WSOLA cuts
the input into overlapping windows read ``speed`` times as fast as they are
written, and shifts each read by up to ``tolerance`` samples to where it best
continues the output so far, so no period of a tone is cut in half.
"""

from __future__ import annotations

import numpy as np

#: Playback speeds the practice screen offers: slow enough to learn a step, a little over full speed.
MIN_SPEED = 0.5
MAX_SPEED = 1.1


def stretch_time(samples: np.ndarray, rate_hz: int, speed: float, window_s: float = 0.046) -> np.ndarray:
    """Mono float32 ``samples`` played at ``speed`` (0.75: slower) with the pitch kept: about ``len / speed`` samples.

    Notes: a Hann window at 50 % overlap sums to one, so a steady tone keeps
    its level; the search for the best continuation is a cross-correlation
    over ±half a hop. ``speed`` 1 returns a copy. Silence (all zeros) stays silence.
    """
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be within {MIN_SPEED}..{MAX_SPEED}, got {speed}")
    mono = np.asarray(samples, dtype=np.float32).reshape(-1)
    if speed == 1.0 or len(mono) == 0:
        return mono.copy()
    window = max(64, int(round(window_s * rate_hz)) // 2 * 2)
    hop_out = window // 2
    hop_in = hop_out * speed
    tolerance = hop_out // 2
    out_length = int(round(len(mono) / speed))
    padded = np.concatenate([np.zeros(window + tolerance, np.float32), mono, np.zeros(2 * window + tolerance, np.float32)])
    offset = window + tolerance  # padded index of sample 0
    taper = np.hanning(window + 2)[1:-1].astype(np.float32)
    taper /= (taper[:hop_out] + taper[hop_out:]).mean()  # overlap-added at 50 %, the windows sum to one
    frames = out_length // hop_out + 2
    output = np.zeros(frames * hop_out + window, np.float32)
    previous_read = offset - hop_out  # where the last window was read (before the first: the silence before sample 0)
    for frame in range(frames):
        nominal = offset + int(round(frame * hop_in)) - hop_out
        # The natural continuation of the last window read: its second half, hop_out further on.
        wanted = padded[previous_read + hop_out : previous_read + hop_out + window]
        start = max(0, nominal - tolerance)
        region = padded[start : nominal + tolerance + window]
        shift = _best_shift(region, wanted) if np.any(wanted) else nominal - start
        read = start + shift
        output[frame * hop_out : frame * hop_out + window] += taper * padded[read : read + window]
        previous_read = read
    return output[hop_out : hop_out + out_length]


def _best_shift(region: np.ndarray, wanted: np.ndarray) -> int:
    """Where in ``region`` a window best matches ``wanted`` (normalised cross-correlation)."""
    count = len(region) - len(wanted) + 1
    correlation = np.correlate(region, wanted, mode="valid")[:count]
    energy = np.convolve(region * region, np.ones(len(wanted), np.float32), mode="valid")[:count]
    return int(np.argmax(correlation / np.sqrt(energy + 1e-9)))
