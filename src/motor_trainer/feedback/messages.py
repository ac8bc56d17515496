"""Every sentence the coach says to the user, in one place so it can be reviewed and translated.

Tone (from the seeds, ../shared/seeds/): errors are the signal that opens the
window for learning, and they teach best in a low-stakes, psychologically safe
setting. So every message is curious rather than disappointed ("Interesting —
..."), states facts plainly, and never judges the person. tests/test_coach_wording.py
renders every function and constant here and rejects shaming words.

The functions take plain values (numbers, labels, already-formatted pieces),
never coach objects, so a translator can read each sentence without reading
the logic. Sections:

1. Formatting (numbers, units, feature labels, time words)
2. Skill classification (the question flow)
3. Rep notes (an obvious miss, a success after misses)
4. Block summaries and the performance score
5. Difficulty changes
6. Reflection after a block
7. Form: keep going or rest
8. Progress across sessions
9. Replay captions (added by the replay module's authors)
10. A saved session read back (`sessions show`)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

# ---------------------------------------------------------------------------
# 1. Formatting
# ---------------------------------------------------------------------------

#: Unit codes (feature-key suffixes, Deviation.unit) as the user reads them.
UNIT_WORDS: dict[str, str] = {
    "cm": "cm",
    "mm": "mm",
    "px": "px",
    "deg": "°",
    "ms": "ms",
    "s": "s",
    "bl": "body lengths",
    "bl_per_s": "body lengths per second",
    "deg_per_s": "° per second",
    "px_per_s": "px per second",
    "norm": "of the frame",
    "hz": "Hz",
    "": "",
}

#: Channels that are not feature names, as the user reads them.
CHANNEL_LABELS: dict[str, str] = {
    "outcome": "landing spot",
    "timing": "timing",
    "placement": "foot placement",
    "posture": "posture",
    "missing": "the step not landing",
}

#: What one repetition is called, per skill kind (SkillKind values).
ATTEMPT_NOUNS: dict[str, str] = {
    "open-loop": "throw",
    "closed-loop": "step",
    "mixed": "attempt",
}

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def format_number(value: float) -> str:
    """Two significant digits below 10, no trailing zeros: 9.0 -> "9", 4.25 -> "4.2", 0.30 -> "0.3", 123.4 -> "123"."""
    magnitude = abs(value)
    if magnitude >= 10:
        text = f"{value:.0f}"
    elif magnitude >= 1:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_quantity(value: float, unit: str) -> str:
    """A number with its unit in words: (9, "cm") -> "9 cm", (12, "deg") -> "12°"."""
    words = UNIT_WORDS.get(unit, unit)
    if not words:
        return format_number(value)
    separator = "" if words.startswith("°") else " "
    return f"{format_number(value)}{separator}{words}"


def format_percent(fraction: float) -> str:
    return f"{round(fraction * 100)} %"


def feature_label(name: str) -> str:
    """A channel or bare feature name as a noun, no article: "elbow_drift" -> "elbow drift", "outcome" -> "landing spot"."""
    return CHANNEL_LABELS.get(name, name.replace("_", " "))


def attempt_noun(kind: str) -> str:
    return ATTEMPT_NOUNS.get(kind, "attempt")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 miss", "3 misses"."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def when_words(then: datetime, now: datetime) -> str:
    """When a session happened, seen from ``now``: "today", "yesterday", "on Tuesday", "last week", "on 3 Nov".

    Days are counted in ``now``'s time zone (a session saved in UTC at 23:30
    may be "today" for someone east of Greenwich).
    """
    if then.tzinfo is not None and now.tzinfo is not None:
        then = then.astimezone(now.tzinfo)
    days = (now.date() - then.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"on {_WEEKDAYS[then.weekday()]}"
    if days < 14:
        return "last week"
    return f"on {then.day} {then.strftime('%b')}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _joined(parts: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


# ---------------------------------------------------------------------------
# 2. Skill classification
# ---------------------------------------------------------------------------

QUESTION_FEEDBACK_TIMING = "When do you find out how an attempt went?"
ANSWER_FEEDBACK_AFTER = "Only after it's over: the result arrives once the movement is done."
EXAMPLES_FEEDBACK_AFTER = ("throwing a dart", "shooting a free throw", "a golf putt")
ANSWER_FEEDBACK_DURING = "While I'm moving: I can feel or hear how it goes and adjust as I go."
EXAMPLES_FEEDBACK_DURING = ("dance footwork to music", "running form", "playing an instrument")
ANSWER_FEEDBACK_BOTH = "Some of each: parts I adjust as I go, and a result at the end."
EXAMPLES_FEEDBACK_BOTH = ("a layup: dribble, then release", "a tennis serve: toss, then hit")

QUESTION_TARGET = "What are you aiming at?"
ANSWER_TARGET_DARTBOARD = "A dartboard"
EXAMPLES_TARGET_DARTBOARD = ("steel-tip or soft-tip darts at a standard board",)
ANSWER_TARGET_HOOP = "A basketball hoop"
EXAMPLES_TARGET_HOOP = ("free throws", "set shots from a fixed spot")
ANSWER_TARGET_OTHER = "Something else I throw at"
EXAMPLES_TARGET_OTHER = ("a ball at a wall target", "a beanbag into a bucket")

QUESTION_MIXED_FOCUS = "Which part would you like to work on first?"
ANSWER_FOCUS_RELEASE = "The release at the end: where it goes"
EXAMPLES_FOCUS_RELEASE = ("the shot after a dribble", "the hit after a toss")
ANSWER_FOCUS_MOVEMENT = "The movement along the way: rhythm and footwork"
EXAMPLES_FOCUS_MOVEMENT = ("the approach steps", "the rhythm of a sequence")

#: What each skill kind means for the practice that follows (SkillKind values).
SKILL_KIND_EXPLANATIONS: dict[str, str] = {
    "open-loop": (
        "Open-loop skill: you act, then the result tells you how it went. "
        "Each attempt is looked at once it's done, and the misses show where to look next."
    ),
    "closed-loop": (
        "Closed-loop skill: feedback arrives while you move. "
        "Each step is compared with the routine's rhythm as you go."
    ),
    "mixed": (
        "Mixed skill: some of it you steer as you go, some of it only shows at the end. "
        "Many skills are like this; we'll start with the part you chose."
    ),
}


def classification_result(kind_explanation: str, preset_title: str) -> str:
    return f"{kind_explanation} Starting preset: {preset_title}."


# ---------------------------------------------------------------------------
# 3. Rep notes
# ---------------------------------------------------------------------------


#: Closing questions for an obvious miss, taken in turn by its number, so consecutive notes do not read alike.
MISS_QUESTIONS: tuple[str, ...] = (
    "What did it feel like?",
    "What do you remember of that one?",
    "Where was your attention just then?",
)

#: Words in a preset's name that say what one attempt of it is called ("tennis-serve" -> "serve").
ACTION_NOUNS_BY_WORD: dict[str, str] = {
    "throw": "throw",
    "dart": "throw",
    "serve": "serve",
    "swing": "swing",
    "golf": "swing",
    "putt": "putt",
    "overhead": "shot",
    "smash": "shot",
    "shot": "shot",
    "kick": "kick",
    "jump": "jump",
}


def action_noun(skill: str, kind: str) -> str:
    """What one attempt of ``skill`` is called: a step for a routine, else what its name says (a throw, a serve, a swing)."""
    if kind == "closed-loop":
        return "step"
    for word in skill.lower().replace("_", "-").split("-"):
        if word in ACTION_NOUNS_BY_WORD:
            return ACTION_NOUNS_BY_WORD[word]
    return attempt_noun(kind)


def _on_part(body_part: str | None) -> str:
    return f" at the {body_part}" if body_part else ""


def obvious_miss(
    noun: str, number: int, channel: str, feature: str | None, direction: str | None, size: str | None, body_part: str | None
) -> str:
    """A curious note on one obvious miss: which one, what stood out and where, then a question.

    ``channel``: "timing", "missing", "placement", "posture", "outcome" or a
    feature's name; ``feature`` the words for the deviation that stood out;
    ``body_part`` in words ("left knee"), when the deviation belongs to one.
    """
    which = f"{_capitalised(noun)} {number}"
    if channel == "missing":
        observation = f"{which} didn't land: the routine has a step there{_on_part(body_part)}."
    elif channel == "timing" and size:
        observation = f"{which} came {size} {direction or 'off the beat'}{_on_part(body_part)}."
    elif channel == "outcome" and size:
        observation = f"{which} landed {size} {direction} of the aim." if direction else f"{which} landed {size} from the aim."
    elif channel == "outcome":
        observation = f"{which} was entered as a miss."
    elif channel == "placement" and size:
        observation = f"On {noun} {number} the {body_part or 'foot'} landed {size} from where the routine puts it."
    elif feature and size:
        went = f" went {direction} by {size}" if direction else f" was {size} off"
        observation = f"Interesting, {noun} {number}: the {feature}{went}{_on_part(body_part)}."
    elif feature:
        observation = f"Interesting, {noun} {number}: the {feature} stood out{_on_part(body_part)}."
    else:
        observation = f"{which} went somewhere new."
    return f"{observation} {MISS_QUESTIONS[(number - 1) % len(MISS_QUESTIONS)]}"


def similar_misses(noun: str, numbers: Sequence[int], feature: str) -> str:
    """Said instead of a third note alike in one block: the pattern, once, and no more notes on it this block."""
    listed = _joined([str(number) for number in numbers])
    return (
        f"{_capitalised(feature)} stood out again, on {noun}s {listed}: a pattern worth a look. "
        f"Rather than a note on each, what do those {noun}s have in common for you?"
    )


def success_after_misses(noun: str, misses: int) -> str:
    """Brief on purpose: the reward is the learner's own, the cue is only to notice it."""
    return (
        f"That {noun} worked, after {plural(misses, 'miss', 'misses')} in a row. "
        "Pause for a breath and notice how it felt before the next one."
    )


