"""The tiny workflow submitted through profiles/slurm to a real SLURM cluster on loopback.

The cluster (tests/slurm_cluster.py) is installed and started by the fixture; where this machine
cannot run slurmd (not root, no apt, daemons fail) the tests are skipped with the reason printed.
"""

import re

import pytest

from conftest import (
    MODELS_PER_SEED, N_BRANCHES, REPO, assert_same_metrics, evaluation_job, kill_midway, snakemake, tiny_config,
)
from slurm_cluster import ClusterUnavailable, SlurmCluster

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

# Jobs that go to SLURM per seed block in the tiny config (data and aggregation are local rules):
# the training of every model (baseline, early and late prunes), and the evaluation groups.
N_SUBMITTED = MODELS_PER_SEED + (1 + 1 + N_BRANCHES)
# The profile as a user runs it, plus what this cluster needs: squeue for job states (no
# accounting daemon) and short status-check intervals (the plugin's defaults suit real clusters).
SLURM_ARGS = (
    "--profile", str(REPO / "profiles" / "slurm"), "--jobs", "4", "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "2",
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    slurm = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    try:
        slurm.start()
    except ClusterUnavailable as reason:
        pytest.skip(f"no SLURM cluster on this machine: {reason}")
    yield slurm
    slurm.stop()


def test_profile_submits_every_heavy_job_and_matches_a_local_run(cluster, tiny_run, tmp_path):
    """One seed per block: each block's jobs are SLURM jobs of their own; the numbers equal the
    local run's, which trained both seeds in one block."""
    config = tiny_config() | {"seed_block": 1}
    result = snakemake(tmp_path, *SLURM_ARGS, config=config, env=cluster.env)
    log = result.stdout + result.stderr
    job_ids = re.findall(r"SLURM jobid (\d+)", log)
    assert len(job_ids) == len(config["seeds"]) * N_SUBMITTED, log
    assert len(re.findall(r"rule baseline_block\d+:", log)) == len(config["seeds"])
    states = dict(line.split() for line in cluster.squeue("--states=all", "--format=%i %T").splitlines())
    assert all(states.get(job_id) == "COMPLETED" for job_id in job_ids), states
    assert_same_metrics(tmp_path, tiny_run)


def test_killed_submission_resumes_without_rerunning_finished_jobs(cluster, tiny_run, tmp_path):
    finished_before = kill_midway(tmp_path, *SLURM_ARGS, env=cluster.env)
    assert len(finished_before) >= 3
    cluster.cancel_all()  # the jobs in flight die with the submitting host
    snakemake(tmp_path, "--unlock", env=cluster.env)
    result = snakemake(tmp_path, *SLURM_ARGS, env=cluster.env)
    assert_same_metrics(tmp_path, tiny_run)
    rerun = {evaluation_job(p) for p, mtime in finished_before.items() if p.stat().st_mtime_ns != mtime}
    assert len(rerun) <= 4  # at most the jobs in flight at the kill (--jobs 4)
    assert len(re.findall(r"SLURM jobid (\d+)", result.stdout + result.stderr)) < N_SUBMITTED
