"""Atomic writes, provenance, the device and thread settings, torch-free light jobs."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from devprune.integrity import atomic_write
from devprune.io import PROVENANCE_COLUMNS, provenance, write_parquet
from devprune.runtime import configure_torch_job, resolve_device


def test_failed_write_leaves_neither_target_nor_temporary(tmp_path):
    target = tmp_path / "out" / "model.pt"

    def half_write(tmp):
        with open(tmp, "wb") as handle:
            handle.write(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_write)
    assert list((tmp_path / "out").iterdir()) == []


def test_existing_target_survives_a_failed_rewrite(tmp_path):
    target = tmp_path / "metrics.parquet"
    write_parquet(pd.DataFrame({"value": [1.0]}), target, provenance("abc", 3, "cpu"))

    def broken(tmp):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    frame = pd.read_parquet(target)
    assert frame["value"].tolist() == [1.0]
    assert frame[PROVENANCE_COLUMNS].iloc[0].tolist()[:2] == ["abc", 3]
    assert frame["torch_version"].iloc[0] == torch.__version__


def test_device_setting():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="config key 'device' = 'tpu'"):
        resolve_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA; the error path needs one without")
def test_cuda_requested_but_absent_is_a_clear_error():
    with pytest.raises(RuntimeError, match="config key 'device' = 'cuda': no CUDA device is available"):
        resolve_device("cuda")


def test_torch_job_takes_threads_and_device_from_its_arguments():
    before = torch.get_num_threads()
    try:
        assert configure_torch_job(3, "cpu") == "cpu"
        assert torch.get_num_threads() == 3
        assert configure_torch_job(1, "auto") == ("cuda" if torch.cuda.is_available() else "cpu")
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_aggregation_jobs_do_not_import_torch():
    """Light jobs skip torch's ~2 s import; only training and evaluation pay it."""
    code = "import sys, devprune.phased.aggregate, devprune.io; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_failing_job_logs_its_traceback(tmp_path):
    log = tmp_path / "job.log"
    code = f"from devprune.io import setup_job_logging; setup_job_logging({str(log)!r}); raise ValueError('bad input x')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert "job failed" in log.read_text() and "ValueError: bad input x" in log.read_text()
    assert "ValueError: bad input x" in result.stderr


def test_written_files_get_ordinary_permissions(tmp_path):
    """Results are readable by the group and others under the usual umask 022 (shared clusters)."""
    previous = os.umask(0o022)
    try:
        atomic_write(tmp_path / "table.md", lambda tmp: Path(tmp).write_text("x"))
    finally:
        os.umask(previous)
    assert (tmp_path / "table.md").stat().st_mode & 0o777 == 0o644
