"""Looping a section A-B of the routine until it is danced clean N times, then the coach offers what comes next (no Qt).

A section is chosen by step numbers (from 1, both ends included). It is
played from a little before its first step lifts to a little after its last
lands, over and over. The follower follows the passes as one routine (the
section repeated), so a step landing at a pass's edge is judged like any other.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from motor_trainer.analysis.alignment import StepTierEvent
from motor_trainer.analysis.routine_reference import ReferenceRoutine
from motor_trainer.live.session_setup import LoopSection
from motor_trainer.skills.closed_loop import BeatGrid, StepTier

#: Music played before the section's first step lifts, and after its last step lands.
SECTION_LEAD_S = 0.6
SECTION_TAIL_S = 0.6
#: Room kept from a neighbouring step's plant or lift at the section's edges.
EDGE_MARGIN_S = 0.1
#: Tiers that count as clean in a pass.
CLEAN_TIERS = frozenset({StepTier.PERFECT, StepTier.GOOD})


def section_routine(routine: ReferenceRoutine, section: LoopSection) -> ReferenceRoutine:
    """The routine cut to the section's frames, its steps renumbered from the section's first.

    Raises ValueError naming the routine's step count when the section asks for steps it does not have.
    """
    if section.last_step > len(routine.steps):
        raise ValueError(f"the routine '{routine.name}' has {len(routine.steps)} steps: cannot loop {section.label}")
    sequence = routine.sequence
    steps = routine.steps[section.first_step - 1 : section.last_step]
    # A little music either side, but never the neighbouring steps' swings: a landing cut in half at the
    # section's edge would be judged against the section's own first or last step. Where the neighbour is
    # closer than the margins allow, the edge falls halfway between the two steps.
    first_lift_s, last_plant_s = min(step.lift_s for step in steps), max(step.plant_s for step in steps)
    start_s = max(float(sequence.time_s[0]), first_lift_s - SECTION_LEAD_S)
    if section.first_step > 1:
        previous_plant_s = routine.steps[section.first_step - 2].plant_s
        start_s = max(start_s, min(previous_plant_s + EDGE_MARGIN_S, (previous_plant_s + first_lift_s) / 2))
    end_s = min(float(sequence.time_s[-1]), last_plant_s + SECTION_TAIL_S)
    if section.last_step < len(routine.steps):
        next_lift_s = routine.steps[section.last_step].lift_s
        end_s = min(end_s, max(next_lift_s - EDGE_MARGIN_S, (last_plant_s + next_lift_s) / 2))
    first = int(np.searchsorted(sequence.time_s, start_s, side="right")) - 1
    last = int(np.searchsorted(sequence.time_s, end_s, side="right"))
    moved = tuple(dataclasses.replace(step, lift_frame=step.lift_frame - first, plant_frame=step.plant_frame - first) for step in steps)
    cut = sequence.slice(first, last).replace(fps=sequence.fps)
    return dataclasses.replace(routine, name=f"{routine.name}, {section.label}", sequence=cut, steps=moved)


def repeated(cut: ReferenceRoutine, passes: int) -> ReferenceRoutine:
    """A section (``section_routine``) repeated ``passes`` times back to back: step ``i`` of pass ``k`` is step
    ``k * steps + i``, its times one section length later per pass."""
    sequence, length_s, frames = cut.sequence, section_length_s(cut), len(cut.sequence)
    tiled = sequence.replace(
        time_s=np.concatenate([sequence.time_s + k * length_s for k in range(passes)]),
        xy_px=np.concatenate([sequence.xy_px] * passes),
        visibility=np.concatenate([sequence.visibility] * passes),
        presence=np.concatenate([sequence.presence] * passes),
        world_m=np.concatenate([sequence.world_m] * passes),
        fps=sequence.fps,
    )
    steps = tuple(
        dataclasses.replace(
            step,
            lift_s=step.lift_s + k * length_s,
            plant_s=step.plant_s + k * length_s,
            lift_frame=step.lift_frame + k * frames,
            plant_frame=step.plant_frame + k * frames,
        )
        for k in range(passes)
        for step in cut.steps
    )
    grid = cut.beat_grid
    if grid is not None:
        grid = BeatGrid.from_tempo(grid.bpm, grid.first_beat_s, float(tiled.time_s[0]), float(tiled.time_s[-1]))
    return dataclasses.replace(cut, sequence=tiled, steps=steps, beat_grid=grid)


def section_length_s(section: ReferenceRoutine) -> float:
    """Music seconds of one pass of a section cut by ``section_routine``: its frames, the last one's too."""
    time_s = section.sequence.time_s
    return float(time_s[-1] - time_s[0]) + 1.0 / section.sequence.fps


@dataclass
class LoopTally:
    """Passes of a looped section as they are judged: how many were clean, and what the coach offers after enough."""

    section: LoopSection
    step_count: int  # steps in one pass
    passes: list[list[StepTier]] = field(default_factory=list)

    def add(self, event: StepTierEvent) -> None:
        """One judged step of the looped routine (``looped_routine``: its index tells the pass)."""
        pass_index = event.reference_index // self.step_count
        while len(self.passes) <= pass_index:
            self.passes.append([])
        self.passes[pass_index].append(event.tier)

    @property
    def clean_passes(self) -> int:
        return sum(len(tiers) == self.step_count and all(tier in CLEAN_TIERS for tier in tiers) for tiers in self.passes)

    @property
    def done(self) -> bool:
        return self.clean_passes >= self.section.clean_passes_wanted

    def summary(self, speed: float, routine_steps: int, pass_number: int | None = None) -> str:
        """Where the loop stands (``pass_number``: the pass playing, default the last judged), and once done,
        what comes next: the next section, or the same at full speed."""
        wanted = self.section.clean_passes_wanted
        playing = len(self.passes) if pass_number is None else pass_number
        head = f"Loop {self.section.label} at {speed:g}×: pass {playing}, {self.clean_passes} of {wanted} clean"
        if not self.done:
            return head
        if speed < 1.0:
            return f"{head}. Next: the same section at full speed, or steps {self._next_label(routine_steps)}."
        if self.section.last_step < routine_steps:
            return f"{head}. Next: steps {self._next_label(routine_steps)}, or the whole routine."
        return f"{head}. Next: the whole routine."

    def _next_label(self, routine_steps: int) -> str:
        length = self.section.last_step - self.section.first_step + 1
        first = min(self.section.last_step + 1, routine_steps)
        return f"{first}-{min(routine_steps, first + length - 1)}"
