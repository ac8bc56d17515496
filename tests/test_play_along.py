"""Dancing along without the window: the time-stretch, the playback clock, the count-in, the next steps, the sound output.

Synthetic signals with a known answer for the maths (a 440 Hz tone, taps a
known 80 ms late); the sideways dance's own landmarks stamped on a slowed
camera clock for the judging (the same dance must land every step Perfect).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from motor_trainer.analysis.routine_reference import build_reference
from motor_trainer.audio.output import SoundOutput
from motor_trainer.audio.time_stretch import stretch_time
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.live.live_analysis import ClosedLoopAnalyser
from motor_trainer.live.play_along import (
    PLAYBACK_RATE_HZ,
    latency_from_taps,
    plan_clock,
    play_along_sound,
    upcoming_steps,
)
from motor_trainer.live.practice_loop import LoopTally, repeated, section_length_s, section_routine
from motor_trainer.live.practice_state import PracticeState, step_verdict
from motor_trainer.live.preferences import PracticePreferences, load_preferences, save_preferences
from motor_trainer.live.session_factory import dance_speed, starting_difficulty
from motor_trainer.live.session_setup import LoopSection, SessionSetup
from motor_trainer.pose.tracker import PoseFrame
from motor_trainer.records.verdict import SkillKind
from motor_trainer.skills.closed_loop import BeatGrid, ClosedLoopSettings, Foot, StepTier
from motor_trainer.skills.presets import load_preset_table

RATE_HZ = 44_100


def peak_frequency_hz(samples: np.ndarray, rate_hz: int) -> float:
    """The strongest frequency of the middle half, finely resolved (8x zero padding)."""
    middle = samples[len(samples) // 4 : 3 * len(samples) // 4]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle)), n=8 * len(middle)))
    return float(np.fft.rfftfreq(8 * len(middle), 1 / rate_hz)[np.argmax(spectrum)])


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.1])
def test_a_tone_played_slower_keeps_its_pitch_and_lasts_one_over_the_speed(speed):
    tone = (0.5 * np.sin(2 * np.pi * 440.0 * np.arange(2 * RATE_HZ) / RATE_HZ)).astype(np.float32)
    played = stretch_time(tone, RATE_HZ, speed)
    assert abs(peak_frequency_hz(played, RATE_HZ) - 440.0) <= 5.0
    assert len(played) / len(tone) == pytest.approx(1 / speed, rel=1e-3)
    # Resampled instead, the same tone would drop to 440 * speed (330 Hz at 0.75x): a fourth lower.
    resampled = np.interp(np.arange(0, len(tone), speed), np.arange(len(tone)), tone)
    assert abs(peak_frequency_hz(resampled, RATE_HZ) - 440.0 * speed) <= 5.0
    # The level holds: no beating where the windows overlap.
    middle = played[len(played) // 4 : 3 * len(played) // 4]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)


def test_the_count_in_is_one_bar_that_runs_on_into_the_routines_beat():
    grid = BeatGrid.from_tempo(100.0, first_beat_s=0.3, start_s=0.0, end_s=10.0)
    clock = plan_clock(grid, speed=0.75, latency_s=0.05)
    clicks = clock.click_music_s()
    assert np.allclose(np.diff(clicks), 0.6) and clicks[-1] + 0.6 == pytest.approx(0.3)  # the next beat is the routine's first
    assert [clock.count_in_beat(t + 0.01) for t in clicks] == [1, 2, 3, 4]
    assert clock.count_in_beat(0.0) is None
    # At 0.75x one music second takes 1/0.75 camera seconds, heard 50 ms after it is played.
    assert clock.camera_s(1.0) - clock.camera_s(0.0) == pytest.approx(1 / 0.75)
    assert clock.music_s(clock.camera_s(2.5)) == pytest.approx(2.5)
    sound = play_along_sound(clock, None)
    first_click = int(np.argmax(np.abs(sound) > 0.1))
    assert first_click / PLAYBACK_RATE_HZ == pytest.approx(clock.pre_roll_s, abs=0.002)
    assert len(sound) / PLAYBACK_RATE_HZ == pytest.approx(clock.pre_roll_s + clock.count_in_s, abs=0.01)


@pytest.fixture(scope="module")
def dance():
    from footage import tracked

    settings = ClosedLoopSettings.from_table(load_preset_table("dance-footwork"))
    return build_reference(tracked("webcam_dance_sideways.mp4", rotate_deg=270), name="dance", contact=settings.contact), settings


@pytest.mark.footage
@pytest.mark.parametrize("speed", [1.0, 0.75, 0.5])
def test_the_reference_danced_at_the_playback_speed_lands_every_step_perfect(dance, speed):
    """Each reference frame stamped when the slowed music plays it: judged on the music's clock, it is on time."""
    routine, settings = dance
    sequence = routine.sequence
    clock = plan_clock(routine.beat_grid, speed)
    analyser = ClosedLoopAnalyser(routine, settings, clock)
    judged = []
    for index in range(len(sequence)):
        camera_s = clock.camera_s(float(sequence.time_s[index] - sequence.time_s[0]))
        pose = PoseFrame(index, camera_s, sequence.xy_px[index], sequence.visibility[index], sequence.presence[index],
                         sequence.world_m[index], sequence.image_size_px)
        for progress in analyser.push(pose):
            judged += [(event, camera_s) for event in progress.step_events]
    tiers = [event.tier for event, _ in judged]
    assert tiers == [StepTier.PERFECT] * len(routine.steps), [(e.tier, e.timing_error_ms) for e, _ in judged]
    # Reported on the camera's clock, so a recording's events sit with their frames.
    assert all(event.time_s <= camera_s + 1e-6 for event, camera_s in judged)


