"""Debian packages the live tests need (SLURM, Chromium), installed when missing."""

from __future__ import annotations

import os
import shutil
import subprocess


class Unavailable(Exception):
    """The packages are missing and cannot be installed here (the reason says why)."""


def apt_install(packages: list[str], binaries: list[str]) -> None:
    """Install ``packages`` with apt unless every one of ``binaries`` is already on the PATH."""
    if all(shutil.which(binary) for binary in binaries):
        return
    if os.geteuid() != 0:
        raise Unavailable(f"{', '.join(packages)} not installed and installing needs root (uid {os.geteuid()})")
    if not shutil.which("apt-get"):
        raise Unavailable(f"{', '.join(packages)} not installed and there is no apt-get to install them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", *packages]):
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise Unavailable(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
