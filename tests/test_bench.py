"""The benchmark command on the tiny config: its table is written and its numbers add up."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from devprune import cli, measured
from devprune.io import code_version

from conftest import REPO, TINY, tiny_config

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

BENCH = REPO / "bench" / "run_benchmark.py"


@pytest.fixture(scope="module")
def bench_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    subprocess.run([sys.executable, str(BENCH), "--config", str(TINY), "--seeds", "2", "--cores", "2", "--out", str(out)],
                   check=True, capture_output=True, text=True)
    return out


def test_benchmark_table_compares_pipeline_reference_and_bound(bench_out):
    table = pd.read_parquet(bench_out / "results.parquet")
    assert list(zip(table["run"], table["seeds"])) == [
        ("pipeline", 1), ("plain reference", 1), ("pipeline", 2), ("plain reference", 2)]
    assert table["same_metrics"].all()  # stacked pipeline == plain serial loop, bit for bit
    pipeline = table[table["run"] == "pipeline"].set_index("seeds")
    cfg = tiny_config()
    n_densities, n_branches = len(cfg["early"]["densities"]), len(cfg["late"]["branches"])
    n_trained = 1 + n_densities + n_densities * n_branches  # one training job per model, all seeds inside
    n_evaluations = 1 + 1 + n_branches  # the baseline, the early models, each branch's late models
    assert (pipeline["jobs"] == 1 + n_trained + n_evaluations + 3).all()  # + data, + 3 aggregations
    assert (pipeline["rerun_s"] > 0).all() and (pipeline["max_rss_mb"] > 0).all()
    assert ((0 < pipeline["warm_jobs"]) & (pipeline["warm_jobs"] <= pipeline["jobs"])).all()
    parameters = 4 * 32 + 32 + 32 * 32 + 32 + 32 * 16 + 16 + 16 * 4 + 4
    epochs = cfg["baseline"]["epochs"] + 2 * cfg["early"]["epochs"] + 4 * cfg["late"]["epochs"]
    flop = 6 * parameters * 2 * cfg["task"]["n_train_per_task"] * epochs * 2
    assert pipeline.loc[2, "bound_s"] == pytest.approx(flop / (pipeline.loc[2, "matmul_gflops"] * 1e9))
    assert pipeline.loc[2, "wall/bound"] == pytest.approx(pipeline.loc[2, "wall_s"] / pipeline.loc[2, "bound_s"])
    # Training and evaluation happen inside the jobs, which also start Python and read files.
    assert ((0 < pipeline["compute_s"]) & (pipeline["compute_s"] < pipeline["job_s"])).all()
    reference = table[table["run"] == "plain reference"]
    assert (reference["compute_s"] <= reference["wall_s"]).all()
    stages = pd.read_parquet(bench_out / "stages.parquet")
    assert set(stages["stage"]) == {"data", "baseline", "early", "late", "evaluate", "aggregate"}
    assert (bench_out / "results.md").read_text().startswith("# devprune benchmark")


def test_benchmark_rejects_a_bad_seed_count(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--seeds", "0", "--out", str(tmp_path / "b")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--seeds and --cores must be >= 1 (got 0" in result.stderr
    assert not (tmp_path / "b").exists()


def test_benchmark_snapshot_renders_the_readme_table(bench_out, tmp_path):
    """The README's benchmark table is rendered from the benchmark's own files, with its source."""
    info = json.loads((bench_out / "run.json").read_text())
    used = "2 cores" if os.cpu_count() == 2 else f"2 of {os.cpu_count()} cores"  # the run's --cores, of the machine's
    assert info["code_version"] == code_version() and info["config"] == "tiny.yaml" and f", {used}, " in info["machine"]
    snap = tmp_path / "bench"
    assert cli.main(["snapshot", str(bench_out), str(snap)]) == 0
    block = measured.render(snap)["bench/results"]
    table = pd.read_parquet(bench_out / "results.parquet")
    pipeline, reference = (table[(table["run"] == run) & (table["seeds"] == 2)].iloc[0] for run in ("pipeline", "plain reference"))
    row = next(line for line in block.splitlines() if line.startswith("| 2 seeds |"))
    assert row.split(" | ")[1:4] == [f"{pipeline.wall_s:,.0f} s", f"{reference.wall_s:,.0f} s",
                                     f"{reference.wall_s / pipeline.wall_s:.2f}"]
    assert row.endswith("| yes |") and info["date"] in block and info["machine"] in block


#: The last commit before the forecasting jobs trained blocks of trials and before the switches
#: for the seed-002 authors' choices: the reference the default protocol must reproduce.
BEFORE_FORECAST_SWITCHES = "714e72c"


def test_forecast_defaults_reproduce_the_commit_before_the_switches_bit_for_bit(tmp_path):
    """bench/forecast_jobs.py on the tiny config, against the commit before trial blocks and the
    authors' switches: one job per trial there, one per cell here, and the same metrics (every
    column but the training time and the commit), bit for bit."""
    known = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{BEFORE_FORECAST_SWITCHES}^{{commit}}"])
    if known.returncode:
        pytest.skip(f"commit {BEFORE_FORECAST_SWITCHES} is not in this clone's history (a shallow clone)")
    config = tiny_config()
    del config["forecast"]["trial_block"]  # that commit's schema does not know the key (its default: one block)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "bench" / "forecast_jobs.py"), "--before", BEFORE_FORECAST_SWITCHES,
                    "--config", str(tmp_path / "config.yaml"), "--dataset", "stocks", "--lengths", "1", "7",
                    "--rounds", "1", "--out", str(out)], check=True, capture_output=True, text=True)
    table = pd.read_parquet(out / "forecast_jobs.parquet").set_index("commit")
    forecast = config["forecast"]
    cells = len(forecast["architectures"]) * len(forecast["methods"]) * 2  # one dataset, two lengths
    assert table.loc["before", "training_jobs"] == cells * forecast["trials"] and table.loc["after", "training_jobs"] == cells
    info = json.loads((out / "run.json").read_text())
    assert info["same metrics"] is True and info["trainings"] == cells * forecast["trials"]
