"""Figure conventions shared by both experiments: the palette, and saving a figure atomically.

Colours are the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from devprune.integrity import atomic_write  # noqa: E402

#: Okabe & Ito (2008), colour-blind-safe; methods take them in order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def save_figure(fig, path: str) -> None:
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
