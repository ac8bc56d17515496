"""The unit codes a name ends with (``release_height_cm``, ``peak_wrist_speed_bl_per_s``): one list, so they are parsed one way."""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    """A unit as its suffix spells it; compound units come first, so that ``_bl_per_s`` is not read as ``_s``.

    ``NONE`` (the empty string) stands for a name that carries no known unit.
    Saved files hold the plain strings; ``Unit(text)`` reads them back.
    """

    BL_PER_S = "bl_per_s"
    DEG_PER_S = "deg_per_s"
    PX_PER_S = "px_per_s"
    CM = "cm"
    MM = "mm"
    PX = "px"
    DEG = "deg"
    MS = "ms"
    NORM = "norm"
    BL = "bl"
    HZ = "hz"
    S = "s"
    NONE = ""
