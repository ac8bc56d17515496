"""Progress for dancing along: the same section compared by its speed, never a loop against the whole routine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.coaching.progress import skill_progress
from motor_trainer.live.practice_state import step_verdict
from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.skills.closed_loop import Foot, StepTier

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
SKILL = "dance-footwork"


def danced(session_id: str, days_ago: int, speed: float, tiers: list[StepTier], loop: tuple[int, int] | None = (3, 6)) -> SessionVerdicts:
    """A saved dance session: its steps' tiers as the live run judged them, and how it was played."""
    verdicts = tuple(
        step_verdict(StepTierEvent(i % 4, Foot.LEFT, tier, None if tier is StepTier.MISS else 20.0, float(i), (i, i + 1)), SKILL)
        for i, tier in enumerate(tiers)
    )
    settings = {"playback_speed": speed, "reference_mirrored": False}
    if loop is not None:
        settings["loop_section"] = {"first_step": loop[0], "last_step": loop[1], "clean_passes_wanted": 2}
    return SessionVerdicts(session_id, NOW - timedelta(days=days_ago), SKILL, verdicts, settings)


def test_todays_faster_run_of_a_section_is_told_against_the_fastest_clean_one_before():
    clean = [StepTier.PERFECT, StepTier.GOOD] * 4
    sessions = [
        danced("a", 9, 0.6, clean),
        danced("b", 8, 0.75, clean),
        danced("c", 7, 0.85, [StepTier.PERFECT] * 6 + [StepTier.MISS] * 2),  # not clean: not the benchmark
        danced("w", 3, 1.0, clean, loop=None),  # the whole routine is another task
        danced("d", 0, 0.9, [StepTier.PERFECT] * 7 + [StepTier.OK]),
    ]
    statements = skill_progress(sessions, SKILL, NOW).statements
    assert "You danced steps 3-6 clean at 0.75× last week; today at 0.9×: 7 of 8 steps clean." in statements, statements


def test_no_statement_without_an_earlier_clean_run_of_the_same_section():
    sessions = [danced("a", 2, 0.75, [StepTier.MISS] * 8), danced("b", 0, 0.8, [StepTier.PERFECT] * 8)]
    assert not any(text.startswith("You danced") for text in skill_progress(sessions, SKILL, NOW).statements)


def test_the_sessions_browser_tells_the_faster_clean_run_from_sessions_saved_to_disk(tmp_path, qtbot):
    """How each run was danced (speed, looped section) is kept in the session's manifest; the
    browser's progress tab reads it back with the verdicts, so the statement reaches the screen."""
    from motor_trainer.gui.session_browser import SessionBrowser
    from motor_trainer.storage.events import EventKind
    from motor_trainer.storage.manifest import SessionSource, SourceKind
    from motor_trainer.storage.session_folder import finalise
    from motor_trainer.storage.store import SessionStore

    store = SessionStore(tmp_path / "sessions")
    clean = [StepTier.PERFECT, StepTier.GOOD] * 4
    for run in (danced("a", 8, 0.75, clean), danced("b", 0, 0.9, [StepTier.PERFECT] * 7 + [StepTier.OK])):
        session = store.create(source=SessionSource(SourceKind.VIDEO_FILE, path="dance.mp4"), model="lite", skill=SKILL,
                               started_at=run.started_at, settings=run.settings)
        with session.open_event_log() as log:
            for verdict in run.verdicts:
                log.append(EventKind.VERDICT, verdict.to_dict(), time_s=verdict.end_s)
        finalise(session)
    browser = SessionBrowser(store.sessions_dir, NOW)
    qtbot.addWidget(browser)
    assert "You danced steps 3-6 clean at 0.75× last week; today at 0.9×: 7 of 8 steps clean." in browser.progress.statements.text()
