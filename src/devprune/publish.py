"""What both experiments' aggregation jobs write, and how they name it.

A result table is three files for its readers: Parquet for programs, Markdown for the terminal and
the README, and an HTML page that the Snakemake report shows as a table (the report displays HTML
in a frame, and Markdown only as raw text). Merged metrics are the per-model files in one sorted
table, and a summary row's provenance joins that of the rows it summarises."""

from __future__ import annotations

from pathlib import Path

import markdown as markdown_to_html
import pandas as pd

from devprune.integrity import atomic_write
from devprune.io import SUMMARY_PROVENANCE_COLUMNS, code_version, read_parquet, write_parquet

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


def outputs_by_name(outputs) -> dict[str, str]:
    """A rule's outputs by file name: ``{"claims_forest.png": path, ...}``."""
    return {Path(path).name: str(path) for path in outputs}


def concat_metrics(paths, out_path: str, sort_keys: list[str], schema=None) -> None:
    """The per-model metric files ``paths`` as one table sorted by ``sort_keys``, recording each
    input's digest as a parent."""
    frame = pd.concat([read_parquet(p) for p in paths], ignore_index=True)
    write_parquet(frame.sort_values(sort_keys, ignore_index=True), out_path, schema=schema, parents=paths)


def summary_provenance(metrics: pd.DataFrame, results_hash: str) -> dict:
    """Provenance of a row that summarises many: the hash of the settings behind the table, every
    distinct seed, version, device and machine value of the rows, comma-joined (None where none
    has one), and ``table_code_version``, the code that computed the table from them (the rows'
    ``code_version`` is the code that trained and evaluated the models)."""
    def joined(column):
        return ",".join(sorted(str(v) for v in metrics[column].dropna().unique())) or None

    hash_column, *joined_columns = SUMMARY_PROVENANCE_COLUMNS
    return {hash_column: results_hash, **{column: joined(column) for column in joined_columns},
            "table_code_version": code_version()}


def run_record(prov: dict) -> pd.DataFrame:
    """The run's provenance as a two-column table (what, value) for a reader."""
    return pd.DataFrame({"what": list(prov), "value": [str(v) for v in prov.values()]})
