"""Practice blocks: what counts as a success, and the numbers of one block of reps.

The seeds ask the learner to judge practice by blocks, not single reps: a
block's success rate steers the difficulty, and after each block a short
reflection on what the errors revealed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from motor_trainer.records.verdict import Severity, Verdict, is_success
from motor_trainer.coaching.features import feature_sds




def has_error(verdict: Verdict) -> bool:
    """Any detected error, subtle or obvious, or a missed outcome."""
    return verdict.severity is not Severity.CLEAN or verdict.success is False


def channel_direction(verdict: Verdict) -> str | None:
    """The direction of the deviation that names the verdict's channel, when it has one."""
    for deviation in verdict.deviations:
        if deviation.name == verdict.channel and deviation.direction:
            return deviation.direction
    return None


@dataclass(frozen=True)
class BlockSummary:
    """One block of reps.

    ``miss_channels`` counts the channel of every miss (misses with no channel
    are left out); ``miss_directions`` maps each channel to the directions its
    misses went; ``feature_sd`` is each feature's sample SD over the block's
    reps (features seen in fewer than two reps are left out).
    """

    block_index: int
    reps: int
    successes: int
    reps_with_error: int
    obvious_misses: int
    miss_channels: Mapping[str, int] = field(default_factory=dict)
    miss_directions: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    feature_sd: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.reps < 1:
            raise ValueError("a block holds at least one rep")
        object.__setattr__(self, "miss_channels", MappingProxyType(dict(self.miss_channels)))
        object.__setattr__(
            self,
            "miss_directions",
            MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.miss_directions.items()}),
        )
        object.__setattr__(self, "feature_sd", MappingProxyType(dict(self.feature_sd)))

    @property
    def misses(self) -> int:
        return self.reps - self.successes

    @property
    def success_rate(self) -> float:
        return self.successes / self.reps

    @property
    def error_rate(self) -> float:
        """Share of reps with any detected error (subtle ones included), not just misses."""
        return self.reps_with_error / self.reps

    def top_miss_channel(self) -> tuple[str, int] | None:
        """The channel behind most misses and its count; ties go to the channel seen first."""
        if not self.miss_channels:
            return None
        return max(self.miss_channels.items(), key=lambda item: item[1])

    def top_direction(self, channel: str) -> str | None:
        directions = self.miss_directions.get(channel)
        if not directions:
            return None
        return max(directions.items(), key=lambda item: item[1])[0]


def summarise_block(block_index: int, verdicts: Sequence[Verdict]) -> BlockSummary:
    misses = [v for v in verdicts if not is_success(v)]
    channels = Counter(v.channel for v in misses if v.channel)
    directions: dict[str, Counter[str]] = {}
    for verdict in misses:
        direction = channel_direction(verdict)
        if verdict.channel and direction:
            directions.setdefault(verdict.channel, Counter())[direction] += 1
    return BlockSummary(
        block_index=block_index,
        reps=len(verdicts),
        successes=len(verdicts) - len(misses),
        reps_with_error=sum(has_error(v) for v in verdicts),
        obvious_misses=sum(v.is_obvious for v in misses),
        miss_channels=dict(channels),
        miss_directions=directions,
        feature_sd=feature_sds(verdicts),
    )
