"""devprune: phased (developmental) pruning experiments on task-gated networks.

The library knows nothing about Snakemake: every stage is a plain function, so it can be
tested and called from Python; the workflow only wires files to these functions.
"""

__version__ = "0.1.0"
