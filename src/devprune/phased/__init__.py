"""The phased-pruning experiment of seed 000: a task-gated MLP trained dense, pruned early to a
density and late by a branch's fraction, evaluated for accuracy, noise stress, cue ambiguity and
sensory integration, and read against the paper's claims.

:mod:`.tasks` draws the data, :mod:`.models` and :mod:`.train` train networks alone or stacked,
:mod:`.stages` are the workflow's jobs, :mod:`.evaluate` measures a model, and :mod:`.tables`,
:mod:`.claims`, :mod:`.plots` and :mod:`.aggregate` turn every seed's metrics into results. It
uses the shared layer (:mod:`devprune`) and never the forecasting wing.
"""
