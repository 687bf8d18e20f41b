"""Run a notebook's code cells in this Python process, cell by cell, recording which ones fail.

Much faster than a kernel (no start-up, torch imported once), so the tests can try dozens of wrong
submissions; the end-to-end tests still go through real kernels and real nbgrader.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from course import nbtools


@dataclass
class Run:
    namespace: dict
    errors: dict[str, str] = field(default_factory=dict)  # grade_id -> "ExceptionType: message"
    ran: list[str] = field(default_factory=list)  # grade_ids in order

    def failed_tests(self, nb) -> set[str]:
        tests = {nbtools.grade_id(c) for c in nb.cells if nbtools.is_test(c)}
        return tests & set(self.errors)


def run(
    nb,
    cells: dict[str, str] | None = None,
    only: set[str] | None = None,
    include_tests=True,
    name="notebook",
    include_hidden=True,
    graded_only=True,
) -> Run:
    """Execute `nb`'s code cells in a fresh namespace, the solution cells in `cells` replaced.

    - only: run only the cells with these grade_ids (None runs every code cell);
    - include_hidden: False runs the test cells as the student's release has them;
    - graded_only: only the cells grading runs (nbtools.graded_cells: no demo, nothing after the last test).
    A cell that raises is recorded in `errors` and execution goes on, as nbgrader's autograder does.
    """
    if cells:
        nb = nbtools.fill(nb, cells)
    namespace: dict = {"__name__": "__main__"}
    result = Run(namespace=namespace)
    with _headless():
        for index, (gid, source) in enumerate(
            nbtools.code_for_execution(
                nb, include_tests=include_tests, include_hidden=include_hidden, graded_only=graded_only
            )
        ):
            key = gid or f"cell-{index}"
            if only is not None and key not in only:
                continue
            result.ran.append(key)
            try:
                exec(compile(source, f"<{name}:{key}>", "exec"), namespace)
            except Exception as error:  # a failing cell is data here, not a crash
                result.errors[key] = f"{type(error).__name__}: {error}"
    return result


@contextmanager
def _headless():
    """Plots go to the non-interactive Agg backend and are closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        yield
    finally:
        plt.close("all")
