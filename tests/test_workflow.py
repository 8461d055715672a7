"""The real Snakemake DAG on the tiny config: outputs, reruns, determinism, interruption."""

import platform
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest
import torch

from devprune import cli, compare
from devprune import masks as masking
from devprune.io import METRICS_SCHEMA, PROVENANCE_COLUMNS, SUMMARY_PROVENANCE_COLUMNS, cpu_model
from devprune.phased.stages import load_model

from conftest import (
    MODELS_PER_SEED, N_BRANCHES, N_DENSITIES, assert_same_metrics, dry_run, evaluation_job, kill_midway, planned_jobs,
    results, snakemake, tiny_config, warm_jobs_in,
)

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

CFG = tiny_config()
N_SEEDS = len(CFG["seeds"])
(METHOD,) = CFG["methods"]  # the tiny config runs the paper's method only; test_methods_workflow adds others
N_BLOCKS = 1  # seed_block 2: seeds 0 and 1 train together
# Evaluation jobs per block: the baseline, the early models, the late models of each branch.
N_EVALUATION_JOBS = 1 + 1 + N_BRANCHES
# One job per block x stage x density x branch, every seed of the block inside it: data, the
# training of every model, the evaluation groups; then 3 aggregations.
N_JOBS = N_BLOCKS * (1 + MODELS_PER_SEED + N_EVALUATION_JOBS) + 3
ROWS_PER_MODEL = 2 + len(CFG["evaluation"]["noise_sigmas"]) + len(CFG["evaluation"]["cue_weights"]) + 2


