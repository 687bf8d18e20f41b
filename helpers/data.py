"""MNIST and Fashion-MNIST as tensors, online through torchvision or offline from whatever is on disk.

Where the data lives, first match wins:
1. the `data_dir` argument;
2. the environment variable $GAN_DATA_DIR;
3. `~/.cache/gan-course/data` (or `$XDG_CACHE_HOME/gan-course/data`).

Inside it the files use torchvision's own layout, e.g. `MNIST/raw/train-images-idx3-ubyte`
(or the same name ending in `.gz`), so a folder that torchvision downloaded into works as is.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

DATA_DIR_ENV = "GAN_DATA_DIR"

# name -> torchvision's folder name, which is also its dataset class's name. torchvision itself is
# imported where data is read (it takes 2 s, most of it torch._dynamo), not when helpers is.
_DATASETS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DataNotFoundError(FileNotFoundError):
    """No usable copy of a dataset: the message says where we looked and what to do."""


class DataSplitWarning(UserWarning):
    """The split that was asked for is missing and another one is used instead."""


@dataclass(frozen=True)
class ImageData:
    """A dataset held in memory as tensors.

    - images: float32 Tensor of shape (N, 1, 28, 28), values in [-1, 1] (the range of Tanh)
    - labels: int64 Tensor of shape (N,), class indices 0..9
    - name: "mnist" or "fashion-mnist"; split: "train" or "test"; root: the folder read
    """

    images: torch.Tensor
    labels: torch.Tensor
    name: str
    split: str
    root: Path

    def __len__(self) -> int:
        return self.images.shape[0]


def default_data_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "gan-course" / "data"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data folder: the argument, else $GAN_DATA_DIR, else the per-user cache folder."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()


def load_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    split: str = "auto",
    download: bool = True,
    limit: int | None = None,
    _stacklevel: int = 2,
) -> ImageData:
    """Load MNIST or Fashion-MNIST into memory.

    Inputs:
    - name: "mnist" or "fashion-mnist".
    - data_dir: the data folder; None means $GAN_DATA_DIR or the cache folder (see the module doc).
    - split: "train", "test", or "auto" for the training split if present, else the test split.
    - download: when no wanted split is on disk, let torchvision download the dataset.
    - limit: keep only the first `limit` images (smoke runs); None keeps all.

    Returns:
    - ImageData with images of shape (N, 1, 28, 28) in [-1, 1] and labels of shape (N,).

    Raises DataNotFoundError, saying what to do, when no copy can be found or downloaded.
    """
    if name not in _DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(_DATASETS)}")
    if split not in ("auto", "train", "test"):
        raise ValueError(f"split must be 'auto', 'train' or 'test', got {split!r}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")

    root = resolve_data_dir(data_dir)
    folder = _DATASETS[name]
    raw = root / folder / "raw"
    wanted = ("train", "test") if split == "auto" else (split,)

    found = _first_split_on_disk(raw, wanted)
    if found is None and download:
        found = _download(folder, root, raw, wanted, name)
    if found is None:
        raise DataNotFoundError(_missing_message(name, raw, wanted, download_tried=False))

    images, labels = _read_split(raw, found)
    if split == "auto" and found != "train":
        warnings.warn(
            f"{name}: the training split is not in {raw}; using the {found} split instead "
            f"({images.shape[0]:,} images). Training works the same, with less data.",
            DataSplitWarning,
            stacklevel=_stacklevel,
        )
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    # uint8 0..255 -> float32 -1..1, the range of the generator's Tanh
    images = images.unsqueeze(1).to(torch.float32).div_(127.5).sub_(1.0)
    return ImageData(images=images, labels=labels.to(torch.int64), name=name, split=found, root=root)


def load_mnist(data_dir=None, split: str = "auto", download: bool = True, limit: int | None = None) -> ImageData:
    """MNIST digits; see `load_dataset` for the arguments and the returned shapes."""
    return load_dataset("mnist", data_dir=data_dir, split=split, download=download, limit=limit, _stacklevel=3)


def load_fashion_mnist(
    data_dir=None, split: str = "auto", download: bool = True, limit: int | None = None
) -> ImageData:
    """Fashion-MNIST clothes; see `load_dataset` for the arguments and the returned shapes."""
    return load_dataset("fashion-mnist", data_dir=data_dir, split=split, download=download, limit=limit, _stacklevel=3)


def _split_paths(raw: Path, split: str) -> list[Path] | None:
    """The image and label files of `split` (plain or .gz), or None when either is missing."""
    paths = []
    for base in _SPLIT_FILES[split]:
        for candidate in (raw / base, raw / f"{base}.gz"):
            if candidate.is_file():
                paths.append(candidate)
                break
        else:
            return None
    return paths


def _first_split_on_disk(raw: Path, wanted: tuple[str, ...]) -> str | None:
    return next((s for s in wanted if _split_paths(raw, s) is not None), None)


def _download(folder: str, root: Path, raw: Path, wanted, name: str) -> str | None:
    """torchvision's own download (with its checksums); None or DataNotFoundError when it fails."""
    from torchvision import datasets

    dataset_class = getattr(datasets, folder)
    try:
        # torchvision fetches all four files of the dataset, whichever split is asked for.
        dataset_class(str(root), train=(wanted[0] == "train"), download=True)
    except Exception as error:  # no network, a proxy, a full disk: say so and what to do
        raise DataNotFoundError(
            _missing_message(name, raw, wanted, download_tried=True) + f"\nThe download failed with: {error!r}"
        ) from error
    return _first_split_on_disk(raw, wanted)


def _read_split(raw: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    from torchvision.datasets.mnist import read_image_file, read_label_file

    image_path, label_path = _split_paths(raw, split)
    images = _read_idx(image_path, read_image_file)  # (N, 28, 28) uint8
    labels = _read_idx(label_path, read_label_file)  # (N,) uint8
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{image_path} holds {images.shape[0]} images but {label_path} holds {labels.shape[0]} labels: "
            "one of the files is incomplete; delete both and download again."
        )
    return images, labels


def _read_idx(path: Path, reader) -> torch.Tensor:
    """Read an IDX file with torchvision's reader, unpacking a .gz copy to a temporary file first."""
    try:
        if path.suffix != ".gz":
            return reader(str(path))
        with tempfile.TemporaryDirectory() as tmp:
            plain = Path(tmp) / path.stem
            with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst)
            return reader(str(plain))
    except Exception as error:
        raise ValueError(
            f"could not read {path} as an IDX file ({error!r}); it may be truncated or corrupt: "
            "delete it and download again."
        ) from error


def _missing_message(name: str, raw: Path, wanted, download_tried: bool) -> str:
    files = ", ".join(f for s in wanted for f in _SPLIT_FILES[s])
    lines = [
        f"No {name} data found: looked in {raw} for {files} (each may also end in .gz).",
        "To fix it, do one of:",
        "  - connect to the internet and call again with download=True (torchvision downloads it);",
        f"  - point ${DATA_DIR_ENV} (or the data_dir argument) at a folder that holds "
        f"{raw.parent.name}/raw/ with those files;",
        "  - copy the files into the folder above.",
    ]
    if not download_tried:
        lines.insert(1, "Downloading was not allowed (download=False).")
    return "\n".join(lines)
