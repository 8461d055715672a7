"""How an interval reads against a claim: the verdict and the direction, for both experiments.

A claim says a statistic lies on one ``side`` (``">"`` or ``"<"``) of a threshold, or (side
``"in"``) inside a band ``(low, high)`` around a stated level. An interval wholly on the claimed
side (inside the band) supports it, wholly on the other side (outside the band) refutes it, and
across it decides nothing; an interval that could not be computed (NaN, e.g. n < 2) decides
nothing either.
"""

from __future__ import annotations

import math


def side_of(side: str, reference, low: float, high: float) -> str:
    """Where the interval [low, high] lies against ``reference`` (a threshold, or for side ``in``
    a band), for a claim of ``side``: ``claimed`` (wholly on the claim's side, or inside the band),
    ``other`` (wholly beyond, or wholly outside the band), or ``straddles``."""
    if math.isnan(low) or math.isnan(high):
        return "straddles"
    if side == "in":
        band_low, band_high = reference
        inside, outside = band_low <= low and high <= band_high, high < band_low or low > band_high
        return "claimed" if inside else "other" if outside else "straddles"
    above, below = low > reference, high < reference
    if side == "<":
        above, below = below, above
    return "claimed" if above else "other" if below else "straddles"


def verdict(side: str, threshold, low: float, high: float) -> str:
    """reproduced: the whole 95 % CI is on the claimed side of the threshold; not reproduced:
    the whole CI is on the other side; inconclusive: the CI straddles it (or n < 2)."""
    return {"claimed": "reproduced", "other": "not reproduced", "straddles": "inconclusive"}[side_of(side, threshold, low, high)]


def direction(side: str, no_effect: float, low: float, high: float) -> str:
    """same / opposite / undecided: the whole CI on the paper's side of no effect, beyond it, or across."""
    return {"claimed": "same", "other": "opposite", "straddles": "undecided"}[side_of(side, no_effect, low, high)]
