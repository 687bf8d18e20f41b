"""Execute notebooks headless in a real Jupyter kernel (nbclient), as a student's "Run all" would."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course import nbtools


@dataclass
class Result:
    path: Path
    nb: object
    seconds: float
    error: str | None


def run_notebook(path: Path, timeout: int = 600, allow_errors: bool = False) -> Result:
    """Run every cell of `path` in a fresh python3 kernel, working directory = the notebook's folder."""
    nb = nbtools.read(path)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = str(failure)
    return Result(path, nb, time.perf_counter() - started, error)


def run_folder(folder: Path, out: Path | None = None) -> list[Result]:
    """Run every notebook in `folder`; write the executed copies to `out` (the sources stay clean)."""
    results = []
    for path in nbtools.notebooks(folder):
        result = run_notebook(path)
        if out is not None:
            nbtools.write(result.nb, out / path.name)
        results.append(result)
    return results
