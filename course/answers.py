"""Regenerate the stored reference answers (answers/*.npz) from the solutions in the source notebooks.

Each exercise module in `helpers.checks` that names its ASSIGNMENT provides
`reference_answers(**solution_functions)`; this runs the notebook's setup cell and solution cells
in-process, hands the functions to it and saves the values it returns. Computed on the CPU, in
float32, from fixed seeds: the same bytes on every run.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import zipfile
from pathlib import Path

import numpy as np
import torch

import helpers.checks
from course import inprocess, nbtools

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


def regenerate(source_dir: Path, out_dir: Path) -> list[Path]:
    written = []
    for module in exercise_modules():
        path = out_dir / f"{module.NAME}.npz"
        save(compute(module, source_dir), path)
        written.append(path)
    return written


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype == np.float64:
        raise TypeError("reference answers are float32 (the course's dtype); got float64")
    return array
