"""Markdown tables, the one renderer behind every table file, README block and benchmark table."""

from __future__ import annotations

import pandas as pd

MISSING = "–"


def markdown_table(frame: pd.DataFrame, number_format: str | None = None) -> str:
    """``frame`` as a GitHub Markdown table, cells as ``str`` gives them; with ``number_format``
    (e.g. ``"{:.3g}"``) floats are formatted by it and missing values shown as a dash."""
    if number_format is not None:
        frame = frame.astype(object).where(frame.notna(), MISSING)
    def cell(value) -> str:
        return number_format.format(value) if number_format and isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"
