"""The benchmarks that time the quick start and a forecaster's training step: what they read,
what they record, and the blocks rendered from their snapshots."""

import json
import subprocess

import pandas as pd

from devprune import cli, measured

from conftest import REPO, bench_module

quickstart = bench_module("quickstart")
floor = bench_module("forecast_floor")

README = """# x
## Quick start

```bash
# 1. set up and run
python3 -m venv .venv && .venv/bin/snakemake --cores all
```

text between

```bash
# 2. tests
python3 -m venv .venv &&
  .venv/bin/pytest
```

```bash
not a quick-start command
```
"""


def test_quickstart_reads_the_first_two_bash_blocks_of_the_section_without_comments():
    assert quickstart.quickstart_commands("```bash\nearlier block\n```\n" + README) == [
        "python3 -m venv .venv && .venv/bin/snakemake --cores all", "python3 -m venv .venv &&   .venv/bin/pytest"]


def test_the_readme_quick_start_is_what_the_benchmark_times():
    commands = quickstart.quickstart_commands((REPO / "README.md").read_text())
    assert len(commands) == 2 and all(c.startswith("python3 -m venv .venv && ") for c in commands)
    assert commands[0].endswith("snakemake --cores all") and commands[1].endswith(".venv/bin/pytest")


def test_a_timed_command_runs_in_a_fresh_clone_and_its_counts_are_read_from_its_output(tmp_path):
    command = ("test -f Snakefile && test ! -e .venv && test -z \"$VIRTUAL_ENV\" && echo '12 of 12 steps (100%) done' "
               "&& echo '====== 7 passed, 1 skipped in 3.0s ======'")
    row = quickstart.time_command(1, command, "HEAD", tmp_path)
    assert (row["rc"], row["snakemake_jobs"], row["tests_passed"]) == (0, 12, 7)
    assert row["wall_s"] >= 0 and "12 of 12 steps" in (tmp_path / "command1.log").read_text()
    failed = quickstart.time_command(2, "exit 3", "HEAD", tmp_path)
    assert (failed["rc"], failed["snakemake_jobs"], failed["tests_passed"]) == (3, 0, 0)


def _snapshot(tmp_path, table: pd.DataFrame, name: str, info: dict):
    out = tmp_path / "out"
    out.mkdir()
    table.to_parquet(out / f"{name}.parquet", index=False)
    (out / "run.json").write_text(json.dumps(info))
    assert cli.main(["snapshot", str(out), str(tmp_path / name)]) == 0
    return measured.render(tmp_path / name)


def test_quickstart_snapshot_renders_minutes_and_what_each_command_did(tmp_path):
    times = pd.DataFrame([{"command": 1, "runs": "c1", "wall_s": 916.4, "rc": 0, "snakemake_jobs": 76, "tests_passed": 0},
                          {"command": 2, "runs": "c2", "wall_s": 1664.0, "rc": 1, "snakemake_jobs": 0, "tests_passed": 381}])
    info = {"date": "2026-12-02", "code_version": "abc1234", "cores": 2, "machine": "AMD EPYC, 2 cores"}
    block = _snapshot(tmp_path, times, "quickstart", info)["quickstart/quickstart"]
    assert "command 1: **15 min 16 s**, install included (76 Snakemake jobs)" in block
    assert "command 2: **27 min 44 s**, install included (381 tests passed, exit status 1)" in block
    assert "fresh clone of abc1234" in block and "AMD EPYC, 2 cores" in block


def test_forecast_floor_projects_each_architecture_at_its_step_cost_weighted_bound(tmp_path):
    steps = pd.DataFrame([
        {"architecture": "lstm", "sequence_length": 1, "step_ms_batch64": 2.0, "step_ms_batch640": 20.0, "bound": 1.0},
        {"architecture": "lstm", "sequence_length": 7, "step_ms_batch64": 4.0, "step_ms_batch640": 20.0, "bound": 2.0},
        {"architecture": "lstm", "sequence_length": 60, "step_ms_batch64": 40.0, "step_ms_batch640": 800.0, "bound": 0.5},
        {"architecture": "rnn", "sequence_length": 1, "step_ms_batch64": 3.0, "step_ms_batch640": 6.0, "bound": 5.0},
        {"architecture": "rnn", "sequence_length": 60, "step_ms_batch64": 30.0, "step_ms_batch640": 60.0, "bound": 5.0}])
    projected = floor.projection(steps, REPO / "docs" / "measured" / "forecast_cost")
    summary = pd.read_parquet(REPO / "docs" / "measured" / "forecast_benchmark" / "summary.parquet")
    trained = summary[summary["method"] != "mc_dropout"]
    train_s = trained.groupby("architecture")["train_seconds"].sum() * summary["n_runs"].iloc[0]
    job_s = pd.read_parquet(REPO / "docs" / "measured" / "forecast_cost" / "forecast_cost.parquet").set_index("kind").loc["all", "job_s"]
    # lstm: length 1 stacks at its bound 1 (2 ms either way), length 7 halves (4 ms to 2), length
    # 60 would be slower stacked (80 ms against 40) and keeps its step: 46 ms against 44
    assert projected["bound_by_architecture"] == {"lstm": 1.05, "rnn": 5.0}
    unchanged = job_s - train_s["rnn"] - train_s["lstm"]  # patchtst, not measured, keeps its cost
    assert projected["stacked_job_s"] == round(unchanged + train_s["rnn"] / 5 + train_s["lstm"] * 44 / 46)
    info = {"date": "2026-12-02", "code_version": "abc1234", "torch": "2.13.0+cpu", "machine": "AMD EPYC, 1 thread",
            "projection": projected}
    block = _snapshot(tmp_path, steps, "forecast_floor", info)["forecast_floor/forecast_floor"]
    assert f"**{projected['stacked_wall_min_2_cores']} min on 2 cores**" in block
    assert "| lstm | 60 | 40.0 | 800.0 | 0.50 |" in block


def test_quickstart_times_the_commit_asked_for(tmp_path):
    head = subprocess.run(["git", "rev-parse", "HEAD~1"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    row = quickstart.time_command(1, "git rev-parse HEAD", head, tmp_path)
    assert row["rc"] == 0 and (tmp_path / "command1.log").read_text().strip() == head
