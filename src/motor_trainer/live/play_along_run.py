"""One run's play-along: the sound output, the prepared sound, the reference video and the clock that ties them (no Qt).

Prepared in the live worker while the routine loads (decoding and
stretching the soundtrack takes a moment); the practice screen starts the
sound once the camera's first frame fixes the clock's origin, and asks for
the reference picture at the music's position on every tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.audio.output import SoundOutput
from motor_trainer.errors import UserFacingError
from motor_trainer.live.play_along import PLAYBACK_RATE_HZ, PlayAlongSettings, PlaybackClock, faces_camera, plan_clock, play_along_sound
from motor_trainer.live.reference_video import ReferenceVideo
from motor_trainer.live.practice_loop import repeated, section_length_s, section_routine
from motor_trainer.live.session_setup import LoopSection, MirrorChoice, SessionSetup

#: How many passes of a looped section are played and followed (the picture loops without end).
LOOP_PASSES_PLAYED = 30


@dataclass
class PlayAlong:
    """What plays while the dancer dances; ``notes`` are one-line problems the screen shows (no sound, no video)."""

    routine: ReferenceRoutine  # the one followed: a looped section's own when looping
    settings: PlayAlongSettings
    clock: PlaybackClock
    sound_samples: np.ndarray
    sound: SoundOutput | None = None
    video: ReferenceVideo | None = None
    notes: list[str] = field(default_factory=list)
    started: bool = False
    loop: LoopSection | None = None
    loop_length_s: float | None = None  # music seconds of one pass of the looped section
    full_routine_steps: int = 0  # steps in the whole routine (the loop offers the next section)

    @property
    def steps_per_pass(self) -> int | None:
        return None if self.loop is None else self.loop.last_step - self.loop.first_step + 1

    def start(self, origin_monotonic_s: float) -> None:
        """Start the sound so that its sample 0 is at the camera's time 0 (``origin_monotonic_s``); once."""
        if self.started:
            return
        self.started = True
        if self.sound is not None:
            self.sound.play(self.sound_samples, origin_monotonic_s)

    def reference_frame(self, music_s: float, wait_s: float = 0.0) -> tuple[float, np.ndarray] | None:
        """(music_s of the frame, display image) of the reference at ``music_s``; None without a video."""
        if self.video is None:
            return None
        start_s = float(self.routine.sequence.time_s[0])
        length_s = self.loop_length_s
        if length_s is not None and music_s >= 0:
            music_s %= length_s
        found = self.video.frame_at(start_s + music_s, wait_s)
        return None if found is None else (found[0] - start_s, found[1])

    def close(self) -> None:
        """Stop the sound and the decoder (again: nothing)."""
        sound, video, self.sound, self.video = self.sound, self.video, None, None
        if sound is not None:
            sound.close()
        if video is not None:
            video.close()


def mirrored(choice: MirrorChoice, routine: ReferenceRoutine) -> bool:
    return faces_camera(routine.sequence) if choice is MirrorChoice.AUTO else choice is MirrorChoice.ON


def prepare_play_along(setup: SessionSetup, routine: ReferenceRoutine, speed: float, sound_backends: list | None = None) -> PlayAlong:
    """Open the sound output (its stored latency sets the clock), decode and stretch the soundtrack, open the video.

    ``routine`` is the whole routine; with ``setup.loop`` the run follows
    the section cut from it, its sound and picture looped. Without a sound
    device, a soundtrack or the reference's video the run goes on without it
    and says so in one line each.
    """
    followed, loop_length_s = routine, None
    if setup.loop is not None:
        cut = _section(routine, setup.loop)
        followed, loop_length_s = repeated(cut, LOOP_PASSES_PLAYED), section_length_s(cut)
    start_s = float(followed.sequence.time_s[0])
    # One pass of the section in the soundtrack's and the video's own clock.
    section_s = None if loop_length_s is None else (start_s, start_s + loop_length_s)
    notes: list[str] = []
    sound, no_sound = SoundOutput.open(PLAYBACK_RATE_HZ, sound_backends)
    if sound is None:
        notes.append(f"Silent run on the wall clock: {no_sound}")
    device = "" if sound is None else sound.output.key
    offset_ms = float(setup.audio_offsets_ms.get(device, 0.0)) if device else 0.0
    settings = PlayAlongSettings(speed, mirrored(setup.mirror_reference, followed), setup.reference_layout, offset_ms, device)
    clock = plan_clock(followed.beat_grid, speed, latency_s=offset_ms / 1000.0, start_s=start_s)
    video_path = Path(routine.sequence.source) if routine.sequence.source else None
    if video_path is not None and not video_path.is_file():
        notes.append(f"No reference video or soundtrack at {video_path}: follow the count-in and the step strip")
        video_path = None
    elif video_path is None:
        notes.append("The routine names no video: follow the count-in and the step strip")
    try:
        samples = play_along_sound(clock, video_path, section_s=section_s, passes=1 if section_s is None else LOOP_PASSES_PLAYED)
    except UserFacingError as problem:
        notes.append(f"{problem}: counting in only")
        samples = play_along_sound(clock, None)
    video = None
    if video_path is not None:
        try:
            video = ReferenceVideo(video_path, followed.sequence.image_size_px, setup.rotate_deg, section_s)
        except UserFacingError as problem:
            notes.append(str(problem))
    return PlayAlong(
        followed, settings, clock, samples, sound, video, notes,
        loop=setup.loop, loop_length_s=loop_length_s, full_routine_steps=len(routine.steps),
    )


def _section(routine: ReferenceRoutine, loop: LoopSection) -> ReferenceRoutine:
    try:
        return section_routine(routine, loop)
    except ValueError as problem:
        raise UserFacingError(str(problem)) from None
