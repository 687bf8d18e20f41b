"""Stored reference answers: values (never code) that the checks compare against.

Two `.npz` files per exercise module, written by `make answers` from the solutions:
`answers/<name>.npz` holds what the visible checks compare against (it ships with the student
kit), `answers/hidden/<name>.npz` what only the hidden cases need (the grader's; never in the
student kit). $GAN_ANSWERS_DIR points elsewhere (e.g. on a grading server).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

ANSWERS_ENV = "GAN_ANSWERS_DIR"
HIDDEN = "hidden"  # the sub-folder of the hidden cases' values
_reads: set[tuple[str, str]] | None = None  # (module, key) read while `reads()` is on


def answers_dir() -> Path:
    """$GAN_ANSWERS_DIR, else the `answers/` folder beside this package in the repository."""
    from_env = os.environ.get(ANSWERS_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(__file__).resolve().parent.parent / "answers"


def load_answers(name: str) -> dict[str, np.ndarray]:
    """The reference answers of exercise module `name` as a dict of NumPy arrays (read-only): the
    visible ones, and the hidden cases' too where their file is there (the grader's copy).

    While a check is recorded in the grading sandbox (helpers.checks.replay), where the answers
    are not, placeholders stand in: the check is judged when it is replayed outside."""
    from helpers.checks import replay

    if replay.recording():
        return replay.unknown_answers()
    folder = answers_dir()
    values = dict(_load(str(folder / f"{name}.npz")))
    hidden = folder / HIDDEN / f"{name}.npz"
    if hidden.is_file():
        values.update(_load(str(hidden)))
    return _Answers(name, values)


class _Answers(dict):
    """A dict of answers that notes which keys are read while `reads()` is on."""

    def __init__(self, name: str, values: dict):
        super().__init__(values)
        self.name = name

    def __getitem__(self, key):
        if _reads is not None:
            _reads.add((self.name, key))
        return super().__getitem__(key)

    def get(self, key, default=None):
        if _reads is not None:
            _reads.add((self.name, key))
        return super().get(key, default)


@contextmanager
def reads():
    """Collect the (module, key) pairs of the answers read inside: how `make answers` finds which
    values the visible checks need."""
    global _reads
    outer, _reads = _reads, set()
    try:
        yield _reads
    finally:
        _reads = outer


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
