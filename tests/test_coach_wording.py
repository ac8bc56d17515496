"""Every coach sentence is curious, never shaming.

Renders every function and constant in feedback/messages.py with sample
values, and every message the coach produces on the synthetic streams, and
rejects any that contains a shaming word. A new function in messages.py with
a parameter name not listed in SAMPLES fails here until a sample is added,
so nothing new escapes the check.
"""

from __future__ import annotations

import inspect
import re
from datetime import datetime

import pytest
from coach_streams import block_with_successes, form_stream, from_pattern, misses_by_channel

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching import classify as classify_module
from motor_trainer.coaching.practice import PracticeMode, summarise_session
from motor_trainer.feedback import messages

SHAMING_WORDS = (
    "wrong",
    "bad",
    "badly",
    "fail",
    "failed",
    "failing",
    "failure",
    "stupid",
    "poor",
    "poorly",
    "terrible",
    "awful",
    "lazy",
    "careless",
    "sloppy",
    "pathetic",
    "useless",
    "worst",
    "worse",
    "disappointing",
    "disappointed",
    "shame",
    "shameful",
    "embarrassing",
    "hopeless",
    "clumsy",
    "mediocre",
    "weak",
    "incompetent",
    "unacceptable",
    "idiot",
    "mess",
    "messed",
    "oops",
    "ugh",
    "should have",
    "you always",
    "you never",
    "give up",
    "not good enough",
)
SHAMING = re.compile(r"\b(" + "|".join(re.escape(w) for w in SHAMING_WORDS) + r")\b", re.IGNORECASE)

#: Sample values per parameter name; call i uses each parameter's sample i (cycling), so every listed branch runs.
SAMPLES: dict[str, list] = {
    "value": [9.0, 0.347, 123.4, -2.0],
    "unit": ["cm", "deg", "bl_per_s", "", "ms", "s", "mm"],
    "fraction": [0.7, 0.0, 1.0],
    "name": ["elbow_drift", "outcome", "timing"],
    "kind": ["open-loop", "closed-loop", "mixed"],
    "count": [7, 1, 4, 2],
    "singular": ["miss"],
    "plural_form": ["misses", None],
    "then": [datetime(2026, 11, 15), datetime(2026, 11, 22), datetime(2026, 11, 21), datetime(2026, 10, 2)],
    "now": [datetime(2026, 11, 22, 18)],
    "kind_explanation": list(messages.SKILL_KIND_EXPLANATIONS.values()),
    "preset_title": ["dart-throw", "dance-footwork"],
    "noun": ["throw", "step", "attempt"],
    "feature": ["elbow drift", None, "landing spot", "timing"],
    "direction": ["forward", None, "late", "up-left"],
    "size": ["8 cm", None, "120 ms"],
    "misses": [10, 1, 0, 4, 2],
    "block_number": [1, 12],
    "reps": [10, 6],
    "successes": [7, 0, 10],
    "with_errors": [3, 6],
    "obvious": [1, 0, 4],
    "scored": [False, True],
    "threshold": ["75 %", "40 %"],
    "changes": [["target radius 50 → 40 mm"], ["tempo 100 % → 105 %", "timing windows ±50 → ±45 ms"]],
    "before_mm": [50.0],
    "after_mm": [40.0, 62.5],
    "before_z": [2.0],
    "after_z": [1.8, 2.22],
    "before_ms": [(50, 100, 200)],
    "after_ms": [(45, 90, 180)],
    "level": [1, -2],
    "tolerance_mm": [40.0, None],
    "trajectory_z": [1.8, None],
    "timing_windows_ms": [None, (45, 90, 180)],
    "before_factor": [1.0],
    "after_factor": [1.05, 0.95],
    "same": [True, False],
    "spread_now": ["9 cm", "0.3 body lengths per second"],
    "spread_before": ["4 cm"],
    "parts": [["Elbow drift stood out in 7 of 10 misses.", "Where did your attention go?"]],
    "steady_signals": [["speed", "rhythm", "path", "error-size"], ["rhythm"]],
    "signs": [["movements 22 % slower"], ["movements 22 % slower", "the movement path 2.9 times as variable"]],
    "percent_slower": [22.0],
    "before_percent": [1.4],
    "now_percent": [28.0],
    "ratio": [2.9, 1.7],
    "when_before": ["last week", "yesterday", "in the session before"],
    "when_now": ["today", "in the latest one"],
    "trend": list(messages.VARIABILITY_TREND_WORDS),
    "successes_before": [4],
    "reps_before": [10],
    "successes_now": [7],
    "reps_now": [10],
    "part": ["right elbow", "left foot", "landing"],
    "magnitude": [6.0, 120.0, 12.0],
    "gain": [2.0, None, 1.0],
    "section": ["steps 3-6", "the whole routine"],
    "speed_before": [0.75, 1.0],
    "speed_now": [0.9, 1.05],
    "clean_now": [7, 0],
    "steps_now": [8],
    "number": [4, 1, 12],
    "numbers": [[2, 5, 7]],
    "channel": ["timing", "missing", "placement", "posture", "outcome", "elbow_drift", "outcome", "trunk_sway"],
    "body_part": ["left foot", None, "right elbow"],
    "skill": ["tennis-serve", "golf-swing", "dance-footwork", "free-throw", "generic-overhead"],
    "text": ["keep the elbow under the ball"],
    "reference_id": ["club-throws", None],
    "reference_kind": ["saved", "video", "own-reps", "session", "folder"],
    "path": ["/clips/coach.mp4", None],
    "mirror": [False, True],
    "bpm": [None, 120.0],
    "first_beat_s": [0.5, None],
    "where": ["landed T20, 103 mm high", "was entered"],
    "success": [False, True, None],
    "start_s": [0.5, 12.25, None],
    "end_s": [2.3, 13.0, None],
    "release_s": [1.6, None],
    "side": ["right", None, "left"],
    "severity": ["obvious", "subtle", "clean"],
    "detail": ["180 ms late", None, "8 cm forward"],
}


