"""Reading the unit out of a feature key such as ``release_height_cm`` or ``peak_wrist_speed_bl_per_s``.

Verdict features carry their unit as the key's suffix (the project's naming
convention); the coach needs the bare name for wording and the unit for
numbers, so the split is defined once here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from motor_trainer.feedback import messages
from motor_trainer.records.units import Unit
from motor_trainer.records.verdict import Verdict

#: Unit suffixes in the order they are tried: compound units first so that
#: ``_bl_per_s`` is not read as ``_s``.
UNIT_SUFFIXES: tuple[Unit, ...] = tuple(unit for unit in Unit if unit is not Unit.NONE)


@dataclass(frozen=True)
class FeatureKey:
    """A feature key split into its name and unit (``Unit.NONE`` when the key names no known unit)."""

    key: str
    name: str
    unit: Unit


def parse_feature_key(key: str) -> FeatureKey:
    """Split ``release_height_cm`` into name ``release_height`` and unit ``cm``."""
    for unit in UNIT_SUFFIXES:
        suffix = f"_{unit}"
        if key.endswith(suffix) and len(key) > len(suffix):
            return FeatureKey(key=key, name=key.removesuffix(suffix), unit=unit)
    return FeatureKey(key=key, name=key, unit=Unit.NONE)


def is_speed_feature(key: str) -> bool:
    """Movement-speed features are followed separately from the rest of the form."""
    return "speed" in parse_feature_key(key).name


def feature_words(key: str) -> str:
    """A feature key or channel as the user reads it: ``elbow_drift_cm`` -> "elbow drift"."""
    return messages.feature_label(parse_feature_key(key).name)


def feature_values(verdicts: Sequence[Verdict]) -> dict[str, np.ndarray]:
    """Every feature's finite values over the reps that report it, in rep order."""
    values: dict[str, list[float]] = {}
    for verdict in verdicts:
        for key, value in verdict.features.items():
            if np.isfinite(value):
                values.setdefault(key, []).append(float(value))
    return {key: np.array(series) for key, series in values.items()}


def feature_means(verdicts: Sequence[Verdict]) -> dict[str, float]:
    return {key: float(values.mean()) for key, values in feature_values(verdicts).items()}


def feature_sds(verdicts: Sequence[Verdict]) -> dict[str, float]:
    """Sample SD (ddof=1) of every feature over the reps that report it; features seen fewer than twice are left out."""
    return {key: float(values.std(ddof=1)) for key, values in feature_values(verdicts).items() if values.size >= 2}
