"""A real single-node SLURM cluster on loopback, for the SLURM tests.

Installs slurm-wlm and munge from the Debian packages when they are missing (needs root and
apt), writes a minimal slurm.conf into a scratch directory, starts munged, slurmctld and slurmd,
and stops them again. What worked and why is in shared/notes/slurm.md: no cgroups
(proctrack/linuxproc, task/none), no accounting daemon (so job states come from squeue), and
MinJobAge=600 so that finished jobs stay visible to squeue for ten minutes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from debian import Unavailable, apt_install

PACKAGES = ["slurm-wlm", "munge"]
# Where every SLURM command looks. SLURM_CONF would not do: the executor plugin's job step
# clears SLURM_* variables before it calls srun.
CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# written by devprune's tests/slurm_cluster.py\n"


class ClusterUnavailable(Exception):
    """This machine cannot run slurmd (the reason says why); the SLURM tests are skipped."""


def install_packages() -> None:
    try:
        apt_install(PACKAGES, ["slurmctld", "slurmd", "sbatch", "munged"])
    except Unavailable as reason:
        raise ClusterUnavailable(str(reason)) from None


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def start_munge() -> bool:
    """Start munged unless one already answers; True if this call started it."""
    if _run(["sh", "-c", "munge -n | unmunge"]).returncode == 0:
        return False
    Path("/run/munge").mkdir(parents=True, exist_ok=True)
    shutil.chown("/run/munge", "munge", "munge")
    result = _run(["su", "-s", "/bin/sh", "munge", "-c", "munged"])
    if result.returncode != 0:
        raise ClusterUnavailable(f"munged did not start: {result.stderr.strip()}")
    return True


def slurm_conf(scratch: Path, host: str) -> str:
    cpus = os.cpu_count() or 1
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    available_mb = int(meminfo["MemAvailable"].split()[0]) // 1024
    return MARKER + f"""ClusterName=devprune-test
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={scratch}/state
SlurmdSpoolDir={scratch}/spool
SlurmctldPidFile={scratch}/slurmctld.pid
SlurmdPidFile={scratch}/slurmd.pid
SlurmctldLogFile={scratch}/slurmctld.log
SlurmdLogFile={scratch}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MinJobAge=600
ReturnToService=2
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={int(available_mb * 0.8)} State=UNKNOWN
PartitionName=main Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


class SlurmCluster:
    """The cluster's state, spool and logs live in ``scratch``; its config in /etc/slurm."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.env = dict(os.environ)
        self.started_munge = False

    def start(self) -> None:
        if os.geteuid() != 0:
            raise ClusterUnavailable(f"slurmd and slurmctld must be started as root here (uid {os.geteuid()})")
        install_packages()
        self.started_munge = start_munge()
        for sub in ("state", "spool"):
            (self.scratch / sub).mkdir(parents=True, exist_ok=True)
        if CONF.exists() and not CONF.read_text().startswith(MARKER):
            raise ClusterUnavailable(f"{CONF} belongs to another SLURM set-up; not overwriting it")
        CONF.parent.mkdir(parents=True, exist_ok=True)
        CONF.write_text(slurm_conf(self.scratch, socket.gethostname().split(".")[0]))
        for daemon in ("slurmctld", "slurmd"):
            result = _run([daemon], env=self.env)
            if result.returncode != 0:
                self.stop()
                raise ClusterUnavailable(f"{daemon} did not start: {result.stderr.strip()[-500:]}")
        deadline = time.time() + 60
        while time.time() < deadline:
            state = _run(["sinfo", "-h", "-o", "%T"], env=self.env).stdout.strip()
            if state == "idle":
                return
            time.sleep(0.5)
        self.stop()
        raise ClusterUnavailable(f"the node did not become idle within 60 s (sinfo: {state!r}); see {self.scratch}")

    def squeue(self, *args: str) -> str:
        return _run(["squeue", "-h", *args], env=self.env, check=True).stdout

    def cancel_all(self) -> None:
        _run(["scancel", "--user", "root"], env=self.env)

    def stop(self) -> None:
        self.cancel_all()
        for daemon in ("slurmd", "slurmctld"):
            pid_file = self.scratch / f"{daemon}.pid"
            if pid_file.exists():
                try:
                    os.kill(int(pid_file.read_text()), signal.SIGTERM)
                except (ProcessLookupError, ValueError):
                    pass
        if CONF.exists() and CONF.read_text().startswith(MARKER):
            CONF.unlink()
        if self.started_munge:
            _run(["pkill", "-u", "munge", "munged"])
