"""Measuring the sound output's delay: the dancer taps along to a few clicks (no Qt).

A sound is heard some tens of milliseconds after the program plays it (the
device's buffers, Bluetooth far more). Tapping on each click as it is heard
measures that delay per output; the dance's judging then counts the music as
heard, not as played.
"""

from __future__ import annotations

import time

import numpy as np

from motor_trainer.audio.output import SoundOutput
from motor_trainer.live.play_along import PLAYBACK_RATE_HZ, click_samples, latency_from_taps

#: Clicks played, their spacing, and the silence before the first.
PROBE_CLICKS = 8
PROBE_SPACING_S = 0.6
PROBE_LEAD_S = 0.8


class LatencyProbe:
    """Plays the clicks on ``sound`` and collects taps (``time.monotonic()`` moments)."""

    def __init__(self, sound: SoundOutput):
        self.sound = sound
        self.click_s = PROBE_LEAD_S + PROBE_SPACING_S * np.arange(PROBE_CLICKS)
        self.taps_s: list[float] = []
        self.started_s: float | None = None

    def start(self) -> None:
        samples = np.zeros(int((self.click_s[-1] + PROBE_SPACING_S) * PLAYBACK_RATE_HZ), np.float32)
        for beat, at_s in enumerate(self.click_s):
            click = click_samples(accent=beat == 0)
            at = int(round(at_s * PLAYBACK_RATE_HZ))
            samples[at : at + len(click)] = click
        self.started_s = time.monotonic()
        self.taps_s = []
        self.sound.play(samples, self.started_s)

    def tap(self, monotonic_s: float) -> None:
        if self.started_s is not None:
            self.taps_s.append(monotonic_s - self.started_s)

    def finished(self, monotonic_s: float) -> bool:
        return self.started_s is not None and monotonic_s - self.started_s > self.click_s[-1] + PROBE_SPACING_S

    def latency_ms(self) -> float | None:
        """The median lag of the taps behind the clicks; None with fewer than three taps near a click."""
        return latency_from_taps(self.click_s, np.array(self.taps_s))
