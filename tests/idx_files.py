"""Small IDX files in torchvision's layout, written by the tests (Fashion-MNIST has no offline copy)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

PREFIX = {"train": "train", "test": "t10k"}


def write_idx(path: Path, array: np.ndarray, gz: bool = False) -> None:
    """An IDX file as MNIST ships it: magic (0, 0, type 0x08 = ubyte, ndim), big-endian sizes, bytes."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_split(root: Path, folder: str, split: str, n: int, gz: bool = False, seed: int = 0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    raw = root / folder / "raw"
    write_idx(raw / f"{PREFIX[split]}-images-idx3-ubyte", images, gz)
    write_idx(raw / f"{PREFIX[split]}-labels-idx1-ubyte", labels, gz)
    return images, labels