# ---------------------------------------------------------------------------
# 4. Block summaries and the performance score
# ---------------------------------------------------------------------------


def block_summary(block_number: int, reps: int, successes: int, with_errors: int, obvious: int, scored: bool) -> str:
    text = (
        f"Block {block_number}: {successes} of {reps} successful ({format_percent(successes / reps)}), "
        f"errors in {with_errors} of {reps}, {plural(obvious, 'obvious miss', 'obvious misses')}."
    )
    if not scored:
        text += " Practice mode: none of this counts toward a score."
    return text


def performance_score(successes: int, reps: int) -> str:
    return f"Performance score so far: {successes} of {reps} ({format_percent(successes / reps)})."


# ---------------------------------------------------------------------------
# 5. Difficulty changes
# ---------------------------------------------------------------------------


def difficulty_raised(successes: int, reps: int, threshold: str, changes: Sequence[str]) -> str:
    return (
        f"{successes} of {reps} successful is above {threshold}, so errors are getting scarce, "
        f"and errors are what the brain learns from. One step harder: {'; '.join(changes)}."
    )


def difficulty_eased(successes: int, reps: int, threshold: str, changes: Sequence[str]) -> str:
    return (
        f"{successes} of {reps} successful is well below {threshold}: misses are crowding out the "
        f"successes that lock learning in. One step easier: {'; '.join(changes)}."
    )