@pytest.mark.footage
def test_the_strip_names_the_next_steps_and_a_mirrored_reference_swaps_feet_and_directions(dance):
    routine, _ = dance
    ahead = upcoming_steps(routine, music_s=0.0, count=3)
    assert [step.number for step in ahead] == [1, 2, 3]
    assert [step.foot for step in ahead] == [step.foot for step in routine.steps[:3]]
    mirrored = upcoming_steps(routine, music_s=0.0, count=3, mirror=True)
    assert [step.foot for step in mirrored] == [Foot.LEFT if step.foot is Foot.RIGHT else Foot.RIGHT for step in ahead]
    swap = {"←": "→", "→": "←", "·": "·"}
    assert [step.direction for step in mirrored] == [swap[step.direction] for step in ahead]
    later = upcoming_steps(routine, music_s=routine.steps[1].plant_s - routine.sequence.time_s[0], count=3)
    assert [step.number for step in later] == [3, 4, 5]


def test_the_coachs_tempo_step_sets_the_next_runs_playback_speed():
    """A clean run raises the coach's level; the next run's music plays 5 % faster (and a chosen 0.8x becomes 0.84x)."""
    first = SessionSetup("dance-footwork", video_path=None, camera_index=0, dance_speed=1.0, coach_level=0)
    assert dance_speed(first) == 1.0
    state = PracticeState(first.skill, SkillKind.CLOSED_LOOP, PracticeMode.PRACTICE, starting_difficulty(first))
    from motor_trainer.analysis.alignment import StepTierEvent

    for index in range(10):
        event = StepTierEvent(index, Foot.LEFT, StepTier.PERFECT, 5.0, float(index), (index, index + 1))
        state.coach.observe(step_verdict(event, first.skill))
    state.finish()
    reached = state.coach.difficulty.level
    assert reached == 1
    assert dance_speed(SessionSetup("dance-footwork", camera_index=0, dance_speed=1.0, coach_level=reached)) == 1.05
    assert dance_speed(SessionSetup("dance-footwork", camera_index=0, dance_speed=0.8, coach_level=reached)) == 0.84


def test_tapping_along_to_clicks_measures_the_outputs_latency():
    clicks = np.arange(8) * 0.5
    rng = np.random.default_rng(3)
    taps = clicks[1:] + 0.080 + rng.normal(0, 0.01, 7)
    taps = np.append(taps, 1.74)  # one stray tap between clicks
    assert latency_from_taps(clicks, taps) == pytest.approx(80.0, abs=8.0)
    assert latency_from_taps(clicks, taps[:2]) is None


def test_no_sound_device_is_one_line_and_the_null_device_plays_on_the_clock():
    import miniaudio

    missing = [miniaudio.Backend.WASAPI]  # Windows' sound layer: not on this Linux machine
    sound, problem = SoundOutput.open(RATE_HZ, missing)
    assert sound is None and problem.startswith("no sound output found") and "\n" not in problem
    sound, problem = SoundOutput.open(RATE_HZ, [miniaudio.Backend.NULL])
    assert sound is not None, problem
    try:
        started_s = time.monotonic()
        sound.play(np.ones(RATE_HZ * 5, np.float32), started_s - 1.0)  # due a second ago: starts a second in
        time.sleep(0.5)
        played_s = sound.samples_played / RATE_HZ
    finally:
        sound.close()
    assert 1.2 <= played_s <= 1.5 + (time.monotonic() - started_s)


def test_play_along_choices_and_latencies_are_kept_in_practice_toml(tmp_path):
    path = tmp_path / "practice.toml"
    chosen = PracticePreferences(
        dance_speed=0.75, mirror_reference="on", reference_layout="behind", audio_offsets_ms={"Pulse: Speakers": 85.0}
    )
    save_preferences(chosen, path)
    assert load_preferences(path) == (chosen, "")
    path.write_text('audio_offsets_ms = { "Pulse: Speakers" = "loud" }\n')
    defaults, problem = load_preferences(path)
    assert defaults == PracticePreferences() and "audio_offsets_ms must give milliseconds per sound output" in problem


