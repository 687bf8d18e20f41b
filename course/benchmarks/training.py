"""Training speed, measured side by side (`make benchmark`, `python -m course benchmark`).

Prints, for this machine:

1. the matrix-multiply throughput (float32, 2048 x 2048, GFLOP/s): the ceiling for the rest;
2. ms per training step of every model of the series at its notebook batch size, with
   `helpers.train_gan` (ours) and with a CS231n-style loop (a DataLoader over PIL images turned into
   tensors one by one, `.type(dtype)` on every batch, a second generator forward pass for the
   generator's update on fresh noise, and Adam as it comes), their ratio, and the GFLOP/s ours
   achieves (FLOPs of one step counted by `torch.utils.flop_counter`). Ours is the notebooks' code:
   train_gan, the step function that reuses its fakes, and Adam with fused=True;
3. the same for ours with 1 thread and with every core, to show which thread setting fits;
4. the DCGAN race: the CS231n schedule (1,950 steps at batch 128) with the CS231n-style loop, scored
   at its end, against our loop until it reaches that score;
5. the wall time of the whole series, executed headless in real kernels, in smoke and default mode.

The models, losses and step functions are the solutions in the source notebooks (run in-process),
so the benchmark measures exactly what the students train. Nothing here is a test: it prints figures.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset
from torch.utils.flop_counter import FlopCounterMode

from course import nbtools, workflow
from course.authoring import inprocess
from course.layout import Layout
from helpers import load_fashion_mnist, load_mnist, set_seed, train_gan
from helpers.data import DataNotFoundError, DataSplitWarning
from helpers.metrics import load_quality_model
from helpers.mixture import ring_of_gaussians
from helpers.training import score_generator
from helpers.utils import fit_threads, usable_cpus

CS231N_STEPS = 1950  # CS231n's schedule: 5 epochs of 50,000 images at batch 128, incomplete batches dropped
CS231N_SHOW_EVERY = 250  # it reads the losses (.item()) this often


# ----------------------------------------------------------------------------------------------------
# The models: the notebooks' own solutions


def solutions(root: Path, assignment: str, extra_cells: tuple[str, ...] = ()) -> dict:
    """The namespace after the setup, given and solution cells of `assignment`'s source notebook."""
    path = nbtools.notebooks(Layout(root).source / assignment)[0]
    nb = nbtools.read(path)
    wanted = {"setup", "pieces", *extra_cells}
    wanted |= {nbtools.grade_id(c) for c in nb.cells if nbtools.is_solution(c) and c.cell_type == "code"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notebooks' own prints and data warnings
        run = inprocess.run(nb, only=wanted, include_tests=False, name=assignment)
    if run.errors:
        raise RuntimeError(f"{path}: cells failed: {run.errors}")
    return run.namespace


@dataclass
class Workload:
    """One model of the series as its notebook trains it."""

    name: str
    build: Callable[[], tuple]  # () -> (D, G, opt_D, opt_G), seeded
    step: Callable  # the notebook's step function, for train_gan
    step_kwargs: dict
    loss_D: Callable  # (D, x_real, fake) -> loss_D, for the CS231n-style loop
    loss_G: Callable  # (D, fake) -> loss_G
    sample_noise: Callable
    noise_dim: int
    batch_size: int
    k: int
    images: torch.Tensor  # (M, ...) float32 in [-1, 1]
    pil_images: bool  # the CS231n-style loop reads them as PIL images (True) or as a float64 array


def workloads(root: Path, data_dir=None) -> list[Workload]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataSplitWarning)  # an offline copy with the test split only
        mnist = load_mnist(data_dir=data_dir)
    try:
        fashion, fashion_name = load_fashion_mnist(data_dir=data_dir, download=False).images, "Fashion-MNIST"
    except DataNotFoundError:
        fashion, fashion_name = mnist.images, "MNIST standing in for Fashion-MNIST"

    def gan(ns, make_D, make_G, make_opt, loss_D_fn, loss_G_fn, **kwargs):
        def build():
            set_seed(231)
            D, G = make_D(), make_G()
            if "initialize_weights" in ns:
                D.apply(ns["initialize_weights"])
                G.apply(ns["initialize_weights"])
            return D, G, make_opt(D), make_opt(G)

        return dict(
            build=build,
            step=ns["gan_step"],
            step_kwargs={"loss_D_fn": loss_D_fn, "loss_G_fn": loss_G_fn},
            loss_D=lambda D, x, fake: loss_D_fn(D(x), D(fake)),
            loss_G=lambda D, fake: loss_G_fn(D(fake)),
            sample_noise=ns["sample_noise"],
            k=1,
            **kwargs,
        )

    nb4 = solutions(root, "04_gan_losses", extra_cells=("bce",))
    nb5 = solutions(root, "05_lsgan")
    nb6 = solutions(root, "06_dcgan")
    nb7 = solutions(root, "07_wgan", extra_cells=("wgan_step", "point_networks"))
    adam_fashion = lambda model: torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.5, 0.999), fused=True)  # noqa: E731
    adam_gp = lambda model: torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.9), fused=True)  # noqa: E731

    def gp_build():
        set_seed(231)
        D, G = nb7["point_critic"](), nb7["point_generator"]()
        return D, G, adam_gp(D), adam_gp(G)

    gp_weight = 1.0
    return [
        Workload(
            "FC GAN (04)",
            **gan(
                nb4,
                nb4["discriminator"],
                lambda: nb4["generator"](nb4["NOISE_DIM"]),
                nb4["get_optimizer"],
                nb4["discriminator_loss"],
                nb4["generator_loss"],
                noise_dim=nb4["NOISE_DIM"],
                batch_size=nb4["BATCH_SIZE"],
                images=mnist.images,
                pil_images=True,
            ),
        ),
        Workload(
            "LSGAN (05)",
            **gan(
                nb5,
                nb5["discriminator"],
                nb5["generator"],
                nb5["get_optimizer"],
                nb5["ls_discriminator_loss"],
                nb5["ls_generator_loss"],
                noise_dim=nb5["NOISE_DIM"],
                batch_size=nb5["BATCH_SIZE"],
                images=mnist.images,
                pil_images=True,
            ),
        ),
        Workload(
            "DCGAN MNIST (06)",
            **gan(
                nb6,
                nb6["build_dc_classifier"],
                lambda: nb6["build_dc_generator"](nb6["NOISE_DIM"]),
                nb6["get_optimizer"],
                nb6["discriminator_loss"],
                nb6["generator_loss"],
                noise_dim=nb6["NOISE_DIM"],
                batch_size=nb6["BATCH_SIZE"],
                images=mnist.images,
                pil_images=True,
            ),
        ),
        Workload(
            f"DCGAN Fashion (06, {fashion_name})",
            **gan(
                nb6,
                nb6["build_fashion_discriminator"],
                lambda: nb6["build_fashion_generator"](100),
                adam_fashion,
                nb6["discriminator_loss"],
                nb6["generator_loss"],
                noise_dim=100,
                batch_size=64,
                images=fashion,
                pil_images=True,
            ),
        ),
        Workload(
            "WGAN-GP ring (07)",
            build=gp_build,
            step=nb7["wgan_step"],
            step_kwargs={"gp_weight": gp_weight},
            loss_D=lambda D, x, fake: (
                nb7["wasserstein_critic_loss"](D(x), D(fake)) + gp_weight * nb7["gradient_penalty"](D, x, fake)
            ),
            loss_G=lambda D, fake: nb7["wasserstein_generator_loss"](D(fake)),
            sample_noise=nb7["sample_noise"],
            noise_dim=nb7["NOISE_DIM"],
            batch_size=nb7["BATCH_SIZE"],
            k=5,
            images=ring_of_gaussians(50_000, seed=0),
            pil_images=False,
        ),
    ]


