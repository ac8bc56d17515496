"""Sound for dancing along: time-stretching a soundtrack and playing it on the computer's output (no Qt)."""
