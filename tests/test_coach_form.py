"""Productive frustration or burnout: rest only when form declines, keep going through errors with steady form."""

from __future__ import annotations

import dataclasses

from coach_streams import form_stream, make_verdict

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.form import FormSettings, FormSignal, assess_form
from motor_trainer.coaching.practice import MessageKind, summarise_session


def test_degrading_form_shows_all_four_signs():
    form = assess_form(form_stream(degrading=True), FormSettings())
    assert form.declining
    assert {sign.signal for sign in form.declined_signs} == set(FormSignal)
    speed = next(s for s in form.signs if s.signal is FormSignal.SPEED)
    assert 0.7 < speed.recent_value < 0.85  # the last ten reps are about 22 % slower


def test_steady_form_with_many_errors_is_not_declining():
    form = assess_form(form_stream(degrading=False), FormSettings())
    assert form.assessed and form.steady
    assert form.declined_signs == ()


def test_form_is_not_judged_before_two_windows_of_reps():
    form = assess_form(form_stream(degrading=True)[:19], FormSettings())
    assert not form.assessed and not form.declining and not form.steady


def test_one_sign_alone_is_not_enough_to_send_someone_to_rest():
    steady = form_stream(degrading=False)
    slower = [
        dataclasses.replace(v, features={**v.features, "peak_wrist_speed_bl_per_s": 1.8 if v.index >= 20 else 3.0})
        for v in steady
    ]
    form = assess_form(slower, FormSettings())
    assert [s.signal for s in form.declined_signs] == [FormSignal.SPEED]
    assert not form.declining
    assert assess_form(slower, FormSettings(signs_needed=1)).declining


def test_coach_suggests_rest_on_declining_form_and_says_why():
    said = summarise_session(form_stream(degrading=True), SkillKind.OPEN_LOOP)
    rest = [m for m in said if m.kind is MessageKind.REST]
    assert rest, "a session whose form degrades must get a rest suggestion"
    assert "slower" in rest[-1].text and "rest" in rest[-1].text
    assert MessageKind.KEEP_GOING not in {m.kind for m in said}


def test_coach_says_keep_going_through_many_errors_with_steady_form():
    said = summarise_session(form_stream(degrading=False), SkillKind.OPEN_LOOP)
    kinds = [m.kind for m in said]
    assert MessageKind.REST not in kinds
    keep_going = [m for m in said if m.kind is MessageKind.KEEP_GOING]
    # Blocks 2 and 3 (6 of 10 missed each) once form can be compared with the first block.
    assert [m.block_index for m in keep_going] == [1, 2]
    assert "ready to change" in keep_going[0].text


def _routine(kind: SkillKind) -> list:
    """30 steps: the routine's first ten come every 0.5 s, the rest at the choreography's uneven gaps."""
    gaps_s = [0.5] * 10 + [0.25, 1.5, 0.5, 2.0, 0.25, 1.0] * 4
    starts_s = [sum(gaps_s[:index]) for index in range(30)]
    return [
        make_verdict(index, kind=kind, start_s=start_s, features={"timing_error_ms": float(20 * (-1) ** index)})
        for index, start_s in enumerate(starts_s)
    ]


def test_closed_loop_rhythm_is_not_judged_on_the_choreographys_own_gaps():
    """A routine's steps come at uneven gaps by design; that must not read as uneven rhythm (it would for throws)."""
    settings = FormSettings(signs_needed=1)
    closed_loop = assess_form(_routine(SkillKind.CLOSED_LOOP), settings)
    assert FormSignal.RHYTHM not in {sign.signal for sign in closed_loop.signs}
    assert not closed_loop.declining
    assert [s.signal for s in assess_form(_routine(SkillKind.OPEN_LOOP), settings).declined_signs] == [FormSignal.RHYTHM]