# ----------------------------------------------------------------------------------------------------
# The CS231n-style loop


class PILImages(Dataset):
    """What torchvision.datasets.MNIST does per item: a uint8 array -> PIL image -> transform.

    Used in place of torchvision's class because that one insists on all four files of the data
    set, and offline copies may hold one split.
    """

    def __init__(self, images: torch.Tensor):
        from PIL import Image
        from torchvision import transforms

        self.pixels = ((images.reshape(-1, 28, 28) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
        self.to_image = Image.fromarray
        self.transform = transforms.ToTensor()

    def __len__(self) -> int:
        return len(self.pixels)

    def __getitem__(self, index):
        return self.transform(self.to_image(self.pixels[index], mode="L")), 0


class Float64Points(Dataset):
    """A NumPy float64 array served row by row, as a toy-data notebook would keep it."""

    def __init__(self, points: torch.Tensor):
        self.points = points.double().numpy()

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index):
        return torch.from_numpy(self.points[index]), 0


def build_cs231n(w: Workload) -> tuple:
    """The workload's networks with CS231n's optimizer: Adam as it comes (no fused=True), same settings."""
    D, G, opt_D, opt_G = w.build()

    def plain(model, opt):
        return torch.optim.Adam(model.parameters(), lr=opt.defaults["lr"], betas=opt.defaults["betas"])

    return D, G, plain(D, opt_D), plain(G, opt_G)


def cs231n_style_steps(w: Workload, D, G, opt_D, opt_G, num_steps: int, device) -> float:
    """Train for num_steps generator updates the CS231n way; return the seconds it took."""
    dtype = torch.float32
    dataset = PILImages(w.images) if w.pil_images else Float64Points(w.images)
    loader = DataLoader(dataset, batch_size=w.batch_size, shuffle=True, drop_last=True)
    D.to(device).train()
    G.to(device).train()
    batches = iter(loader)

    def next_batch():
        nonlocal batches
        try:
            x, _ = next(batches)
        except StopIteration:  # a new epoch
            batches = iter(loader)
            x, _ = next(batches)
        x = x.type(dtype).to(device)  # per-batch conversion
        return 2 * (x - 0.5) if w.pil_images else x  # ToTensor gives [0, 1]; the GANs take [-1, 1]

    started = time.perf_counter()
    for t in range(num_steps):
        for _ in range(w.k):
            x_real = next_batch()
            z = w.sample_noise(w.batch_size, w.noise_dim).type(dtype).to(device)
            fake = G(z).detach()
            loss_D = w.loss_D(D, x_real, fake)
            opt_D.zero_grad()
            loss_D.backward()
            opt_D.step()
        z = w.sample_noise(w.batch_size, w.noise_dim).type(dtype).to(device)
        fake = G(z)  # the generator's forward pass again, on fresh noise
        loss_G = w.loss_G(D, fake)
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
        if t % CS231N_SHOW_EVERY == 0:
            loss_D.item(), loss_G.item()
    return time.perf_counter() - started


# ----------------------------------------------------------------------------------------------------
# Measurements


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    """float32 n x n matrix products per second on this machine, in GFLOP/s (best of three rounds)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeats):
            a @ b
        best = min(best, (time.perf_counter() - started) / repeats)
    return 2 * n**3 / best / 1e9


class _WholeProgram:
    """FlopCounterMode's per-module attribution, switched off: its module hooks break
    torch.autograd.grad inside the gradient penalty, and only the total is wanted here."""

    parents = {"Global"}

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return None


def flops_per_step(w: Workload, cs231n: bool, device) -> int:
    """The FLOPs (matrix products and convolutions, forward and backward) of one training step."""
    D, G, opt_D, opt_G = build_cs231n(w) if cs231n else w.build()
    D.to(device), G.to(device)
    counter = FlopCounterMode(display=False)
    counter.mod_tracker = _WholeProgram()
    with counter:
        if cs231n:
            cs231n_style_steps(w, D, G, opt_D, opt_G, 1, device)
        else:  # the step function on what train_gan hands it
            x_real = w.images[: w.k * w.batch_size].to(device).view(w.k, w.batch_size, *w.images.shape[1:])
            z = w.sample_noise(w.k * w.batch_size, w.noise_dim).to(device).view(w.k, w.batch_size, w.noise_dim)
            w.step(D, G, opt_D, opt_G, x_real, z, **w.step_kwargs)
    return counter.get_total_flops()


def ours_seconds(w: Workload, D, G, opt_D, opt_G, num_steps: int, device) -> float:
    history = train_gan(
        w.step,
        D,
        G,
        opt_D,
        opt_G,
        w.images,
        sample_noise=w.sample_noise,
        noise_dim=w.noise_dim,
        num_steps=num_steps,
        batch_size=w.batch_size,
        k=w.k,
        device=device,
        progress=False,
        step_kwargs=w.step_kwargs,
    )
    return history.seconds


def ms_per_step(w: Workload, cs231n: bool, num_steps: int, rounds: int, device, threads: int | None = None) -> float:
    """The median over `rounds` of the mean ms per step over `num_steps` steps, after 3 warm-up steps."""
    saved = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        D, G, opt_D, opt_G = build_cs231n(w) if cs231n else w.build()
        run = cs231n_style_steps if cs231n else ours_seconds
        run(w, D, G, opt_D, opt_G, 3, device)
        return statistics.median(
            1000 * run(w, D, G, opt_D, opt_G, num_steps, device) / num_steps for _ in range(rounds)
        )
    finally:
        torch.set_num_threads(saved)


@dataclass
class Race:
    target_fid: float
    cs231n_seconds: float
    ours_seconds: float | None  # None: did not reach the target within the schedule's steps
    ours_steps: int
    ours_fids: list[tuple[int, float]]


def dcgan_race(w: Workload, device, steps: int = CS231N_STEPS, check_every: int = 50, samples: int = 2000) -> Race:
    """The CS231n schedule with its loop, then ours until it scores as well (Fréchet distance, 2,000 samples)."""
    quality = load_quality_model("mnist")

    def fid(G) -> float:
        return score_generator(G, quality, w.sample_noise, w.noise_dim, samples, device=device).fid

    D, G, opt_D, opt_G = build_cs231n(w)
    cs231n_seconds = cs231n_style_steps(w, D, G, opt_D, opt_G, steps, device)
    target = fid(G)

    D, G, opt_D, opt_G = w.build()
    seconds, done, fids = 0.0, 0, []
    while done < steps:
        seconds += ours_seconds(w, D, G, opt_D, opt_G, check_every, device)
        done += check_every
        fids.append((done, fid(G)))
        if fids[-1][1] <= target:
            return Race(target, cs231n_seconds, seconds, done, fids)
    return Race(target, cs231n_seconds, None, done, fids)


def series_seconds(root: Path, smoke: bool) -> dict[str, float]:
    """Each source notebook executed headless in a real kernel: assignment -> seconds."""
    import os

    from course.authoring import execute

    saved = os.environ.get("GAN_SMOKE")
    os.environ["GAN_SMOKE"] = "1" if smoke else "0"
    try:
        times = {}
        for assignment in workflow.assignments(root):
            for result in execute.run_folder(Layout(root).source / assignment):
                if result.error:
                    raise RuntimeError(f"{result.path} failed:\n{result.error}")
                times[assignment] = result.seconds
        return times
    finally:
        if saved is None:
            os.environ.pop("GAN_SMOKE")
        else:
            os.environ["GAN_SMOKE"] = saved


# ----------------------------------------------------------------------------------------------------
# The report


@contextlib.contextmanager
def copy_of_stdout(path: Path | None):
    """Everything printed inside also goes to `path` (None: nowhere), as it is printed."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    screen = sys.stdout
    with path.open("w") as file:

        class Both(io.TextIOBase):
            def write(self, text):
                file.write(text)
                return screen.write(text)

            def flush(self):
                file.flush()
                screen.flush()

        with contextlib.redirect_stdout(Both()):
            yield


def main(
    root: Path, quick: bool = False, table: bool = True, race: bool = True, series: bool = True, device="cpu"
) -> int:
    device = torch.device(device)
    steps, rounds = (5, 1) if quick else (30, 3)
    cores = fit_threads()
    print(
        f"# Training benchmark: torch {torch.__version__}, device {device}, {cores} threads "
        f"({usable_cpus()} usable CPUs)"
        f"{' (quick: few steps, numbers are rough)' if quick else ''}\n",
        flush=True,
    )
    peak = matmul_gflops(1024 if quick else 2048)
    print(f"Matrix multiply (float32, {1024 if quick else 2048}^2, {cores} threads): {peak:.0f} GFLOP/s\n")

    loads = workloads(root) if table or race else []
    if table:
        print("## ms per training step, at the notebooks' batch sizes\n")
        print(
            "| model | batch x k | GFLOP per step (ours / CS231n) | CS231n-style ms | ours ms | speed-up "
            "| ours GFLOP/s | % of matmul | ours ms, 1 thread |"
        )
        print("|---|---|---|---|---|---|---|---|---|", flush=True)
    for w in loads if table else []:
        flops_ours, flops_theirs = flops_per_step(w, False, device), flops_per_step(w, True, device)
        theirs = ms_per_step(w, True, steps, rounds, device)
        ours = ms_per_step(w, False, steps, rounds, device)
        one = ms_per_step(w, False, steps, rounds, device, threads=1) if cores > 1 else ours
        achieved = flops_ours / ours / 1e6
        print(
            f"| {w.name} | {w.batch_size} x {w.k} | {flops_ours / 1e9:.2f} / {flops_theirs / 1e9:.2f} "
            f"| {theirs:.1f} | {ours:.1f} | {theirs / ours:.2f}x | {achieved:.0f} | {100 * achieved / peak:.0f}% "
            f"| {one:.1f} |",
            flush=True,
        )

    if race:
        print("\n## DCGAN: time to the CS231n schedule's score\n", flush=True)
        dcgan = next(w for w in loads if w.name.startswith("DCGAN MNIST"))
        result = dcgan_race(dcgan, device, steps=100 if quick else CS231N_STEPS, check_every=25 if quick else 50)
        schedule = 100 if quick else CS231N_STEPS
        print(
            f"CS231n-style loop, {schedule} steps at batch 128: {result.cs231n_seconds:.0f} s, "
            f"FID {result.target_fid:.1f} at the end (2,000 samples)"
        )
        trail = ", ".join(f"{s}: {f:.1f}" for s, f in result.ours_fids)
        if result.ours_seconds is None:
            print(
                f"Ours did not reach FID {result.target_fid:.1f} within {result.ours_steps} steps (FID by step: {trail})"
            )
        else:
            print(
                f"Ours reached FID <= {result.target_fid:.1f} after {result.ours_steps} steps in "
                f"{result.ours_seconds:.0f} s: {result.ours_seconds / result.cs231n_seconds:.0%} of the schedule's "
                f"time (FID by step: {trail})",
                flush=True,
            )

    if series:
        print("\n## The whole series, headless in real kernels\n", flush=True)
        for smoke in (True, False):
            times = series_seconds(root, smoke)
            each = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items())
            print(f"{'smoke' if smoke else 'default'}: {sum(times.values()):.0f} s ({each})", flush=True)
    return 0
