"""Regenerate the stored reference answers (answers/*.npz) from the solutions in the source notebooks.

Each exercise module in `helpers.checks` that names its ASSIGNMENT provides
`reference_answers(**solution_functions)`; this runs the notebook's setup cell and solution cells
in-process, hands the functions to it and saves the values it returns. Computed on the CPU, in
float32, from fixed seeds: the same bytes on every run.

The values are split by who needs them, found by running rather than by name: the notebook is run
as the student's release has it (test cells without their hidden parts, smoke setting) and every
answer it reads goes to answers/<name>.npz (the student kit's); the rest, which only the hidden
cases read, to answers/hidden/<name>.npz (the grader's).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import os
import pkgutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch

import helpers.answers
import helpers.checks
from course import nbtools
from course.authoring import inprocess

SETUP_CELL = "setup"


def exercise_modules() -> list:
    """The modules of helpers.checks that belong to an assignment (they define ASSIGNMENT and NAME)."""
    modules = []
    for info in pkgutil.iter_modules(helpers.checks.__path__):
        module = importlib.import_module(f"helpers.checks.{info.name}")
        if hasattr(module, "ASSIGNMENT") and hasattr(module, "reference_answers"):
            modules.append(module)
    return modules


def compute(module, source_dir: Path) -> dict[str, np.ndarray]:
    """Run the assignment's solutions and return its reference answers as NumPy arrays."""
    folder = source_dir / module.ASSIGNMENT
    paths = nbtools.notebooks(folder)
    if len(paths) != 1:
        raise RuntimeError(f"{folder}: expected one source notebook, found {len(paths)}")
    nb = nbtools.read(paths[0])
    wanted = {SETUP_CELL, *getattr(module, "GIVEN_CELLS", ())}  # given code the solutions call
    wanted |= {nbtools.grade_id(c) for c in nb.cells if nbtools.is_solution(c) and c.cell_type == "code"}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        run = inprocess.run(nb, only=wanted, include_tests=False, name=module.ASSIGNMENT)
    if run.errors:
        raise RuntimeError(f"{paths[0]}: solution cells failed: {run.errors}")
    parameters = inspect.signature(module.reference_answers).parameters
    functions = {name: run.namespace[name] for name in parameters}
    values = module.reference_answers(**functions)
    return {key: _to_numpy(value) for key, value in sorted(values.items())}


def save(answers: dict[str, np.ndarray], path: Path) -> None:
    """Write an .npz whose bytes depend only on the values (fixed member order and timestamps)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(answers):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as member:
                np.lib.format.write_array(member, answers[key], allow_pickle=False)


def visible_keys(module, source_dir: Path, values: dict[str, np.ndarray]) -> set[str]:
    """The keys of `values` that the visible checks read: the source notebook run in-process as
    the release has it (hidden parts of the test cells removed), in the smoke setting, with
    `values` as its answers. Every visible check must pass on the solution."""
    (path,) = nbtools.notebooks(source_dir / module.ASSIGNMENT)
    nb = nbtools.read(path)
    with tempfile.TemporaryDirectory(prefix="gan-answers-") as folder:
        save(values, Path(folder) / f"{module.NAME}.npz")
        with (
            _environment(GAN_ANSWERS_DIR=folder, GAN_SMOKE="1"),
            helpers.answers.reads() as read,
            torch.random.fork_rng(devices=[]),
            contextlib.redirect_stdout(io.StringIO()),
        ):  # the notebook's prints
            helpers.answers._load.cache_clear()
            run = inprocess.run(nb, include_hidden=False, name=module.ASSIGNMENT)
        helpers.answers._load.cache_clear()
    failed = run.failed_tests(nb)
    if failed:
        raise RuntimeError(
            f"{path}: the visible checks fail on the solution: {sorted(failed)}: "
            f"{[run.errors[t] for t in sorted(failed)]}"
        )
    return {key for name, key in read if name == module.NAME}


def split(values: dict[str, np.ndarray], visible: set[str]) -> tuple[dict, dict]:
    """(what the student kit holds, what only the grader holds)."""
    return ({k: v for k, v in values.items() if k in visible}, {k: v for k, v in values.items() if k not in visible})


def regenerate(source_dir: Path, out_dir: Path) -> list[Path]:
    return [path for module in exercise_modules() for path in regenerate_module(module, source_dir, out_dir)]


def regenerate_module(module, source_dir: Path, out_dir: Path) -> list[Path]:
    """Write `module`'s answers: out_dir/<name>.npz (visible) and out_dir/hidden/<name>.npz."""
    values = compute(module, source_dir)
    shown, hidden = split(values, visible_keys(module, source_dir, values))
    written = [out_dir / f"{module.NAME}.npz", out_dir / helpers.answers.HIDDEN / f"{module.NAME}.npz"]
    save(shown, written[0])
    save(hidden, written[1])
    return written


@contextlib.contextmanager
def _environment(**variables: str):
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype == np.float64:
        raise TypeError("reference answers are float32 (the course's dtype); got float64")
    return array
