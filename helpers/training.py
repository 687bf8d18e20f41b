"""The GAN training loop shared by the notebooks: batches, noise, progress bar, losses, snapshots.

The student writes the update itself, a *step* function

    step(D, G, opt_D, opt_G, x_real, z, **step_kwargs) -> (loss_D, loss_G)

with x_real of shape (k, N, ...) (k batches of real images, one per discriminator update) and z of
shape (k, N, noise_dim). For a conditional GAN, pass the images' `labels`: the step then also gets
y of shape (k, N), the classes of x_real, as `step(D, G, opt_D, opt_G, x_real, z, y, ...)`, and the
snapshots are G(fixed_z, fixed_labels). `train_gan` does everything around it: it keeps the data on the device as
one tensor (no per-batch conversion), shuffles it every epoch, draws the noise, shows a progress
bar, records both losses at every step without forcing a device sync, and keeps snapshots of
G(fixed_z) to watch the samples improve. With `quality="mnist"` it also scores 2,000 samples at
every snapshot (`helpers.metrics`: Fréchet distance, Inception-style score, class coverage), so the
samples' quality is a number during training, not only at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from helpers.metrics import QualityModel, Scores, load_quality_model, score_samples
from helpers.utils import get_device, smoke_mode

SCORE_SEED = 2  # the noise of the scored samples: the same vectors at every snapshot, drawn aside
SMOKE_SCORE_COUNT = 200  # smoke runs (CI) check that scoring works, not what it says


@dataclass
class History:
    """What `train_gan` recorded.

    - loss_D, loss_G: one float per step.
    - snapshots: step -> G(fixed_z) on the CPU, taken every `snapshot_every` steps and at the end.
    - scores: step -> Scores of `score_count` samples, at every snapshot (empty without `quality`).
    - seconds: wall time of the loop, without the scoring.
    - score_seconds: wall time of the scoring.
    - steps_per_epoch: steps in one pass over the training images (0 when unknown).
    """

    loss_D: list[float] = field(default_factory=list)
    loss_G: list[float] = field(default_factory=list)
    snapshots: dict[int, torch.Tensor] = field(default_factory=dict)
    scores: dict[int, Scores] = field(default_factory=dict)
    seconds: float = 0.0
    score_seconds: float = 0.0
    steps_per_epoch: int = 0

    @property
    def steps(self) -> int:
        return len(self.loss_D)

    def losses(self) -> dict[str, list[float]]:
        """{"loss_D": [...], "loss_G": [...]}, the form `plot_losses` takes."""
        return {"loss_D": self.loss_D, "loss_G": self.loss_G}

    def epoch_losses(self) -> dict[str, list[float]]:
        """The mean of each loss over every epoch (the last one may be partial), for per-epoch curves."""
        if self.steps_per_epoch < 1:
            raise ValueError("steps_per_epoch is unknown for this History")
        n = self.steps_per_epoch
        return {
            name: [sum(values[i : i + n]) / len(values[i : i + n]) for i in range(0, len(values), n)]
            for name, values in self.losses().items()
        }


def train_gan(
    step: Callable,
    D: nn.Module,
    G: nn.Module,
    opt_D: torch.optim.Optimizer,
    opt_G: torch.optim.Optimizer,
    images: torch.Tensor,
    *,
    sample_noise: Callable,
    noise_dim: int,
    num_steps: int,
    batch_size: int = 128,
    k: int = 1,
    fixed_z: torch.Tensor | None = None,
    snapshot_every: int | None = None,
    device: torch.device | str | None = None,
    progress: bool = True,
    step_kwargs: dict | None = None,
    labels: torch.Tensor | None = None,
    fixed_labels: torch.Tensor | None = None,
    quality: QualityModel | str | None = None,
    score_count: int = 2000,
) -> History:
    """Train D and G for `num_steps` calls of `step`.

    Inputs:
    - step: the update function (see the module docstring).
    - D, G: the networks (moved to `device` here); opt_D, opt_G: their optimizers.
    - images: float32 Tensor of shape (M, ...) with values in [-1, 1], e.g. (M, 1, 28, 28).
    - sample_noise: function (batch_size, dim) -> Tensor of shape (batch_size, dim).
    - noise_dim: the length of each noise vector z.
    - num_steps: the number of generator updates; each takes k discriminator updates first.
    - batch_size: N, the images per discriminator update and the noise vectors per update.
    - k: discriminator updates per generator update (Goodfellow et al.'s k).
    - fixed_z: Tensor of shape (n, noise_dim) for the snapshots; None draws 16 vectors.
    - snapshot_every: steps between snapshots (None: about 8 over the run).
    - device: where to train (None: `get_device()`).
    - progress: show a progress bar with the running losses.
    - step_kwargs: extra keyword arguments for `step` (e.g. other loss functions).
    - labels: int64 Tensor of shape (M,), the class of every image, for a conditional GAN (None: not conditional).
    - fixed_labels: int64 Tensor of shape (n,), the classes for the snapshots (None: 0, 1, ..., 9, 0, ...).
    - quality: "mnist" (or a loaded QualityModel) to score `score_count` samples at every snapshot;
      None scores nothing. The scored noise is drawn with its own seed, so scoring leaves the
      training's random numbers, and therefore its results, unchanged.
    - score_count: how many samples to score (a conditional G gets the classes 0, 1, ..., 9, 0, ...);
      in smoke mode ($GAN_SMOKE) at most SMOKE_SCORE_COUNT.

    Returns:
    - a History.
    """
    from tqdm import tqdm

    if num_steps < 1 or k < 1 or batch_size < 1:
        raise ValueError(f"num_steps, k and batch_size must be >= 1, got {num_steps}, {k}, {batch_size}")
    if not isinstance(images, torch.Tensor) or images.ndim < 2:
        raise ValueError("images must be a Tensor of shape (M, ...), e.g. (M, 1, 28, 28)")
    per_step = k * batch_size
    if len(images) < per_step:
        raise ValueError(f"one step needs k * batch_size = {per_step} images, but only {len(images)} were given")
    device = torch.device(device) if device is not None else get_device()
    D.to(device).train()
    G.to(device).train()
    data = images.to(device=device, dtype=torch.float32)  # once: no per-batch transfer or conversion
    if fixed_z is None:
        fixed_z = sample_noise(16, noise_dim)
    fixed_z = fixed_z.to(device)
    if labels is not None:
        if not isinstance(labels, torch.Tensor) or labels.shape != images.shape[:1]:
            raise ValueError(f"labels must be a Tensor of shape ({len(images)},), one class per image")
        labels = labels.to(device=device, dtype=torch.int64)
        if fixed_labels is None:
            fixed_labels = torch.arange(len(fixed_z)) % 10
        fixed_labels = fixed_labels.to(device=device, dtype=torch.int64)
    snapshot_every = snapshot_every or max(1, num_steps // 8)
    step_kwargs = step_kwargs or {}
    if quality is not None:
        quality = load_quality_model(quality) if isinstance(quality, str) else quality
        score_count = min(score_count, SMOKE_SCORE_COUNT) if smoke_mode() else score_count

    losses = torch.empty(num_steps, 2, device=device)  # filled without a device sync per step
    history = History(steps_per_epoch=len(data) // per_step)
    order, position = torch.randperm(len(data), device=device), 0
    started = time.perf_counter()
    bar = tqdm(
        total=num_steps, disable=not progress, mininterval=1.0, unit="step", **(_bar_output() if progress else {})
    )
    try:
        for t in range(num_steps):
            if position + per_step > len(data):  # a new epoch: reshuffle
                order, position = torch.randperm(len(data), device=device), 0
            index = order[position : position + per_step]
            position += per_step
            x_real = data[index].view(k, batch_size, *data.shape[1:])  # (k, N, ...)
            z = sample_noise(per_step, noise_dim).to(device).view(k, batch_size, noise_dim)  # (k, N, noise_dim)
            if labels is None:
                loss_D, loss_G = step(D, G, opt_D, opt_G, x_real, z, **step_kwargs)
            else:
                y = labels[index].view(k, batch_size)  # (k, N): the classes of x_real
                loss_D, loss_G = step(D, G, opt_D, opt_G, x_real, z, y, **step_kwargs)
            losses[t, 0] = torch.as_tensor(loss_D).detach()
            losses[t, 1] = torch.as_tensor(loss_G).detach()
            if (t + 1) % snapshot_every == 0 or t + 1 == num_steps:
                history.snapshots[t + 1] = _samples(G, fixed_z, fixed_labels)
                shown = {"loss_D": f"{float(losses[t, 0]):.3f}", "loss_G": f"{float(losses[t, 1]):.3f}"}
                if quality is not None:
                    scoring = time.perf_counter()
                    history.scores[t + 1] = score_generator(
                        G, quality, sample_noise, noise_dim, score_count, conditional=labels is not None, device=device
                    )
                    history.score_seconds += time.perf_counter() - scoring
                    shown["FID"] = f"{history.scores[t + 1].fid:.1f}"
                bar.set_postfix(shown, refresh=False)
            bar.update(1)
    finally:
        bar.close()
    history.seconds = time.perf_counter() - started - history.score_seconds
    values = losses[: t + 1].cpu()
    history.loss_D, history.loss_G = values[:, 0].tolist(), values[:, 1].tolist()
    return history


class _DisplayLine:
    """A file for tqdm in a Jupyter kernel: each bar it draws replaces the previous one in a single
    output (a display updated in place), so that the live notebook shows one moving line and a saved
    or headless-executed one keeps one line, not a stream entry per refresh. Plain text: it needs no
    widget, no JavaScript and no network, and reads the same in JupyterLab, VS Code and Colab."""

    def __init__(self):
        from IPython.display import display

        self._handle = display({"text/plain": ""}, raw=True, display_id=True)

    def write(self, text: str) -> None:
        line = text.replace("\r", "").strip()
        if line:
            self._handle.update({"text/plain": line}, raw=True)

    def flush(self) -> None:
        pass


def _bar_output() -> dict:
    """tqdm's output options: a line updated in place inside a Jupyter kernel, else the terminal's stdout."""
    try:
        from IPython import get_ipython

        in_kernel = getattr(get_ipython(), "kernel", None) is not None
    except ImportError:
        in_kernel = False
    if in_kernel:
        return {"file": _DisplayLine(), "ncols": 100}
    return {"file": sys.stdout, "dynamic_ncols": True}


def score_generator(
    G: nn.Module,
    quality: QualityModel,
    sample_noise: Callable,
    noise_dim: int,
    count: int = 2000,
    conditional: bool = False,
    device: torch.device | str = "cpu",
) -> Scores:
    """The scores of `count` samples of G in eval mode, from noise drawn with SCORE_SEED aside from
    the caller's random numbers (the same vectors on every call); a conditional G gets the classes
    0, 1, ..., 9, 0, ..."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SCORE_SEED)
        z = sample_noise(count, noise_dim).to(device)
    labels = (torch.arange(count) % 10).to(device) if conditional else None
    return score_samples(_samples(G, z, labels), quality)


@torch.no_grad()
def _samples(G: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None, chunk: int = 500) -> torch.Tensor:
    """G(z) (or G(z, labels)) in eval mode (batch norm uses its running statistics), on the CPU,
    computed `chunk` vectors at a time to bound the memory."""
    G.eval()
    try:
        parts = [
            G(z[i : i + chunk]) if labels is None else G(z[i : i + chunk], labels[i : i + chunk])
            for i in range(0, len(z), chunk)
        ]
        return torch.cat(parts).detach().cpu()
    finally:
        G.train()
