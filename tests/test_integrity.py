"""Every artifact is checksummed when written and checked when read: damaged files are reported by
`devprune verify` and stop the next job that loads them with a message that says how to remake them."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from devprune import integrity

from conftest import results, snakemake

pytestmark = pytest.mark.workflow  # runs the real Snakemake workflow

DEVPRUNE = str(Path(sys.executable).with_name("devprune"))  # the package's console script
EARLY = Path("results/tiny/seed0/magnitude/early/d30")
LATE = Path("results/tiny/seed0/magnitude/late/d30/asd")


def verify(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([DEVPRUNE, "verify", str(results(workdir))], capture_output=True, text=True)


def flip_tensor_byte(path: Path, tensor: torch.Tensor) -> None:
    """Flip one byte in the middle of ``tensor``'s stored data, keeping the file's mtime."""
    data = bytearray(path.read_bytes())
    raw = tensor.contiguous().numpy().tobytes()
    start = data.find(raw)
    assert start > 0 and data.find(raw, start + 1) == -1, "the tensor's bytes must occur once in the file"
    data[start + len(raw) // 2] ^= 0xFF
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def rerun_late_prune(workdir: Path) -> str:
    """Force the job that loads the early network again; return its output (it must fail)."""
    result = snakemake(workdir, "--cores", "1", "--forcerun", str(LATE / "model.pt"), check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_records_name_rule_size_and_parents(tiny_run):
    late = integrity.read_record(tiny_run / LATE / "model.pt")
    assert late["rule"] == "late_prune_block0" and late["bytes"] == (tiny_run / LATE / "model.pt").stat().st_size
    assert late["sha256"] == integrity.file_digest(tiny_run / LATE / "model.pt")
    # the late checkpoint was built from the early checkpoint and mask now on disk, and the data
    parents = late["parents"]
    assert parents["../../../early/d30/model.pt"] == integrity.file_digest(tiny_run / EARLY / "model.pt")
    assert parents["../../../early/d30/mask.pt"] == integrity.file_digest(tiny_run / EARLY / "mask.pt")
    assert parents["../../../../data/train.parquet"] == integrity.file_digest(tiny_run / "results/tiny/seed0/data/train.parquet")


def test_verify_passes_on_an_intact_run(tiny_run):
    result = verify(tiny_run)
    assert result.returncode == 0, result.stdout
    assert "all match their records and parents" in result.stdout


@pytest.mark.parametrize("name", ["model.pt", "mask.pt"])
def test_a_flipped_byte_is_reported_and_stops_the_next_job(tiny_copy, name):
    path = tiny_copy / EARLY / name
    stored = torch.load(path, weights_only=True)
    flip_tensor_byte(path, stored["state_dict"]["layers.1.weight"] if name == "model.pt" else stored["layers.1.weight"])
    assert torch.load(path, weights_only=True) is not None  # torch alone would load it silently

    result = verify(tiny_copy)
    assert result.returncode == 1
    assert f"{results(tiny_copy) / 'seed0/magnitude/early/d30' / name}: corrupt" in result.stdout

    output = rerun_late_prune(tiny_copy)
    assert f"{EARLY / name}: corrupt (SHA-256" in output
    assert f"it is made by rule early_prune_block0; remake it with: snakemake --forcerun {EARLY / name}" in output


def test_a_truncated_file_gets_the_same_clear_message(tiny_copy):
    path = tiny_copy / EARLY / "model.pt"
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    output = rerun_late_prune(tiny_copy)
    assert f"{EARLY / 'model.pt'}: incomplete or overwritten ({size // 2:,} bytes, {size:,} when written)" in output
    assert f"remake it with: snakemake --forcerun {EARLY / 'model.pt'}" in output
    assert "Invalid argument" not in output  # torch's own error is never reached


def test_verify_lists_orphans_unrecorded_files_and_changed_parents(tiny_copy):
    out = results(tiny_copy)
    (out / "seed1/magnitude/late/d30/normal/mask.pt").unlink()  # its record stays: orphaned
    integrity.record_path(out / "seed1/magnitude/early/d100/mask.pt").unlink()  # a file without a record
    train = out / "seed0/data/train.parquet"
    train.write_bytes(train.read_bytes())  # rewritten identically: still fine
    test = out / "seed1/data/test.parquet"  # remade with other data (and a valid record of its own)
    pd.read_parquet(test).assign(x1=0.0).to_parquet(test, index=False)
    integrity.write_record(test)
    result = verify(tiny_copy)
    assert result.returncode == 1
    lines = result.stdout.splitlines()[:-1]
    assert [line for line in lines if line.startswith("orphaned:")] == [
        f"orphaned: {out / 'seed1/magnitude/late/d30/normal/mask.pt.sha256.json'} (its file mask.pt is missing)"]
    assert [line for line in lines if "no checksum record" in line] == [
        f"{out / 'seed1/magnitude/early/d100/mask.pt'}: has no checksum record (mask.pt.sha256.json), so it cannot be trusted"]
    stale = [line for line in lines if "built from a different" in line]
    assert len(stale) == 7  # every evaluation of seed 1
    assert all(line.startswith(str(out / "seed1")) and "metrics.parquet: built from a different" in line
               and "data/test.parquet than the one there now" in line for line in stale)
    assert not any("train.parquet" in line for line in lines)
    assert len(lines) == 9 and result.stdout.splitlines()[-1].endswith(
        ": 9 problem(s); completeness not checked (give --configfile with the run's config files)")


def test_verify_rejects_a_path_that_is_not_a_results_directory(tmp_path):
    result = subprocess.run([DEVPRUNE, "verify", str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert result.returncode == 2 and "is not a directory" in result.stderr


def test_damage_by_hand(tmp_path):
    path = tmp_path / "a.parquet"
    path.write_bytes(b"0123456789")
    assert "has no checksum record" in integrity.damage(path)
    integrity.write_record(path)
    assert integrity.damage(path) is None
    path.write_bytes(b"0123456780")
    assert ": corrupt (SHA-256" in integrity.damage(path)
    with pytest.raises(integrity.DamagedArtifact, match="a.parquet: corrupt"):
        integrity.verified(path)


@pytest.mark.parametrize("text, words", [("{not json", "not valid JSON: Expecting property name"),
                                         ("{}", "no sha256, bytes, rule, parents")])
def test_a_damaged_record_is_named_by_verify_and_by_the_next_job(tiny_copy, text, words):
    record = integrity.record_path(tiny_copy / EARLY / "model.pt")
    record.write_text(text)
    result = verify(tiny_copy)
    assert result.returncode == 1
    assert f"{results(tiny_copy) / 'seed0/magnitude/early/d30/model.pt'}{integrity.RECORD_SUFFIX}: damaged checksum record ({words}" in result.stdout
    assert "1 problem(s)" in result.stdout  # reported, and the audit went on over every other file
    output = rerun_late_prune(tiny_copy)
    assert f"damaged checksum record ({words}" in output
    assert "JSONDecodeError" not in output and "KeyError" not in output  # named, not crashed on


class NotATensor:
    """What a pickle payload would carry: an object torch's weights-only loader refuses to build."""


def test_a_pickle_with_a_matching_record_is_refused_unread(tmp_path):
    from devprune.runtime import load_tensors

    path = tmp_path / "model.pt"
    torch.save({"payload": NotATensor()}, path)
    integrity.write_record(path)  # the record matches: only the content gives it away
    with pytest.raises(integrity.DamagedArtifact) as error:
        load_tensors(path)
    message = str(error.value)
    assert f"{path}: holds Python objects" in message and "refused unread" in message
    assert "weights_only=False" not in message


def test_the_remake_command_works_as_printed(tiny_copy):
    hint = integrity.remake_hint(EARLY / "model.pt", "early_prune_block0")
    command = hint.split("remake it with: ")[1].split(" (CONFIG")[0].replace("CONFIG", str(tiny_copy / "config.yaml"))
    assert command.startswith("snakemake --forcerun ")
    args = command.split()[1:]
    result = snakemake(tiny_copy, "--cores", "1", *args, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert integrity.damage(tiny_copy / EARLY / "model.pt") is None


def test_verify_on_an_empty_directory_says_so_and_fails(tmp_path):
    result = subprocess.run([DEVPRUNE, "verify", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 1 and "holds no artifact" in result.stderr and "all match" not in result.stdout
