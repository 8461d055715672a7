"""The benchmark command on the tiny config: its table is written and its numbers add up."""

import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO, TINY, tiny_config

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
    n_models = 1 + 2 + 2 * 2
    assert (pipeline["jobs"] == 1 + n_models + n_models + 3).all()  # one job per stage/density/branch, all seeds inside
    assert (pipeline["rerun_s"] > 0).all() and (pipeline["max_rss_mb"] > 0).all()
    parameters = 4 * 32 + 32 + 32 * 32 + 32 + 32 * 16 + 16 + 16 * 4 + 4
    epochs = cfg["baseline"]["epochs"] + 2 * cfg["early"]["epochs"] + 4 * cfg["late"]["epochs"]
    flop = 6 * parameters * 2 * cfg["task"]["n_train_per_task"] * epochs * 2
    assert pipeline.loc[2, "bound_s"] == pytest.approx(flop / (pipeline.loc[2, "matmul_gflops"] * 1e9))
    assert pipeline.loc[2, "wall/bound"] == pytest.approx(pipeline.loc[2, "wall_s"] / pipeline.loc[2, "bound_s"])
    assert (table["overhead_s"].dropna() == (table["job_s"] - table["compute_s"]).dropna()).all()
    stages = pd.read_parquet(bench_out / "stages.parquet")
    assert set(stages["stage"]) == {"data", "baseline", "early", "late", "evaluate", "aggregate"}
    assert (bench_out / "results.md").read_text().startswith("# devprune benchmark")


def test_benchmark_rejects_a_bad_seed_count(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--seeds", "0", "--out", str(tmp_path / "b")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--seeds and --cores must be >= 1 (got 0" in result.stderr
    assert not (tmp_path / "b").exists()