def tolerance_change(before_mm: float, after_mm: float) -> str:
    return f"target radius {format_number(before_mm)} → {format_quantity(after_mm, 'mm')}"


def trajectory_threshold_change(before_z: float, after_z: float) -> str:
    """The trajectory z threshold: how far from the usual path (in the learner's own spread) counts as off."""
    return f"path tolerance {format_number(before_z)} → {format_number(after_z)} times your usual spread"


def _windows(values_ms: Sequence[float]) -> str:
    return "/".join(f"±{format_number(v)}" for v in values_ms)


def timing_windows_change(before_ms: Sequence[float], after_ms: Sequence[float]) -> str:
    return f"timing windows (perfect/good/OK) {_windows(before_ms)} → {_windows(after_ms)} ms"


def difficulty_carried_over(
    level: int, tolerance_mm: float | None, trajectory_z: float | None, timing_windows_ms: Sequence[float] | None
) -> str:
    """The session starts where the coach left the last one of this skill, so the errors stay ones to learn from."""
    settings = []
    if tolerance_mm is not None:
        settings.append(f"target radius {format_quantity(tolerance_mm, 'mm')}")
    if trajectory_z is not None:
        settings.append(f"path tolerance {format_number(trajectory_z)} times your usual spread")
    if timing_windows_ms is not None:
        settings.append(f"timing windows (perfect/good/OK) {_windows(timing_windows_ms)} ms")
    return f"Starting at level {level}, where your last session of this skill left off: {'; '.join(settings)}."


