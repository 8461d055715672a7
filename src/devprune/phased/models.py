"""The task-gated MLP: stimulus + cue -> ReLU hidden layers -> class logits.

Hidden activations can be perturbed with Gaussian noise after each ReLU (seed 000, Fig. 1:
"ReLU activation functions are followed by a noise injection step"), or before it, in every
hidden layer or one (:class:`HiddenNoise`), which is how stress tolerance is measured. Noise is
off unless a :class:`HiddenNoise` is passed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F


class TaskGatedMLP(nn.Module):
    def __init__(self, hidden: list[int], input_dim: int = 4, n_classes: int = 4):
        super().__init__()
        widths = [input_dim, *hidden, n_classes]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))

    def forward(self, x: torch.Tensor, noise: "HiddenNoise | None" = None) -> torch.Tensor:
        n_hidden = len(self.layers) - 1
        for index, layer in enumerate(self.layers[:-1]):
            x = layer(x)
            noisy = noise is not None and noise.std > 0 and noise.reaches(index, n_hidden)
            if noisy and noise.position == "before_relu":
                x = noise.add(x)
            x = torch.relu(x)
            if noisy and noise.position == "after_relu":
                x = noise.add(x)
        return self.layers[-1](x)


#: Which hidden layers receive the noise (``evaluation.noise_layers``) and where in a layer it
#: enters (``evaluation.noise_position``): the paper's Fig. 1 shows ReLUs "followed by a noise
#: injection step" without saying which layers.
NOISE_LAYERS = ("all", "last", "first")
NOISE_POSITIONS = ("after_relu", "before_relu")


@dataclass(frozen=True)
class HiddenNoise:
    """Gaussian noise of standard deviation ``std`` on hidden activations, drawn from ``generator``."""

    std: float
    layers: str = "all"
    position: str = "after_relu"
    generator: torch.Generator | None = None

    def reaches(self, index: int, n_hidden: int) -> bool:
        return self.layers == "all" or index == {"first": 0, "last": n_hidden - 1}[self.layers]

    def add(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.std * torch.randn(x.shape, generator=self.generator, device=x.device, dtype=x.dtype)


#: ``model.init``: PyTorch's default initialisation of nn.Linear (the paper names none), or
#: Xavier/Glorot uniform or Kaiming (He) uniform for ReLU weights; both of those zero the biases.
INITIALISATIONS = ("default", "xavier", "kaiming")


@torch.no_grad()
def initialise(model: TaskGatedMLP, scheme: str) -> None:
    """Re-draw ``model``'s weights by ``scheme`` from torch's global generator (``default`` keeps
    nn.Linear's own draw)."""
    if scheme == "default":
        return
    for layer in model.layers:
        if scheme == "xavier":
            nn.init.xavier_uniform_(layer.weight)
        else:
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        nn.init.zeros_(layer.bias)


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
        # A stack of one (a 1-seed block) runs nn.Linear's own ops on its only network: the same
        # numbers, without StackedLinear's Python forward and backward (1.72 -> 1.60 ms a step here).
        single = len(x) == 1
        if single:
            x = x[0]
        last = len(self.weights) - 1
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            x = F.linear(x, weight[0], bias[0, 0]) if single else StackedLinear.apply(x, weight, bias)
            if index < last:
                x = torch.relu(x)
        return x.unsqueeze(0) if single else x

    @torch.no_grad()
    def copy_into(self, models: list[TaskGatedMLP]) -> None:
        """Write network i's trained weights back into ``models[i]``."""
        for i, model in enumerate(models):
            for layer, weight, bias in zip(model.layers, self.weights, self.biases):
                layer.weight.copy_(weight[i])
                layer.bias.copy_(bias[i, 0])
