"""The README's measured tables come from a run: snapshot, render, and the README in sync."""

import pandas as pd
import pytest

from devprune import measured
from devprune.io import cpu_model

from conftest import REPO, results


@pytest.mark.workflow
def test_snapshot_renders_every_claim_and_verdict(tiny_run, tmp_path):
    snap = tmp_path / "measured" / "tiny"
    assert measured.main(["snapshot", str(results(tiny_run)), str(snap)]) == 0
    blocks = measured.render(snap)
    assert set(blocks) == {"tiny/claims", "tiny/pi_coverage", "tiny/stability", "tiny/table1", "tiny/table2"}
    assert (snap / "claims_distributions.png").stat().st_size > 0
    claims = pd.read_parquet(results(tiny_run) / "tables" / "claims.parquet")
    assert len(claims) == 24
    for row in claims.itertuples():
        line = next(line for line in blocks["tiny/claims"].splitlines() if line.startswith(f"| {row.claim_id} |"))
        assert f"**{row.verdict}**" in line and row.direction in line and f"| {row.kind} | “{row.quote}” |" in line
        coverage = next(line for line in blocks["tiny/pi_coverage"].splitlines() if line.startswith(f"| {row.claim_id} |"))
        assert coverage.endswith(f"| {row.pi_method} |")
    assert "2 seeds, cpu" in blocks["tiny/claims"] and cpu_model() in blocks["tiny/claims"]
    assert "| id | first 2 | seeds 0-0 | seeds 1-1 |" in blocks["tiny/stability"]
    table1 = pd.read_parquet(results(tiny_run) / "tables" / "table1.parquet")
    baseline = table1[table1["model"] == "dense baseline"].iloc[0]
    assert f"| dense baseline (100) | 2 | {baseline.stress_mean:.1f} [" in blocks["tiny/table1"]
    table1 = table1[table1["model"] == "early"].set_index("density_pct")
    for density in table1.index:  # the tiny run's early densities, each with its stress mean [CI] and the paper's value
        row = table1.loc[density]
        cell = f"| {density:g} | 2 | {row.stress_mean:.1f} [{row.stress_ci_low:.1f}, {row.stress_ci_high:.1f}] | {row.stress_paper:.1f} |"
        assert cell in blocks["tiny/table1"]
    assert "stress p (Holm)" in blocks["tiny/table2"]

    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- measured:tiny/claims:start -->\nold\n<!-- measured:tiny/claims:end -->\n"
                      "<!-- measured:tiny/stability:start --><!-- measured:tiny/stability:end -->\nend\n")
    assert measured.main(["readme", str(readme), str(snap), "--check"]) == 1
    assert measured.main(["readme", str(readme), str(snap)]) == 0
    assert measured.main(["readme", str(readme), str(snap), "--check"]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("end\n") and "old" not in text and blocks["tiny/stability"] in text


def test_snapshot_of_an_unfinished_run_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as error:
        measured.main(["snapshot", str(tmp_path / "results" / "paper"), str(tmp_path / "snap")])
    assert error.value.code == 2
    err = capsys.readouterr().err
    assert "is not a finished run: " in err and "tables/claims.parquet" in err and "tables/table2.parquet" in err


def test_a_block_no_snapshot_renders_is_an_error():
    text = "<!-- measured:paper/claimz:start -->\n<!-- measured:paper/claimz:end -->\n"
    with pytest.raises(ValueError, match="no snapshot renders the README block.s. paper/claimz; rendered are paper/claims"):
        measured.replace_blocks(text, {"paper/claims": "x"})


def test_readme_tables_match_the_committed_run():
    """The README's measured tables (claims, stability, Tables 1 and 2, benchmark) are exactly
    what the committed snapshots render."""
    snapshots = sorted(str(p) for p in (REPO / "measured").iterdir() if p.is_dir())
    assert measured.main(["readme", str(REPO / "README.md"), *snapshots, "--check"]) == 0
