"""The multiverse: universes named and declared from the config, bad axes refused before any job,
and the real DAG sharing every file a universe's choices do not touch."""

import collections
import re

import pandas as pd
import pytest

from devprune import measured
from devprune.config import ConfigError
from devprune.multiverse import Universe, check_multiverse, declared_universes

from conftest import N_BRANCHES, N_DENSITIES, bench_module, dry_run, planned_jobs, results, snakemake, tiny_config

CFG = tiny_config()
N_BLOCKS, N_METHODS = 1, len(CFG["methods"])


def with_multiverse(**spec):
    return {**tiny_config(), "multiverse": spec}


def test_names_are_readable_stable_and_independent_of_order():
    one = Universe.of({"evaluation.noise_layers": "last", "early.tasks": "visual"})
    other = Universe.of({"early.tasks": "visual", "evaluation.noise_layers": "last"})
    assert one == other and one.name == "early.tasks=visual+evaluation.noise_layers=last"
    assert Universe().name == "default" and Universe.of({"early.batch_size": 32}).name == "early.batch_size=32"
    assert Universe.of({"claims.mid_densities": [0.5, 0.7]}).name == "claims.mid_densities=0.5-0.7"


def test_each_stage_shares_what_the_choices_before_it_leave():
    universe = Universe.of({"late.tasks": "visual", "evaluation.noise_layers": "last"})
    assert universe.up_to("early") == Universe()
    assert universe.up_to("late") == Universe.of({"late.tasks": "visual"})
    assert universe.evaluating("early") == Universe.of({"evaluation.noise_layers": "last"})  # early models: default's
    assert universe.up_to("late").directory("results/x") == "results/x/universes/late.tasks=visual"
    assert Universe().directory("results/x") == "results/x"


def test_designs():
    axes = {"early.tasks": ["visual"], "evaluation.noise_layers": ["last", "first", "all"]}  # "all" is the base value
    one = [u.name for u in declared_universes(with_multiverse(axes=axes))]
    assert one == ["default", "early.tasks=visual", "evaluation.noise_layers=last", "evaluation.noise_layers=first"]
    full = declared_universes(with_multiverse(axes=axes, design="full"))
    assert len(full) == 2 * 3 and full[0] == Universe()
    extra = declared_universes(with_multiverse(axes={}, combinations=[{"early.tasks": "visual", "late.tasks": "visual"}]))
    assert [u.name for u in extra] == ["default", "early.tasks=visual+late.tasks=visual"]
    assert declared_universes(tiny_config()) == [Universe()]


def _refusal(axes):
    config = with_multiverse(axes=axes)
    with pytest.raises(ConfigError) as error:
        check_multiverse(config, validate=_validate)
    return str(error.value)


def _validate(config):
    import jsonschema

    from devprune.config import check_config, load_schema

    jsonschema.validate(config, load_schema())
    check_config(config)


@pytest.mark.parametrize("axes, key, words", [
    ({"early.task": ["visual"]}, "early.task", "no key of the config"),
    ({"forecast.epochs": [3]}, "forecast.epochs", "phased experiment's sections"),
    ({"seeds": [[0]]}, "seeds", "phased experiment's sections"),
    ({"early.densities": [[0.5]]}, "early.densities", "which models exist"),
    ({"methods.magnitude": [{"criterion": "random"}]}, "methods.magnitude", "which models exist"),
    ({"early.tasks": ["audio"]}, "early.tasks", "not a valid config"),
    ({"early.batch_size": [0]}, "early.batch_size", "not a valid config"),
    ({"claims.reference_branch": ["typo"]}, "claims.reference_branch", "must be one of the late branches"),
])
def test_bad_axes_are_refused_naming_the_key_and_value(axes, key, words):
    message = _refusal(axes)
    assert f"'multiverse.axes.{key}'" in message and words in message


def test_a_bad_axis_is_refused_by_snakemake_before_any_job(tmp_path):
    result = snakemake(tmp_path, "-n", config=with_multiverse(axes={"early.tasks": ["audio"]}), check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "multiverse.axes.early.tasks" in output and "'audio'" in output
    assert not (tmp_path / "results").exists()


def _sharing_table(results_dir, config):
    return bench_module("multiverse_sharing").sharing_table(results_dir, config)


def _counts(output):
    return collections.Counter(rule.split("_u")[0] if "_u" in rule else rule for rule, _ in planned_jobs(output))


def _files(workdir):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in results(workdir).rglob("*") if p.is_file()}