@pytest.mark.footage
def test_a_looped_section_is_followed_pass_after_pass_until_enough_clean_passes(dance):
    """Steps 3-6 danced three times over at 0.75x (the reference's own frames of that section, pass after pass)."""
    routine, settings = dance
    section = LoopSection(3, 6, clean_passes_wanted=3)
    cut = section_routine(routine, section)
    assert [step.foot for step in cut.steps] == [step.foot for step in routine.steps[2:6]]
    assert cut.sequence.time_s[0] < routine.steps[2].lift_s and cut.sequence.time_s[-1] > routine.steps[5].plant_s
    assert cut.sequence.time_s[0] > routine.steps[1].plant_s  # not the step before's landing
    looped = repeated(cut, passes=3)
    sequence = looped.sequence
    clock = plan_clock(routine.beat_grid, 0.75, start_s=float(sequence.time_s[0]))
    analyser = ClosedLoopAnalyser(looped, settings, clock)
    tally = LoopTally(section, len(cut.steps))
    for index in range(len(sequence)):
        music_s = float(sequence.time_s[index] - sequence.time_s[0])
        pose = PoseFrame(index, clock.camera_s(music_s), sequence.xy_px[index], sequence.visibility[index],
                         sequence.presence[index], sequence.world_m[index], sequence.image_size_px)
        for progress in analyser.push(pose):
            for event in progress.step_events:
                tally.add(event)
    assert tally.passes == [[StepTier.PERFECT] * 4] * 3, tally.passes
    assert tally.clean_passes == 3 and tally.done
    assert tally.summary(0.75, len(routine.steps), pass_number=3) == (
        "Loop steps 3-6 at 0.75×: pass 3, 3 of 3 clean. Next: the same section at full speed, or steps 7-10."
    )
    steps = len(routine.steps)
    with pytest.raises(ValueError, match=f"has {steps} steps: cannot loop steps {steps - 1}-{steps + 2}"):
        section_routine(routine, LoopSection(steps - 1, steps + 2))


@pytest.mark.footage
def test_the_strip_of_a_looped_section_runs_on_into_its_next_pass_numbered_as_in_the_routine(dance):
    routine, _ = dance
    cut = section_routine(routine, LoopSection(3, 6))
    looped = repeated(cut, passes=3)
    length_s = section_length_s(cut)
    last_plant_s = cut.steps[-1].plant_s - cut.sequence.time_s[0]
    ahead = upcoming_steps(looped, music_s=length_s + last_plant_s - 0.01, count=3, steps_per_pass=4, first_number=3)
    assert [step.number for step in ahead] == [6, 3, 4]
    assert ahead[1].music_s == pytest.approx(2 * length_s + cut.steps[0].plant_s - cut.sequence.time_s[0])


def test_taps_on_the_probes_clicks_give_the_outputs_delay():
    """The probe's clicks on the null output, tapped a known 120 ms late (one tap missed, one stray)."""
    import miniaudio

    from motor_trainer.live.latency_probe import LatencyProbe

    sound, problem = SoundOutput.open(RATE_HZ, [miniaudio.Backend.NULL])
    assert sound is not None, problem
    try:
        probe = LatencyProbe(sound)
        probe.start()
        for click_s in probe.click_s[1:]:
            probe.tap(probe.started_s + click_s + 0.120)
        probe.tap(probe.started_s + probe.click_s[2] + 0.3)  # between clicks: stray
        assert not probe.finished(probe.started_s + probe.click_s[-1])
        assert probe.finished(probe.started_s + probe.click_s[-1] + 1.0)
        assert probe.latency_ms() == pytest.approx(120.0, abs=1.0)
    finally:
        sound.close()


@pytest.mark.footage
def test_a_looped_run_is_prepared_with_its_section_sound_and_picture_looped(dance):
    """prepare_play_along on the null sound output: the follower's routine is the section repeated,
    the sound is the count-in then the section's music again and again, the picture comes back to the section's start."""
    import miniaudio

    from motor_trainer.live.play_along_run import LOOP_PASSES_PLAYED, prepare_play_along

    routine, _ = dance
    setup = SessionSetup("dance-footwork", camera_index=0, rotate_deg=270, loop=LoopSection(3, 6, 2))
    play_along = prepare_play_along(setup, routine, 0.75, sound_backends=[miniaudio.Backend.NULL])
    try:
        assert play_along.notes == [] and play_along.settings.audio_device.startswith("Null")
        assert not play_along.started and play_along.loop == setup.loop
        length_s = play_along.loop_length_s
        assert length_s == pytest.approx(section_length_s(section_routine(routine, setup.loop)))
        assert len(play_along.routine.steps) == 4 * LOOP_PASSES_PLAYED
        music_start = int(round((play_along.clock.pre_roll_s + play_along.clock.count_in_s) * PLAYBACK_RATE_HZ))
        music_s = (len(play_along.sound_samples) - music_start) / PLAYBACK_RATE_HZ
        assert music_s == pytest.approx(LOOP_PASSES_PLAYED * length_s / 0.75, abs=0.05)
        first = play_along.reference_frame(0.5, wait_s=5.0)
        again = play_along.reference_frame(length_s + 0.5, wait_s=5.0)
        assert first is not None and again is not None and again[0] == first[0] and np.array_equal(again[1], first[1])
    finally:
        play_along.close()
