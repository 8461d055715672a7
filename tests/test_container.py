"""Containers (config ``container``, ``snakemake --sdm apptainer``): every job of the workflow runs
through ``apptainer exec`` of the configured image, warm jobs stay off inside it, and the numbers
do not change. No container engine runs on the test machines, so a stand-in takes Apptainer's
place (tests/apptainer_standin/apptainer): it runs each command on the host, as Apptainer would
run it in the image, and logs every call. The image itself (the Dockerfile) is not built here."""

import hashlib
import os
import re
import sys
from pathlib import Path

import pytest

from devprune import cli

from conftest import REPO, results, snakemake, tiny_config, warm_jobs_in

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

IMAGE = "docker://example.org/devprune:test"


def test_every_job_runs_in_the_configured_image_with_the_same_numbers(tiny_run, tmp_path, capsys):
    calls = tmp_path / "apptainer_calls.log"
    env = {**os.environ, "APPTAINER_STANDIN_LOG": str(calls),
           "PATH": os.pathsep.join([str(REPO / "tests" / "apptainer_standin"), str(Path(sys.executable).parent),
                                    os.environ["PATH"]])}
    workdir = tmp_path / "run"
    run = snakemake(workdir, "--cores", "2", "--sdm", "apptainer", config={**tiny_config(), "container": IMAGE},
                    env=env)
    n_jobs = int(re.findall(r"(\d+) of \d+ steps \(100%\) done", run.stderr)[-1])
    lines = calls.read_text().splitlines()
    image = workdir / ".snakemake" / "singularity" / f"{hashlib.md5(IMAGE.encode()).hexdigest()}.simg"
    assert [line for line in lines if line.startswith("pull")] == [f"pull --name {image.name} {IMAGE}"]
    assert image.read_text() == IMAGE + "\n"  # pulled once, into Snakemake's image folder
    executed = [line for line in lines if " exec " in f" {line}"]
    assert len(executed) == n_jobs - 1  # every job but the target rule `all`, which runs nothing
    assert all(f" {image} bash -c " in line for line in executed)
    assert warm_jobs_in(results(workdir) / "logs") == 0 < warm_jobs_in(results(tiny_run) / "logs")
    assert cli.main(["compare", str(results(workdir)), str(results(tiny_run))]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("identical bytes")


def test_no_container_is_used_unless_configured(tmp_path):
    """The default (``container: null``): --sdm apptainer plans no image and no Apptainer call."""
    run = snakemake(tmp_path, "-n", "--sdm", "apptainer", config=tiny_config())  # no apptainer on PATH
    assert "singularity" not in (run.stdout + run.stderr).lower()
