"""The shared training loop: what it hands the step, what it records, and its errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from helpers import set_seed, train_gan, training_figure
from stand_ins import simple_step


def sample_noise(batch_size, dim):
    return 2 * torch.rand(batch_size, dim) - 1


def tiny_models(noise_dim=3):
    D = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
    G = nn.Sequential(nn.Linear(noise_dim, 16), nn.Tanh(), nn.Unflatten(1, (1, 4, 4)))
    return D, G


def run(num_steps=10, k=1, batch_size=8, images=None, step=simple_step, seed=0, **kwargs):
    set_seed(seed)
    D, G = tiny_models()
    opt_D, opt_G = (torch.optim.SGD(m.parameters(), lr=0.01) for m in (D, G))
    images = torch.rand(40, 1, 4, 4) * 2 - 1 if images is None else images
    history = train_gan(
        step,
        D,
        G,
        opt_D,
        opt_G,
        images,
        sample_noise=sample_noise,
        noise_dim=3,
        num_steps=num_steps,
        k=k,
        batch_size=batch_size,
        device="cpu",
        progress=False,
        **kwargs,
    )
    return history, D, G


def test_the_step_gets_k_batches_of_images_and_noise():
    seen = []

    def spy(D, G, opt_D, opt_G, x_real, z):
        seen.append((tuple(x_real.shape), tuple(z.shape), x_real.dtype))
        return simple_step(D, G, opt_D, opt_G, x_real, z)

    history, _, _ = run(num_steps=4, k=2, batch_size=5, step=spy)
    assert seen == [((2, 5, 1, 4, 4), (2, 5, 3), torch.float32)] * 4
    assert history.steps == 4 and len(history.loss_G) == 4


def test_every_image_is_used_once_per_epoch():
    images = torch.arange(40, dtype=torch.float32).view(40, 1, 1, 1).expand(40, 1, 4, 4).contiguous()
    used = []

    def spy(D, G, opt_D, opt_G, x_real, z):
        used.extend(int(v) for v in x_real[:, :, 0, 0, 0].flatten())
        return torch.tensor(0.0), torch.tensor(0.0)

    run(num_steps=5, batch_size=8, images=images, step=spy)  # 5 * 8 = 40: exactly one epoch
    assert sorted(used) == list(range(40))


def test_history_records_losses_and_snapshots():
    history, D, G = run(num_steps=12, snapshot_every=5, fixed_z=torch.zeros(6, 3))
    assert sorted(history.snapshots) == [5, 10, 12]  # and always the last step
    assert all(s.shape == (6, 1, 4, 4) and s.device.type == "cpu" for s in history.snapshots.values())
    assert len(history.loss_D) == len(history.loss_G) == 12
    assert all(isinstance(v, float) for v in history.loss_D + history.loss_G)
    assert history.seconds > 0 and G.training and D.training
    assert history.losses() == {"loss_D": history.loss_D, "loss_G": history.loss_G}


def test_the_same_seed_trains_the_same_networks():
    first, second, other = run(seed=1)[0], run(seed=1)[0], run(seed=2)[0]
    assert first.loss_D == second.loss_D and first.loss_G == second.loss_G
    assert first.loss_D != other.loss_D


def test_step_kwargs_reach_the_step():
    got = {}

    def step(D, G, opt_D, opt_G, x_real, z, scale):
        got["scale"] = scale
        return torch.tensor(scale), torch.tensor(-scale)

    history, _, _ = run(num_steps=2, step=step, step_kwargs={"scale": 3.0})
    assert got == {"scale": 3.0} and history.loss_D == [3.0, 3.0] and history.loss_G == [-3.0, -3.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_steps": 0}, "must be >= 1"),
        ({"k": 0}, "must be >= 1"),
        ({"batch_size": 30, "k": 2}, r"needs k \* batch_size = 60 images"),
        ({"images": [[0.0]]}, "must be a Tensor"),
    ],
)
def test_bad_arguments_get_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(**kwargs)


def test_training_figure_shows_losses_and_snapshots():
    history, _, _ = run(num_steps=30, snapshot_every=3)
    fig = training_figure(history, max_snapshots=4)
    assert len(fig.axes) == 1 + 4
    assert [ax.get_title() for ax in fig.axes[1:]][-1] == "step 30"
    plt.close(fig)


def test_epoch_losses_average_each_pass_over_the_data():
    def step(D, G, opt_D, opt_G, x_real, z):
        step.t += 1
        return torch.tensor(float(step.t)), torch.tensor(-float(step.t))

    step.t = 0
    history, _, _ = run(num_steps=12, batch_size=8, step=step)  # 40 images, batch 8: 5 steps per epoch
    assert history.steps_per_epoch == 5
    assert history.epoch_losses() == {"loss_D": [3.0, 8.0, 11.5], "loss_G": [-3.0, -8.0, -11.5]}  # last epoch partial
    from helpers.training import History

    with pytest.raises(ValueError, match="steps_per_epoch is unknown"):
        History(loss_D=[1.0], loss_G=[1.0]).epoch_losses()


def test_training_figure_per_epoch_labels_epochs():
    history, _, _ = run(num_steps=15, batch_size=8, snapshot_every=5)
    fig = training_figure(history, per_epoch=True)
    curve = fig.axes[0]
    assert [len(line.get_xdata()) for line in curve.get_lines()] == [3, 3]
    assert curve.get_xlabel() == "epoch (5 steps)"
    assert [ax.get_title() for ax in fig.axes[1:]] == ["epoch 1", "epoch 2", "epoch 3"]
    plt.close(fig)


def test_a_conditional_step_gets_the_classes_of_its_images():
    images = torch.arange(40, dtype=torch.float32).view(40, 1, 1, 1).expand(40, 1, 4, 4).contiguous()
    labels = torch.arange(40) % 10
    seen = []

    class ConditionalG(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(3, 16)

        def forward(self, z, y):
            seen.append(("G", y.tolist()))
            return self.net(z).view(-1, 1, 4, 4)

    def step(D, G, opt_D, opt_G, x_real, z, y):
        assert y.shape == x_real.shape[:2] and y.dtype == torch.int64
        assert torch.equal(y, x_real[:, :, 0, 0, 0].long() % 10)  # each image's own class
        return torch.tensor(0.0), torch.tensor(0.0)

    set_seed(0)
    D = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
    opt = torch.optim.SGD(D.parameters(), lr=0.1)
    history = train_gan(
        step,
        D,
        ConditionalG(),
        opt,
        opt,
        images,
        sample_noise=sample_noise,
        noise_dim=3,
        num_steps=4,
        batch_size=5,
        k=2,
        fixed_z=torch.zeros(12, 3),
        device="cpu",
        progress=False,
        labels=labels,
    )
    assert seen[-1] == ("G", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])  # snapshots: classes 0..9 in turn by default
    assert history.steps == 4
    with pytest.raises(ValueError, match="one class per image"):
        train_gan(
            step,
            D,
            ConditionalG(),
            opt,
            opt,
            images,
            sample_noise=sample_noise,
            noise_dim=3,
            num_steps=1,
            batch_size=5,
            device="cpu",
            progress=False,
            labels=labels[:10],
        )


# ------------------------------------------------------------------------------------------------
# Scores during training (quality=...)


def mnist_sized_run(quality=None, num_steps=6, **kwargs):
    """A tiny GAN on 28 x 28 images (noise standing in for digits), scored at every other step."""
    set_seed(0)
    D = nn.Sequential(nn.Flatten(), nn.Linear(784, 1))
    G = nn.Sequential(nn.Linear(3, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    opt_D, opt_G = (torch.optim.SGD(m.parameters(), lr=0.01) for m in (D, G))
    images = torch.rand(64, 1, 28, 28) * 2 - 1
    history = train_gan(
        simple_step,
        D,
        G,
        opt_D,
        opt_G,
        images,
        sample_noise=sample_noise,
        noise_dim=3,
        num_steps=num_steps,
        batch_size=16,
        snapshot_every=2,
        device="cpu",
        progress=False,
        quality=quality,
        **kwargs,
    )
    return history, G


def test_quality_scores_the_samples_at_every_snapshot(monkeypatch):
    from helpers.metrics import Scores, load_quality_model, score_samples

    monkeypatch.setenv("GAN_SMOKE", "0")  # all 300 samples (the test session runs in the smoke setting)
    history, G = mnist_sized_run(quality="mnist", score_count=300)
    assert sorted(history.scores) == sorted(history.snapshots) == [2, 4, 6]
    assert all(isinstance(s, Scores) for s in history.scores.values())
    assert len({s.fid for s in history.scores.values()}) == 3  # G changed between the snapshots
    # the last scores are those of G's samples from the scoring seed, in eval mode
    torch.manual_seed(2)
    with torch.no_grad():
        expected = score_samples(G(sample_noise(300, 3)), load_quality_model("mnist"))
    assert history.scores[6].fid == pytest.approx(expected.fid, rel=1e-5)
    assert history.score_seconds > 0


def test_scoring_leaves_the_training_unchanged():
    plain, G_plain = mnist_sized_run()
    scored, G_scored = mnist_sized_run(quality="mnist", score_count=300)
    assert plain.scores == {}
    assert scored.loss_D == plain.loss_D and scored.loss_G == plain.loss_G
    for a, b in zip(G_plain.parameters(), G_scored.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("smoke", ["1", "0"])
def test_smoke_mode_scores_few_samples(monkeypatch, smoke):
    from helpers.training import SMOKE_SCORE_COUNT

    monkeypatch.setenv("GAN_SMOKE", smoke)
    calls = []  # (training mode, batch) of every call of G
    G = nn.Sequential(nn.Linear(3, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    G.register_forward_hook(lambda module, inputs, output: calls.append((module.training, len(inputs[0]))))
    D = nn.Sequential(nn.Flatten(), nn.Linear(784, 1))
    opt = torch.optim.SGD([*D.parameters(), *G.parameters()], lr=0.01)
    train_gan(
        simple_step,
        D,
        G,
        opt,
        opt,
        torch.rand(64, 1, 28, 28) * 2 - 1,
        sample_noise=sample_noise,
        noise_dim=3,
        num_steps=1,
        batch_size=16,
        fixed_z=torch.zeros(4, 3),
        device="cpu",
        progress=False,
        quality="mnist",
        score_count=1000,
    )
    scored = SMOKE_SCORE_COUNT if smoke == "1" else 1000
    assert sum(n for training, n in calls if not training) == 4 + scored  # the snapshot, then the scored samples


def test_a_conditional_generator_is_scored_with_every_class():
    calls = []

    class ConditionalG(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(3, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))

        def forward(self, z, y):
            if not self.training:
                calls.append(y.tolist())
            return self.net(z)

    def step(D, G, opt_D, opt_G, x_real, z, y):
        return torch.tensor(0.0), torch.tensor(0.0)

    D = nn.Sequential(nn.Flatten(), nn.Linear(784, 1))
    opt = torch.optim.SGD(D.parameters(), lr=0.1)
    history = train_gan(
        step,
        D,
        ConditionalG(),
        opt,
        opt,
        torch.rand(40, 1, 28, 28),
        labels=torch.arange(40) % 10,
        sample_noise=sample_noise,
        noise_dim=3,
        num_steps=1,
        batch_size=8,
        fixed_z=torch.zeros(2, 3),
        device="cpu",
        progress=False,
        quality="mnist",
        score_count=30,
    )
    assert calls == [[0, 1], list(range(10)) * 3]  # the snapshot, then the 30 scored samples
    assert history.scores[1].classes_covered >= 0


def test_training_figure_plots_the_scores():
    history, _ = mnist_sized_run(quality="mnist", score_count=300)
    fig = training_figure(history)
    losses, fid, *grids = fig.axes
    assert list(fid.get_lines()[0].get_xdata()) == [2, 4, 6]
    assert fid.get_yscale() == "log"
    assert [ax.get_title() for ax in grids] == [f"step {s}\nFID {history.scores[s].fid:.1f}" for s in (2, 4, 6)]
    plt.close(fig)


TRAINING_CELL = """
import time
import torch
from torch import nn
from helpers import train_gan

