"""Warm jobs: each Snakemake job forked from a process that has already imported torch and pandas.

Every job is a fresh Python process, and about 1.6 s of its start-up is importing torch, pandas
and pyarrow (bench/startup.py): at 1 seed that is a third of the run's core-seconds. So the first
job to find no server starts one (and runs cold itself); the server imports those libraries once
and waits. Each later job's script hands itself over with :func:`hand_over`: the server forks,
and the fork takes the job's working directory, environment, arguments and standard streams and
runs the very same script file (Snakemake's preamble included). A job thus runs the same code on
the same inputs, warm or cold (tested: the same bits), and the script that Snakemake started
exits with the fork's status. If that script is killed (Snakemake cancelling a job), the fork is
killed too.

Only third-party modules are imported before the fork; devprune's own modules are imported by
each fork, so an edited source is never stale. The server's key (its socket's name) covers the
interpreter, the package's location, this file and the environment variables read at import, so
a different setup gets its own server. It exits after :data:`IDLE_S` seconds without a job.

Off with config ``warm_start: false``, under SLURM (each job its own allocation: nothing to
share), in Snakemake's conda environments, in containers and where there is no ``fork`` (not
Linux). A server that cannot import what it preloads records why (``<socket>.failed``); for the
next :data:`FAILED_RETRY_S` jobs then run cold at once, without waiting or starting another.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import resource
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

IDLE_S = float(os.environ.get("DEVPRUNE_WARM_IDLE_S", 60))
HANDSHAKE_S = 10.0  # a server that does not answer in this time is skipped (the job runs cold)
STARTING_WAIT_S = 15.0  # how long a job waits for a server still importing (torch and its compiler: 3-8 s on 2 busy cores)
#: torch._dynamo: constructing a torch.optim optimiser (the forecasting jobs' Adam) imports it,
#: 2-6 s of every such job; imported once here, a forked job finds it loaded.
PRELOAD = ("torch", "torch._dynamo", "pandas", "pyarrow.parquet", "yaml", "snakemake.logging", "snakemake.iocontainers")
#: Modules of PRELOAD that older releases of a declared dependency lack (Snakemake 9.0 has no
#: iocontainers, found by .ci/lowest): skipped where absent, as there no job imports them.
ABSENT_IN_OLDER = ("snakemake.iocontainers",)
#: Further modules to preload, comma-separated (e.g. a heavy library of your own rules).
EXTRA_PRELOAD_ENV = "DEVPRUNE_WARM_PRELOAD"
#: How long a server's failure to start makes jobs run cold without trying again.
FAILED_RETRY_S = 600.0
# Environment variables that libraries read when they are imported (before the fork), so a
# server must have been started under the same values. Except the thread counts that Snakemake
# sets per job (OMP_NUM_THREADS, MKL_NUM_THREADS, ...): every torch job sets its own with
# torch.set_num_threads (runtime.configure_torch_job), so one server serves rules of any threads.
IMPORT_TIME_ENV = ("OMP_", "MKL_", "KMP_", "ATEN_", "TORCH", "PYTORCH", "PYTHON", "LD_", "ARROW_", EXTRA_PRELOAD_ENV)
PER_JOB_ENV = ("_NUM_THREADS", "_MAXIMUM_THREADS")
READY, GO = b"R", b"G"

log = logging.getLogger(__name__)
_in_fork = False


#: Set by Apptainer (and Singularity before it) in every process of a container.
CONTAINER_ENV = ("APPTAINER_CONTAINER", "SINGULARITY_CONTAINER")


def enabled(config_value: bool) -> bool:
    """Whether a job should look for a warm server: config says so, not under SLURM, fork exists,
    not in one of Snakemake's conda environments (``--sdm conda``), which need not contain what
    the server preloads, and not in a container (``--sdm apptainer``), where a server started by
    one job would live on in that job's container, shared through the host's /tmp. Neither mode
    can run here (no conda channel, no container engine), so there they are simply off."""
    return (bool(config_value) and "SLURM_JOB_ID" not in os.environ and sys.platform == "linux"
            and f"{os.sep}.snakemake{os.sep}conda{os.sep}" not in sys.prefix
            and not any(name in os.environ for name in CONTAINER_ENV))


def server_address() -> Path:
    """The socket of the server for this interpreter, package, code and import-time environment."""
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(IMPORT_TIME_ENV) and not k.endswith(PER_JOB_ENV))
    key = json.dumps([sys.executable, sys.version, __file__, Path(__file__).read_text(), env])
    directory = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"devprune-warm-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock"


def hand_over(config_value: bool = True) -> None:
    """Run this script (``sys.argv[0]``, the file Snakemake runs, preamble included) in a fork of
    the warm server and exit with its status; return at once (the job runs here, cold) if warm
    jobs are off, inside the fork itself, or no server answers.

    Call it first in a Snakemake job script: ``hand_over(snakemake.config["warm_start"])``.
    """
    if _in_fork or not enabled(config_value) or not os.path.isfile(sys.argv[0]):
        return
    try:
        address = server_address()
    except OSError:  # no private directory for the socket (read-only /tmp, …): run cold
        return
    failure = _failure(address)
    if failure:  # the server could not start: run cold at once, neither waiting nor starting another
        print(f"devprune warm jobs: the warm server could not start ({failure}); this job runs cold", file=sys.stderr)
        return
    if not address.exists() and _starting(address):  # still importing: about as long as importing here
        deadline = time.monotonic() + STARTING_WAIT_S
        while not address.exists() and not _failure(address) and time.monotonic() < deadline:
            time.sleep(0.05)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(HANDSHAKE_S)
        connection.connect(str(address))
        header = json.dumps({"cwd": os.getcwd(), "env": dict(os.environ), "argv": sys.argv}).encode()
        socket.send_fds(connection, [len(header).to_bytes(8, "big")], [0, 1, 2])
        connection.sendall(header)
        if connection.recv(1) != READY:
            raise ConnectionError("no answer")
        connection.sendall(GO)
    except OSError:  # no server yet, or one shutting down: start one for later jobs, run cold
        connection.close()
        start_server(address)
        return
    connection.settimeout(None)
    status = connection.recv(4)
    if len(status) != 4:
        print("devprune warm job: the forked job ended without an exit status (killed?)", file=sys.stderr)
        sys.exit(1)
    sys.exit(int.from_bytes(status, "big", signed=True))


def _failure(address: Path) -> str | None:
    """Why the server of this address failed to start, if it did in the last FAILED_RETRY_S."""
    marker = Path(f"{address}.failed")
    try:
        if time.time() - marker.stat().st_mtime < FAILED_RETRY_S:
            return marker.read_text()
    except OSError:
        pass
    return None


def _starting(address: Path) -> bool:
    """Whether a server holds this address's lock (it takes it before it imports anything)."""
    try:
        with open(f"{address}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # no lock file can be made here, so no server can be starting
        pass
    return False


def start_server(address: Path) -> None:
    """Start a server in the background, in its own session and not as this job's child (it
    detaches at once), so it outlives the job and no job's measured memory includes it."""
    subprocess.run(
        [sys.executable, "-m", "devprune.warm_jobs", str(address)],
        cwd="/", start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def serve(address: Path) -> None:
    """Import the heavy libraries, then fork one process per job until IDLE_S pass without one.
    One server per address: a second one started at the same time exits at once."""
    lock = open(f"{address}.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return
    extra = [m for m in os.environ.get(EXTRA_PRELOAD_ENV, "").split(",") if m]
    try:
        for module in (*PRELOAD, *extra):
            if module in ABSENT_IN_OLDER and importlib.util.find_spec(module) is None:
                continue
            __import__(module)
    except Exception as error:  # any failure: say why, and let jobs run cold
        Path(f"{address}.failed").write_text(f"importing {module}: {type(error).__name__}: {error}")
        return
    Path(f"{address}.failed").unlink(missing_ok=True)
    address.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address))
    listener.listen(64)
    listener.settimeout(IDLE_S)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except socket.timeout:
                return
            if os.fork() == 0:
                listener.close()
                _run_job(connection)  # never returns
            connection.close()
    finally:
        address.unlink(missing_ok=True)
        listener.close()


def _run_job(connection: socket.socket) -> None:
    """In the fork: become the job (streams, directory, environment, arguments), run its script,
    report the exit status, exit."""
    global _in_fork
    _in_fork = True
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    status = 1
    try:
        connection.settimeout(HANDSHAKE_S)
        length_bytes, fds, _, _ = socket.recv_fds(connection, 8, 3)
        header = json.loads(_receive_exactly(connection, int.from_bytes(length_bytes, "big")))
        connection.sendall(READY)
        if connection.recv(1) != GO:
            os._exit(1)  # the job script gave up on us and runs cold
        connection.settimeout(None)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin, sys.stdout, sys.stderr = (open(i, mode, closefd=False) for i, mode in ((0, "r"), (1, "w"), (2, "w")))
        os.chdir(header["cwd"])
        os.environ.clear()
        os.environ.update(header["env"])
        sys.argv = header["argv"]
        script = sys.argv[0]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
        threading.Thread(target=_die_with_client, args=(connection,), daemon=True).start()
        status = _run_script(script)
    finally:
        try:
            connection.sendall(status.to_bytes(4, "big", signed=True))
        finally:
            os._exit(status)


def _run_script(script: str) -> int:
    """Run ``script`` as ``__main__`` like ``python script`` would; its exit status."""
    start = time.process_time()
    try:
        runpy.run_path(script, run_name="__main__")
        status = 0
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # as the interpreter would: through sys.excepthook (a job's log), status 1
        sys.excepthook(*sys.exc_info())
        status = 1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log.info("warm job: peak_rss_mb=%.0f cpu_s=%.2f (forked from the warm server)", peak_mb, time.process_time() - start)
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def _die_with_client(connection: socket.socket) -> None:
    """Kill this job if the script that handed it over goes away (its end of the socket closes)."""
    try:
        connection.recv(1)
    finally:
        os.kill(os.getpid(), signal.SIGKILL)


def _receive_exactly(connection: socket.socket, n: int) -> bytes:
    chunks, received = [], 0
    while received < n:
        chunk = connection.recv(min(n - received, 1 << 20))
        if not chunk:
            raise ConnectionError("the job script closed the connection")
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


if __name__ == "__main__":
    # Through the package, not this __main__ copy: the forks' scripts import devprune.warm_jobs
    # and must see its flag that they are the fork.
    from devprune import warm_jobs

    if os.fork() == 0:  # the server; its parent exits now, so the server is no job's child
        warm_jobs.serve(Path(sys.argv[1]))
    os._exit(0)
