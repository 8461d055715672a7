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