def _public_functions():
    return [
        function
        for name, function in inspect.getmembers(messages, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == messages.__name__
    ]


def _renderings(function) -> list[str]:
    parameters = inspect.signature(function).parameters
    missing = [p for p in parameters if p not in SAMPLES]
    assert not missing, f"add sample values for {function.__name__}({', '.join(missing)}) to SAMPLES"
    # None is only offered to parameters annotated as optional.
    samples = {
        name: [v for v in SAMPLES[name] if v is not None or "None" in str(parameter.annotation)]
        for name, parameter in parameters.items()
    }
    rounds = max((len(values) for values in samples.values()), default=1)
    return [function(**{p: values[i % len(values)] for p, values in samples.items()}) for i in range(rounds)]


def _constant_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in (*value.keys(), *value.values()) for s in _constant_strings(item)]
    if isinstance(value, tuple | list):
        return [s for item in value for s in _constant_strings(item)]
    return []


def _all_template_texts() -> list[str]:
    texts = [text for function in _public_functions() for text in _renderings(function)]
    for name, value in vars(messages).items():
        if name.isupper():
            texts += _constant_strings(value)
    return texts


def _all_coach_texts() -> list[str]:
    streams = [
        (block_with_successes(9) + block_with_successes(2, first_index=10), SkillKind.OPEN_LOOP),
        (block_with_successes(9, kind=SkillKind.CLOSED_LOOP), SkillKind.CLOSED_LOOP),
        (block_with_successes(1, kind=SkillKind.MIXED), SkillKind.MIXED),
        (form_stream(degrading=True), SkillKind.OPEN_LOOP),
        (form_stream(degrading=False), SkillKind.OPEN_LOOP),
        (from_pattern("MMMMSMMMSSMSSS"), SkillKind.OPEN_LOOP),
        (misses_by_channel([("timing", "late", 3), ("elbow_drift", "forward", 7)]), SkillKind.OPEN_LOOP),
    ]
    texts = [
        message.text
        for verdicts, kind in streams
        for mode in PracticeMode
        for message in summarise_session(verdicts, kind, mode)
    ]
    for question in classify_module.FLOW.values():
        for answer in question.answers:
            if answer.result is not None:
                texts.append(answer.result.explanation)
    return texts


