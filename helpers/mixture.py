"""A 2-D data set on which mode collapse can be seen and counted: a ring of Gaussians.

The real distribution is an equal mixture of `modes` small Gaussians whose centres lie evenly on a
circle (the "ring of 8" of Metz et al., 2017, used to compare GAN losses since). A generator that
covers the data puts samples near every centre; a collapsed one crowds a few.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.plotting import pick_snapshots
from helpers.utils import evenness

RADIUS = 2.0
STD = 0.02
MODES = 8


def ring_centres(modes: int = MODES, radius: float = RADIUS) -> torch.Tensor:
    """The centres of the mixture: float32 Tensor of shape (modes, 2), the first at (radius, 0)."""
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    return (radius * torch.stack([angles.cos(), angles.sin()], dim=1)).float()


def ring_of_gaussians(
    n: int, modes: int = MODES, radius: float = RADIUS, std: float = STD, seed: int | None = None
) -> torch.Tensor:
    """n samples of the mixture: float32 Tensor of shape (n, 2), every mode equally likely."""
    if n < 1 or modes < 1 or std <= 0:
        raise ValueError(f"need n >= 1, modes >= 1 and std > 0, got n={n}, modes={modes}, std={std}")
    generator = torch.Generator().manual_seed(seed) if seed is not None else None
    which = torch.randint(modes, (n,), generator=generator)
    return ring_centres(modes, radius)[which] + std * torch.randn(n, 2, generator=generator)


@dataclass
class ModeCoverage:
    """How a set of samples covers the modes of the ring.

    - counts: int array (modes,), the samples within `3 * std` of each centre.
    - covered: the modes that got at least `min_share` of their fair share (n / modes) of samples.
    - high_quality: the fraction of all samples within 3 std of some centre.
    - evenness: exp(entropy of counts) / modes, 1 when the covered samples spread evenly, 1/modes when
      they all sit in one mode (0 when none is near any).
    - nearest: int array (modes,), all samples by their nearest centre, however far (where the mass is).
    - occupied: the modes nearest to at least `min_share` of their fair share of samples.
    """

    counts: np.ndarray
    covered: int
    high_quality: float
    evenness: float
    nearest: np.ndarray
    occupied: int

    def __str__(self) -> str:
        return (
            f"{self.covered}/{len(self.counts)} modes covered, {self.high_quality:.0%} of samples near a mode, "
            f"evenness {self.evenness:.2f}"
        )


def mode_coverage(
    samples, modes: int = MODES, radius: float = RADIUS, std: float = STD, min_share: float = 0.2
) -> ModeCoverage:
    """Count the modes that `samples` (Tensor or array of shape (n, 2)) cover.

    A sample belongs to a mode when it lies within 3 standard deviations of its centre (the usual
    criterion since Metz et al.); a mode is covered when it holds at least `min_share` times the
    n / modes samples it would hold under the real distribution.
    """
    points = torch.as_tensor(samples).detach().cpu().double()
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"samples must have shape (n, 2) with n >= 1, got {tuple(points.shape)}")
    distances = torch.cdist(points, ring_centres(modes, radius).double())  # (n, modes)
    nearest, which = distances.min(dim=1)
    near = nearest <= 3 * std
    counts = torch.bincount(which[near], minlength=modes).numpy()
    nearest_counts = torch.bincount(which, minlength=modes).numpy()
    n = len(points)
    return ModeCoverage(
        counts=counts,
        covered=int((counts >= min_share * n / modes).sum()),
        high_quality=float(near.double().mean()),
        evenness=evenness(counts),
        nearest=nearest_counts,
        occupied=int((nearest_counts >= min_share * n / modes).sum()),
    )


def failure_modes(coverages: Sequence[ModeCoverage]) -> list[str]:
    """Name the failure modes that a run's snapshots (in training order) show, in the lecture's words.

    - "one image": at the end nearly all samples crowd one mode (complete collapse);
    - "few images": at the end only some modes get their share (partial collapse);
    - "oscillation": while collapsed, the crowded mode changes from one snapshot to the next;
    - "not there yet": no collapse, but at the end most samples lie far from every centre.
    An empty list means every mode gets its share of samples close to its centre.
    """
    if not coverages:
        raise ValueError("no snapshots to judge")
    modes = len(coverages[-1].nearest)
    names = []
    final = coverages[-1]
    if final.occupied <= 1:
        names.append("one image: the generator has collapsed onto a single mode")
    elif final.occupied < modes:
        names.append(f"few images: partial collapse, {final.occupied} of {modes} modes get their share")
    elif final.high_quality < 0.25:
        names.append(
            f"not there yet: no collapse, but only {final.high_quality:.0%} of the samples lie within "
            "3 standard deviations of a centre"
        )
    crowded = [int(np.argmax(c.nearest)) for c in coverages if c.occupied <= modes // 2]
    if any(a != b for a, b in zip(crowded, crowded[1:])):
        names.append("oscillation: the collapsed generator hops from mode to mode during training")
    return names


def mixture_figure(
    runs: Mapping[str, object], max_snapshots: int = 6, modes: int = MODES, radius: float = RADIUS, std: float = STD
):
    """Samples of each run over training: one row per run, one column per snapshot.

    Inputs:
    - runs: name -> helpers.training.History whose snapshots are 2-D samples (n, 2).
    Each panel shows the samples, the real centres (red crosses) and the modes covered.
    """
    import matplotlib.pyplot as plt

    rows = len(runs)
    columns = max(min(max_snapshots, len(h.snapshots)) for h in runs.values())
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.4 * rows), squeeze=False)
    centres = ring_centres(modes, radius)
    limit = radius * 1.6
    for row, (name, history) in enumerate(runs.items()):
        steps = pick_snapshots(history.snapshots, columns)
        for column in range(columns):
            ax = axes[row][column]
            ax.set_xlim(-limit, limit)
            ax.set_ylim(-limit, limit)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            if column >= len(steps):
                ax.set_axis_off()
                continue
            samples = history.snapshots[steps[column]]
            coverage = mode_coverage(samples, modes, radius, std)
            ax.scatter(samples[:, 0], samples[:, 1], s=1, alpha=0.4)
            ax.scatter(centres[:, 0], centres[:, 1], marker="x", color="red", s=20)
            ax.set_title(f"step {steps[column]}: {coverage.covered}/{modes}", fontsize=9)
        axes[row][0].set_ylabel(name)
    fig.tight_layout()
    return fig


def show_mixture(
    runs: Mapping[str, object], max_snapshots: int = 6, modes: int = MODES, radius: float = RADIUS, std: float = STD
):
    """Show `mixture_figure(runs, ...)`."""
    import matplotlib.pyplot as plt

    mixture_figure(runs, max_snapshots, modes, radius, std)
    plt.show()
