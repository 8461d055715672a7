"""The tiny workflow submitted through profiles/slurm to a real SLURM cluster on loopback.

The cluster (tests/slurm_cluster.py) is installed and started by the fixture; where this machine
cannot run slurmd (not root, no apt, daemons fail) the tests are skipped with the reason printed.
"""

import math
import re
import subprocess
import time

import pytest
import yaml

from conftest import (
    MODELS_PER_SEED, N_BRANCHES, REPO, assert_same_metrics, evaluation_job, kill_midway, snakemake, snakemake_command,
    tiny_config,
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
    """Every training and evaluation job of the seed block is a SLURM job of its own, each one
    completed; the numbers equal the local run's. (That a seed's numbers do not depend on its
    block is tested locally, test_seed_blocks.)"""
    config = tiny_config()
    result = snakemake(tmp_path, *SLURM_ARGS, config=config, env=cluster.env)
    log = result.stdout + result.stderr
    job_ids = re.findall(r"SLURM jobid (\d+)", log)
    assert len(job_ids) == N_SUBMITTED, log
    assert len(re.findall(r"rule baseline_block\d+:", log)) == 1
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


def test_a_cancelled_job_is_retried_and_forecast_trainings_go_in_groups(cluster, tmp_path):
    """A small forecasting benchmark through the profile: its training jobs go to SLURM in groups
    (`group-components`, here of 2 so that four jobs make two), far fewer submissions than
    jobs; one group cancelled while it runs (as pre-emption or a lost node would end it) is
    resubmitted (`retries: 2` in the profile) and the run completes with every trial's metrics."""
    config = tiny_config()
    forecast = config["forecast"]
    forecast.update(datasets={"stocks": forecast["datasets"]["stocks"]}, architectures=["lstm"], methods=["none", "pruning"])
    n_jobs = len(forecast["methods"]) * len(forecast["sequence_lengths"])
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    command = snakemake_command(tmp_path, *SLURM_ARGS, "--group-components", "forecast_train=2", "--", "forecast")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=cluster.env)
    deadline, cancelled = time.time() + 300, None
    while cancelled is None and time.time() < deadline and process.poll() is None:
        running = cluster.squeue("--states=RUNNING", "--format=%i").split()
        if running:
            cancelled = running[0]
            subprocess.run(["scancel", cancelled], env=cluster.env, check=True)
        time.sleep(0.5)
    log = process.communicate(timeout=900)[0]
    assert process.returncode == 0 and cancelled is not None, log
    submissions = re.findall(r"SLURM jobid (\d+)", log)
    assert len(submissions) == math.ceil(n_jobs / 2) + 1, log  # every group once, the cancelled one twice
    assert cancelled in submissions and "Trying to restart job" in log
    assert len(re.findall(r"Group job forecast_train", log)) == len(submissions)
    metrics = list((tmp_path / "results" / forecast["experiment"]).rglob("trial*/metrics.parquet"))
    assert len(metrics) == n_jobs * forecast["trials"]
