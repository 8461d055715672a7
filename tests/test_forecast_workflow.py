"""The forecasting benchmark's DAG on the tiny config (two real offline datasets, two
architectures, all four methods, two sequence lengths, two trials): tables read back."""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from devprune import cli, measured
from devprune.forecast.report import SORT_KEYS
from devprune.stats import mean_ci

from conftest import REPO, TINY, planned_jobs, snakemake, tiny_config

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

CFG = tiny_config()["forecast"]
N_CELLS = len(CFG["datasets"]) * len(CFG["architectures"]) * len(CFG["methods"]) * len(CFG["sequence_lengths"])
N_RUNS = N_CELLS * CFG["trials"]


@pytest.fixture(scope="module")
def forecast_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("forecast")
    snakemake(workdir, "--cores", "2", "forecast", config=tiny_config())
    return workdir / "results" / CFG["experiment"]


def test_every_run_is_in_the_metrics(forecast_run):
    metrics = pd.read_parquet(forecast_run / "metrics.parquet")
    assert len(metrics) == N_RUNS
    assert metrics.groupby(["dataset", "architecture", "method", "sequence_length"]).size().eq(CFG["trials"]).all()
    assert (metrics["test_mae"] > 0).all() and metrics[["settings_hash", "code_version", "torch_version"]].notna().all().all()
    pruned = metrics[metrics["method"] == "pruning"]
    expected = (pruned["n_weights"] * CFG["pruning"]["s_max"]).map(math.floor) / pruned["n_weights"]
    assert pruned["sparsity"].round(12).tolist() == expected.round(12).tolist()  # s_max reached exactly
    assert (metrics.loc[metrics["method"] != "pruning", "sparsity"] == 0).all()


