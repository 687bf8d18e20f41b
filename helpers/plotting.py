"""Image grids and loss curves. `image_grid` and `loss_figure` compute; `show_images` and `plot_losses` display."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch


def image_grid(images, nrow: int | None = None, padding: int = 2) -> np.ndarray:
    """Tile images into one grey-scale picture.

    Inputs:
    - images: Tensor or array of shape (N, 784), (N, 28, 28) or (N, C, H, W), values in [-1, 1].
    - nrow: images per row; None makes the grid as square as possible.

    Returns:
    - float32 array of shape (H_grid, W_grid) for one channel, (H_grid, W_grid, 3) for three,
      values in [0, 1].
    """
    x = torch.as_tensor(np.asarray(images.detach().cpu() if isinstance(images, torch.Tensor) else images))
    x = x.to(torch.float32)
    if x.ndim == 2:  # (N, D) flattened square images
        side = math.isqrt(x.shape[1])
        if side * side != x.shape[1]:
            raise ValueError(f"cannot make square images from vectors of length {x.shape[1]}")
        x = x.view(-1, 1, side, side)
    elif x.ndim == 3:  # (N, H, W)
        x = x.unsqueeze(1)
    elif x.ndim != 4:
        raise ValueError(f"images must have 2, 3 or 4 dimensions, got shape {tuple(x.shape)}")
    if x.shape[0] == 0:
        raise ValueError("no images to show")
    from torchvision.utils import make_grid  # here, not at the top: importing torchvision takes 2 s

    nrow = nrow or math.ceil(math.sqrt(x.shape[0]))
    x = (x.clamp(-1, 1) + 1) / 2  # [-1, 1] -> [0, 1]
    grid = make_grid(x, nrow=nrow, padding=padding, pad_value=1.0)  # (3, H, W)
    if x.shape[1] == 1:
        return grid[0].numpy()
    return grid.permute(1, 2, 0).numpy()


def show_images(images, nrow: int | None = None, title: str | None = None, size: float = 4.0):
    """Show a grid of images (see `image_grid` for the accepted shapes)."""
    import matplotlib.pyplot as plt

    grid = image_grid(images, nrow=nrow)
    fig, ax = plt.subplots(figsize=(size, size * grid.shape[0] / grid.shape[1]))
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    plt.show()


def loss_figure(history: Mapping[str, Sequence[float]], smooth: int = 1, title: str | None = None):
    """A figure of loss curves, one line per key (e.g. {"loss_D": [...], "loss_G": [...]}).

    - smooth: window of a moving average drawn over the raw curve (1 draws the raw curve only).
    """
    import matplotlib.pyplot as plt

    if smooth < 1:
        raise ValueError(f"smooth must be >= 1, got {smooth}")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, values in history.items():
        values = np.asarray(values, dtype=np.float64)
        if values.size == 0:
            continue
        steps = np.arange(values.size)
        if smooth > 1 and values.size >= smooth:
            (line,) = ax.plot(steps, values, alpha=0.25)
            kernel = np.ones(smooth) / smooth
            ax.plot(steps[smooth - 1 :], np.convolve(values, kernel, mode="valid"), color=line.get_color(), label=name)
        else:
            ax.plot(steps, values, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if title:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_losses(history: Mapping[str, Sequence[float]], smooth: int = 1, title: str | None = None):
    """Show `loss_figure(history, smooth, title)`."""
    import matplotlib.pyplot as plt

    loss_figure(history, smooth=smooth, title=title)
    plt.show()


def pick_snapshots(snapshots, count: int) -> list[int]:
    """At most `count` of the snapshot steps, evenly spread, the first and the last always included."""
    steps = sorted(snapshots)
    if len(steps) <= count:
        return steps
    picks = np.linspace(0, len(steps) - 1, count).round().astype(int)
    return [steps[i] for i in sorted(set(picks))]


def training_figure(
    history, smooth: int = 25, max_snapshots: int = 6, title: str | None = None, per_epoch: bool = False
):
    """Loss curves of a training run above its sample grids at several steps.

    Inputs:
    - history: a helpers.training.History (loss_D, loss_G, snapshots {step: images}); when it holds
      scores, a panel beside the losses plots the Fréchet distance and each grid is titled with it.
    - smooth: moving-average window for the loss curves (shrunk for short runs).
    - max_snapshots: how many snapshots to show, evenly spread, the last one always included.
    - per_epoch: plot each loss's mean per epoch (and label the snapshots by epoch) instead of per step.
    """
    import matplotlib.pyplot as plt

    steps = pick_snapshots(history.snapshots, max_snapshots)
    columns = max(len(steps), 1)
    scores = history.scores
    fig = plt.figure(figsize=(2.1 * max(columns, 4) + (2.8 if scores else 0), 5.6))
    grid = fig.add_gridspec(2, columns, height_ratios=[1.1, 1])
    if scores:
        top = grid[0, :].subgridspec(1, 2, width_ratios=[2.2, 1], wspace=0.25)
        ax = fig.add_subplot(top[0])
        _score_axes(fig.add_subplot(top[1]), history, per_epoch)
    else:
        ax = fig.add_subplot(grid[0, :])
    if per_epoch:
        for name, values in history.epoch_losses().items():
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=f"{name} (epoch mean)")
        ax.set_xlabel(f"epoch ({history.steps_per_epoch} steps)")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    else:
        window = max(1, min(smooth, history.steps // 10))
        for name, values in history.losses().items():
            values = np.asarray(values, dtype=np.float64)
            (line,) = ax.plot(np.arange(1, values.size + 1), values, alpha=0.25 if window > 1 else 1.0)
            if window > 1:
                averaged = np.convolve(values, np.ones(window) / window, mode="valid")
                ax.plot(
                    np.arange(window, values.size + 1),
                    averaged,
                    color=line.get_color(),
                    label=f"{name} (mean of {window})",
                )
            else:
                line.set_label(name)
        ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    for column, step in enumerate(steps):
        cell = fig.add_subplot(grid[1, column])
        cell.imshow(image_grid(history.snapshots[step], nrow=4), cmap="gray", vmin=0.0, vmax=1.0)
        when = f"epoch {step / history.steps_per_epoch:.3g}" if per_epoch else f"step {step}"
        if step in scores:
            when += f"\nFID {scores[step].fid:.1f}"
        cell.set_title(when, fontsize=9)
        cell.set_axis_off()
    fig.tight_layout()
    return fig


def _score_axes(ax, history, per_epoch: bool) -> None:
    """The Fréchet distance of the scored samples over training (log scale), the last scores in words."""
    steps = sorted(history.scores)
    x = np.array(steps, dtype=np.float64) / (history.steps_per_epoch if per_epoch else 1)
    ax.plot(x, [history.scores[step].fid for step in steps], marker="o", color="tab:green")
    ax.set_yscale("log")
    ax.set_xlabel("epoch" if per_epoch else "step")
    ax.set_ylabel("FID (lower is better)")
    last = history.scores[steps[-1]]
    ax.set_title(f"IS {last.inception_score:.1f}, {last.classes_covered}/10 classes", fontsize=9)
    ax.grid(alpha=0.3, which="both")


def show_training(history, smooth: int = 25, max_snapshots: int = 6, title: str | None = None, per_epoch: bool = False):
    """Show `training_figure(history, ...)`."""
    import matplotlib.pyplot as plt

    training_figure(history, smooth=smooth, max_snapshots=max_snapshots, title=title, per_epoch=per_epoch)
    plt.show()
