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
    """Lay out (leaving half an inch for a figure title, which tight_layout alone overlaps) and
    write ``path`` atomically."""
    title_room = 0.5 / fig.get_figheight() if fig._suptitle is not None else 0.0
    fig.tight_layout(rect=(0, 0, 1, 1 - title_room))
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
