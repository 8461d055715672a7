"""Seed blocks on the real workflow: appending a block trains only that block and leaves every
file of the existing seeds as it was; a seed's numbers do not depend on its block or the block
size."""

import hashlib
import shutil

import pandas as pd
import pytest
import torch

from devprune.config import seed_blocks

from conftest import MODELS_PER_SEED, N_BRANCHES, dry_run, planned_jobs, results, snakemake, tiny_config

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

FOUR_SEEDS = [0, 1, 2, 3]


def four_seeds(block: int) -> dict:
    return tiny_config() | {"seeds": FOUR_SEEDS, "seed_block": block}


def fingerprints(workdir, seeds) -> dict:
    """(SHA-256, mtime) of every file of these seeds."""
    files = [p for seed in seeds for p in (results(workdir) / f"seed{seed}").rglob("*") if p.is_file()]
    return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in files}


@pytest.fixture(scope="module")
def extended_run(tiny_run, tmp_path_factory):
    """The finished tiny run (seeds 0, 1; blocks of 2) with seeds 2 and 3 appended:
    (workdir, jobs its dry run planned, fingerprints of seeds 0 and 1 before)."""
    workdir = tmp_path_factory.mktemp("extended") / "run"
    shutil.copytree(tiny_run, workdir, symlinks=True)
    before = fingerprints(workdir, [0, 1])
    jobs = planned_jobs(dry_run(workdir, four_seeds(block=2)))
    snakemake(workdir, "--cores", "2")
    return workdir, jobs, before


def test_seed_blocks_follow_the_seed_values():
    assert seed_blocks([0, 1, 2, 3], 2) == {0: [0, 1], 1: [2, 3]}
    assert seed_blocks([3, 0, 2, 1], 2) == {0: [0, 1], 1: [2, 3]}  # the list's order does not matter
    assert seed_blocks([0, 1, 2], 2) == {0: [0, 1], 1: [2]}
    assert seed_blocks([5, 21, 7], 10) == {0: [5, 7], 2: [21]}
    assert seed_blocks([0, 1], 1) == {0: [0], 1: [1]}


def test_appending_a_block_trains_only_that_block(extended_run):
    workdir, jobs, before = extended_run
    counts = pd.Series([rule for rule, _ in jobs]).value_counts().to_dict()
    n_trained = MODELS_PER_SEED - 1  # every model but the baseline is pruned from a parent
    assert counts == {"data_block1": 1, "baseline_block1": 1, "early_prune_block1": 2, "late_prune_block1": n_trained - 2,
                      "evaluate_baseline_block1": 1, "evaluate_early_block1": 1, "evaluate_late_block1": N_BRANCHES,
                      "aggregate_metrics": 1, "tables": 1, "figures": 1, "all": 1}
    assert fingerprints(workdir, [0, 1]) == before  # byte-identical and untouched (mtime)
    assert len(fingerprints(workdir, [2, 3])) == len(before)  # the new seeds have every file
    output = dry_run(workdir)
    assert planned_jobs(output) == [] and "Nothing to be done" in output
    metrics = pd.read_parquet(results(workdir) / "metrics.parquet")
    assert sorted(metrics["seed"].unique()) == FOUR_SEEDS


@pytest.mark.parametrize("block", [1, 4])
def test_a_seeds_numbers_do_not_depend_on_its_block(extended_run, block, tmp_path):
    workdir, _, _ = extended_run
    snakemake(tmp_path, "--cores", "2", config=four_seeds(block))
    ours, theirs = results(tmp_path), results(workdir)
    pd.testing.assert_frame_equal(pd.read_parquet(ours / "metrics.parquet"), pd.read_parquet(theirs / "metrics.parquet"))
    for path in theirs.rglob("model.pt"):
        a = torch.load(path, weights_only=True)["state_dict"]
        b = torch.load(ours / path.relative_to(theirs), weights_only=True)["state_dict"]
        assert all(torch.equal(a[k], b[k]) for k in a), path
    pd.testing.assert_frame_equal(pd.read_parquet(ours / "tables" / "claims.parquet"),
                                  pd.read_parquet(theirs / "tables" / "claims.parquet"))
