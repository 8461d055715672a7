"""Warm jobs (devprune.warm_jobs): a job script handed over to a fork of the warm server behaves as
the same script run on its own: its streams, directory, environment, arguments and exit status;
it dies with the script that handed it over; and nothing is handed over where warm jobs are off."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

JOB = textwrap.dedent("""
    import json, os, sys, time
    from devprune.warm_jobs import hand_over
    hand_over(os.environ.get("WARM", "1") == "1")
    print(json.dumps({"pid": os.getpid(), "cwd": os.getcwd(), "argv": sys.argv, "x": os.environ.get("X")}))
    print("to stderr", file=sys.stderr)
    if os.environ.get("FAIL"):
        raise ValueError("the job failed")
    if os.environ.get("PID_FILE"):
        open(os.environ["PID_FILE"], "w").write(str(os.getpid()))
        time.sleep(60)
    sys.exit(int(os.environ.get("STATUS", 0)))
""")


@pytest.fixture()
def server_dir():
    """A private, short directory for the server's socket (a socket path has at most 107 bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="dw", dir="/tmp"))
    yield directory
    for pid in _server_processes(directory):  # stop this test's server
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shutil.rmtree(directory, ignore_errors=True)


def environment(server_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SLURM_JOB_ID"}
    return {**env, "XDG_RUNTIME_DIR": str(server_dir), "DEVPRUNE_WARM_IDLE_S": "30", **extra}


def run_job(workdir: Path, env: dict, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run the job script as Snakemake would (``python <file> ...``); its result and the job's
    own report of where it ran."""
    (workdir / "job.py").write_text(JOB)
    process = subprocess.Popen([sys.executable, "job.py", *args], cwd=workdir, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.communicate(timeout=60)
    report = json.loads(stdout.splitlines()[0])
    report["script_pid"] = process.pid
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), report


def socket_of(server_dir: Path) -> Path:
    sockets = list(server_dir.rglob("*.sock"))
    return sockets[0] if sockets else None


def warm_server(server_dir: Path, workdir: Path, env: dict) -> Path:
    """Run one job (cold: it starts the server), then wait until the server listens."""
    _, report = run_job(workdir, env, "first")
    assert report["pid"] == report["script_pid"]  # no server yet: ran in the script's own process
    deadline = time.time() + 30
    while socket_of(server_dir) is None and time.time() < deadline:
        time.sleep(0.1)
    assert socket_of(server_dir) is not None, "the first job did not start a server"
    return socket_of(server_dir)


def test_a_handed_over_job_keeps_streams_directory_environment_arguments_and_status(server_dir, tmp_path):
    env = environment(server_dir)
    warm_server(server_dir, tmp_path, env)
    result, report = run_job(tmp_path, {**env, "X": "seen", "STATUS": "3"}, "a", "b")
    assert report["pid"] != report["script_pid"]  # ran in the fork
    assert report == {"pid": report["pid"], "cwd": str(tmp_path), "argv": ["job.py", "a", "b"], "x": "seen",
                      "script_pid": report["script_pid"]}
    assert result.returncode == 3
    assert result.stderr == "to stderr\n"


def test_a_failing_job_reports_its_traceback_and_exits_1(server_dir, tmp_path):
    env = environment(server_dir)
    warm_server(server_dir, tmp_path, env)
    result, report = run_job(tmp_path, {**env, "FAIL": "1"})
    assert report["pid"] != report["script_pid"]
    assert result.returncode == 1
    assert "ValueError: the job failed" in result.stderr


def test_killing_the_script_kills_its_job(server_dir, tmp_path):
    env = environment(server_dir)
    warm_server(server_dir, tmp_path, env)
    pid_file = tmp_path / "job.pid"
    script = subprocess.Popen([sys.executable, "job.py"], cwd=tmp_path, env={**env, "PID_FILE": str(pid_file)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while not pid_file.exists() and time.time() < deadline:
        time.sleep(0.05)
    job_pid = int(pid_file.read_text())
    assert job_pid != script.pid
    script.kill()
    script.wait()
    deadline = time.time() + 10
    while Path(f"/proc/{job_pid}").exists() and time.time() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{job_pid}").exists(), "the forked job outlived the script that handed it over"


@pytest.mark.parametrize("off", [{"SLURM_JOB_ID": "1"}, {"WARM": "0"}, {"APPTAINER_CONTAINER": "/images/devprune.sif"}],
                         ids=["under SLURM", "warm_start false", "in an Apptainer container"])
def test_jobs_run_in_their_own_process_where_warm_jobs_are_off(server_dir, tmp_path, off):
    env = environment(server_dir)
    warm_server(server_dir, tmp_path, env)
    result, report = run_job(tmp_path, {**env, **off})
    assert report["pid"] == report["script_pid"]
    assert result.returncode == 0


def test_an_idle_server_exits_and_removes_its_socket(server_dir, tmp_path):
    env = environment(server_dir, DEVPRUNE_WARM_IDLE_S="1")
    address = warm_server(server_dir, tmp_path, env)
    deadline = time.time() + 15
    while address.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert not address.exists()
    result, report = run_job(tmp_path, env)  # no server: the job runs cold, and starts a new one
    assert report["pid"] == report["script_pid"] and result.returncode == 0


def test_a_job_waits_for_a_server_that_is_still_importing(server_dir, tmp_path):
    """The first jobs of a run start while the server imports torch (about 1.5 s): they wait for
    it rather than import torch themselves."""
    env = environment(server_dir)
    subprocess.run([sys.executable, "-c", "from devprune.warm_jobs import server_address, start_server; "
                    "start_server(server_address())"], env=env, check=True)
    deadline = time.time() + 10
    while not list(server_dir.rglob("*.lock")) and time.time() < deadline:  # it has taken its lock
        time.sleep(0.01)
    time.sleep(0.05)
    assert socket_of(server_dir) is None  # still importing
    result, report = run_job(tmp_path, env)
    assert report["pid"] != report["script_pid"] and result.returncode == 0


def test_one_server_serves_rules_of_any_thread_count(server_dir, tmp_path):
    """Snakemake sets OMP_NUM_THREADS and the like to each rule's threads; every torch job sets
    its own thread count, so these do not pick another server (the baseline, on 2 threads, runs
    warm beside the 1-thread jobs)."""
    env = environment(server_dir, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    warm_server(server_dir, tmp_path, env)
    result, report = run_job(tmp_path, {**env, "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"})
    assert report["pid"] != report["script_pid"] and result.returncode == 0
    assert len(list(server_dir.rglob("*.sock"))) == 1


def test_a_server_that_cannot_import_makes_jobs_run_cold_at_once(server_dir, tmp_path):
    """A server that fails to import what it preloads (here a module that does not exist, as a
    conda environment without snakemake would) records why; the next job runs cold at once,
    says so, and starts no server of its own."""
    env = environment(server_dir, DEVPRUNE_WARM_PRELOAD="devprune_no_such_module")
    first, report = run_job(tmp_path, env, "first")
    assert report["pid"] == report["script_pid"] and first.returncode == 0  # cold; it started the server
    deadline = time.time() + 30
    while not list(server_dir.rglob("*.failed")) and time.time() < deadline:
        time.sleep(0.1)
    (marker,) = server_dir.rglob("*.failed")
    assert "importing devprune_no_such_module: ModuleNotFoundError" in marker.read_text()
    assert not _server_processes(server_dir)  # the failed server is gone
    second, report = run_job(tmp_path, env, "second")
    assert report["pid"] == report["script_pid"] and second.returncode == 0
    assert "the warm server could not start (importing devprune_no_such_module" in second.stderr
    assert not _server_processes(server_dir) and socket_of(server_dir) is None  # and it started none


def _server_processes(server_dir: Path) -> list[int]:
    """The processes whose command line names this test's socket directory (its servers)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(server_dir).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found
