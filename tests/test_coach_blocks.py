"""Blocks: the one success rule and the numbers of a block."""

from __future__ import annotations

from coach_streams import block_with_successes, make_verdict

from motor_trainer.records.verdict import Severity
from motor_trainer.coaching.blocks import summarise_block
from motor_trainer.records.verdict import is_success


def test_success_rule_uses_the_outcome_when_entered_and_severity_otherwise():
    assert is_success(make_verdict(0, success=True, severity=Severity.OBVIOUS))
    assert not is_success(make_verdict(0, success=False, severity=Severity.CLEAN))
    assert is_success(make_verdict(0, severity=Severity.SUBTLE, channel="elbow_drift"))
    assert not is_success(make_verdict(0, severity=Severity.OBVIOUS, channel="elbow_drift"))


def test_block_counts_successes_errors_and_obvious_misses_separately():
    verdicts = [
        *(make_verdict(i) for i in range(4)),  # clean, no outcome: success, no error
        *(make_verdict(4 + i, severity=Severity.SUBTLE, channel="tempo") for i in range(2)),  # success with error
        make_verdict(6, success=False),  # clean form, missed target: miss and error, not obvious
        *(make_verdict(7 + i, severity=Severity.OBVIOUS, channel="elbow_drift", direction="forward") for i in range(3)),
    ]
    block = summarise_block(0, verdicts)
    assert (block.reps, block.successes, block.reps_with_error, block.obvious_misses) == (10, 6, 6, 3)
    assert block.success_rate == 0.6
    assert block.error_rate == 0.6
    assert block.top_miss_channel() == ("elbow_drift", 3)
    assert block.top_direction("elbow_drift") == "forward"


def test_block_with_successes_builder_has_the_asked_success_count():
    for successes in (0, 2, 9, 10):
        assert summarise_block(0, block_with_successes(successes)).successes == successes
