"""The benchmark's baseline is what it claims to be: a CS231n-style loop (PIL images through a
DataLoader, a second generator pass on fresh noise, k critic updates) doing the same work as ours."""

from __future__ import annotations

import torch
from torch import nn

from course.benchmarks import training
from helpers import set_seed
from stand_ins import simple_step


def tiny_workload(k=1, pil_images=True, calls=None):
    def build():
        set_seed(0)
        D = nn.Sequential(nn.Flatten(), nn.Linear(784, 1))
        G = nn.Sequential(nn.Linear(3, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
        if calls is not None:
            G.register_forward_hook(lambda module, inputs, output: calls.append(("G", len(inputs[0]))))
            D.register_forward_hook(lambda module, inputs, output: calls.append(("D", len(inputs[0]))))
        make = lambda m: torch.optim.Adam(m.parameters(), lr=1e-3, betas=(0.5, 0.999), fused=True)  # noqa: E731
        return D, G, make(D), make(G)

    images = torch.rand(40, 1, 28, 28) * 2 - 1
    return training.Workload(
        "tiny",
        build=build,
        step=simple_step,
        step_kwargs={},
        loss_D=lambda D, x, fake: -D(x).mean() + D(fake).mean(),
        loss_G=lambda D, fake: -D(fake).mean(),
        sample_noise=lambda n, d: 2 * torch.rand(n, d) - 1,
        noise_dim=3,
        batch_size=8,
        k=k,
        images=images,
        pil_images=pil_images,
    )


def test_pil_images_give_back_the_pixels_in_zero_to_one():
    w = tiny_workload()
    dataset = training.PILImages(w.images)
    x, _ = dataset[3]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32
    assert torch.allclose(2 * (x - 0.5), w.images[3], atol=1 / 255)  # uint8 round trip, then [-1, 1]


def test_the_cs231n_style_loop_recomputes_the_generator_and_runs_k_critic_updates():
    calls = []
    w = tiny_workload(k=3, calls=calls)
    D, G, opt_D, opt_G = training.build_cs231n(w)
    assert not opt_D.defaults["fused"] and opt_D.defaults["lr"] == 1e-3  # Adam as it comes, same settings
    training.cs231n_style_steps(w, D, G, opt_D, opt_G, 2, "cpu")
    one_step = [("G", 8), ("D", 8), ("D", 8)] * 3 + [("G", 8), ("D", 8)]  # G again for the generator's update
    assert calls == one_step * 2


def test_our_step_counts_fewer_flops_than_the_cs231n_style_one():
    w = tiny_workload()
    ours, theirs = training.flops_per_step(w, False, "cpu"), training.flops_per_step(w, True, "cpu")
    g_forward = 2 * 8 * 3 * 784  # one generator forward pass on a batch of 8
    assert theirs - ours == g_forward


def test_both_loops_train():
    w = tiny_workload(pil_images=False)
    for cs231n in (False, True):
        D, G, opt_D, opt_G = training.build_cs231n(w) if cs231n else w.build()
        before = [p.clone() for p in G.parameters()]
        run = training.cs231n_style_steps if cs231n else training.ours_seconds
        assert run(w, D, G, opt_D, opt_G, 3, "cpu") > 0
        assert all(not torch.equal(a, b) for a, b in zip(before, G.parameters()))


def test_matmul_throughput_is_measured():
    assert training.matmul_gflops(n=128, repeats=2) > 0


def test_the_grading_benchmarks_baseline_is_stock_nbgrader(tmp_path):
    """The baseline course autogrades with nbgrader's own Execute and export; ours with the engine."""
    from conftest import REPO, nbgrader_config
    from course.benchmarks import grading

    configs = {}
    for stock in (True, False):
        course = grading.make_course(REPO, tmp_path / str(stock), stock=stock)
        configs[stock] = nbgrader_config(course)
        assert sorted(p.name for p in (course / "notebooks").iterdir()) == sorted(
            p.name for p in (REPO / "notebooks").iterdir() if p.is_dir()
        )
    assert "autograde_preprocessors" not in configs[True].Autograde and "plugin_class" not in configs[True].ExportApp
    assert configs[True].Execute.timeout == 300 and configs[True].CourseDirectory.course_id == "gan-course"
    assert "course.engine.nbgrader_plugins.SandboxVerdicts" in configs[False].Autograde.autograde_preprocessors


def test_the_grading_benchmark_gives_the_callers_smoke_setting_back(monkeypatch):
    """It grades in the smoke setting, and leaves GAN_SMOKE as it found it (set, or unset)."""
    import os

    from conftest import REPO
    from course.benchmarks import grading

    seen = []
    monkeypatch.setattr(grading, "_measure", lambda *args: seen.append(os.environ.get("GAN_SMOKE")) or 0)
    for before in (None, "0"):
        if before is None:
            monkeypatch.delenv("GAN_SMOKE", raising=False)
        else:
            monkeypatch.setenv("GAN_SMOKE", before)
        assert grading.main(REPO) == 0
        assert os.environ.get("GAN_SMOKE") == before
    assert seen == ["1", "1"]
