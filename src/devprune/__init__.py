"""devprune: phased (developmental) pruning experiments on neural networks.

Two experiments, each a subpackage that imports only the shared layer below it, never the other:

* :mod:`devprune.phased`: seed 000's task-gated MLP, pruned early and late (the default target);
* :mod:`devprune.forecast`: seed 002's forecasters, pruned during training as a regulariser.

The shared layer, this package's top-level modules: config resolution and hashing
(:mod:`.config`), seeds (:mod:`.seeds`), masks and the pruning registry (:mod:`.masks`,
:mod:`.pruning`), files with provenance and integrity records (:mod:`.io`, :mod:`.integrity`,
:mod:`.runtime`), statistics and verdicts (:mod:`.stats`, :mod:`.verdicts`), and what results
are published as (:mod:`.publish`, :mod:`.markdown_tables`, :mod:`.figures`). :mod:`.measured`
renders measured snapshots into the README; :mod:`.cli` checks files.

The library knows nothing about Snakemake: every stage is a plain function, so it can be
tested and called from Python; the workflow only wires files to these functions.
"""

__version__ = "0.1.0"
