"""The shared training loop: what it hands the step, what it records, and its errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

from helpers import set_seed, train_gan, training_figure


def sample_noise(batch_size, dim):
    return 2 * torch.rand(batch_size, dim) - 1


def tiny_models(noise_dim=3):
    D = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
    G = nn.Sequential(nn.Linear(noise_dim, 16), nn.Tanh(), nn.Unflatten(1, (1, 4, 4)))
    return D, G


def simple_step(D, G, opt_D, opt_G, x_real, z):
    """A stand-in update (not a GAN loss): enough to move both networks."""
    for i in range(len(x_real)):
        fake = G(z[i])
        loss_D = D(fake.detach()).mean() - D(x_real[i]).mean()
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
    loss_G = -D(fake).mean()
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    return loss_D, loss_G


def run(num_steps=10, k=1, batch_size=8, images=None, step=simple_step, seed=0, **kwargs):
    set_seed(seed)
    D, G = tiny_models()
    opt_D, opt_G = (torch.optim.SGD(m.parameters(), lr=0.01) for m in (D, G))
    images = torch.rand(40, 1, 4, 4) * 2 - 1 if images is None else images
    history = train_gan(step, D, G, opt_D, opt_G, images, sample_noise=sample_noise, noise_dim=3,
                        num_steps=num_steps, k=k, batch_size=batch_size, device="cpu", progress=False, **kwargs)
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
    history = train_gan(step, D, ConditionalG(), opt, opt, images, sample_noise=sample_noise, noise_dim=3, num_steps=4,
                        batch_size=5, k=2, fixed_z=torch.zeros(12, 3), device="cpu", progress=False, labels=labels)
    assert seen[-1] == ("G", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])  # snapshots: classes 0..9 in turn by default
    assert history.steps == 4
    with pytest.raises(ValueError, match="one class per image"):
        train_gan(step, D, ConditionalG(), opt, opt, images, sample_noise=sample_noise, noise_dim=3, num_steps=1,
                  batch_size=5, device="cpu", progress=False, labels=labels[:10])