@pytest.mark.workflow
def test_an_evaluation_axis_added_to_a_finished_run_evaluates_and_aggregates_only(tiny_copy):
    config = with_multiverse(axes={"evaluation.noise_layers": ["last"]})
    planned = _counts(dry_run(tiny_copy, config))
    groups = 1 + N_METHODS + N_METHODS * N_BRANCHES  # baseline, early, late per branch
    assert planned == {"evaluate_baseline_block0": N_BLOCKS, "evaluate_early_block0": N_BLOCKS * N_METHODS,
                       "evaluate_late_block0": N_BLOCKS * N_METHODS * N_BRANCHES, "aggregate_metrics": 1,
                       "universe_claims": 1, "multiverse": 1, "multiverse_figures": 1, "all": 1}
    assert sum(planned.values()) == N_BLOCKS * groups + 5
    before = _files(tiny_copy)
    snakemake(tiny_copy, "--cores", "2")
    after = _files(tiny_copy)
    assert {p: after[p] for p in before} == before  # the plain run's every file: the same bytes and mtime
    assert {p.name for p in set(after) - set(before) if "universes" not in p.parts} >= {"multiverse.parquet", "robustness.md"}
    table = pd.read_parquet(results(tiny_copy) / "tables" / "multiverse.parquet")
    claims = pd.read_parquet(results(tiny_copy) / "tables" / "claims.parquet")
    default = table[table["universe"] == "default"].reset_index(drop=True)
    columns = ["method", "claim_id", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "verdict", "direction"]
    pd.testing.assert_frame_equal(default[columns], claims[columns])
    assert set(table["universe"]) == {"default", "evaluation.noise_layers=last"}
    assert set(table["evaluation.noise_layers"]) == {"(base)", "last"}
    for name in ("specification_curves", "attribution"):
        assert (results(tiny_copy) / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    robustness = pd.read_parquet(results(tiny_copy) / "tables" / "robustness.parquet")
    assert len(robustness) == len(claims) and (robustness["universes"] == 2).all()
    assert (robustness["robust"] == ((robustness["verdict_share"] == 1) & (robustness["direction_share"] == 1))).all()
    # bench/multiverse_sharing.py: the naive multiverse runs every job twice, the shared one adds
    # only the second universe's evaluation jobs, its merged metrics and its claims
    sharing = _sharing_table(str(results(tiny_copy)), config).set_index("stage")
    per_universe = 1 + 1 + N_METHODS * N_DENSITIES * (1 + N_BRANCHES) + groups + 2
    assert sharing.loc["all", "naive jobs"] == 2 * per_universe
    assert sharing.loc["all", "shared jobs"] == per_universe + groups + 2
    assert sharing.loc["late", "shared jobs"] == N_METHODS * N_DENSITIES * N_BRANCHES
    # a warm job's core-seconds are what its fork logged, not the waiting client's near-zero
    baseline = results(tiny_copy) / "benchmarks" / "block0" / "baseline.tsv"
    logged = re.findall(r"cpu_s=([\d.]+)", (results(tiny_copy) / "logs" / "block0" / "baseline.log").read_text())
    client = float(pd.read_csv(baseline, sep="\t")["cpu_time"].iloc[0])
    assert logged and bench_module("multiverse_sharing").core_seconds(str(baseline)) == float(logged[-1]) > client
    # its snapshot keeps the multiverse tables and figures, and the README blocks render them
    snap = tiny_copy / "measured" / "multiverse"
    measured.snapshot(results(tiny_copy), snap)
    sharing.reset_index().to_parquet(snap / "multiverse_sharing.parquet")
    assert {p.name for p in snap.iterdir()} >= {"multiverse.parquet", "attribution.parquet", "specification_curves.png"}
    blocks = measured.render(snap)
    for row in robustness.itertuples():
        line = next(x for x in blocks["multiverse/robustness"].splitlines() if x.startswith(f"| {row.claim_id} |"))
        assert f"| {row.verdict} | {row.same_verdict} of 2 |" in line and ("**robust**" in line) == row.robust
    attributed = pd.read_parquet(snap / "attribution.parquet")
    moved = attributed[attributed["universe"] != "default"].dropna(subset=["shift"])
    assert len(moved) > 0
    for row in moved.itertuples():
        assert f"| {row.claim_id} |" in blocks["multiverse/attribution"]
        assert f"evaluation.noise_layers=last {row.shift:+.2f} [{row.shift_ci_low:+.2f}, " in blocks["multiverse/attribution"]
    assert f"| all | {2 * per_universe} | {per_universe + groups + 2} |" in blocks["multiverse/multiverse_sharing"]
    # the same multiverse with its keys in another order: the same names, no job
    reordered = {**config, "multiverse": {"design": "one_at_a_time", "axes": {"evaluation.noise_layers": ["last"]}}}
    assert planned_jobs(dry_run(tiny_copy, reordered)) == []


@pytest.mark.workflow
def test_a_late_axis_reuses_data_baseline_and_early_models(tiny_copy):
    planned = _counts(dry_run(tiny_copy, with_multiverse(axes={"late.tasks": ["visual"]})))
    assert planned == {"late_prune_block0": N_BLOCKS * N_METHODS * N_DENSITIES * N_BRANCHES,
                       "evaluate_late_block0": N_BLOCKS * N_METHODS * N_BRANCHES, "aggregate_metrics": 1,
                       "universe_claims": 1, "multiverse": 1, "multiverse_figures": 1, "all": 1}


def _claims(estimates, verdicts, paper_in_pi):
    return pd.DataFrame({"method": "m", "claim_id": ["C1", "C2"], "kind": "direction", "estimate": estimates,
                         "ci_low": [e - 1 for e in estimates], "ci_high": [e + 1 for e in estimates],
                         "pi_low": 0.0, "pi_high": 9.0, "verdict": verdicts, "direction": "same",
                         "paper_in_ci": False, "paper_in_pi": paper_in_pi, "paper_estimate": 8.0})


def test_robustness_and_attribution_by_hand():
    from devprune.phased import universes

    claims = {"default": _claims([2.0, 5.0], ["reproduced", "reproduced"], [False, True]),
              "a=1": _claims([4.0, 5.0], ["reproduced", "inconclusive"], [True, True]),
              "a=1+b=2": _claims([6.0, 5.0], ["reproduced", "reproduced"], [True, True])}
    choices = {"default": {}, "a=1": {"a": 1}, "a=1+b=2": {"a": 1, "b": 2}}
    table = universes.multiverse_table(claims, choices, ["a", "b"])
    assert list(table.columns[:4]) == ["universe", "a", "b", "n_choices"] and len(table) == 6
    assert table.set_index(["universe", "claim_id"]).loc[("a=1", "C1"), "b"] == "(base)"
    robust = universes.robustness(table, "default").set_index("claim_id")
    assert robust.loc["C1", "robust"] and not robust.loc["C2", "robust"]
    assert robust.loc["C2", "verdict_share"] == pytest.approx(2 / 3)
    seeds = [0, 1, 2]
    per_seed = {name: pd.DataFrame({"method": "m", "replicate_seed": seeds, "C1": [v + s for s in seeds], "C2": 5.0})
                for name, v in (("default", 1.0), ("a=1", 3.0), ("a=1+b=2", 4.0))}
    per_seed["a=1"].loc[2, "C1"] += 3  # shifts 2, 2, 5: mean 3
    attributed = universes.attribution(table, per_seed, "default").set_index(["universe", "claim_id"])
    assert attributed.loc[("a=1", "C1"), "shift"] == pytest.approx(3.0)
    assert attributed.loc[("a=1", "C1"), "shift_ci_low"] < 3.0 < attributed.loc[("a=1", "C1"), "shift_ci_high"]
    assert attributed.loc[("a=1+b=2", "C1"), "shift"] == pytest.approx(3.0)  # 3 at every seed: a point interval
    explained = universes.gap_explanations(attributed.reset_index(), "default")
    assert explained.to_dict("records") == [{"method": "m", "claim_id": "C1", "universes_inside": ["a=1", "a=1+b=2"]}]
