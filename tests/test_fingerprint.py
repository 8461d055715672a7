"""bench/fingerprint.py's op trace: the same machine traces the same bits, and a trace that
differs is named at its first differing op."""

import json
import subprocess
import sys

from conftest import REPO, TINY, bench_module

FINGERPRINT = REPO / "bench" / "fingerprint.py"


def test_a_trace_repeats_here_and_names_the_first_op_another_machine_changed(tmp_path):
    recorded = tmp_path / "trace.jsonl"
    subprocess.run([sys.executable, str(FINGERPRINT), "--config", str(TINY), "--ops", "400", "--threads", "1",
                    "--trace-out", str(recorded)], check=True)
    header, *ops = [json.loads(line) for line in recorded.read_text().splitlines()]
    assert len(ops) == 400 and header["threads"] == 1 and header["cpu"]
    assert any(op["op"] == "aten.addmm.default" for op in ops)  # it reaches the training's matmuls
    again = subprocess.run([sys.executable, str(FINGERPRINT), "--config", str(TINY), "--ops", "400", "--threads", "1",
                            "--trace-against", str(recorded)], check=True, capture_output=True, text=True).stdout
    assert again.splitlines()[-1] == "identical over the 400 ops both traces hold"
    # another machine's trace: the same ops, one output with other bits from op 250 on
    elsewhere = [dict(op) for op in ops]
    for op in elsewhere[250:]:
        op["sha256"] = "0" * 16
    named = bench_module("fingerprint").first_difference(ops, elsewhere)
    assert named.startswith(f"op 250 is the first whose output differs: {ops[250]['op']} with outputs {ops[250]['shapes']}")
