"""The data loader on small IDX files written here, on the offline error, and on the real MNIST copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch
import torchvision

from helpers import DataNotFoundError, load_dataset, load_fashion_mnist, load_mnist
from helpers.data import DataSplitWarning, resolve_data_dir
from idx_files import write_idx, write_split


def test_reads_the_training_split_and_scales_to_minus_one_one(tmp_path):
    images, labels = write_split(tmp_path, "MNIST", "train", 7)
    write_split(tmp_path, "MNIST", "test", 3, seed=1)
    data = load_mnist(tmp_path, download=False)
    assert data.split == "train" and len(data) == 7
    assert data.images.shape == (7, 1, 28, 28) and data.images.dtype == torch.float32
    assert data.labels.dtype == torch.int64
    assert torch.equal(data.labels, torch.from_numpy(labels).long())
    expected = torch.from_numpy(images).float().unsqueeze(1) / 127.5 - 1
    assert torch.allclose(data.images, expected)
    assert data.images.min() >= -1 and data.images.max() <= 1


def test_falls_back_to_the_test_split_with_a_warning(tmp_path):
    write_split(tmp_path, "MNIST", "test", 4)
    with pytest.warns(DataSplitWarning, match="training split is not in"):
        data = load_mnist(tmp_path, download=False)
    assert data.split == "test" and len(data) == 4


def test_an_explicit_split_does_not_fall_back(tmp_path):
    write_split(tmp_path, "MNIST", "test", 4)
    with pytest.raises(DataNotFoundError) as error:
        load_mnist(tmp_path, split="train", download=False)
    message = str(error.value)
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "train-images-idx3-ubyte" in message and "GAN_DATA_DIR" in message


def test_reads_gzipped_files_without_writing_into_the_data_folder(tmp_path):
    images, _ = write_split(tmp_path, "MNIST", "train", 5, gz=True)
    before = sorted(p.name for p in (tmp_path / "MNIST" / "raw").iterdir())
    data = load_mnist(tmp_path, download=False)
    assert torch.equal(((data.images[:, 0] + 1) * 127.5).round().to(torch.uint8), torch.from_numpy(images))
    assert sorted(p.name for p in (tmp_path / "MNIST" / "raw").iterdir()) == before


def test_fashion_mnist_reads_torchvisions_folder(tmp_path):
    write_split(tmp_path, "FashionMNIST", "train", 6)
    data = load_fashion_mnist(tmp_path, download=False, limit=4)
    assert data.name == "fashion-mnist" and len(data) == 4
    with pytest.raises(DataNotFoundError, match="MNIST/raw"):
        load_mnist(tmp_path, download=False)  # Fashion-MNIST files are not MNIST's


def test_data_dir_comes_from_the_argument_then_the_environment(tmp_path, monkeypatch):
    from_env, from_arg = tmp_path / "env", tmp_path / "arg"
    write_split(from_env, "MNIST", "train", 2)
    write_split(from_arg, "MNIST", "train", 3)
    monkeypatch.setenv("GAN_DATA_DIR", str(from_env))
    assert resolve_data_dir() == from_env
    assert len(load_mnist(download=False)) == 2
    assert len(load_mnist(from_arg, download=False)) == 3
    monkeypatch.delenv("GAN_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert resolve_data_dir() == tmp_path / "cache" / "gan-course" / "data"


def test_offline_without_data_says_what_to_do(tmp_path, monkeypatch):
    """download=True, but the network is down: torchvision's download raises; we explain."""

    def offline(self):
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", offline)
    with pytest.raises(DataNotFoundError) as error:
        load_fashion_mnist(tmp_path / "empty")
    message = str(error.value)
    assert "No fashion-mnist data found" in message
    assert "download failed" in message and "Name or service not known" in message
    assert "GAN_DATA_DIR" in message


def test_download_goes_through_torchvision(tmp_path, monkeypatch):
    """With a network, torchvision's own download fills the folder; the loader then reads it."""
    calls = []

    def download(self):  # stands in for the network: leaves what torchvision's download leaves
        calls.append(self.root)
        write_split(Path(self.root), "MNIST", "train", 3)
        write_split(Path(self.root), "MNIST", "test", 2)

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", download)
    data = load_mnist(tmp_path)
    assert calls == [str(tmp_path)] and data.split == "train" and len(data) == 3


def test_bad_files_raise_clear_errors(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    write_split(tmp_path, "MNIST", "train", 3)
    write_idx(raw / "train-labels-idx1-ubyte", np.zeros(2, dtype=np.uint8))
    with pytest.raises(ValueError, match="3 images but .* 2 labels"):
        load_mnist(tmp_path, download=False)
    (raw / "train-images-idx3-ubyte").write_bytes(b"not an idx file")
    with pytest.raises(ValueError, match="could not read .*train-images-idx3-ubyte"):
        load_mnist(tmp_path, download=False)


@pytest.mark.parametrize(
    "kwargs", [{"name": "cifar"}, {"name": "mnist", "split": "val"}, {"name": "mnist", "limit": 0}]
)
def test_bad_arguments(kwargs, tmp_path):
    with pytest.raises(ValueError):
        load_dataset(data_dir=tmp_path, download=False, **kwargs)


@pytest.mark.filterwarnings("ignore::helpers.data.DataSplitWarning")
def test_the_real_mnist_copy(mnist_dir):
    """The offline copy in $GAN_DATA_DIR (CI: ../shared/data, the real 10,000-image test split)."""
    data = load_dataset("mnist", data_dir=mnist_dir, split="auto", download=False)
    assert data.images.shape[1:] == (1, 28, 28)
    assert len(data) in (10_000, 60_000)
    counts = torch.bincount(data.labels, minlength=10)
    assert counts.numel() == 10 and counts.min() > 0.08 * len(data)  # every digit, roughly balanced
    assert float(data.images.mean()) < -0.5  # mostly black background


def test_importing_the_helpers_leaves_torchvision_for_when_data_is_read():
    """torchvision takes 2 s to import (torch._dynamo, through torchvision.models): every kernel
    start and every sandboxed grading paid it before reading any data."""
    modules = ", ".join(
        f"helpers.{m}" for m in ("checks", "data", "games", "metrics", "mixture", "plotting", "training", "utils")
    )
    probe = f"import sys, {modules}; print('torchvision' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["False"]