def test_tables_read_back(forecast_run):
    metrics = pd.read_parquet(forecast_run / "metrics.parquet")
    summary = pd.read_parquet(forecast_run / "tables" / "summary.parquet")
    assert len(summary) == len(CFG["datasets"]) * len(CFG["architectures"]) * len(CFG["methods"])
    for row in summary.itertuples():
        runs = metrics[(metrics.dataset == row.dataset) & (metrics.architecture == row.architecture) & (metrics.method == row.method)]
        mean, low, high = mean_ci(runs["test_mae"])
        assert (row.mae_mean, row.mae_ci_low, row.mae_ci_high) == pytest.approx((mean, low, high))
    tests = pd.read_parquet(forecast_run / "tables" / "tests.parquet")
    assert len(tests) == len(CFG["datasets"]) * len(CFG["architectures"])
    assert tests["friedman_p"].between(0, 1).all() and set(tests["best_method"]) <= set(CFG["methods"])
    ranks = tests[[f"mean_rank_{m}" for m in CFG["methods"]]]
    assert ranks.sum(axis=1).tolist() == pytest.approx([sum(range(1, len(CFG["methods"]) + 1))] * len(tests))
    claims = pd.read_parquet(forecast_run / "tables" / "claims.parquet")
    expected_ids = {"F1", "F4", *(f"F{i}-{a}" for i in (2, 3) for a in CFG["architectures"])}
    assert set(claims["claim_id"]) == expected_ids
    assert set(claims["verdict"]) <= {"reproduced", "not reproduced", "inconclusive"}
    for name in ("mae_by_method", "mae_by_length"):
        assert (forecast_run / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_no_change_rerun_plans_nothing(forecast_run):
    result = snakemake(forecast_run.parents[1], "-n", "forecast")
    output = result.stdout + result.stderr
    assert planned_jobs(output) == [] and "Nothing to be done" in output


def test_editing_the_phased_sections_plans_no_forecast_job(forecast_run):
    workdir = forecast_run.parents[1]
    config = tiny_config()
    config["evaluation"]["noise_sigmas"] = [2.0]
    config["claims"]["alpha"] = 0.01
    config["methods"]["random"] = {"criterion": "random", "scope": "global", "schedule": "one_shot"}
    try:
        output = snakemake(workdir, "-n", "forecast", config=config)
    finally:
        snakemake(workdir, "-n", "forecast", config=tiny_config())  # restore the run's config
    assert planned_jobs(output.stdout + output.stderr) == [] and "Nothing to be done" in output.stdout + output.stderr


def test_changing_the_pruning_settings_reruns_only_the_pruning_jobs(forecast_run):
    workdir = forecast_run.parents[1]
    config = tiny_config()
    config["forecast"]["pruning"]["layers"] = "all"
    try:
        result = snakemake(workdir, "-n", "forecast", config=config)
    finally:
        snakemake(workdir, "-n", "forecast", config=tiny_config())  # restore the run's config
    trained = [w for rule, w in planned_jobs(result.stdout + result.stderr) if rule.startswith("forecast_train")]
    assert len(trained) == N_CELLS // len(CFG["methods"]) and all("fmethod=pruning" in w for w in trained)


def test_more_trials_train_only_their_new_block(forecast_run):
    """Trials 0 and 1 form block 0 (trial_block 2); a third trial adds one job per cell, block 1."""
    workdir = forecast_run.parents[1]
    config = tiny_config()
    config["forecast"]["trials"] = 3
    try:
        result = snakemake(workdir, "-n", "forecast", config=config)
    finally:
        snakemake(workdir, "-n", "forecast", config=tiny_config())  # restore the run's config
    planned = planned_jobs(result.stdout + result.stderr)
    trained = [rule for rule, _ in planned if rule.startswith("forecast_train")]
    assert trained == ["forecast_train_block1"] * N_CELLS
    assert sorted(rule for rule, _ in planned if not rule.startswith("forecast_train")) == [
        "forecast", "forecast_figures", "forecast_metrics", "forecast_tables"]


def test_a_trial_computes_the_same_alone_as_after_the_others_of_its_job(forecast_run, tmp_path):
    """Each trial seeds itself, so its numbers do not depend on the trials its job trained
    before it: trial 1 of a cell, trained alone in a fresh process set up as a job is (one
    thread: on an AMD EPYC the LSTM's bits differ between 1 and 2 threads), gives the same
    metrics and weights as in its job, where it followed trial 0."""
    cell = forecast_run / "stocks" / "lstm" / "mc_dropout" / "L7"
    script = (
        "import sys; from devprune.forecast.stages import Trial, TrialFiles, method_settings, train_trial; "
        "from devprune.runtime import configure_torch_job; configure_torch_job(1, 'cpu'); "  # as the job: 1 thread
        "import yaml; cfg = yaml.safe_load(open(sys.argv[1]))['forecast']; "
        "train_trial(Trial('stocks', cfg['datasets']['stocks']['target'], 'lstm', 'mc_dropout', 7, 1), "
        "TrialFiles(sys.argv[2], *sys.argv[3:]), method_settings(cfg, 'mc_dropout', 'lstm'), 'cpu')"
    )
    alone = [str(tmp_path / name) for name in ("model.pt", "train_log.parquet", "metrics.parquet")]
    subprocess.run([sys.executable, "-c", script, str(TINY), str(forecast_run / "data" / "stocks" / "series.parquet"), *alone],
                   check=True)
    timing = ["train_seconds"]
    pd.testing.assert_frame_equal(pd.read_parquet(alone[2]).drop(columns=timing),
                                  pd.read_parquet(cell / "trial1" / "metrics.parquet").drop(columns=timing))
    pd.testing.assert_frame_equal(pd.read_parquet(alone[1]), pd.read_parquet(cell / "trial1" / "train_log.parquet"))
    ours, theirs = (torch.load(path, weights_only=True)["state_dict"] for path in (alone[0], cell / "trial1" / "model.pt"))
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_readme_tables_render_from_a_snapshot(forecast_run, tmp_path):
    """The README's forecasting tables come from a run: each cell read back from the metrics."""
    snap = tmp_path / "forecast"
    assert cli.main(["snapshot", str(forecast_run), str(snap)]) == 0
    blocks = measured.render(snap)
    assert set(blocks) == {"forecast/mae", "forecast/claims"}
    metrics = pd.read_parquet(forecast_run / "metrics.parquet")
    per_cell = metrics.groupby(["dataset", "architecture", "method"])["test_mae"].mean()
    for dataset in CFG["datasets"]:
        for architecture in CFG["architectures"]:
            line = next(line for line in blocks["forecast/mae"].splitlines() if line.startswith(f"| {dataset} | {architecture} |"))
            cells = [cell.strip().strip("*") for cell in line.strip("|").split("|")[2:2 + len(CFG["methods"])]]
            assert [float(c) for c in cells] == pytest.approx([per_cell[dataset, architecture, m] for m in CFG["methods"]], rel=5e-3)
            assert line.count("**") == 2  # the best method in bold
    claims = pd.read_parquet(forecast_run / "tables" / "claims.parquet")
    for row in claims.itertuples():
        assert any(line.startswith(f"| {row.claim_id} |") and f"**{row.verdict}**" in line
                   for line in blocks["forecast/claims"].splitlines())
    assert f"{CFG['trials']} trials" in blocks["forecast/claims"]


def run_log(results: Path) -> Path:
    """The Snakemake log of the run that made ``results``: the largest in its folder, the one that ran the jobs."""
    return max((results.parents[1] / ".snakemake" / "log").glob("*.snakemake.log"), key=lambda path: path.stat().st_size)


def test_cost_table_counts_the_trainings_mc_dropout_shares_and_renders(forecast_run, tmp_path):
    """bench/forecast_cost.py on the tiny run: every cell's job, mc_dropout's testing dropout's
    networks (no training of its own), the wall time from the run's Snakemake log; its snapshot
    renders the docs' cost block."""
    log = run_log(forecast_run)
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "bench" / "forecast_cost.py"), str(forecast_run), str(log), "--out", str(out)],
                   check=True, capture_output=True)
    cost = pd.read_parquet(out / "forecast_cost.parquet").set_index(["kind", "method"])
    n_data, per_method = len(CFG["datasets"]), N_CELLS // len(CFG["methods"])
    assert cost.loc[("tests trained networks", "mc_dropout"), ["jobs", "trainings"]].tolist() == [per_method, 0]
    assert all(cost.loc[("trains", m), "trainings"] == per_method * CFG["trials"] for m in ("none", "dropout", "pruning"))
    assert cost.loc[("data", "–"), "jobs"] == n_data and cost.loc[("all", "–"), "jobs"] == N_CELLS + n_data
    assert cost.loc[("all", "–"), "trainings"] == N_RUNS - per_method * CFG["trials"]
    snap = tmp_path / "forecast_cost"
    assert cli.main(["snapshot", str(out), str(snap)]) == 0
    block = measured.render(snap)["forecast_cost/forecast_cost"]
    assert f"({N_RUNS:,} trials)" in block and "| tests trained networks | mc_dropout |" in block


