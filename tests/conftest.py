"""Shared fixtures: the repository's paths, the source notebooks, and a scratch nbgrader course."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # no screen in CI; notebooks run in-process plot to memory

from course import nbtools  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "notebooks"
ASSIGNMENTS = nbtools.assignments(SOURCE)


@pytest.fixture(scope="session", autouse=True)
def smoke_setting():
    """Notebooks run by the tests train for a few steps only (GAN_SMOKE=1), as in CI's notebook run."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAN_SMOKE", "1")
        yield


def source_notebook(assignment: str):
    (path,) = nbtools.notebooks(SOURCE / assignment)
    return nbtools.read(path)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder holding MNIST (the $GAN_DATA_DIR the notebooks will use); skipped if there is none.

    In CI ($CI set) a missing copy is an error, not a skip: CI must test the real data path.
    """
    from helpers.data import resolve_data_dir

    root = resolve_data_dir()
    raw = root / "MNIST" / "raw"
    if not any(raw.glob("*-ubyte*")):
        message = f"no MNIST files under {raw}: set GAN_DATA_DIR (CI uses ../shared/data)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root


def nbgrader_config(root: Path = REPO):
    """The course's nbgrader_config.py at `root` as nbgrader loads it (a traitlets Config)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def make_course(tmp: Path) -> Path:
    """A scratch course root: nbgrader_config.py, the source notebooks and the samples, copied."""
    from course import workflow

    return workflow.copy_course(REPO, tmp)
