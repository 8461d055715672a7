"""The forecasting registry: an architecture registered here, and nowhere else, is accepted by
the config check, listed in the docs' table and trained."""

import math

import pandas as pd
import pytest
from torch import nn

from devprune.config import ConfigError
from devprune.forecast.checks import check_forecast
from devprune.forecast.registry import ARCHITECTURES, Architecture, register, registry_markdown
from devprune.forecast.stages import Trial, TrialFiles, method_settings, prepare_dataset, train_trial

from conftest import tiny_config


class GRUForecaster(nn.Module):
    def __init__(self, n_features: int, hidden: int):
        super().__init__()
        self.recurrent = nn.GRU(n_features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        output, _ = self.recurrent(x)
        return self.head(output[:, -1]).squeeze(1)


@pytest.fixture()
def gru():
    entry = register(Architecture("gru", "A GRU (registered by a test)",
                                  lambda n_features, length, model, dropout: GRUForecaster(n_features, model["hidden"]),
                                  ("hidden",)))
    yield entry
    del ARCHITECTURES["gru"]


def test_a_registered_architecture_is_checked_documented_and_trained(gru, tmp_path):
    config = tiny_config()
    config["forecast"]["architectures"] = ["gru"]
    check_forecast(config["forecast"])
    assert "| architecture | `gru` | A GRU (registered by a test) | model.hidden |" in registry_markdown()
    forecast = config["forecast"]
    series, scaler = tmp_path / "series.parquet", tmp_path / "scaler.parquet"
    prepare_dataset("stocks", forecast["datasets"]["stocks"], forecast["split"], None, str(series), str(scaler))
    files = TrialFiles(str(series), *(str(tmp_path / name) for name in ("model.pt", "train_log.parquet", "metrics.parquet")))
    train_trial(Trial("stocks", forecast["datasets"]["stocks"]["target"], "gru", "pruning", 3, 0), files,
                method_settings(forecast, "pruning", "gru"), "cpu")
    metrics = pd.read_parquet(files.metrics).iloc[0]
    assert metrics["architecture"] == "gru" and metrics["test_mae"] > 0
    hidden = forecast["model"]["hidden"]
    assert metrics["n_weights"] == hidden  # the linear head's weights (pruning.layers: linear)
    assert metrics["sparsity"] == math.floor(hidden * forecast["pruning"]["s_max"]) / hidden
    assert len(pd.read_parquet(files.train_log)) == forecast["epochs"]


def test_an_unregistered_architecture_is_refused_and_a_taken_name_cannot_be_registered_again():
    config = tiny_config()
    config["forecast"]["architectures"] = ["gru"]
    with pytest.raises(ConfigError, match="config key 'forecast.architectures' = 'gru': is not registered; registered are rnn, lstm, patchtst"):
        check_forecast(config["forecast"])
    with pytest.raises(ValueError, match="forecasting architecture 'lstm' is registered already"):
        register(Architecture("lstm", "again", lambda *args: None, ()))
