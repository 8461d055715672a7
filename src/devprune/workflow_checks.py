"""Every check the workflow makes of its config before any job, in one function: the Snakefile
calls :func:`check_workflow_config` once, at parse time, and the tests call it for every kind of
bad config (a few of them also through Snakemake itself). It sits above both wings: it checks
the whole config, phased and forecasting sections alike."""

from __future__ import annotations

import copy
from typing import Iterable

from devprune.config import SCHEMA_PATH, check_config, check_config_files
from devprune.forecast.checks import check_forecast
from devprune.forecast.variants import check_attribution
from devprune.multiverse import check_multiverse


def check_schema(config: dict) -> None:
    """The config schema, applied as the Snakefile's ``validate`` applies it: Snakemake's own,
    which fills the schema's defaults into ``config``."""
    from snakemake.utils import validate

    validate(config, schema=str(SCHEMA_PATH))


def check_universe(config: dict) -> None:
    """The schema and the config check of a derived config (a multiverse universe's, a forecast
    variant's), on a copy: validation fills in defaults."""
    check_schema(copy.deepcopy(config))
    check_config(config)


def check_workflow_config(config: dict, config_files: Iterable[str] = ()) -> None:
    """Refuse a bad config before any job, naming its key or file: the config files' YAML
    (duplicate keys, syntax), the schema (its defaults filled into ``config``), the config
    check, the forecasting wing's, every universe of the multiverse and every variant of the
    forecasting attribution."""
    check_config_files(config_files)
    check_schema(config)
    check_config(config)
    check_forecast(config["forecast"])
    check_multiverse(config, check_universe)

    def check_variant(section: dict) -> None:
        check_universe({**config, "forecast": section})
        check_forecast(section)

    check_attribution(config["forecast"], check_variant)
