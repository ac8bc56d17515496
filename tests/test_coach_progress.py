"""Progress across sessions from two sessions' verdicts with a known answer (release height SD 9 cm, then 4 cm)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
from coach_streams import make_verdict, values_with_sd
from session_fixtures import elbow_flexion_sequence

from motor_trainer.records.verdict import Severity
from motor_trainer.coaching.progress import ProgressSettings, ProgressTrend, progress_by_skill, skill_progress, variability_trend
from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.feedback.messages import when_words
from motor_trainer.storage.events import EventKind
from motor_trainer.storage.manifest import SessionSource, SourceKind
from motor_trainer.storage.session_folder import finalise
from motor_trainer.storage.store import SessionStore

NOW = datetime(2026, 11, 22, 18, 30)


def _session(session_id: str, started_at: datetime, height_sd_cm: float, successes: int, skill: str = "dart-throw"):
    """Ten reps: release height 150 cm with exactly the given SD, wrist speed exactly 3.0 ± 0.3 bl/s,
    the first ``successes`` reps clean and the rest obvious misses."""
    heights = values_with_sd(150.0, height_sd_cm, 10, seed=11)
    speeds = values_with_sd(3.0, 0.3, 10, seed=12)
    verdicts = tuple(
        make_verdict(
            i,
            severity=Severity.CLEAN if i < successes else Severity.OBVIOUS,
            channel="" if i < successes else "elbow_drift",
            features={"release_height_cm": float(heights[i]), "peak_wrist_speed_bl_per_s": float(speeds[i])},
            skill=skill,
        )
        for i in range(10)
    )
    return SessionVerdicts(session_id=session_id, started_at=started_at, skill=skill, verdicts=verdicts)


LAST_WEEK = _session("2026-11-14-dart", datetime(2026, 11, 14, 17, 0), height_sd_cm=9.0, successes=4)
TODAY = _session("2026-11-22-dart", datetime(2026, 11, 22, 17, 45), height_sd_cm=4.0, successes=7)


def test_statement_compares_last_weeks_spread_with_todays():
    progress = skill_progress([TODAY, LAST_WEEK], "dart-throw", NOW)
    assert progress.feature_statements["release_height_cm"] == (
        "Last week your release height varied 9 cm, today 4 cm: steadier."
    )
    assert progress.statements[0] == "Last week 4 of 10 were successful, today 7 of 10."
    assert progress.feature_statements["release_height_cm"] in progress.statements


def test_unchanged_spread_reads_as_about_the_same_in_readable_units():
    statement = skill_progress([TODAY, LAST_WEEK], "dart-throw", NOW).feature_statements["peak_wrist_speed_bl_per_s"]
    assert statement == (
        "Last week your peak wrist speed varied 0.3 body lengths per second, "
        "today 0.3 body lengths per second: about the same."
    )


def test_series_for_plots_are_ordered_by_date_with_the_known_spreads():
    progress = skill_progress([TODAY, LAST_WEEK], "dart-throw", NOW)
    heights = progress.features["release_height_cm"]
    assert heights.session_ids == ("2026-11-14-dart", "2026-11-22-dart")
    assert heights.unit == "cm"
    np.testing.assert_allclose(heights.sd, [9.0, 4.0])
    np.testing.assert_allclose(heights.mean, [150.0, 150.0])
    np.testing.assert_array_equal(heights.reps, [10, 10])
    np.testing.assert_allclose(progress.success.success_rate, [0.4, 0.7])
    assert not heights.sd.flags.writeable


def test_more_spread_today_reads_as_exploring_not_as_worse():
    progress = skill_progress([LAST_WEEK, _session("b", datetime(2026, 11, 21, 9, 0), 14.0, 5)], "dart-throw", NOW)
    statement = progress.feature_statements["release_height_cm"]
    assert statement.startswith("Last week your release height varied 9 cm, yesterday 14 cm: more varied")
    assert "exploring" in statement


def test_sessions_on_the_same_day_are_told_apart():
    morning = _session("a", datetime(2026, 11, 22, 9, 0), 9.0, 4)
    statement = skill_progress([morning, TODAY], "dart-throw", NOW).feature_statements["release_height_cm"]
    assert statement == "In the session before your release height varied 9 cm, in the latest one 4 cm: steadier."


def test_progress_is_kept_per_skill():
    free_throw = _session("ft", datetime(2026, 11, 20, 12, 0), 2.0, 9, skill="free-throw")
    by_skill = progress_by_skill([LAST_WEEK, free_throw, TODAY], NOW)
    assert set(by_skill) == {"dart-throw", "free-throw"}
    assert by_skill["dart-throw"].features["release_height_cm"].session_ids == ("2026-11-14-dart", "2026-11-22-dart")
    assert by_skill["free-throw"].statements == ()  # one session: nothing to compare yet


def test_trend_reads_changes_within_a_fifth_as_the_same():
    settings = ProgressSettings()
    assert variability_trend(9.0, 4.0, settings) is ProgressTrend.STEADIER
    assert variability_trend(4.0, 4.5, settings) is ProgressTrend.SIMILAR
    assert variability_trend(4.0, 5.0, settings) is ProgressTrend.MORE_VARIED


def test_progress_from_two_real_saved_sessions(tmp_path):
    """The same two sessions written to a real session store, read back as progress records, give the same statements."""
    store = SessionStore(tmp_path / "sessions")
    for synthetic in (LAST_WEEK, TODAY):
        session = store.create(
            source=SessionSource(SourceKind.VIDEO_FILE, path="darts.mp4"),
            model="lite",
            skill="dart-throw",
            started_at=synthetic.started_at.replace(tzinfo=UTC),
        )
        session.save_landmarks(elbow_flexion_sequence())
        with session.open_event_log() as log:
            for verdict in synthetic.verdicts:
                log.append(EventKind.VERDICT, verdict.to_dict(), time_s=verdict.end_s)
        finalise(session)

    saved = [session.progress_record(session.verdicts()) for session in store]
    assert len(saved) == 2
    progress = skill_progress(saved, "dart-throw", NOW.replace(tzinfo=UTC))
    assert progress.statements[0] == "Last week 4 of 10 were successful, today 7 of 10."
    assert progress.feature_statements["release_height_cm"] == (
        "Last week your release height varied 9 cm, today 4 cm: steadier."
    )
    np.testing.assert_allclose(progress.features["release_height_cm"].sd, [9.0, 4.0])


def test_day_words_follow_the_viewers_time_zone():
    saved_utc = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    tokyo = timezone(timedelta(hours=9))
    assert when_words(saved_utc, datetime(2026, 11, 22, 20, 0, tzinfo=tokyo)) == "today"
    assert when_words(saved_utc, datetime(2026, 11, 22, 20, 0, tzinfo=UTC)) == "yesterday"
