"""The computer's sound output through miniaudio: one prepared buffer played against the monotonic clock.

miniaudio's wheels carry the whole C library for Linux, macOS and Windows
and load the system's sound layer (PulseAudio/PipeWire/ALSA, Core Audio,
WASAPI) at run time, so nothing else has to be installed (README, "Sound").
A machine without a sound device gets None and the reason in one line; the
run then goes on silent on the same clock.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

#: How much sound the device asks for at a time: short, so a stop is heard at once.
DEVICE_BUFFER_MS = 60


@dataclass(frozen=True)
class OutputDevice:
    """Which output plays the sound: ``key`` names it for the stored latency (backend and device name)."""

    backend: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.backend}: {self.name}"


class SoundOutput:
    """Plays a mono float32 buffer so that its sample 0 sounds at a given ``time.monotonic()`` moment.

    Starting late (the device took a moment to open) skips the samples
    already due, so the sound stays on the clock the dancer is judged on.
    """

    def __init__(self, device: Any, output: OutputDevice, rate_hz: int):
        self._device = device
        self.output = output
        self.rate_hz = rate_hz
        self.samples_played = 0

    @classmethod
    def open(cls, rate_hz: int, backends: list | None = None) -> tuple[SoundOutput | None, str]:
        """The default output, or None and a one-line reason (no device, no sound library)."""
        try:
            import miniaudio  # noqa: PLC0415 — loads the system's sound layer; only when sound is wanted
        except ImportError as error:
            return None, f"no sound: the miniaudio package is missing ({error})"
        try:
            device = miniaudio.PlaybackDevice(
                output_format=miniaudio.SampleFormat.FLOAT32,
                nchannels=1,
                sample_rate=rate_hz,
                buffersize_msec=DEVICE_BUFFER_MS,
                backends=backends,
                app_name="Motor Trainer",
            )
        except miniaudio.MiniaudioError as error:
            return None, f"no sound output found ({error.args[0] if error.args else error})"
        backend = str(device.backend)
        try:
            playbacks = miniaudio.Devices(backends=backends).get_playbacks()
            name = str(playbacks[0]["name"]) if playbacks else "default"
        except miniaudio.MiniaudioError:
            name = "default"
        return cls(device, OutputDevice(backend, name), rate_hz), ""

    def play(self, samples: np.ndarray, start_monotonic_s: float) -> None:
        """Start playing ``samples`` timed so that sample 0 is due at ``start_monotonic_s``."""
        buffer = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        feed = self._feed(buffer, start_monotonic_s)
        next(feed)
        self._device.start(feed)

    def _feed(self, buffer: np.ndarray, start_monotonic_s: float) -> Generator[bytes, int, None]:
        wanted = yield b""
        position = int(round((time.monotonic() - start_monotonic_s) * self.rate_hz))
        while True:
            chunk = np.zeros(wanted, np.float32)
            first, last = max(position, 0), min(position + wanted, len(buffer))
            if last > first:
                chunk[first - position : last - position] = buffer[first:last]
            position += wanted
            self.samples_played = max(0, min(position, len(buffer)))
            wanted = yield chunk.tobytes()

    def close(self) -> None:
        self._device.close()
