"""Which reps become a reference, and a reference made from reps a person picked in a saved session.

Shared by ``analyze --save-reference`` (reps of the run just analysed) and
the session review's "Make reference" (reps of a session saved earlier,
found again in its landmarks by their frame ranges).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from motor_trainer.analysis.entered_outcomes import overlapping_rep
from motor_trainer.analysis.rep_errors import (
    RepAnalysis,
    analyse_clip,
    reference_from_analyses,
)
from motor_trainer.analysis.rep_reference import RepReference
from motor_trainer.records.verdict import Verdict
from motor_trainer.errors import UserFacingError
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.skills.open_loop import OpenLoopPreset


def choose_reference_reps(
    analyses: Sequence[RepAnalysis], min_reps: int, rep_numbers: Sequence[int] | None = None
) -> tuple[list[RepAnalysis], str]:
    """The reps a reference is built from and how they were chosen ("chosen", "successful" or "all").

    ``rep_numbers`` count ``analyses`` from 1, as the table prints them; without them the successful reps are
    taken when there are at least ``min_reps``, else all (robust spreads keep
    a few bad ones from hiding themselves).
    """
    if rep_numbers:
        unknown = [n for n in rep_numbers if not 1 <= n <= len(analyses)]
        if unknown:
            raise UserFacingError(f"--reference-reps: no rep {unknown[0]}; this run found reps 1-{len(analyses)}")
        return [analyses[n - 1] for n in rep_numbers], "chosen"
    successes = [a for a in analyses if a.verdict.success]
    if len(successes) >= min_reps:
        return successes, "successful"
    return list(analyses), "all"


def mean_fps(time_s: np.ndarray) -> float:
    """Frames per second over the whole stretch (a live source's dropped frames spread out)."""
    return float(len(time_s) - 1) / float(time_s[-1] - time_s[0])


def reference_from_session_reps(
    sequence: PoseSequence,
    preset: OpenLoopPreset,
    chosen: Sequence[Verdict],
    reference_id: str,
    source: str,
) -> RepReference:
    """A reference from reps of a saved session, given by their stored verdicts.

    The landmarks are segmented again and each chosen verdict is matched to the
    rep whose time span overlaps it most, so reps numbered live (where the online
    segmenter may split a session differently, and the frame numbers count the
    camera's dropped frames too) still find their frames.
    Raises UserFacingError when a chosen rep is not found again or too few are chosen.
    """
    analyses = analyse_clip(sequence, preset).analyses
    members = [_overlapping(analyses, verdict) for verdict in chosen]
    fps = mean_fps(sequence.time_s)
    return reference_from_analyses(members, preset, fps, reference_id, source=source)


def _overlapping(analyses: Sequence[RepAnalysis], verdict: Verdict) -> RepAnalysis:
    best = overlapping_rep([analysis.rep for analysis in analyses], verdict.start_s, verdict.end_s)
    if best is None:
        raise UserFacingError(f"rep {verdict.number} ({verdict.start_s:.2f}-{verdict.end_s:.2f} s) "
                              f"is not found again in the session's landmarks")
    return next(analysis for analysis in analyses if analysis.rep is best)