def tempo_change(before_factor: float, after_factor: float) -> str:
    return f"tempo {format_percent(before_factor)} → {format_percent(after_factor)}"


def difficulty_held_while_resting() -> str:
    return "Difficulty stays where it is until your form has had a rest."


# ---------------------------------------------------------------------------
# 6. Reflection after a block
# ---------------------------------------------------------------------------


def _share_of_misses(count: int, misses: int) -> str:
    if count == misses:
        return {1: "the only miss", 2: "both misses"}.get(misses, f"all {misses} misses")
    return f"{count} of {plural(misses, 'miss', 'misses')}"


def reflection_channel(count: int, misses: int, feature: str, direction: str | None) -> str:
    """ "Elbow drift stood out in 7 of 10 misses, mostly forward." """
    text = f"{_capitalised(feature)} stood out in {_share_of_misses(count, misses)}"
    return f"{text}, mostly {direction}." if direction else f"{text}."


def reflection_previous_channel(feature: str, count: int, misses: int, same: bool) -> str:
    if same:
        return f"Same as last block ({_share_of_misses(count, misses)} there)."
    return f"Last block, {feature} stood out instead ({_share_of_misses(count, misses)})."


def reflection_no_misses() -> str:
    return "No misses this block."


def reflection_variability(feature: str, spread_now: str, spread_before: str) -> str:
    return f"{_capitalised(feature)} varied {spread_now} this block, against {spread_before} in the last."


def reflection_question(misses: int) -> str:
    if misses == 0:
        return "What did you notice while it was going well?"
    if misses == 1:
        return "Where did your attention go during that miss?"
    return "Where did your attention go during those misses?"


def reflection(parts: Sequence[str]) -> str:
    return " ".join(parts)


# ---------------------------------------------------------------------------
# 7. Form: keep going or rest
# ---------------------------------------------------------------------------


#: The form signs by name (keys: FormSignal values).
FORM_SIGNAL_WORDS: dict[str, str] = {
    "speed": "speed",
    "rhythm": "rhythm",
    "path": "path",
    "error-size": "error size",
}


def keep_going(misses: int, reps: int, steady_signals: Sequence[str]) -> str:
    """``steady_signals``: FormSignal values of the signs that were checked and held."""
    steady = _joined([FORM_SIGNAL_WORDS[signal] for signal in steady_signals])
    verb = "looks like it did" if len(steady_signals) == 1 else "look like they did"
    return (
        f"{misses} of {reps} missed, and your form is holding steady: {steady} {verb} "
        "at the start. This uncomfortable stretch is when the brain is most ready to change. Keep going."
    )


def rest_suggestion(signs: Sequence[str]) -> str:
    return (
        f"Your form has drifted since the start: {_joined(signs)}. That looks more like tiredness "
        "than the useful kind of struggle. A few minutes' rest lets the practice so far settle; "
        "then pick it up again."
    )


