"""The family of pruning systems around the paper's global magnitude pruning (seeds 001, 002).

Criteria (:mod:`.criteria`) score the weights that still survive, higher meaning "keep", and
turn scores into masks with exact counts, over all layers at once or layer by layer.
Schedules (:mod:`.schedules`) say how much to prune over time, and what happens to the
survivors (rewinding) or to the removed weights (regrowth). :mod:`.registry` declares every
criterion and schedule a config may name, with its keys and defaults; :mod:`.method` puts a
criterion and a schedule to work in one stage of the phased protocol. Masks are the plain bool
tensors of :mod:`devprune.masks`, keyed by weight name; every count follows its rounding rule.

The package imports nothing itself, so that reading the registry does not import torch.
"""
