"""Reading and rewriting nbgrader notebooks: which cells are solutions, tests or written answers."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
POINTS_IN_TITLE = re.compile(r"\[(\d+(?:\.\d+)?) points?\]")


def meta(cell) -> dict:
    """The cell's nbgrader metadata; {} where there is none or it is not a dict (a broken submission)."""
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def grade_id(cell) -> str | None:
    found = meta(cell).get("grade_id")
    return found if isinstance(found, str) and found else None


def is_solution(cell) -> bool:
    """A cell the student writes in (code or a written answer)."""
    return bool(meta(cell).get("solution"))


def is_test(cell) -> bool:
    """An autograded test cell: code, graded, not written by the student."""
    m = meta(cell)
    return cell.cell_type == "code" and bool(m.get("grade")) and not m.get("solution")


def is_written_answer(cell) -> bool:
    """A manually graded answer: graded and written by the student."""
    m = meta(cell)
    return bool(m.get("grade")) and bool(m.get("solution"))


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def write(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def assignments(source_dir: Path) -> list[str]:
    """The assignment folders under `source_dir` that hold at least one notebook, in order."""
    return sorted(p.name for p in source_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def test_points(nb) -> dict[str, float]:
    """grade_id -> points of every autograded test cell."""
    return {grade_id(c): float(meta(c)["points"]) for c in nb.cells if is_test(c)}


def without_markers(source: str, begin: str, end: str, keep_inside: bool) -> str:
    """Remove the `begin`/`end` marker lines; keep or drop what lies between them."""
    out, inside = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == begin:
            inside = True
        elif stripped == end:
            inside = False
        elif keep_inside or not inside:
            out.append(line)
    return "\n".join(out)


def solutions(source_nb) -> dict[str, str]:
    """grade_id -> the instructor's solution text of every solution cell, markers removed."""
    return {
        grade_id(c): without_markers(c.source, BEGIN_SOLUTION, END_SOLUTION, keep_inside=True)
        for c in source_nb.cells
        if is_solution(c)
    }


def fill(nb, answers: dict[str, str]):
    """A copy of `nb` whose solution cells named in `answers` hold the given text instead.

    Only the cell sources change: the nbgrader metadata (ids, checksums) stay, as they do when a
    student edits a released notebook.
    """
    unknown = set(answers) - {grade_id(c) for c in nb.cells if is_solution(c)}
    if unknown:
        raise KeyError(f"no solution cell with grade_id {sorted(unknown)}")
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def code_for_execution(nb, include_tests: bool = True, include_hidden: bool = True) -> list[tuple[str | None, str]]:
    """(grade_id, source) of the code cells to run in order, with solution and hidden-test markers removed."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or (is_test(cell) and not include_tests):
            continue
        source = without_markers(cell.source, BEGIN_SOLUTION, END_SOLUTION, keep_inside=True)
        source = without_markers(source, BEGIN_HIDDEN, END_HIDDEN, keep_inside=include_hidden)
        cells.append((grade_id(cell), source))
    return cells
