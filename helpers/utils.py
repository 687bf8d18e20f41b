"""Seeding, device selection, thread count, parameter counting, relative error and the smoke switch."""

from __future__ import annotations

import math
import os
import random
from pathlib import Path

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

    It also fits PyTorch's CPU thread count to the machine (`fit_threads`).
    """
    fit_threads()
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


def usable_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity mask, capped by a container's CPU quota (cgroup v2
    `cpu.max` or v1 `cpu.cfs_quota_us`), at least 1."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cpu_quota(cgroup)
    return max(1, min(count, math.floor(quota))) if quota else count


def _cpu_quota(cgroup: Path) -> float | None:
    """The CPU quota in CPUs (e.g. 2.5), or None where there is none or it cannot be read."""
    try:
        limit, period = (cgroup / "cpu.max").read_text().split()[:2]  # cgroup v2: "200000 100000" or "max 100000"
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        pass
    try:
        limit = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())  # cgroup v1: -1 when unlimited
        period = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
        return limit / period if limit > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def fit_threads(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """Lower PyTorch's intra-op thread count to `usable_cpus()` where its default is higher; return it.

    PyTorch starts one thread per physical core of the host, which is right on a laptop (measured
    here: 1 thread is 1.5-2x slower than 2 for every model of the course, see BENCHMARKS.md) but
    oversubscribes a container limited to fewer CPUs (Docker, Colab, CI), where the threads then
    wait for each other. An explicit OMP_NUM_THREADS or torch.set_num_threads below the limit is kept.
    """
    cpus = usable_cpus(cgroup)
    if torch.get_num_threads() > cpus:
        torch.set_num_threads(cpus)
    return torch.get_num_threads()


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