def test_the_scan_reaches_every_kind_of_message():
    """Guards the guard: the scan must actually see the coach's sentences."""
    templates, coach = _all_template_texts(), _all_coach_texts()
    assert len(_public_functions()) >= 30
    assert any("Keep going" in t for t in coach) and any("minutes' rest" in t for t in coach)
    assert any(t.startswith("Interesting") for t in coach) and any("notice" in t for t in coach)
    assert any("One step harder" in t for t in coach) and any("One step easier" in t for t in coach)
    assert any("varied" in t for t in templates)


def test_the_shaming_pattern_catches_shaming_words():
    assert SHAMING.search("That was a bad throw.")
    assert SHAMING.search("You FAILED again")
    assert not SHAMING.search("Interesting: the elbow drift went forward.")


@pytest.mark.parametrize("source", ["templates", "coach"])
def test_no_message_contains_a_shaming_word(source):
    texts = _all_template_texts() if source == "templates" else _all_coach_texts()
    offending = [(match.group(0), text) for text in texts if (match := SHAMING.search(text))]
    assert not offending, f"shaming wording: {offending[:5]}"


def test_no_message_is_left_with_an_unfilled_placeholder():
    leftovers = [t for t in _all_template_texts() + _all_coach_texts() if re.search(r"\{\w*\}|None\b", t)]
    assert not leftovers, leftovers[:5]


def _dance_run_of_misses(count: int) -> list:
    """One run of a routine whose every step is an obvious miss, timing and unlanded steps taking turns
    (the 15 misses that used to read as 15 copies of one sentence)."""
    from coach_streams import make_verdict

    from motor_trainer.records.verdict import Severity

    return [
        make_verdict(i, success=False, severity=Severity.OBVIOUS, channel="missing" if i % 2 else "timing",
                     direction="late", magnitude=180.0, unit="ms", kind=SkillKind.CLOSED_LOOP, skill="dance-footwork")
        for i in range(count)
    ]


def _sentences_per_block(texts: list[str], block_starts: list[bool]) -> list[list[str]]:
    """Sentences of each block's messages, numbers blanked (so "Step 3 ..." and "Step 5 ..." count as one sentence)."""
    blocks: list[list[str]] = [[]]
    for text, starts_next in zip(texts, block_starts):
        blocks[-1] += [re.sub(r"\d+", "#", s.strip()) for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
        if starts_next:
            blocks.append([])
    return blocks


def test_no_sentence_is_said_more_than_three_times_in_a_block():
    streams = [
        (_dance_run_of_misses(15), SkillKind.CLOSED_LOOP),
        (misses_by_channel([("timing", "late", 3), ("elbow_drift", "forward", 7)]), SkillKind.OPEN_LOOP),
        (from_pattern("MMMMSMMMSSMSSS"), SkillKind.OPEN_LOOP),
        (block_with_successes(2) + block_with_successes(1, first_index=10), SkillKind.OPEN_LOOP),
    ]
    for verdicts, kind in streams:
        said = summarise_session(verdicts, kind)
        texts = [m.text for m in said]
        # a block's rep notes come first, then its block messages: a block ends at its last block message
        ends = [m.block_index is not None and (i + 1 == len(said) or said[i + 1].block_index is None) for i, m in enumerate(said)]
        for sentences in _sentences_per_block(texts, ends):
            repeated = {s: sentences.count(s) for s in sentences if sentences.count(s) > 3}
            assert not repeated, repeated


def test_a_run_of_misses_names_each_step_then_the_pattern_once():
    said = [m.text for m in summarise_session(_dance_run_of_misses(15), SkillKind.CLOSED_LOOP) if m.kind.value == "obvious-miss"]
    assert said[0].startswith("Step 1 came 180 ms late.") and said[1].startswith("Step 2 didn't land")
    assert len(said) == 6  # two notes and one pattern line per kind of miss
    assert sum("on steps 1, 3 and 5" in text for text in said) == 1
    assert not any("watch the throw" in text or "throw" in text for text in said)


@pytest.mark.parametrize("skill, kind, noun", [
    ("tennis-serve", "open-loop", "serve"), ("golf-swing-dtl", "open-loop", "swing"), ("free-throw", "open-loop", "throw"),
    ("dance-footwork", "closed-loop", "step"), ("padel-overhead", "open-loop", "shot"), ("juggling", "open-loop", "throw"),
])
def test_each_skill_names_its_own_action(skill, kind, noun):
    assert messages.action_noun(skill, kind) == noun
