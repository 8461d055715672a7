"""Bad configs are refused before any job, with a message naming key, value and rule: every kind
at library level (the function the Snakefile calls), one of each check through Snakemake."""

import copy
import subprocess

import pytest

from devprune.config import ConfigError, check_config, check_config_files
from devprune.workflow_checks import check_workflow_config

from conftest import REPO, SNAKEMAKE, snakemake, tiny_config


def _with(path, value):
    config = copy.deepcopy(tiny_config())
    *parents, key = path.split(".")
    node = config
    for parent in parents:
        node = node[parent]
    if value is KeyError:
        del node[key]
    else:
        node[key] = value
    return config


BAD_CONFIGS = {
    # name: (key path, bad value, fragments the error must contain)
    "device not in enum": ("device", "gpu", ["'gpu' is not one of", "['device']"]),
    "container address with a space": ("container", "docker://devprune latest", ["does not match '^[^ ]+$'", "['container']"]),
    "container not a string": ("container", 3, ["3 is not of type 'string', 'null'", "['container']"]),
    "density zero": ("early.densities", [0.0, 0.5], ["0.0 is less than or equal to the minimum of 0", "['early']['densities'][0]"]),
    "density above one": ("early.densities", [0.5, 1.5], ["1.5 is greater than the maximum of 1", "['densities'][1]"]),
    "late fraction one": ("late.branches", {"normal": 0.2, "asd": 1.0}, ["1.0 is greater than or equal to the maximum of 1", "['branches']['asd']"]),
    "batch size zero": ("baseline.batch_size", 0, ["0 is less than the minimum of 1", "['baseline']['batch_size']"]),
    "seed not an integer": ("seeds", ["a"], ["'a' is not of type 'integer'", "['seeds'][0]"]),
    "duplicate seeds": ("seeds", [1, 1], ["has non-unique elements", "['seeds']"]),
    "seed block zero": ("seed_block", 0, ["0 is less than the minimum of 1", "['seed_block']"]),
    "misspelt key": ("baseline.epoch", 3, ["'epoch' was unexpected", "['baseline']"]),
    "missing key": ("late.epochs", KeyError, ["'epochs' is a required property", "['late']"]),
    "noise layers": ("evaluation.noise_layers", "middle", ["'middle' is not one of ['all', 'last', 'first']"]),
    "branch name": ("late.branches", {"Normal!": 0.2, "asd": 0.5}, ["'Normal!' does not match", "['late']['branches']"]),
    "voice permutation": ("task.voice_permutation", [0, 0, 1, 2], ["config key 'task.voice_permutation' = [0, 0, 1, 2]", "permutation of 0..3"]),
    "method key of another schedule": ("methods", {"m": {"schedule": "one_shot", "steps": 3}},
                                       ["config key 'methods.m.steps' = 3", "not used by criterion 'magnitude' with schedule 'one_shot'"]),
    "iterative steps above epochs": ("methods", {"m": {"schedule": "iterative", "steps": 5}},
                                     ["config key 'methods.m.steps' = 5", "at most the fewest stage epochs (2)"]),
    "unknown criterion": ("methods", {"m": {"criterion": "taylor"}},
                          ["config key 'methods.m.criterion' = 'taylor'", "one of ['magnitude', 'neuron_activation', 'random', 'saliency']"]),
    "unknown schedule": ("methods", {"m": {"schedule": "linear"}},
                         ["config key 'methods.m.schedule' = 'linear'", "one of ['cubic', 'iterative', 'one_shot', 'regrow', 'rewind']"]),
    "method key out of range": ("methods", {"m": {"schedule": "iterative", "steps": 0}},
                                ["config key 'methods.m.steps' = 0", "allowed: integer, ≥ 1"]),
    "method key of the wrong type": ("methods", {"m": {"schedule": "cubic", "warmup": "early"}},
                                     ["config key 'methods.m.warmup' = 'early'", "allowed: number, ≥ 0, < 1"]),
    "misspelt method key": ("methods", {"m": {"schedule": "cubic", "warm_up": 0.2}},
                            ["config key 'methods.m.warm_up' = 0.2", "their keys: ['prune_every', 'ramp_end', 'warmup']"]),
    "structured layer scope": ("methods", {"m": {"criterion": "neuron_activation", "scope": "layer"}},
                               ["config key 'methods.m.scope' = 'layer'", "only 'global' applies"]),
    "rewind past the baseline": ("methods", {"m": {"schedule": "rewind", "rewind_epoch": 9}},
                                 ["config key 'methods.m.rewind_epoch' = 9", "at most baseline.epochs (4)"]),
    "reserved method name": ("methods", {"baseline": {}}, ["config key 'methods' = 'baseline'", "reserved"]),
    "no method": ("methods", {}, ["['methods']"]),
    "forecast csv without path": ("forecast.datasets", {"mine": {"source": "csv", "target": "y"}},
                                  ["config key 'forecast.datasets.mine.path' = None", "source 'csv' needs it"]),
    "forecast heads": ("forecast.model.heads", 3, ["config key 'forecast.model.d_model' = 16", "multiple of forecast.model.heads (3)"]),
    "forecast method": ("forecast.methods", ["none", "l1"], ["config key 'forecast.methods' = 'l1'", "registered are none, dropout"]),
    "forecast architecture": ("forecast.architectures", ["gru"], ["config key 'forecast.architectures' = 'gru'", "registered are rnn, lstm, patchtst"]),
    "forecast source": ("forecast.datasets", {"x": {"source": "kaggle", "target": "y"}},
                        ["config key 'forecast.datasets.x.source' = 'kaggle'", "registered are household_power"]),
    "forecast resample of a daily source": ("forecast.datasets", {"b": {"source": "bitcoin", "target": "close", "resample": "1W"}},
                                            ["config key 'forecast.datasets.b.resample' = '1W'", "only used by source(s) household_power, beijing_pm"]),
    "forecast resample frequency": ("forecast.datasets", {"p": {"source": "beijing_pm", "target": "pm2.5", "resample": "daily"}},
                                    ["config key 'forecast.datasets.p.resample' = 'daily'", "pandas frequency"]),
    "unknown claims branch": ("claims.comparison_branch", "autism", ["config key 'claims.comparison_branch' = 'autism'", "['asd', 'normal']"]),
    "whole-number float": ("seed_block", 2.0, ["config key 'seed_block' = 2.0", "whole number written without a decimal point, e.g. 2"]),
    "whole-number float in a list": ("model.hidden", [32.0, 32, 16], ["config key 'model.hidden[0]' = 32.0"]),
    "NaN learning rate": ("early.lr", float("nan"), ["config key 'early.lr' = nan", "finite number"]),
    "infinite sigma": ("task.sigma", float("inf"), ["config key 'task.sigma' = inf", "finite number"]),
    "seed past the generator": ("seeds", [2 ** 64], ["18446744073709551616 is greater than the maximum of 9223372036854775807"]),
    "experiment ..": ("experiment", "..", ["config key 'experiment' = '..'", "reserved"]),
    "experiment downloads": ("experiment", "downloads", ["config key 'experiment' = 'downloads'", "reserved"]),
    "experiment named like the forecast": ("experiment", "tiny_forecast", ["config key 'experiment' = 'tiny_forecast'", "must differ from forecast.experiment"]),
    "absolute results_dir": ("results_dir", "/", ["config key 'results_dir' = '/'", "relative"]),
    "low density below every density": ("claims.low_density", 0.1, ["config key 'claims.low_density' = 0.1", "selects none of early.densities"]),
}


