"""What a pipeline job pays before it computes, phase by phase: each phase is a fresh Python
process that goes one step further than the one before, timed from outside (median of --runs).

    python bench/startup.py [--runs 7] [--out bench/out]

Phases: the bare interpreter; Snakemake's ``script:`` preamble (the modules it imports to
unpickle the job's ``snakemake`` object); torch; pandas and pyarrow; the whole of
``devprune.phased.stages`` (what a training job imports); and reading a block's inputs (one seed's
training Parquet and a checkpoint, both checked against their SHA-256 records); the job's torch
set-up (threads, deterministic kernels) and its optimiser. For comparison, the last two as torch's
public API does them (``torch.use_deterministic_algorithms``, ``torch.optim.Adam``), which imports
torch's compiler. And the whole start-up once more as a warm job (devprune.warm_jobs): the same
code as a script file that hands itself over to a fork of a warm server. Writes ``startup.md``
and ``startup.parquet`` to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]

SNAKEMAKE_PREAMBLE = "import pickle; from snakemake import script; from snakemake.logging import logger"
READ_INPUTS = """
from devprune.phased.stages import _load_split, load_model
model, _ = load_model({model!r}, "cpu")
_load_split({train!r}, "cpu")
"""
JOB_SETUP = """
from devprune.runtime import configure_torch_job
from devprune.phased.train import LaneSafeAdam
configure_torch_job(1, "cpu")
LaneSafeAdam(model.parameters(), 1e-3)
"""
PUBLIC_API_SETUP = """
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
"""


def make_inputs(workdir: Path) -> dict[str, str]:
    """One seed's training data and an untrained checkpoint, written as the pipeline writes them."""
    import torch
    import yaml

    from devprune.phased.models import TaskGatedMLP
    from devprune.runtime import save_tensors
    from devprune.phased.stages import make_data

    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    train, test, model = (str(workdir / name) for name in ("train.parquet", "test.parquet", "model.pt"))
    make_data(cfg["task"], [0], [train], [test])
    network = TaskGatedMLP(cfg["model"]["hidden"], n_classes=len(cfg["task"]["centers"]))
    meta = {"hidden": cfg["model"]["hidden"], "input_dim": 4, "n_classes": len(cfg["task"]["centers"])}
    save_tensors({"state_dict": network.state_dict(), "meta": meta}, model, [train])
    torch.set_num_threads(1)
    return {"train": train, "model": model}


def phases(inputs: dict[str, str]) -> list[tuple[str, str]]:
    """(phase, the code of a process that runs every phase up to and including it)."""
    steps = [
        ("interpreter", "pass"),
        ("Snakemake script preamble", SNAKEMAKE_PREAMBLE),
        ("torch", "import torch"),
        ("pandas + pyarrow", "import pandas, pyarrow.parquet"),
        ("devprune.phased.stages (the rest of a job's imports)", "import devprune.phased.stages"),
        ("reading inputs (one seed: Parquet + checkpoint, verified)", READ_INPUTS.format(**inputs)),
        ("torch set-up and optimiser (configure_torch_job, LaneSafeAdam)", JOB_SETUP),
    ]
    return [(name, "\n".join(code for _, code in steps[: i + 1])) for i, (name, _) in enumerate(steps)]


def median_seconds(command: list[str], runs: int, env: dict | None = None) -> float:
    times = []
    for _ in range(runs + 1):  # the first run warms the file cache (or starts the warm server): not counted
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def warm_job_seconds(code: str, workdir: Path, runs: int) -> float:
    """``code`` as a job script that hands itself over to the warm server (a private one, whose
    socket lives in ``workdir``), once the server is up."""
    script = workdir / "job.py"
    script.write_text("from devprune.warm_jobs import hand_over\nhand_over(True)\n" + code)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(workdir), "DEVPRUNE_WARM_IDLE_S": "20"}
    subprocess.run([sys.executable, str(script)], check=True, env=env)  # cold: starts the server
    deadline = time.time() + 60
    while not list(workdir.rglob("*.sock")) and time.time() < deadline:
        time.sleep(0.1)
    return median_seconds([sys.executable, str(script)], runs, env)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per phase (median reported)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="output directory")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        steps = phases(make_inputs(Path(tmp)))
        cumulative = [(name, median_seconds([sys.executable, "-c", code], args.runs)) for name, code in steps]
        public_api = median_seconds([sys.executable, "-c", steps[-2][1] + PUBLIC_API_SETUP], args.runs)
        warm = warm_job_seconds(steps[-1][1], Path(tmp), args.runs)
    rows, before = [], 0.0
    for name, seconds in cumulative:
        rows.append({"phase": name, "cumulative_s": round(seconds, 3), "phase_s": round(max(seconds - before, 0.0), 3)})
        before = seconds
    table = pd.DataFrame(rows)
    table.to_parquet(args.out / "startup.parquet")
    from devprune.markdown_tables import markdown_table

    (args.out / "startup.md").write_text(
        f"Job start-up by phase: median of {args.runs} fresh processes each (`python bench/startup.py`).\n\n"
        + markdown_table(table)
        + f"\nFor comparison, the last phase done through torch's public API (`torch.use_deterministic_algorithms`, "
        f"`torch.optim.Adam(fused=True)`), which imports torch's compiler: {max(public_api - cumulative[-2][1], 0.0):.3f} s "
        f"instead of {rows[-1]['phase_s']:.3f} s.\n\n"
        f"All of it as a warm job (the script handed over to a fork of the warm server, `devprune.warm_jobs`): "
        f"{warm:.3f} s instead of {cumulative[-1][1]:.3f} s.\n")
    print((args.out / "startup.md").read_text())


if __name__ == "__main__":
    main()