def test_cost_table_takes_the_cores_from_the_runs_log_and_rejects_another_file(forecast_run, tmp_path):
    """The cores are those Snakemake was given (its log's "Provided cores"), not the machine's;
    a file that is not a Snakemake log is refused, naming it."""
    log = run_log(forecast_run)
    one_core = tmp_path / "one_core.snakemake.log"
    one_core.write_text(re.sub(r"(?m)^Provided cores: \d+$", "Provided cores: 1", log.read_text()))
    run = [sys.executable, str(REPO / "bench" / "forecast_cost.py"), str(forecast_run)]
    subprocess.run([*run, str(one_core), "--out", str(tmp_path / "out")], check=True, capture_output=True)
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    assert info["cores"] == 1 and (f"1 of {os.cpu_count()} cores" in info["machine"]) == (os.cpu_count() > 1)
    not_a_log = tmp_path / "notes.txt"
    not_a_log.write_text("a run took a while\n")
    refused = subprocess.run([*run, str(not_a_log), "--out", str(tmp_path / "refused")], capture_output=True, text=True)
    assert refused.returncode != 0 and f"{not_a_log}: not a Snakemake run's log" in refused.stderr
    assert not (tmp_path / "refused").exists()


def test_the_authors_protocol_runs_as_its_own_experiment(tmp_path):
    """configs/forecast_authors.yaml over the tiny config: its own results folder, the test set
    validating (no validation rows), dropout 0.3, and the pruning arm's LSTM schedule
    saturating below 1 (0.7 -> 1.2)."""
    snakemake(tmp_path, "--configfile", str(tmp_path / "config.yaml"), str(REPO / "configs" / "forecast_authors.yaml"),
              "--cores", "2", "forecast", config=tiny_config())
    run = tmp_path / "results" / "forecast_authors"
    metrics = pd.read_parquet(run / "metrics.parquet")
    assert len(metrics) == N_RUNS
    series = pd.read_parquet(run / "data" / "stocks" / "series.parquet")
    assert set(series["split"]) == {"train", "test"}
    lstm = metrics[(metrics["method"] == "pruning") & (metrics["architecture"] == "lstm")]
    assert ((lstm["sparsity"] > 0.6) & (lstm["sparsity"] < 1)).all()
    assert not (run.parent / CFG["experiment"]).exists()  # the default benchmark's folder is untouched


