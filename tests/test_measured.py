"""The docs' measured tables come from a run: a snapshot, and the blocks it renders."""

import pandas as pd
import pytest

from devprune import cli, docs, measured
from devprune.io import cpu_model

from conftest import results


@pytest.mark.workflow
def test_snapshot_renders_every_claim_and_verdict(tiny_run, tmp_path):
    snap = tmp_path / "measured" / "tiny"
    assert cli.main(["snapshot", str(results(tiny_run)), str(snap)]) == 0
    blocks = measured.render(snap)
    assert set(blocks) == {"tiny/claims", "tiny/verdicts", "tiny/pi_coverage", "tiny/stability", "tiny/table1", "tiny/table2"}
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

    text = ("intro\n<!-- measured:tiny/claims:start -->\nold\n<!-- measured:tiny/claims:end -->\n"
            "<!-- measured:tiny/verdicts:start -->\n<!-- measured:tiny/verdicts:end -->\nend\n")
    rendered = docs.regenerated(text, {f"measured:{name}": block for name, block in blocks.items()}, "page.md")
    assert rendered.startswith("intro\n") and rendered.endswith("end\n") and "old" not in rendered
    assert blocks["tiny/claims"] in rendered and blocks["tiny/verdicts"] in rendered
    for row in claims.itertuples():  # the headline: a verdict per claim
        assert any(line.startswith(f"| {row.claim_id} | {row.claim} | **{row.verdict}** |")
                   for line in blocks["tiny/verdicts"].splitlines())


def test_snapshot_of_an_unfinished_run_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as error:
        cli.main(["snapshot", str(tmp_path / "results" / "paper"), str(tmp_path / "snap")])
    assert error.value.code == 2
    err = capsys.readouterr().err
    assert "is not a finished run: " in err and "tables/claims.parquet" in err and "tables/table2.parquet" in err