#: Cases also run through Snakemake itself, one per check the workflow makes (schema, config
#: check, forecasting check, claims settings, experiment names): each of the others goes through
#: the same function, check_workflow_config, which the Snakefile calls before any job.
THROUGH_SNAKEMAKE = ("device not in enum", "voice permutation", "forecast method", "low density below every density",
                     "experiment named like the forecast")


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_refused_naming_key_and_value(case):
    key, value, fragments = BAD_CONFIGS[case]
    with pytest.raises(Exception) as refused:
        check_workflow_config(_with(key, value))
    for fragment in fragments:
        assert fragment in str(refused.value), str(refused.value)


@pytest.mark.workflow
@pytest.mark.parametrize("case", THROUGH_SNAKEMAKE)
def test_bad_config_is_rejected_by_snakemake_before_any_job(case, tmp_path):
    key, value, fragments = BAD_CONFIGS[case]
    result = snakemake(tmp_path, "--cores", "1", config=_with(key, value), check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for fragment in fragments:
        assert fragment in output, output
    assert not (tmp_path / "results").exists()


def test_good_config_passes_the_library_checks():
    check_config(tiny_config())
    check_workflow_config(tiny_config())


def test_config_error_names_key_value_and_rule():
    with pytest.raises(ConfigError, match=r"config key 'claims.low_density' = 0.9: must be below claims.high_density"):
        check_config(_with("claims.low_density", 0.9))


@pytest.mark.parametrize("key, value", [("seeds", [2 ** 40]), ("seed_block", 50), ("late.branches", {"tables": 0.2, "asd": 0.5}),
                                        ("claims.high_density", 1.0)])
def test_legitimate_near_misses_pass(key, value):
    config = _with(key, value)
    if key == "late.branches":
        config["claims"]["reference_branch"] = "tables"
    check_config(config)


def test_results_dir_that_is_a_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").write_text("not a directory")
    with pytest.raises(ConfigError, match="config key 'results_dir' = 'results': is an existing file"):
        check_config(tiny_config())


@pytest.mark.workflow
def test_a_key_given_twice_is_refused_naming_file_and_line(tmp_path):
    text = (REPO / "tests" / "configs" / "tiny.yaml").read_text().replace("seed_block: 2\n", "seed_block: 2\nseed_block: 3\n")
    (tmp_path / "config.yaml").write_text(text)
    line = text.splitlines().index("seed_block: 3") + 1
    result = snakemake(tmp_path, "-n", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and f"config.yaml:{line}' = 'seed_block'" in output and f"first on line {line - 1}" in output


@pytest.mark.parametrize("text, where, words", [
    ("seeds: [0, 1\nexperiment: x\n", ":2' = 'experiment: x'", "is not valid YAML"),  # the [ never closes
    ("seeds:\n\t- 1\n", ":2' = '\\t- 1'", "never tabs"),
    ("- 1\n- 2\n", "' = 'list'", "must be a mapping of keys at top level"),
    ("3\n", "' = 'int'", "must be a mapping of keys at top level"),
])
def test_a_config_file_that_is_not_a_yaml_mapping_is_refused_naming_file_and_line(tmp_path, text, where, words):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        check_config_files([str(path)])
    assert f"{path}{where}" in str(refused.value) and words in str(refused.value)


@pytest.mark.workflow
def test_a_broken_config_yaml_is_named_by_the_workflow(tmp_path):
    (tmp_path / "config.yaml").write_text("experiment: x\nseeds:\n\t- 1\n")
    result = subprocess.run([*SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path), "-n"],
                            capture_output=True, text=True)
    assert result.returncode != 0 and "config.yaml:3' = '\\t- 1': is not valid YAML" in result.stdout + result.stderr


def test_duplicate_keys_nested_in_a_mapping_are_refused(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("late:\n  epochs: 2\n  lr: 0.1\n  epochs: 3\n")
    with pytest.raises(ConfigError, match=r"c.yaml:4' = 'epochs': is given twice in one mapping \(first on line 2\)"):
        check_config_files([str(path)])
    path.write_text("late:\n  epochs: 2\nearly:\n  epochs: 2\n")  # the same key in two mappings is fine
    check_config_files([str(path)])


@pytest.mark.workflow
def test_a_config_without_the_defaulted_keys_runs(tmp_path):
    config = tiny_config()
    for key in ("seed_block", "warm_start"):
        del config[key]
    for section in ("baseline", "early", "late"):
        config[section].pop("tasks", None)
    del config["claims"]["level_tolerance"], config["claims"]["mid_densities"]
    output = snakemake(tmp_path, "-n", config=config).stdout
    assert "data_block0" in output  # the default seed_block (10) puts seeds 0 and 1 in block 0