def test_attribution_variants_train_only_the_cells_their_steps_change(forecast_run):
    """Two steps on stocks: the schedule (pruning arm only) and test-set validation (new series,
    every arm), cumulatively and the second alone. Planned: the schedule's pruning cells, every
    cell of both steps, and of the second alone only pruning (its other arms are the cumulative
    variant's files); no job of the benchmark. The table's ranks read back from each variant's
    metrics, and dropping the section leaves nothing to do."""
    workdir = forecast_run.parents[1]
    config = tiny_config()
    config["forecast"]["attribution"] = {"datasets": ["stocks"], "steps": [
        {"name": "schedule", "forecast": {"pruning": {"s_min": 0.1, "s_max": 0.5}}},
        {"name": "selection", "forecast": {"split": {"validation_set": "test"}}}]}
    cells = len(CFG["architectures"]) * len(CFG["sequence_lengths"])  # of one dataset and method
    try:
        planned = planned_jobs(snakemake(workdir, "-n", "forecast", config=config).stdout)
        trained = [(rule, wildcards) for rule, wildcards in planned if rule.startswith("forecast_train")]
        by_rule = {}
        for rule, wildcards in trained:
            by_rule.setdefault(rule, []).append(re.search(r"fmethod=(\w+)", wildcards).group(1))
        assert sorted(map(sorted, by_rule.values())) == sorted([
            ["pruning"] * cells, sorted(CFG["methods"] * cells), ["pruning"] * cells])
        assert "forecast_train_block0" not in by_rule
        assert sorted(rule for rule, _ in planned if not rule.startswith("forecast_train")) == sorted(
            ["forecast", "forecast_attribution", "forecast_data"] + ["forecast_variant_metrics"] * 4)
        assert "data_dir=attribution/schedule+selection/" in next(w for r, w in planned if r == "forecast_data")
        snakemake(workdir, "--cores", "2", "forecast", config=config)
        table = pd.read_parquet(forecast_run / "tables" / "attribution.parquet")
        assert list(dict.fromkeys(table["variant"])) == ["default", "schedule", "schedule+selection", "selection"]
        assert list(dict.fromkeys(table["kind"])) == ["default", "cumulative", "alone"]
        for variant, rows in table[table["statistic"] == "mean rank of pruning"].groupby("variant"):
            metrics = pd.read_parquet(forecast_run / "attribution" / variant / "metrics.parquet")
            assert set(metrics["dataset"]) == {"stocks"} and len(metrics) == cells * len(CFG["methods"]) * CFG["trials"]
            blocks = metrics.pivot_table(index=["architecture", "sequence_length"], columns="method", values="test_mae")
            assert rows["estimate"].tolist() == pytest.approx([blocks.rank(axis=1)["pruning"].mean()] * 2)  # stocks, all
        alone, both = (pd.read_parquet(forecast_run / "attribution" / v / "metrics.parquet").set_index(SORT_KEYS)
                       for v in ("selection", "schedule+selection"))
        shared = alone.index.get_level_values("method") != "pruning"
        pd.testing.assert_frame_equal(alone[shared], both[shared])  # the same files
        assert not alone[~shared]["test_mae"].equals(both[~shared]["test_mae"])
    finally:
        restored = snakemake(workdir, "-n", "forecast", config=tiny_config())
    assert planned_jobs(restored.stdout + restored.stderr) == []
