"""helpers.games: iterating update rules, bisection on the step size, integrating a flow."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import games


def grad_bowl(x, y):  # f = x² + y², both coordinates descending converge for 0 < lr < 1
    return 2 * x, 2 * y


def descend(grad, x, y, lr):
    gx, gy = grad(x, y)
    return x - lr * gx, y - lr * gy


def test_trajectory_shape_and_values():
    path = games.trajectory(descend, grad_bowl, (1.0, -2.0), 0.25, 3)
    np.testing.assert_allclose(path, [[1, -2], [0.5, -1], [0.25, -0.5], [0.125, -0.25]])


def test_trajectory_stops_cleanly_after_overflow():
    path = games.trajectory(descend, grad_bowl, (1.0, 1.0), 1e200, 10)
    assert path.shape == (11, 2) and not np.isfinite(path[-1]).all()


def test_trajectory_rejects_a_step_that_returns_no_pair():
    with pytest.raises(TypeError, match="pair of numbers"):
        games.trajectory(lambda grad, x, y, lr: None, grad_bowl, (1.0, 1.0), 0.1, 2)


def test_largest_converging_lr_finds_the_known_boundary():
    # |1 - 2 lr| < 1: just below lr = 1 a run contracts too slowly to get near the saddle in
    # thousands of steps, but it contracts, so the bisection finds the boundary to its resolution.
    calls = []

    def counted(grad, x, y, lr):
        calls.append(lr)
        return descend(grad, x, y, lr)

    assert abs(games.largest_converging_lr(counted, grad_bowl) - 1.0) < 1e-6
    assert len(calls) <= 32 * 50


def test_largest_converging_lr_wants_at_least_one_step():
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        games.largest_converging_lr(descend, grad_bowl, n_steps=0)


def test_largest_converging_lr_says_which_assumption_failed():
    ascend = lambda grad, x, y, lr: (x + lr * grad(x, y)[0], y + lr * grad(x, y)[1])  # noqa: E731
    with pytest.raises(ValueError, match="does not converge even"):
        games.largest_converging_lr(ascend, grad_bowl)
    with pytest.raises(ValueError, match="still converges"):
        games.largest_converging_lr(descend, grad_bowl, high=0.9)


def test_integrate_follows_a_rotation_around_the_circle():
    rotate = lambda grad, x, y: (-y, x)  # noqa: E731
    path = games.integrate(rotate, grad_bowl, (1.0, 0.0), t_end=math.pi, dt=math.pi / 300)
    np.testing.assert_allclose(path[-1], [-1.0, 0.0], atol=1e-6)
    assert np.ptp(np.hypot(path[:, 0], path[:, 1])) < 1e-8


def test_game_figure_draws_every_path_clipped():
    paths = {
        "converging": games.trajectory(descend, grad_bowl, (1.0, 1.0), 0.1, 20),
        "diverging": games.trajectory(descend, grad_bowl, (1.0, 1.0), 1.5, 40),
    }
    fig = games.game_figure(lambda x, y: x**2 + y**2, paths, extent=2.0)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["converging", "diverging"]
    plt.close(fig)
