"""How two sessions are named when one statement compares them."""

from __future__ import annotations

from datetime import datetime

from motor_trainer.feedback import messages


def session_pair_words(before: datetime, latest: datetime, now: datetime) -> tuple[str, str]:
    """ "last week" / "today"; two sessions that read the same are told apart as before / latest."""
    before_words, latest_words = messages.when_words(before, now), messages.when_words(latest, now)
    if before_words == latest_words:
        return messages.SESSION_BEFORE_WORDS, messages.SESSION_LATEST_WORDS
    return before_words, latest_words
