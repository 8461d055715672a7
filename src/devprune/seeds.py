"""Seeds derived from a run's seed and a purpose, the same on every machine and in every wing."""

from __future__ import annotations

from devprune.config import stable_hash


def derived_seed(*parts) -> int:
    """A 63-bit seed named by ``parts`` (e.g. ``(seed, "early")``): independent streams for
    independent purposes, without a global random state."""
    return int(stable_hash(*parts), 16) % 2**63
