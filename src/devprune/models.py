"""The task-gated MLP: stimulus + cue -> ReLU hidden layers -> class logits.

Hidden activations can be perturbed with Gaussian noise after each ReLU (seed 000, Fig. 1:
"ReLU activation functions are followed by a noise injection step"), which is how stress
tolerance is measured. Noise is off unless a standard deviation is passed.
"""

from __future__ import annotations

import torch
from torch import nn


class TaskGatedMLP(nn.Module):
    def __init__(self, hidden: list[int], input_dim: int = 4, n_classes: int = 4):
        super().__init__()
        widths = [input_dim, *hidden, n_classes]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))

    def forward(
        self,
        x: torch.Tensor,
        noise_std: float = 0.0,
        noise_layers: str = "all",
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        n_hidden = len(self.layers) - 1
        for index, layer in enumerate(self.layers[:-1]):
            x = torch.relu(layer(x))
            if noise_std > 0 and (noise_layers == "all" or index == n_hidden - 1):
                x = x + noise_std * torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return self.layers[-1](x)


class StackedLinear(torch.autograd.Function):
    """``x @ W^T + b`` for a stack of layers, with the gradients computed in the same orientation
    as ``nn.functional.linear`` computes them for one layer (its weight gradient is
    ``grad^T @ x``; autograd's bmm rule would compute ``(x^T @ grad)^T``, which rounds differently).
    That makes a stacked network's training bit-identical to training each network alone."""

    @staticmethod
    def forward(x, weight, bias):
        return torch.baddbmm(bias, x, weight.transpose(1, 2))

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, weight, _ = inputs
        ctx.save_for_backward(x, weight)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = torch.bmm(grad, weight) if ctx.needs_input_grad[0] else None
        return grad_x, torch.bmm(grad.transpose(1, 2), x), grad.sum(1, keepdim=True)


class StackedMLP(nn.Module):
    """Several TaskGatedMLPs of one shape as a single module: each layer's weights stacked along a
    leading model axis, so one ``torch.baddbmm`` runs a layer of every network at once.

    Each network keeps its own inputs (``x`` is ``(models, batch, features)``); bmm computes every
    matrix of the stack independently, so network i gets the same numbers as it would alone.
    """

    def __init__(self, models: list[TaskGatedMLP]):
        super().__init__()
        per_layer = list(zip(*(model.layers for model in models)))
        self.weights = nn.ParameterList(torch.stack([layer.weight.detach() for layer in layers]) for layers in per_layer)
        self.biases = nn.ParameterList(
            torch.stack([layer.bias.detach() for layer in layers]).unsqueeze(1) for layers in per_layer
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.weights) - 1
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            x = StackedLinear.apply(x, weight, bias)
            if index < last:
                x = torch.relu(x)
        return x

    @torch.no_grad()
    def copy_into(self, models: list[TaskGatedMLP]) -> None:
        """Write network i's trained weights back into ``models[i]``."""
        for i, model in enumerate(models):
            for layer, weight, bias in zip(model.layers, self.weights, self.biases):
                layer.weight.copy_(weight[i])
                layer.bias.copy_(bias[i, 0])


# ---- forecasters (seed 002) --------------------------------------------------------------------
# Each maps a window (batch, length, features) to a one-step-ahead forecast of the target (batch,).
# ``dropout`` is where standard and Monte-Carlo dropout act; synaptic pruning uses dropout 0 and
# masks the fully connected layers' weights instead (devprune.masks.linear_weights; or every
# weight matrix, devprune.masks.prunable_weights, with forecast.pruning.layers: all).


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
