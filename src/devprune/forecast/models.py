"""The forecasters of seed 002.

Each maps a window (batch, length, features) to a one-step-ahead forecast of the target (batch,).
``dropout`` is where standard and Monte-Carlo dropout act; synaptic pruning uses dropout 0 and
masks the fully connected layers' weights instead (devprune.masks.linear_weights; or every
weight matrix, devprune.masks.prunable_weights, with forecast.pruning.layers: all).
"""

from __future__ import annotations

import torch
from torch import nn


class RecurrentForecaster(nn.Module):
    """A stacked RNN or LSTM over the window; its last hidden state -> dropout -> linear head.
    Dropout also acts between the recurrent layers."""

    def __init__(self, n_features: int, *, cell: str, hidden: int, layers: int, dropout: float):
        super().__init__()
        recurrent = {"rnn": nn.RNN, "lstm": nn.LSTM}[cell]
        self.recurrent = recurrent(n_features, hidden, num_layers=layers, batch_first=True,
                                   dropout=dropout if layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output, _ = self.recurrent(x)
        return self.head(self.dropout(output[:, -1])).squeeze(1)


def patch_layout(length: int, patch_len: int) -> tuple[int, int, int]:
    """(patch length, stride, number of patches) of a window of ``length`` steps: patches of
    ``min(patch_len, length)`` steps, half-overlapping (stride = max(1, patch // 2)); a window
    of one step is one patch of one step."""
    patch = min(patch_len, length)
    stride = max(1, patch // 2)
    return patch, stride, (length - patch) // stride + 1


class PatchTST(nn.Module):
    """A compact PatchTST (Nie et al. 2023): the window is cut into (overlapping) patches of all
    features, each patch is embedded linearly, a Transformer encoder mixes the patches, and a
    linear head reads the flattened patch embeddings. Dropout acts after the patch embedding,
    inside the encoder layers and before the head."""

    def __init__(self, n_features: int, *, length: int, patch_len: int, d_model: int, heads: int, layers: int,
                 dropout: float):
        super().__init__()
        self.patch, self.stride, n_patches = patch_layout(length, patch_len)
        self.embed = nn.Linear(self.patch * n_features, d_model)
        self.position = nn.Parameter(torch.zeros(1, n_patches, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, 2 * d_model, dropout=dropout, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_patches * d_model, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        patches = x.unfold(1, self.patch, self.stride)  # (batch, patches, features, patch)
        z = self.dropout(self.embed(patches.flatten(2)) + self.position)
        return self.head(self.dropout(self.encoder(z).flatten(1))).squeeze(1)