def form_sign_slower(percent_slower: float) -> str:
    return f"movements {format_number(percent_slower)} % slower"


def form_sign_uneven_rhythm(before_percent: float, now_percent: float) -> str:
    return (
        f"the time between reps less even (varying {format_number(now_percent)} % "
        f"against {format_number(before_percent)} % at the start)"
    )


def form_sign_path_variability(ratio: float) -> str:
    return f"the movement path {format_number(ratio)} times as variable"


def form_sign_larger_errors(ratio: float) -> str:
    return f"errors {format_number(ratio)} times the size of the first ones"


# ---------------------------------------------------------------------------
# 8. Progress across sessions
# ---------------------------------------------------------------------------

#: Two sessions whose dates read the same ("today", "today") are told apart by these.
SESSION_BEFORE_WORDS = "in the session before"
SESSION_LATEST_WORDS = "in the latest one"

#: How a change in within-session spread reads (keys: ProgressTrend values).
VARIABILITY_TREND_WORDS: dict[str, str] = {
    "steadier": "steadier",
    "more-varied": "more varied, which often means you are exploring",
    "similar": "about the same",
}


def variability_progress(
    when_before: str, feature: str, spread_before: str, when_now: str, spread_now: str, trend: str
) -> str:
    """ "Last week your release height varied 9 cm, today 4 cm: steadier." """
    return (
        f"{_capitalised(when_before)} your {feature} varied {spread_before}, {when_now} {spread_now}: "
        f"{VARIABILITY_TREND_WORDS[trend]}."
    )


def dance_progress(
    section: str, when_before: str, speed_before: float, when_now: str, speed_now: float, clean_now: int, steps_now: int
) -> str:
    """A danced section by its speed: "You danced steps 3-6 clean at 0.75× last week; today at 0.9×: 7 of 8 steps clean." """
    return (
        f"You danced {section} clean at {speed_before:g}× {when_before}; "
        f"{when_now} at {speed_now:g}×: {clean_now} of {steps_now} steps clean."
    )


def success_progress(
    when_before: str, successes_before: int, reps_before: int, when_now: str, successes_now: int, reps_now: int
) -> str:
    return (
        f"{_capitalised(when_before)} {successes_before} of {reps_before} were successful, "
        f"{when_now} {successes_now} of {reps_now}."
    )


# ---------------------------------------------------------------------------
# 9. Replay captions
# ---------------------------------------------------------------------------
# (The replay module's captions go here, in the same curious tone.)


def replay_without_size_caption(noun: str, number: int, channel: str) -> str:
    """The caption of a replayed miss with no size to draw (an entered miss, a step that never landed)."""
    if channel == "outcome":
        return f"{noun} {number} was entered as a miss: watch the {noun}"
    if channel == "missing":
        return f"{noun} {number} didn't land where the routine has one: watch the feet"
    return f"{noun} {number}: watch the {feature_label(channel)}"

_TIME_UNITS = ("ms", "s")


def replay_caption(part: str, magnitude: float, unit: str, direction: str | None, gain: float | None) -> str:
    """The exaggerated replay's caption: the error's real size, then how much larger it is drawn.

    "right elbow drifted 6 cm forward — drawn 2× larger", "landed 18 cm left — drawn
    2× farther off" (part "landing"). ``gain`` None means
    the offset mode (pushed a constant distance further, not multiplied).
    """
    size = format_quantity(magnitude, unit)
    where = f" {direction}" if direction else ""
    if unit in _TIME_UNITS:
        observed = f"{part} came {size}{where or ' off the beat'}"
        larger = "further off the beat"
    elif part == "landing":
        observed = f"landed {size}{where or ' off the aim'}"
        larger = "farther off"
    else:
        observed = f"{part} {'turned' if unit == 'deg' else 'drifted'} {size}{where}"
        larger = "larger"
    if gain is None:
        drawn = "drawn further out than it was, to stand out"
    elif abs(gain - 1.0) < 0.05:
        drawn = "drawn true to size"
    else:
        drawn = f"drawn {format_number(gain)}× {larger}"
    return f"{observed} — {drawn}"


