"""Seeding, device selection, parameter counting, relative error and the smoke switch."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

SMOKE_ENV = "GAN_SMOKE"
DEVICE_ENV = "GAN_DEVICE"


def set_seed(seed: int) -> None:
    """Seed Python's `random`, NumPy and PyTorch (CPU and every GPU) in one call.

    Inputs:
    - seed: a non-negative integer.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def get_device(prefer: str | None = None) -> torch.device:
    """The device to train on: `prefer`, else $GAN_DEVICE, else CUDA, Apple's MPS, then the CPU.

    Inputs:
    - prefer: "cpu", "cuda", "cuda:1", "mps" or None.

    Returns:
    - a torch.device. Asking for a device that is not available raises RuntimeError.
    """
    name = prefer or os.environ.get(DEVICE_ENV)
    if name:
        device = torch.device(name)
        available = {
            "cpu": True,
            "cuda": torch.cuda.is_available(),
            "mps": torch.backends.mps.is_available(),
        }.get(device.type, False)
        if not available:
            raise RuntimeError(f"device {name!r} was asked for but is not available on this machine")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def smoke_mode() -> bool:
    """True when $GAN_SMOKE is set to 1/true/yes: notebooks then use few steps and little data (CI)."""
    return os.environ.get(SMOKE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def count_params(model: torch.nn.Module) -> int:
    """The number of scalar parameters in `model` (trainable or not)."""
    return sum(p.numel() for p in model.parameters())


def evenness(counts) -> float:
    """exp(entropy of the shares counts / sum(counts)) / len(counts): 1 when the counts are equal,
    1 / len(counts) when one bin holds everything, 0 when all counts are 0."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if total == 0:
        return 0.0
    share = counts[counts > 0] / total
    return float(np.exp(-(share * np.log(share)).sum())) / len(counts)


def rel_error(x, y) -> float:
    """The largest elementwise relative error between two arrays or tensors of one shape.

    max |x - y| / max(1e-8, |x| + |y|), as in the CS231n assignments: 0 means equal,
    around 1e-7 is float32 round-off, and 1 means unrelated.
    """
    x = _as_float64(x)
    y = _as_float64(y)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs arrays of one shape, got {x.shape} and {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _as_float64(a) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=np.float64)
