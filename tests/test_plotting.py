import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers import image_grid, loss_figure, plot_losses, show_images


@pytest.mark.parametrize("shape", [(6, 784), (6, 28, 28), (6, 1, 28, 28)])
def test_image_grid_accepts_every_layout(shape):
    grid = image_grid(torch.zeros(shape), nrow=3, padding=2)
    # 3 columns and 2 rows of 28-pixel images with 2-pixel borders around each
    assert grid.shape == (2 * 30 + 2, 3 * 30 + 2)
    assert grid.dtype == np.float32


def test_image_grid_maps_minus_one_to_black_and_one_to_white():
    images = torch.stack([-torch.ones(1, 4, 4), torch.ones(1, 4, 4)])
    grid = image_grid(images, nrow=2, padding=0)
    assert grid[:, :4].max() == 0.0 and grid[:, 4:].min() == 1.0


def test_image_grid_is_square_by_default():
    assert image_grid(torch.zeros(9, 784), padding=0).shape == (84, 84)


@pytest.mark.parametrize("bad", [torch.zeros(4, 783), torch.zeros(4), torch.zeros(0, 784)])
def test_image_grid_rejects_bad_shapes(bad):
    with pytest.raises(ValueError):
        image_grid(bad)


def test_loss_figure_draws_raw_and_smoothed_curves():
    history = {"loss_D": list(np.linspace(1.4, 0.6, 50)), "loss_G": list(np.linspace(0.7, 2.0, 50))}
    fig = loss_figure(history, smooth=5)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert "loss_D" in labels and "loss_G" in labels
    assert len(ax.get_lines()) == 4  # raw (faint) and smoothed, per curve
    smoothed = next(line for line in ax.get_lines() if line.get_label() == "loss_D")
    assert len(smoothed.get_xdata()) == 46
    plt.close(fig)
    with pytest.raises(ValueError):
        loss_figure(history, smooth=0)


def test_show_functions_draw_without_a_screen():
    before = len(plt.get_fignums())
    show_images(torch.zeros(4, 784), title="zeros")
    plot_losses({"loss_D": [1.0, 0.5]})
    assert len(plt.get_fignums()) == before + 2
    plt.close("all")
