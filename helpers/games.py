"""Two-player games on the plane: iterate an update rule, integrate a flow, draw the paths.

The mechanics of notebook 1 ("Minimax games"). A *step* is a function
`step(grad, x, y, lr) -> (x_new, y_new)` and a *flow* is `flow(grad, x, y) -> (dx_dt, dy_dt)`,
where `grad(x, y) -> (df_dx, df_dy)` is the gradient of the game's value f(x, y); the students
write the steps and flows, this module only runs and draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

Grad = Callable[[float, float], tuple[float, float]]
Step = Callable[[Grad, float, float, float], tuple[float, float]]
Flow = Callable[[Grad, float, float], tuple[float, float]]


def _pair(label: str, value) -> tuple[float, float]:
    try:
        a, b = value
        return float(a), float(b)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{label} must return a pair of numbers (x, y), got {value!r}") from error


def trajectory(step: Step, grad: Grad, start: tuple[float, float], lr: float, n_steps: int) -> np.ndarray:
    """Apply `step` n_steps times from `start`.

    Returns:
    - float64 array of shape (n_steps + 1, 2): row t is (x, y) after t steps (row 0 is `start`).
      Once a coordinate overflows to inf or NaN the remaining rows repeat it.
    """
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    path = np.empty((n_steps + 1, 2))
    path[0] = _pair("start", start)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps):
            if not np.isfinite(path[t]).all():
                path[t + 1 :] = path[t]
                break
            path[t + 1] = _pair("step(grad, x, y, lr)", step(grad, *path[t], lr))
    return path


def largest_converging_lr(
    step: Step, grad: Grad, start=(1.0, 1.0), n_steps: int = 50, high: float = 2.0, iters: int = 30
) -> float:
    """The convergence boundary in the step size, by bisection on simulations.

    A run converges when it contracts: after n_steps it is closer to the saddle (0, 0) than at its
    start. Where a step multiplies the distance to the saddle by the same factor every time (GDA on
    notebook 1's f), a run contracts exactly when that factor is below 1, so the bisection finds the
    boundary to its resolution, high / 2**iters, without the thousands of steps a slowly converging
    run needs to get near the saddle. Assumes the step converges for small positive step sizes and
    not at `high` (checked; a ValueError says which assumption failed). Returns the largest lr
    found to converge.
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be >= 1, got {n_steps}")
    low = high * 1e-3
    if not _contracts(step, grad, start, low, n_steps):
        raise ValueError(f"the step does not converge even at lr={low:g}")
    if _contracts(step, grad, start, high, n_steps):
        raise ValueError(f"the step still converges at lr={high:g}: no boundary below it")
    for _ in range(iters):
        middle = (low + high) / 2
        if _contracts(step, grad, start, middle, n_steps):
            low = middle
        else:
            high = middle
    return low


def _contracts(step: Step, grad: Grad, start, lr: float, n_steps: int, tol: float = 1e-6) -> bool:
    """Whether the path from `start` is closer to (0, 0) after n_steps than at its start; stops as
    soon as it is within `tol` of the saddle (relative) or has run off."""
    x, y = _pair("start", start)
    r0 = np.hypot(x, y)
    scale = max(r0, 1.0)
    for _ in range(n_steps):
        x, y = _pair("step(grad, x, y, lr)", step(grad, x, y, lr))
        r = np.hypot(x, y)
        if r <= tol * scale:
            return True
        if not np.isfinite(r) or r > 1e12 * scale:
            return False
    return bool(r < r0)


def integrate(flow: Flow, grad: Grad, start: tuple[float, float], t_end: float, dt: float = 1e-2) -> np.ndarray:
    """Follow the continuous-time dynamics (dx/dt, dy/dt) = flow(grad, x, y) with 4th-order Runge-Kutta.

    Returns:
    - float64 array of shape (n + 1, 2), n = round(t_end / dt): the state at times 0, dt, ..., t_end.
    """
    n = int(round(t_end / dt))
    path = np.empty((n + 1, 2))
    path[0] = _pair("start", start)

    def velocity(p):
        return np.array(_pair("flow(grad, x, y)", flow(grad, float(p[0]), float(p[1]))))

    for t in range(n):
        p = path[t]
        k1 = velocity(p)
        k2 = velocity(p + dt / 2 * k1)
        k3 = velocity(p + dt / 2 * k2)
        k4 = velocity(p + dt * k3)
        path[t + 1] = p + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return path


def game_figure(
    f: Callable,
    paths: Mapping[str, np.ndarray],
    extent: float = 2.0,
    title: str | None = None,
    clip: float | None = None,
):
    """Contours of f(x, y) with the paths drawn on top (start marked by a dot, saddle by a cross).

    - paths: label -> array of shape (T, 2) from `trajectory` or `integrate`.
    - clip: draw only the part of each path inside |x|, |y| <= clip (default: 3 * extent), so a
      diverging path does not squash the picture.
    """
    import matplotlib.pyplot as plt

    clip = 3 * extent if clip is None else clip
    grid = np.linspace(-extent, extent, 201)
    X, Y = np.meshgrid(grid, grid)
    fig, ax = plt.subplots(figsize=(5.2, 5))
    contours = ax.contourf(X, Y, f(X, Y), levels=21, cmap="RdBu_r", alpha=0.55)
    fig.colorbar(contours, ax=ax, shrink=0.8, label="f(x, y)")
    for label, path in paths.items():
        path = np.asarray(path, dtype=np.float64)
        inside = np.isfinite(path).all(axis=1) & (np.abs(path) <= clip).all(axis=1)
        shown = path[: np.argmin(inside)] if not inside.all() else path
        if len(shown) == 0:
            continue
        (line,) = ax.plot(shown[:, 0], shown[:, 1], marker="." if len(shown) < 60 else None, lw=1.5, label=label)
        ax.plot(*shown[0], "o", color=line.get_color())
    ax.plot(0, 0, "kx", ms=10)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("x (minimises)")
    ax.set_ylabel("y (maximises)")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def show_game(
    f: Callable,
    paths: Mapping[str, np.ndarray],
    extent: float = 2.0,
    title: str | None = None,
    clip: float | None = None,
):
    """Show `game_figure(...)`."""
    import matplotlib.pyplot as plt

    game_figure(f, paths, extent=extent, title=title, clip=clip)
    plt.show()