def slow_step(D, G, opt_D, opt_G, x_real, z):
    time.sleep(0.02)  # a few seconds in all: many refreshes of a bar drawn once a second
    return torch.tensor(0.5), torch.tensor(0.7)

D = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
G = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Unflatten(1, (1, 4, 4)))
opt_D, opt_G = (torch.optim.SGD(m.parameters(), lr=0.01) for m in (D, G))
history = train_gan(slow_step, D, G, opt_D, opt_G, torch.rand(64, 1, 4, 4) * 2 - 1,
                    sample_noise=lambda n, d: torch.rand(n, d), noise_dim=3, num_steps=200, batch_size=8, device="cpu")
print("done", len(history.loss_D))
"""


@pytest.mark.slow  # a real kernel
def test_the_progress_bar_leaves_one_line_in_an_executed_notebook(tmp_path):
    """Headless in a real kernel: the bar is one display updated in place, not an output per refresh."""
    import nbformat
    from nbclient import NotebookClient

    from conftest import REPO

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRAINING_CELL)])
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}).execute()
    outputs = nb.cells[0].outputs
    bars = [o for o in outputs if o.output_type in ("display_data", "update_display_data")]
    assert len(outputs) == 2 and len(bars) == 1, [o.output_type for o in outputs]
    assert "200/200" in bars[0].data["text/plain"] and "100%" in bars[0].data["text/plain"]
    assert outputs[1].output_type == "stream" and outputs[1].text == "done 200\n"
