"""Reviewing progress: saved sessions of a skill, their success rates, and the coach's comparison."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from motor_trainer.records.verdict import Severity, SkillKind, Verdict
from motor_trainer.records.session_verdicts import SessionVerdicts
from motor_trainer.gui.progress_view import ProgressView

NOW = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


def _session(session_id: str, days_ago: int, successes: int, reps: int) -> SessionVerdicts:
    verdicts = tuple(
        Verdict(i, "dart-throw", SkillKind.OPEN_LOOP, i, i + 1, float(i), i + 0.5,
                Severity.CLEAN if i < successes else Severity.OBVIOUS, "" if i < successes else "outcome", i < successes)
        for i in range(reps)
    )
    return SessionVerdicts(session_id, NOW - timedelta(days=days_ago), "dart-throw", verdicts)


def test_two_sessions_show_their_success_and_the_comparison(qtbot):
    view = ProgressView([_session("2026-11-15_a", 7, 3, 10), _session("2026-11-22_b", 0, 7, 10)], NOW)
    qtbot.addWidget(view)
    assert view.skill.currentData() == "dart-throw"
    rows = [[view.table.item(r, c).text() for c in range(3)] for r in range(view.table.rowCount())]
    assert rows == [["2026-11-15_a", "10", "3"], ["2026-11-22_b", "10", "7"]]
    assert "3 of 10" in view.statements.text() and "7 of 10" in view.statements.text()  # the coach compares them
    _, rates = view.curve.getData()
    assert list(rates) == [30.0, 70.0]


def test_without_saved_sessions_it_says_how_to_get_some(qtbot):
    view = ProgressView([], NOW)
    qtbot.addWidget(view)
    assert view.table.rowCount() == 0
    assert "No saved sessions yet" in view.findChildren(type(view.statements))[0].text()


def test_the_success_curve_numbers_whole_sessions_only(qtbot):
    sessions = [_session(f"2026-11-{day:02d}_a", 22 - day, day % 5, 5) for day in range(1, 23)]
    for shown in (sessions[:2], sessions):
        view = ProgressView(shown, NOW)
        qtbot.addWidget(view)
        axis = view.plot.getAxis("bottom")
        ticks = [value for _, values in axis.tickValues(1, len(shown), 800) for value in values]
        assert ticks and all(float(value).is_integer() for value in ticks)
        assert len(ticks) <= 12
