"""The outcomes a person entered live, as a session keeps them, for judging its reps again later.

Live, an open-loop rep is judged on form when it ends and again when the
person enters where it landed (a board click, or H / M), at the coach's
difficulty of that moment. The recording keeps each entry as an OUTCOME event
right after the REP event it belongs to; this module writes that payload and
reads it back, so a saved session's replay judges a rep as the live app did:
with what was entered, at the tolerance of the time. Sessions recorded before
the tolerance was stored carry none (``OutcomeEntry.tolerance_mm`` is None):
the preset's is used, and the replay says so.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from motor_trainer.analysis.outcomes import (
    HitMiss,
    LandingPoint,
    Outcome,
    OutcomeJudgement,
    ThrowDistance,
)
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.kinematics import Side
from motor_trainer.skills.open_loop import OpenLoopPreset, Rep, load_open_loop_preset
from motor_trainer.storage.events import Event, EventKind

#: The preset whose outcome settings (a dartboard bed, tolerance, obvious multiple) a board click is judged with.
BOARD_OUTCOME_PRESET = "dart-throw"
#: The session setting that says outcomes were entered on the dartboard (SessionSetup.outcome_on_board).
BOARD_SETTING = "outcome_on_board"
_OUTCOME_TYPES: dict[str, type] = {kind.__name__: kind for kind in (LandingPoint, HitMiss, ThrowDistance)}


@dataclass(frozen=True)
class OutcomeEntry:
    """What was entered for live rep ``rep_index`` (its time span ``[rep_start_s, rep_end_s)`` on the session clock)
    and the difficulty it was judged at; None where the session did not store it."""

    rep_index: int
    rep_start_s: float
    rep_end_s: float
    outcome: Outcome
    tolerance_mm: float | None
    subtle_z: float | None


def with_board_outcome(preset: OpenLoopPreset, on_board: bool) -> OpenLoopPreset:
    """The preset as the live app judges it: with board entry, its outcome judged as a dart's landing point."""
    board = load_open_loop_preset(BOARD_OUTCOME_PRESET).outcome
    return dataclasses.replace(preset, outcome=board) if on_board and preset.outcome.type != board.type else preset


def outcome_event_payload(
    judged: OutcomeJudgement | None, outcome: Outcome, tolerance_mm: float | None, subtle_z: float | None
) -> dict[str, Any]:
    """The OUTCOME event of a rep judged with ``outcome`` (``RepAnalysis.outcome`` is ``judged``): the
    judgement, what was entered, and the difficulty it was judged at (the one before the coach observed
    the rep, which may end a block and change it); without those, a replay cannot judge the rep the same way."""
    entered = {"type": type(outcome).__name__, **vars(outcome)}
    return {**({} if judged is None else vars(judged)), "entered": entered, "tolerance_mm": tolerance_mm,
            "subtle_z": subtle_z}


def outcome_from_entered(entered: Mapping[str, Any]) -> Outcome:
    """The Outcome an OUTCOME event's ``entered`` holds; ValueError naming what is wrong with it."""
    kind = _OUTCOME_TYPES.get(str(entered.get("type")))
    if kind is None:
        raise ValueError(f"unknown outcome type {entered.get('type')!r}")
    fields = {field.name: entered.get(field.name) for field in dataclasses.fields(kind)}
    if kind is HitMiss:
        if not isinstance(fields["hit"], bool):
            raise ValueError(f"hit must be true or false, got {fields['hit']!r}")
        return HitMiss(fields["hit"])
    numbers = {}
    for name, value in fields.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
        numbers[name] = float(value)
    return kind(**numbers)


def outcome_entries(events: Iterable[Event], source: str) -> list[OutcomeEntry]:
    """The outcome entered for each rep, in rep order; entered twice, the later one counts (as live).

    An outcome is bound to the latest REP event before it, as the live app
    binds it to the latest rep. OUTCOME events without ``entered`` (``analyze``
    stores only the judgement) are skipped. A malformed entry is a one-line
    UserFacingError naming ``source`` and the event.
    """
    latest_rep: Mapping[str, Any] | None = None
    entries: dict[int, OutcomeEntry] = {}
    for event in events:
        if event.kind is EventKind.REP:
            latest_rep = event.payload
        elif event.kind is EventKind.OUTCOME and "entered" in event.payload and latest_rep is not None:
            try:
                entry = _entry(latest_rep, event.payload)
            except (KeyError, TypeError, ValueError) as error:
                raise UserFacingError(f"{source}: event {event.seq} is not a valid outcome ({error})") from None
            entries[entry.rep_index] = entry
    return [entries[index] for index in sorted(entries)]


def _entry(rep: Mapping[str, Any], payload: Mapping[str, Any]) -> OutcomeEntry:
    def optional(name: str) -> float | None:
        value = payload.get(name)
        return None if value is None else float(value)

    return OutcomeEntry(int(rep["index"]), float(rep["start_s"]), float(rep["end_s"]),
                        outcome_from_entered(payload["entered"]), optional("tolerance_mm"), optional("subtle_z"))


def recorded_reps(events: Iterable[Event]) -> dict[int, Mapping[str, Any]]:
    """The reps a session recorded as they happened (REP events with their times, by rep number);
    ``analyze`` stores its reps without times: it has none here."""
    return {int(event.payload["index"]): event.payload for event in events
            if event.kind is EventKind.REP and {"index", "start_s", "end_s", "release_s"} <= event.payload.keys()}


def rep_on_rows(recorded: Mapping[str, Any], time_s: np.ndarray) -> Rep:
    """A recorded rep placed on the rows of the saved landmarks (clock ``time_s``); ValueError if it lies outside.

    A live session's rep frames count the camera's frames, dropped ones
    included, while its landmarks hold only the frames analysed; both share
    the session clock, so the rep is placed by its times, and the wind-up's
    end (which has no time of its own) by its share of the rep's frames.
    """
    start_s, end_s, release_s = (float(recorded[name]) for name in ("start_s", "end_s", "release_s"))
    frames_s = (end_s - start_s) / max(1, int(recorded["end_frame"]) - int(recorded["start_frame"]))
    cock_s = start_s + (int(recorded["cock_frame"]) - int(recorded["start_frame"])) * frames_s
    start, end = int(np.searchsorted(time_s, start_s)), int(np.searchsorted(time_s, end_s, side="right"))
    release = int(np.argmin(np.abs(time_s - release_s)))
    if not start <= release < end:
        raise ValueError(f"{start_s:.2f}-{end_s:.2f} s lie outside the saved landmarks")
    cock = min(max(int(np.argmin(np.abs(time_s - cock_s))), start), release)
    return Rep(int(recorded["index"]), Side(recorded["side"]), start, end, cock, release, start_s, end_s, release_s,
               float(recorded["peak_speed_bl_per_s"]))


def overlapping_rep(reps: Sequence[Rep], start_s: float, end_s: float) -> Rep | None:
    """The rep whose time span overlaps ``[start_s, end_s)`` most; None when none does.

    Matched by time, not frames: a live session's rep frames count the
    camera's frames, dropped ones included, while its saved landmarks hold
    only the frames analysed; both share the session clock.
    """
    def overlap_s(rep: Rep) -> float:
        return min(rep.end_s, end_s) - max(rep.start_s, start_s)

    best = max(reps, key=overlap_s, default=None)
    return best if best is not None and overlap_s(best) > 0 else None
