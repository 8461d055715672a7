"""Forecast variants for attribution (devprune.forecast.variants): which variants exist, which
variant's files each cell is, and the refusals of a bad attribution section."""

import copy

import pytest
import yaml
from snakemake.utils import validate

from devprune.config import ConfigError, check_config
from devprune.forecast.checks import check_forecast
from devprune.forecast.variants import Attribution, check_attribution, declared_variants, merged, variant_forecast

from conftest import REPO

CONFIG = yaml.safe_load((REPO / "config.yaml").read_text())
ATTRIBUTION = yaml.safe_load((REPO / "configs" / "forecast_attribution.yaml").read_text())["forecast"]
FORECAST = merged(CONFIG["forecast"], ATTRIBUTION)


def check(forecast):
    """check_attribution as the workflow runs it: the schema and the config check per variant."""
    def valid(section):
        config = copy.deepcopy({**CONFIG, "forecast": section})
        validate(config, str(REPO / "src" / "devprune" / "config.schema.yaml"))
        check_config(config)
        check_forecast(config["forecast"])

    check_attribution(forecast, valid)


def test_the_shipped_steps_give_the_default_then_cumulative_then_each_later_step_alone():
    assert [(v.name, v.kind) for v in declared_variants(FORECAST)] == [
        ("default", "default"), ("schedule", "cumulative"), ("schedule+handicaps", "cumulative"),
        ("schedule+handicaps+protocol", "cumulative"), ("handicaps", "alone"), ("protocol", "alone")]
    check(FORECAST)  # valid as shipped


def test_the_last_cumulative_variant_is_the_authors_protocol():
    authors = yaml.safe_load((REPO / "configs" / "forecast_authors.yaml").read_text())["forecast"]
    theirs = merged(CONFIG["forecast"], authors)
    ours = variant_forecast(FORECAST, declared_variants(FORECAST)[3])
    drop = ("experiment", "attribution")
    assert {k: v for k, v in ours.items() if k not in drop} == {k: v for k, v in theirs.items() if k not in drop}


def test_a_cell_is_the_first_variant_that_trains_it_the_same():
    attribution = Attribution(FORECAST)
    by_name = {v.name: v for v in attribution.variants}
    owner = {(name, architecture, method): attribution.cell_owner(by_name[name], architecture, method).name
             for name in by_name for architecture in FORECAST["architectures"] for method in FORECAST["methods"]}
    for architecture in FORECAST["architectures"]:
        # the schedule changes the pruning arm only
        assert [owner["schedule", architecture, m] for m in FORECAST["methods"]] == [
            "default", "default", "default", "schedule"]
        # the handicaps alone train nothing: their dropout arms are the cumulative variant's
        assert [owner["handicaps", architecture, m] for m in FORECAST["methods"]] == [
            "default", "schedule+handicaps", "schedule+handicaps", "default"]
        # the protocol alone shares its no-dropout arm with the cumulative variant, which has the same series
        assert [owner["protocol", architecture, m] for m in FORECAST["methods"]] == [
            "schedule+handicaps+protocol", "protocol", "protocol", "protocol"]
    assert attribution.data_owner(by_name["protocol"]).name == "schedule+handicaps+protocol"
    assert attribution.data_owner(by_name["schedule+handicaps"]).name == "default"


def test_merging_replaces_values_and_merges_mappings_key_by_key():
    assert merged({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"c": 3}, "d": [2]}) == {"a": {"b": 1, "c": 3}, "d": [2]}


@pytest.mark.parametrize("change, key, words", [
    (lambda f: f["attribution"].update(datasets=["bitcoin", "nasdaq"]), "forecast.attribution.datasets", "not a dataset"),
    (lambda f: f.update(methods=["pruning"]), "forecast.methods", "at least one other"),
    (lambda f: f["attribution"]["steps"][1].update(name="schedule"), "forecast.attribution.steps[1].name", "another step"),
    (lambda f: f["attribution"]["steps"][0]["forecast"].update(trials=3), "forecast.attribution.steps[0].forecast.trials",
     "which cells exist"),
    (lambda f: f["attribution"]["steps"][1]["forecast"].update(dropout=1.5), "forecast.attribution.steps",
     "schedule+handicaps is not a valid forecast section"),
    (lambda f: f["attribution"]["steps"][0]["forecast"]["pruning"].update(s_min=0.9),
     "forecast.attribution.steps", "forecast.pruning.s_min"),
])
def test_a_bad_attribution_is_refused_naming_its_key(change, key, words):
    forecast = copy.deepcopy(FORECAST)
    change(forecast)
    with pytest.raises(ConfigError) as error:
        check(forecast)
    assert error.value.key == key and words in str(error.value)


def test_the_attribution_table_ranks_pruning_per_dataset_and_over_all():
    """Pruning best on one dataset, worst on the other: mean ranks 1 and 3 there, 2 over all,
    its interval cut to [1, 3]; F1 per dataset and over all, the other claims over all only."""
    import pandas as pd

    from devprune.forecast.tables import MEAN_RANK, attribution

    maes = {"a": {"none": 2.0, "dropout": 3.0, "pruning": 1.0}, "b": {"none": 1.0, "dropout": 2.0, "pruning": 3.0}}
    metrics = pd.DataFrame([
        {"dataset": d, "architecture": "lstm", "method": m, "sequence_length": length, "trial": 0,
         "test_mae": mae * length, "train_seconds": 1.0}
        for d, by_method in maes.items() for m, mae in by_method.items() for length in (1, 2, 3)])
    table = attribution([{"name": "default", "kind": "default", "steps": [], "metrics": metrics}],
                        ["none", "dropout", "pruning"])
    ranks = table[table["statistic"] == MEAN_RANK].set_index("scope")
    assert ranks["estimate"].to_dict() == {"a": 1.0, "b": 3.0, "all": 2.0}
    assert ranks.loc["all", "ci_low"] >= 1 and ranks.loc["all", "ci_high"] <= 3 and ranks.loc["a", "n_blocks"] == 3
    claims = table[table["statistic"] != MEAN_RANK]
    assert sorted(zip(claims["scope"], claims["statistic"])) == sorted(
        [("a", "F1"), ("b", "F1"), ("all", "F1"), ("all", "F2-lstm"), ("all", "F3-lstm"), ("all", "F4")])
    assert claims.set_index(["scope", "statistic"]).loc[("a", "F1"), "verdict"] == "reproduced"
