"""Pruning methods as a dimension of the DAG: the tiny run plus every method of
configs/methods.yaml, added to a finished run, then the comparison tables read back."""

import re
import shutil

import pandas as pd
import pytest
import torch
import yaml

from devprune import masks as masking
from devprune.phased.claims import claim_statistics
from devprune.phased.stages import load_model

from conftest import REPO, dry_run, planned_jobs, results, snakemake, tiny_config

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

CFG = tiny_config()
DENSITIES, BRANCHES = CFG["early"]["densities"], CFG["late"]["branches"]


def methods_config() -> dict:
    config = tiny_config()
    added = yaml.safe_load((REPO / "configs" / "methods.yaml").read_text())["methods"]
    added["iterative"]["steps"] = 2  # tiny stages train 2 epochs (20 steps each)
    added["regrow"]["regrow_every"] = 5  # so the mask is swapped several times
    config["methods"] |= added
    return config


NEW_METHODS = [m for m in methods_config()["methods"] if m not in CFG["methods"]]


@pytest.fixture(scope="module")
def methods_run(tiny_run, tmp_path_factory):
    """(workdir, jobs the dry run planned, mtimes of every file of the tiny run)."""
    workdir = tmp_path_factory.mktemp("methods") / "run"
    shutil.copytree(tiny_run, workdir, symlinks=True)
    before = {p: p.stat().st_mtime_ns for p in results(workdir).glob("seed*/**/*") if p.is_file()}
    jobs = planned_jobs(dry_run(workdir, methods_config()))
    snakemake(workdir, "--cores", "2")
    return workdir, jobs, before


def test_adding_methods_runs_only_their_jobs(methods_run):
    workdir, jobs, before = methods_run
    by_rule = {}
    for rule, wildcards in jobs:
        by_rule.setdefault(rule, []).append(wildcards)
    assert set(by_rule) == {"early_prune_block0", "late_prune_block0", "evaluate_early_block0", "evaluate_late_block0",
                            "aggregate_metrics", "tables", "figures", "all"}
    assert len(by_rule["early_prune_block0"]) == len(NEW_METHODS) * len(DENSITIES)
    assert len(by_rule["late_prune_block0"]) == len(NEW_METHODS) * len(DENSITIES) * len(BRANCHES)
    assert len(by_rule["evaluate_early_block0"]) == len(NEW_METHODS)  # each evaluates every density
    assert len(by_rule["evaluate_late_block0"]) == len(NEW_METHODS) * len(BRANCHES)
    planned = by_rule["early_prune_block0"] + by_rule["late_prune_block0"] + by_rule["evaluate_early_block0"] + by_rule["evaluate_late_block0"]
    for wildcards in planned:
        assert re.match(r"method=(\w+)", wildcards).group(1) in NEW_METHODS, wildcards
    assert {p: p.stat().st_mtime_ns for p in before} == before  # nothing that existed was rewritten


def test_every_method_ends_each_stage_at_its_target(methods_run):
    workdir, _, _ = methods_run
    for seed in CFG["seeds"]:
        seed_dir = results(workdir) / f"seed{seed}"
        for density in DENSITIES:
            label = f"d{density * 100:g}"
            paper = torch.load(seed_dir / "magnitude" / "early" / label / "mask.pt", weights_only=True)
            for method in NEW_METHODS:
                early = torch.load(seed_dir / method / "early" / label / "mask.pt", weights_only=True)
                alive, total = masking.count(early)
                if method == "neurons":  # whole neurons: at most the target, and rows/columns only
                    assert alive <= masking.round_half_up(density, total)
                    names = list(early)
                    assert all(torch.equal(early[a].any(1), early[b].any(0)) for a, b in zip(names, names[1:]))
                elif method == "magnitude_layer":
                    assert all(int(m.sum()) == masking.round_half_up(density, m.numel()) for m in early.values())
                else:
                    assert alive == masking.round_half_up(density, total), method
                for branch, fraction in BRANCHES.items():
                    late = torch.load(seed_dir / method / "late" / label / branch / "mask.pt", weights_only=True)
                    if method != "regrow":  # regrowth may bring back weights the early stage pruned
                        assert not any((late[n] & ~early[n]).any() for n in late)
                    if method not in ("neurons", "magnitude_layer"):
                        assert masking.count(late)[0] == alive - masking.round_half_up(fraction, alive)
                    model, meta = load_model(seed_dir / method / "late" / label / branch / "model.pt")
                    weights = masking.prunable_weights(model)
                    assert all(not weights[n][~m].any() for n, m in late.items())
                    assert meta["method"] == method and meta["final_density"] == masking.density(late)
            if density < 1:  # different criteria and schedules choose different weights
                for method in ("random", "saliency", "regrow"):
                    other = torch.load(seed_dir / method / "early" / label / "mask.pt", weights_only=True)
                    assert any(not torch.equal(other[n], paper[n]) for n in paper), method


def test_comparison_tables_read_back(methods_run):
    workdir, _, _ = methods_run
    tables = results(workdir) / "tables"
    metrics = pd.read_parquet(results(workdir) / "metrics.parquet")
    comparison = pd.read_parquet(tables / "methods.parquet")
    methods = list(CFG["methods"]) + NEW_METHODS
    assert list(dict.fromkeys(comparison["method"])) == methods
    assert len(comparison) == len(methods) * len(DENSITIES) * 2  # x stress, ambiguity
    stress = metrics[(metrics["metric"] == "stress_tolerance") & (metrics["level"] == max(CFG["evaluation"]["noise_sigmas"]))]
    for method in methods:
        late = stress[(stress["method"] == method) & (stress["stage"] == "late")]
        per_seed = late.pivot_table(index=["seed", "early_density"], columns="branch", values="value")
        expected = (per_seed["normal"] - per_seed["asd"]).groupby("early_density").mean()
        rows = comparison[(comparison["method"] == method) & (comparison["measure"] == "stress")].set_index("density_pct")
        for density, value in expected.items():
            assert rows.loc[100 * density, "mean"] == pytest.approx(value)
            assert rows.loc[100 * density, "ci_low"] <= value <= rows.loc[100 * density, "ci_high"]
    claims = pd.read_parquet(tables / "claims.parquet")
    n_claims = len(claim_statistics(CFG["claims"]))
    assert claims.groupby("method")["claim_id"].count().to_dict() == {m: n_claims for m in methods}
    sections = [line for line in (tables / "claims.md").read_text().splitlines() if line.startswith("## ")]
    assert sections == [f"## {m} ({len(CFG['seeds'])} seeds)" for m in methods]
    grids = [line for line in (tables / "methods.md").read_text().splitlines() if line.startswith("| density (%) |")]
    assert grids == ["| " + " | ".join(["density (%)", *methods, "paper"]) + " |"] * 2  # stress, ambiguity
