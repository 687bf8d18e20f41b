"""The ring of Gaussians and its mode count (groundwork for notebook 7)."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.mixture import mode_coverage, ring_centres, ring_of_gaussians


def test_centres_lie_evenly_on_the_circle():
    centres = ring_centres(8, radius=2.0)
    assert centres.shape == (8, 2) and centres.dtype == torch.float32
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0))
    assert torch.allclose(centres[0], torch.tensor([2.0, 0.0]))
    assert torch.allclose(centres[2], torch.tensor([0.0, 2.0]), atol=1e-6)


def test_real_samples_cover_every_mode_evenly():
    samples = ring_of_gaussians(8000, seed=0)
    assert samples.shape == (8000, 2) and samples.dtype == torch.float32
    coverage = mode_coverage(samples)
    assert coverage.covered == 8
    assert abs(coverage.high_quality - (1 - math.exp(-4.5))) < 0.01  # P(|x - c| <= 3 std) in 2-D
    assert coverage.evenness > 0.99
    assert torch.equal(samples, ring_of_gaussians(8000, seed=0))
    assert str(coverage).startswith("8/8 modes covered")


def test_a_collapsed_generator_covers_one_mode():
    collapsed = ring_centres()[3] + 0.01 * torch.randn(1000, 2)
    coverage = mode_coverage(collapsed)
    assert coverage.covered == 1 and coverage.counts[3] == 1000
    assert abs(coverage.evenness - 1 / 8) < 1e-9


def test_noise_and_half_the_modes():
    assert mode_coverage(torch.rand(1000, 2) * 6 - 3).covered == 0
    half = ring_of_gaussians(4000, seed=1)
    half = half[half[:, 1] > 0.5]  # the three modes above the x axis: at 45, 90 and 135 degrees
    coverage = mode_coverage(half)
    assert coverage.covered == 3 and coverage.high_quality > 0.98


def test_bad_samples_get_a_clear_error():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        mode_coverage(torch.zeros(5, 3))
    with pytest.raises(ValueError, match="std > 0"):
        ring_of_gaussians(10, std=0)


def _collapsed_on(mode, n=1000, spread=0.3):
    return ring_centres()[mode] + spread * torch.randn(n, 2)


def test_failure_modes_are_named_from_the_snapshots():
    from helpers.mixture import failure_modes

    real = mode_coverage(ring_of_gaussians(4000, seed=2))
    assert real.occupied == 8 and failure_modes([real, real]) == []
    hopping = [mode_coverage(_collapsed_on(m)) for m in (0, 3, 5)]
    assert all(c.occupied == 1 and c.covered <= 1 for c in hopping)  # a wide blob: near one centre, rarely on it
    names = failure_modes(hopping)
    assert names[0].startswith("one image") and names[1].startswith("oscillation")
    assert failure_modes([mode_coverage(_collapsed_on(2))] * 3)[0].startswith("one image")  # collapsed, but steady
    assert len(failure_modes([mode_coverage(_collapsed_on(2))] * 3)) == 1
    three = ring_of_gaussians(4000, seed=3)
    partial = mode_coverage(three[three[:, 1] > 0.5])
    assert failure_modes([partial]) == ["few images: partial collapse, 3 of 8 modes get their share"]
    spread = mode_coverage(torch.rand(4000, 2) * 5 - 2.5)  # a cloud over the ring: every mode near, none hit
    assert failure_modes([spread])[0].startswith("not there yet: no collapse, but only 0% of the samples")
    with pytest.raises(ValueError):
        failure_modes([])


def test_mixture_figure_has_a_row_per_run():
    import matplotlib.pyplot as plt

    from helpers.mixture import mixture_figure
    from helpers.training import History

    run = History(snapshots={10: ring_of_gaussians(500, seed=0), 20: _collapsed_on(1), 30: _collapsed_on(1)})
    fig = mixture_figure(
        {"GAN": run, "WGAN-GP": History(snapshots={10: ring_of_gaussians(500, seed=1)})}, max_snapshots=2
    )
    axes = fig.axes
    assert len(axes) == 4
    assert axes[0].get_title() == "step 10: 8/8" and axes[1].get_title().startswith("step 30")
    assert axes[0].get_ylabel() == "GAN" and axes[2].get_ylabel() == "WGAN-GP"
    assert not axes[3].axison  # the shorter run leaves its extra panel empty
    plt.close(fig)
