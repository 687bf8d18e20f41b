"""Stored reference answers: values (never code) that the checks compare against.

One `.npz` file per exercise module in the repository's `answers/` folder, written by
`make answers` from the solutions. $GAN_ANSWERS_DIR points elsewhere (e.g. on a grading server).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

ANSWERS_ENV = "GAN_ANSWERS_DIR"


def answers_dir() -> Path:
    """$GAN_ANSWERS_DIR, else the `answers/` folder beside this package in the repository."""
    from_env = os.environ.get(ANSWERS_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(__file__).resolve().parent.parent / "answers"


def load_answers(name: str) -> dict[str, np.ndarray]:
    """The reference answers of exercise module `name` as a dict of NumPy arrays (read-only).

    While a check is recorded in the grading sandbox (helpers.checks.replay), where the answers
    are not, placeholders stand in: the check is judged when it is replayed outside."""
    from helpers.checks import replay

    if replay.recording():
        return replay.unknown_answers()
    return dict(_load(str(answers_dir() / f"{name}.npz")))


@lru_cache(maxsize=16)
def _load(path: str) -> dict[str, np.ndarray]:
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"reference answers {path} are missing. In the course repository run `make answers`; "
            f"elsewhere set ${ANSWERS_ENV} to the folder that holds them."
        )
    with np.load(path, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for array in arrays.values():
        array.setflags(write=False)
    return arrays