def test_every_target_is_written(tiny_run):
    out = results(tiny_run)
    for name in ("table1", "table2", "claims", "claims_per_seed", "pi_coverage", "methods", "stability"):
        assert (out / "tables" / f"{name}.parquet").stat().st_size > 0
        assert "\n|---|" in (out / "tables" / f"{name}.md").read_text()  # holds a Markdown table
    for name in ("stress_vs_density", "noise_curves", "ambiguity_curves", "branch_differences", "claims_forest",
                 "claims_distributions", "claims_by_seeds"):
        assert (out / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for seed in CFG["seeds"]:
        assert len(list((out / f"seed{seed}").rglob("metrics.parquet"))) == MODELS_PER_SEED
    assert len(list((out / "benchmarks").rglob("*.tsv"))) == N_JOBS
    assert len(list((out / "logs").rglob("*.log"))) == N_JOBS
    for seed in CFG["seeds"]:  # the baseline's weights after every epoch, for rewinding
        trajectory = torch.load(out / f"seed{seed}" / "baseline" / "trajectory.pt", weights_only=True)["epochs"]
        final = torch.load(out / f"seed{seed}" / "baseline" / "model.pt", weights_only=True)["state_dict"]
        assert len(trajectory) == CFG["baseline"]["epochs"] + 1
        assert all(torch.equal(trajectory[-1][k], final[k]) for k in final)


def test_metrics_parquet_matches_its_schema(tiny_run):
    for path in [results(tiny_run) / "metrics.parquet", *results(tiny_run).rglob("seed*/**/metrics.parquet")]:
        assert pq.read_schema(path).remove_metadata() == METRICS_SCHEMA, path
    metrics = pd.read_parquet(results(tiny_run) / "metrics.parquet")
    assert len(metrics) == N_SEEDS * MODELS_PER_SEED * ROWS_PER_MODEL
    assert metrics["value"].between(0, 100).all()
    assert metrics[[c for c in PROVENANCE_COLUMNS if c != "gpu"]].notna().all().all()
    assert set(metrics["device"]) == {"cpu"} and set(metrics["torch_version"]) == {torch.__version__}
    # the machine: what decides the floating-point bits
    assert set(metrics["cpu"]) == {cpu_model()} and set(metrics["cpu_capability"]) == {torch.backends.cpu.get_cpu_capability()}
    assert set(metrics["python_version"]) == {platform.python_version()} and metrics["gpu"].isna().all()
    assert metrics["blas"].str.startswith("BLAS ").all()
    checkpoint = torch.load(results(tiny_run) / "seed0" / METHOD / "early" / "d30" / "model.pt", weights_only=True)
    assert checkpoint["meta"]["machine"]["cpu"] == cpu_model() and checkpoint["meta"]["machine"]["gpu"] is None
    assert metrics.groupby(["seed", "stage", "early_density", "branch"], dropna=False)["settings_hash"].nunique().max() == 1
    assert set(metrics.loc[metrics["stage"] != "baseline", "method"]) == {METHOD}
    assert metrics.loc[metrics["stage"] == "baseline", "method"].isna().all()
    late = metrics[metrics["stage"] == "late"]
    assert set(late["branch"]) == set(CFG["late"]["branches"])


def test_masks_in_files_have_exact_counts(tiny_run):
    for seed in CFG["seeds"]:
        seed_dir = results(tiny_run) / f"seed{seed}" / METHOD
        for density in CFG["early"]["densities"]:
            label = f"d{density * 100:g}"
            early = torch.load(seed_dir / "early" / label / "mask.pt", weights_only=True)
            alive, total = masking.count(early)
            assert alive == masking.round_half_up(density, total)
            for branch, fraction in CFG["late"]["branches"].items():
                late = torch.load(seed_dir / "late" / label / branch / "mask.pt", weights_only=True)
                assert masking.count(late)[0] == alive - masking.round_half_up(fraction, alive)
                model, meta = load_model(seed_dir / "late" / label / branch / "model.pt")
                weights = masking.prunable_weights(model)
                assert all(not weights[n][~m].any() for n, m in late.items())  # pruned weights are zero
                assert meta["final_density"] == masking.density(late)


def test_tables_read_back(tiny_run):
    t1 = pd.read_parquet(results(tiny_run) / "tables" / "table1.parquet")
    t2 = pd.read_parquet(results(tiny_run) / "tables" / "table2.parquet")
    claims = pd.read_parquet(results(tiny_run) / "tables" / "claims.parquet")
    metrics = pd.read_parquet(results(tiny_run) / "metrics.parquet")
    dense, t1 = t1[t1["model"] == "dense baseline"], t1[t1["model"] == "early"]
    assert sorted(t1["density_pct"]) == [100 * d for d in sorted(CFG["early"]["densities"])]
    early_voice = metrics[(metrics.stage == "early") & (metrics.metric == "voice_accuracy") & (metrics.early_density == 1.0)]
    assert t1.set_index("density_pct").loc[100, "voice_mean"] == pytest.approx(early_voice["value"].mean())
    baseline_voice = metrics[(metrics.stage == "baseline") & (metrics.metric == "voice_accuracy")]
    assert dense["voice_mean"].tolist() == pytest.approx([baseline_voice["value"].mean()])
    assert t2.set_index("density_pct").loc[30, "final_cmp_mean"] == pytest.approx(15.0, abs=0.1)
    assert set(claims["verdict"]) <= {"reproduced", "not reproduced", "inconclusive"}
    assert {"C1", "C2a", "C2b", "C3", "C4", "C5", "C6", "C7a", "C7b"} < set(claims["claim_id"]) and len(claims) == 24
    assert set(claims["kind"]) == {"direction", "size", "level"} and claims["quote"].str.len().min() > 10
    assert set(claims["pi_method"]) <= {"normal", "order statistics"} and claims["verdict_agreement"].between(0, 1).any()
    per_seed = pd.read_parquet(results(tiny_run) / "tables" / "claims_per_seed.parquet")
    assert sorted(per_seed["replicate_seed"]) == CFG["seeds"] and per_seed.set_index("replicate_seed")["C9"].tolist() == pytest.approx(
        metrics[(metrics.stage == "baseline") & (metrics.metric == "stress_tolerance") & (metrics.level == 3.0)]
        .sort_values("seed")["value"].tolist())
    for table in (t1, t2, claims):
        assert table[[c for c in SUMMARY_PROVENANCE_COLUMNS if c != "gpu"]].notna().all().all()
        assert table["gpu"].isna().all() and table["cpu"].iloc[0] == cpu_model()


def test_no_change_rerun_plans_no_job(tiny_run):
    output = dry_run(tiny_run)
    assert planned_jobs(output) == [] and "Nothing to be done" in output


def sorted_keys(value):
    """``value`` with every mapping's keys sorted, as YAML tools that sort keys write a config."""
    return {key: sorted_keys(value[key]) for key in sorted(value)} if isinstance(value, dict) else value


def test_the_same_config_in_another_key_order_plans_no_job(tiny_copy):
    config = sorted_keys(tiny_config())
    assert list(config["late"]["branches"]) != list(tiny_config()["late"]["branches"])  # a named mapping reordered too
    output = dry_run(tiny_copy, config)
    assert planned_jobs(output) == [] and "Nothing to be done" in output


def test_editing_the_forecast_section_plans_no_phased_job(tiny_copy):
    config = tiny_config()
    config["forecast"]["epochs"] += 1
    config["forecast"]["datasets"] = {"stocks": config["forecast"]["datasets"]["stocks"]}
    output = dry_run(tiny_copy, config)
    assert planned_jobs(output) == [] and "Nothing to be done" in output


def test_changing_the_asd_fraction_reruns_only_that_branch(tiny_copy):
    config = tiny_config()
    config["late"]["branches"]["asd"] = 0.6
    jobs = planned_jobs(dry_run(tiny_copy, config))
    by_rule = {}
    for rule, wildcards in jobs:
        by_rule.setdefault(rule, []).append(wildcards)
    assert set(by_rule) == {"late_prune_block0", "evaluate_late_block0", "aggregate_metrics", "tables", "figures", "all"}
    assert len(by_rule["late_prune_block0"]) == N_DENSITIES  # each job trains every seed of the block
    assert all("branch=asd" in w for w in by_rule["late_prune_block0"])
    assert by_rule["evaluate_late_block0"] == [f"method={METHOD}, branch=asd"]  # every density's asd model


def torch_threads_in_log(log_path) -> int:
    return int(re.search(r"(\d+) thread\(s\), device cpu", log_path.read_text()).group(1))


def test_jobs_run_with_the_threads_their_rule_gets(tiny_run):
    logs = results(tiny_run) / "logs"
    assert torch_threads_in_log(logs / "block0" / "baseline.log") == CFG["threads"]["baseline"] == 2
    assert torch_threads_in_log(logs / "block0" / METHOD / "early_d30.log") == CFG["threads"]["pruning"] == 1


def test_resources_per_stage_come_from_the_config_and_rerun_nothing(tiny_run):
    """`resources` in the config sets every block's jobs of a stage at once (SLURM's --mem and
    --time); changed, it plans no job, and a forced dry run shows the jobs asking for it."""
    config = tiny_config()
    config["resources"] = {"baseline": {"mem_mb": 3333, "runtime": 77}, "pruning": {"mem_mb": 4444, "runtime": 88},
                           "evaluation": {"mem_mb": 1111, "runtime": 9}, "forecast_train": {"mem_mb": 2000, "runtime": 60}}
    try:
        assert planned_jobs(dry_run(tiny_run, config)) == []
        output = snakemake(tiny_run, "-n", "--forcerun", "baseline_block0", config=config).stdout
    finally:
        snakemake(tiny_run, "-n", config=tiny_config())  # restore the run's config
    asked = {rule: block for rule, block in re.findall(r"^rule (\w+):\n(.*?)(?=^\S|\Z)", output, re.S | re.M)}
    assert re.search(r"mem_mb=3333\b.*runtime=77\b|runtime=77\b.*mem_mb=3333\b", asked["baseline_block0"])
    assert "mem_mb=4444" in asked["early_prune_block0"] and "runtime=88" in asked["late_prune_block0"]
    assert "mem_mb=1111" in asked["evaluate_early_block0"]


def test_cores_1_and_cold_jobs_give_identical_metrics_and_weights(tiny_run, tmp_path, capsys):
    """Snakemake caps the baseline's 2 threads at --cores 1, and every job runs as its own fresh
    process (warm_start: false) instead of a fork of the warm server: the numbers do not change,
    and every artifact of the run in this other directory has the same bytes."""
    snakemake(tmp_path, "--cores", "1", config={**tiny_config(), "warm_start": False})
    ours, theirs = results(tmp_path), results(tiny_run)
    n_artifacts = len(compare.artifacts(theirs))
    assert n_artifacts == len(compare.artifacts(ours)) >= N_SEEDS * MODELS_PER_SEED * 2
    assert cli.main(["compare", str(ours), str(theirs)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(f": {n_artifacts} identical bytes")
    assert torch_threads_in_log(ours / "logs" / "block0" / "baseline.log") == 1
    assert warm_jobs_in(ours / "logs") == 0 and warm_jobs_in(theirs / "logs") >= N_JOBS // 2
    pd.testing.assert_frame_equal(pd.read_parquet(ours / "metrics.parquet"), pd.read_parquet(theirs / "metrics.parquet"))
    for path in theirs.rglob("model.pt"):
        a = torch.load(path, weights_only=True)["state_dict"]
        b = torch.load(ours / path.relative_to(theirs), weights_only=True)["state_dict"]
        assert all(torch.equal(a[k], b[k]) for k in a)
    for name in ("table1", "table2", "claims"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(ours / "tables" / f"{name}.parquet"), pd.read_parquet(theirs / "tables" / f"{name}.parquet")
        )


def test_a_changed_seed_is_named_by_compare_at_its_first_differing_metric(tiny_run, tmp_path, capsys):
    snakemake(tmp_path, "--cores", "2", config={**tiny_config(), "seeds": [0, 2]})
    assert cli.main(["compare", str(results(tiny_run)), str(results(tmp_path))]) == 1
    lines = capsys.readouterr().out.splitlines()
    outcome = {line.split(": ")[1].split(" (")[0]: line.split(": ")[0] for line in lines[:-1]}
    assert outcome["seed1/baseline/model.pt"] == "only in A" and outcome["seed2/baseline/model.pt"] == "only in B"
    assert not any(path.startswith("seed0/") for path in outcome)  # seed 0: the same bytes in both runs
    metrics = pd.read_parquet(results(tiny_run) / "metrics.parquet")
    first = metrics[metrics["seed"] == 1].iloc[0]  # the rows of seed 1 come after seed 0's, which match
    line = next(line for line in lines if line.startswith("differing values: metrics.parquet ("))
    assert f"first differing metric: value in row {first.name} (" in line and f"metric={first.metric}" in line
    assert f"): {first.value} against" in line


def test_killed_run_resumes_without_trusting_partial_targets(tiny_run, tmp_path, monkeypatch, capsys):
    """SIGKILL the whole workflow mid-run (no clean-up at all), then rerun to the end."""
    finished_before = kill_midway(tmp_path, "--cores", "2")
    assert 3 <= len(finished_before) < N_SEEDS * MODELS_PER_SEED
    # devprune verify, given the run's config, names what the killed run has not made yet
    monkeypatch.chdir(tmp_path)
    assert cli.main(["verify", "results/tiny", "--configfile", "config.yaml"]) == 1
    missing = [line for line in capsys.readouterr().out.splitlines() if line.startswith("missing: ")]
    assert "missing: results/tiny/metrics.parquet (not made yet; rule aggregate_metrics)" in missing
    assert len(missing) >= N_SEEDS * MODELS_PER_SEED - len(finished_before)
    snakemake(tmp_path, "--unlock")  # a SIGKILLed Snakemake cannot release its lock; the README says so
    snakemake(tmp_path, "--cores", "2")
    assert_same_metrics(tmp_path, tiny_run)
    rerun = {evaluation_job(p) for p, mtime in finished_before.items() if p.stat().st_mtime_ns != mtime}
    assert len(rerun) <= 2  # at most the jobs that were mid-flight when killed (two cores)
