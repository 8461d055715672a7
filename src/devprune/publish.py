"""A result table as the three files its readers use: Parquet for programs, Markdown for the
terminal and the README, and an HTML page that the Snakemake report shows as a table (the report
displays HTML in a frame, and Markdown only as raw text)."""

from __future__ import annotations

from pathlib import Path

import markdown as markdown_to_html
import pandas as pd

from devprune.io import atomic_write, write_parquet

STYLE = """
body { font-family: system-ui, sans-serif; font-size: 14px; margin: 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f0f0f0; position: sticky; top: 0; }
tr:nth-child(even) td { background: #fafafa; }
"""


def html_page(text: str, title: str) -> str:
    """A standalone page of the Markdown ``text`` (pipe tables rendered as HTML tables)."""
    body = markdown_to_html.markdown(text, extensions=["tables"])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head>\n<body>\n<h1>{title}</h1>\n{body}\n</body></html>\n")


def write_table(frame: pd.DataFrame, text: str, paths: dict[str, str], *, title: str, provenance: dict,
                parents: list[str]) -> None:
    """``frame`` to ``paths["parquet"]`` (with provenance and parents' digests), ``text`` to
    ``paths["md"]`` and, when the rule asks for it, as a page to ``paths["html"]``."""
    write_parquet(frame, paths["parquet"], provenance, parents=parents)
    atomic_write(paths["md"], lambda tmp: Path(tmp).write_text(text))
    if "html" in paths:
        atomic_write(paths["html"], lambda tmp: Path(tmp).write_text(html_page(text, title)))


def table_files(outputs) -> dict[str, dict[str, str]]:
    """A rule's outputs grouped by table: ``{"claims": {"parquet": ..., "md": ..., "html": ...}}``."""
    files: dict[str, dict[str, str]] = {}
    for path in outputs:
        name, ext = Path(path).name.split(".", 1)
        files.setdefault(name, {})[ext] = str(path)
    return files
