# The image jobs run in under `snakemake --sdm apptainer` (config key `container`; docs/cluster.md,
# "Containers"): Python 3.11 and devprune with the dependencies pyproject.toml declares. Jobs
# import the workflow's code from the repository they run in (the Snakefile puts its src/ on
# PYTHONPATH), so the image needs rebuilding only when a dependency changes.
#   docker build -t devprune:0.1.0 .                          # CPU torch
#   docker build -t devprune:0.1.0-cu128 --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 .
FROM python:3.11-slim-bookworm

# torch from PyTorch's own index: its CPU build by default (PyPI's is the multi-GB CUDA build).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md /opt/devprune/
COPY src /opt/devprune/src
RUN pip install --no-cache-dir --index-url "$TORCH_INDEX" torch==2.13.0 \
    && pip install --no-cache-dir /opt/devprune \
    && devprune --help > /dev/null