# ---------------------------------------------------------------------------
# 10. A saved session read back (`sessions show`)
# ---------------------------------------------------------------------------

#: How a verdict's severity reads in a sentence about one rep or step (keys: Severity values).
SEVERITY_WORDS: dict[str, str] = {
    "obvious": "stood out clearly in",
    "subtle": "differed a little in",
}


def rep_found(
    noun: str, number: int, start_s: float | None, end_s: float | None, release_s: float | None, side: str | None
) -> str:
    """ "Throw 2: 4.10-5.90 s, released at 5.20 s with the right arm." (a session saved without times leaves them out)"""
    parts = [] if start_s is None or end_s is None else [f"{start_s:.2f}-{end_s:.2f} s"]
    if release_s is not None:
        arm = f" with the {side} arm" if side in ("left", "right") else ""
        parts.append(f"released at {release_s:.2f} s{arm}")
    return f"{_capitalised(noun)} {number}: {', '.join(parts) or 'found'}."


def note_read_back(text: str) -> str:
    return f"Note: {text}"


def outcome_entered(noun: str, number: int, where: str, success: bool | None) -> str:
    """ "Throw 2 landed 142 mm low-right: a miss." ``where`` is "landed ..." or "entered as a hit"."""
    result = {True: ": a hit", False: ": a miss", None: ""}[success]
    return f"{_capitalised(noun)} {number} {where}{result}."


def verdict_read_back(
    noun: str, number: int, start_s: float, end_s: float, severity: str, channel: str, feature: str | None,
    detail: str | None, success: bool | None,
) -> str:
    """One judged rep or step as a sentence: "Step 4 (3.10-3.60 s) stood out clearly in timing: 180 ms late. It missed."

    ``detail`` is the size of what stood out, already in words; ``success`` None when no outcome was entered.
    """
    which = f"{_capitalised(noun)} {number} ({start_s:.2f}-{end_s:.2f} s)"
    if channel == "missing":
        text = f"{which} didn't land where the routine has a step."
    elif severity in SEVERITY_WORDS and feature:
        text = f"{which} {SEVERITY_WORDS[severity]} {feature}{': ' + detail if detail else ''}."
    else:
        text = f"{which} was clean."
    outcome = {True: " It hit.", False: " It missed.", None: ""}[success]
    return text + outcome


#: How a session's reference reads (keys: the ``kind`` the session recorded, analysis/session_reference.py).
REFERENCE_KIND_WORDS: dict[str, str] = {
    "video": "the routine in the video",
    "folder": "the routine folder",
    "saved": "the saved reference",
    "session": "the session",
    "own-reps": "its own reps",
}


def reference_read_back(reference_kind: str, reference_id: str | None, path: str | None) -> str:
    """ "the routine in the video /clips/coach.mp4" """
    name = reference_id if reference_kind in ("saved", "session") and reference_id else path
    return " ".join(part for part in (REFERENCE_KIND_WORDS.get(reference_kind, reference_kind), name) if part)


def judging_read_back(mirror: bool, bpm: float | None, first_beat_s: float | None, tolerance_mm: float | None) -> str:
    """ "mirrored; at 120 beats per minute from 0.5 s; target radius 40 mm" — the options a replay reuses."""
    parts = ["mirrored" if mirror else "as filmed (not mirrored)"]
    if bpm is not None:
        start = "" if first_beat_s is None else f" from {format_number(first_beat_s)} s"
        parts.append(f"at {format_number(bpm)} beats per minute{start}")
    if tolerance_mm is not None:
        parts.append(f"target radius {format_quantity(tolerance_mm, 'mm')}")
    return "; ".join(parts)
