"""Synthetic verdict streams with known properties, for the practice-coach tests.

Each builder's docstring states the property the tests rely on. The streams
stand in for what the open-loop and closed-loop analysers emit: one Verdict
per rep, with raw features whose keys carry their units.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from motor_trainer.records.verdict import Deviation, Severity, SkillKind, Verdict

REP_INTERVAL_S = 4.0


def make_verdict(
    index: int,
    *,
    success: bool | None = None,
    severity: Severity = Severity.CLEAN,
    channel: str = "",
    direction: str | None = None,
    z_score: float = 3.0,
    magnitude: float = 8.0,
    unit: str = "cm",
    start_s: float | None = None,
    features: dict[str, float] | None = None,
    kind: SkillKind = SkillKind.OPEN_LOOP,
    skill: str = "dart-throw",
) -> Verdict:
    """One rep; a channel gives it one deviation of that name (z, magnitude, unit, direction)."""
    start = index * REP_INTERVAL_S if start_s is None else start_s
    deviations = (Deviation(channel, z_score, magnitude, unit, None, direction),) if channel else ()
    return Verdict(
        index=index,
        skill=skill,
        kind=kind,
        start_frame=index * 120,
        end_frame=index * 120 + 30,
        start_s=start,
        end_s=start + 1.0,
        severity=severity,
        channel=channel,
        success=success,
        deviations=deviations,
        features=features or {},
    )


def block_with_successes(
    successes: int, reps: int = 10, first_index: int = 0, kind: SkillKind = SkillKind.OPEN_LOOP
) -> list[Verdict]:
    """``reps`` reps of which exactly ``successes`` succeed (entered outcome); misses are obvious, channel "outcome".

    Successes and misses alternate as evenly as the counts allow, so no run of
    misses is longer than it must be.
    """
    pattern = [(i * successes) // reps != ((i + 1) * successes) // reps for i in range(reps)]
    return [
        make_verdict(
            first_index + i,
            success=hit,
            severity=Severity.CLEAN if hit else Severity.OBVIOUS,
            channel="" if hit else "outcome",
            direction=None if hit else "up-left",
            magnitude=40.0,
            unit="mm",
            kind=kind,
        )
        for i, hit in enumerate(pattern)
    ]


def from_pattern(pattern: str, first_index: int = 0) -> list[Verdict]:
    """One rep per character: "S" a success, "M" an obvious miss (no outcome entered: severity decides)."""
    return [
        make_verdict(
            first_index + i,
            severity=Severity.CLEAN if mark == "S" else Severity.OBVIOUS,
            channel="" if mark == "S" else "elbow_drift",
            direction=None if mark == "S" else "forward",
        )
        for i, mark in enumerate(pattern)
    ]


def values_with_sd(mean: float, sd: float, count: int, seed: int) -> np.ndarray:
    """``count`` values whose sample mean and sample SD (ddof=1) are exactly ``mean`` and ``sd``."""
    raw = np.random.default_rng(seed).normal(size=count)
    return mean + sd * (raw - raw.mean()) / raw.std(ddof=1)


def form_stream(degrading: bool, reps: int = 30, seed: int = 7) -> list[Verdict]:
    """A dart session where 3 of every 5 reps is an obvious elbow-drift miss, all session long.

    Steady (``degrading=False``): rep starts every 4.0 s (±0.05 s), peak wrist
    speed 3.0 bl/s (±0.1), release height 150 cm (SD 2), error size z 3.0.
    Degrading: the first 10 reps are the same; from rep 10 the speed falls
    linearly to 30 % lower by the end, the gaps between reps scatter between
    2 and 7 s, the release height spreads to SD 6 cm, the error size grows to
    z 6 -- four signs of declining form.
    """
    rng = np.random.default_rng(seed)
    verdicts = []
    start_s = 0.0
    for index in range(reps):
        late = degrading and index >= 10
        progress = (index - 10) / (reps - 10) if late else 0.0
        miss = index % 5 in (0, 1, 3)
        features = {
            "peak_wrist_speed_bl_per_s": 3.0 * (1 - 0.3 * progress) + rng.normal(0, 0.1),
            "release_height_cm": 150.0 + rng.normal(0, 6.0 if late else 2.0),
            "elbow_drift_cm": (8.0 if miss else 1.0) + rng.normal(0, 0.5),
        }
        verdicts.append(
            make_verdict(
                index,
                severity=Severity.OBVIOUS if miss else Severity.CLEAN,
                channel="elbow_drift" if miss else "",
                direction="forward" if miss else None,
                z_score=3.0 + 3.0 * progress,
                start_s=start_s,
                features=features,
            )
        )
        start_s += rng.uniform(2.0, 7.0) if late else REP_INTERVAL_S + rng.normal(0, 0.05)
    return verdicts


def misses_by_channel(channel_counts: Sequence[tuple[str, str, int]], first_index: int = 0) -> list[Verdict]:
    """Obvious misses, ``count`` of each (channel, direction), interleaved round-robin so no channel clusters."""
    queues = [[(channel, direction)] * count for channel, direction, count in channel_counts]
    order = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop())
    return [
        make_verdict(
            first_index + i,
            success=False,
            severity=Severity.OBVIOUS,
            channel=channel,
            direction=direction,
            unit="ms" if channel == "timing" else "cm",
        )
        for i, (channel, direction) in enumerate(order)
    ]
