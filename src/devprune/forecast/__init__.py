"""The seed-002 forecasting benchmark: pruning during training as a regulariser.

:mod:`.data` turns a table of time steps into scaled, chronologically split windows;
:mod:`.train` trains a forecaster (:mod:`.models`) with one regularisation method -
none, dropout, Monte-Carlo dropout or synaptic pruning (seed 002, Algorithms 1-5) - and
predicts with it.
"""
