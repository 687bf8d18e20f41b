"""Reading and rewriting nbgrader notebooks: which cells are solutions, tests or written answers."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from helpers.markers import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, without_markers

# What the release holds in place of a solution (nbgrader_config.py hands these to nbgrader).
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
POINTS_IN_TITLE = re.compile(r"\[(\d+(?:\.\d+)?) points?\]")


def meta(cell) -> dict:
    """The cell's nbgrader metadata; {} where there is none or it is not a dict (a broken submission)."""
    metadata = cell.get("metadata")
    found = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def grade_id(cell) -> str | None:
    found = meta(cell).get("grade_id")
    return found if isinstance(found, str) and found else None


def run_id(cell, index: int) -> str:
    """The id a cell runs under at grading (course.engine.grader.cells_to_run) and is shown by (the graded
    notebook): its grade id, else "cell-<its index in the source notebook>"."""
    return grade_id(cell) or f"cell-{index}"


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


def runnable(source: str, include_hidden: bool = True) -> str:
    """A code cell's source with the solution markers removed (their content kept) and the hidden
    tests' markers removed (their content kept, or dropped with `include_hidden=False`)."""
    source = without_markers(source, BEGIN_SOLUTION, END_SOLUTION, keep_inside=True)
    return without_markers(source, BEGIN_HIDDEN, END_HIDDEN, keep_inside=include_hidden)


DEMO = "demo"  # the cell tag of a demonstration (a training run, a figure) that no check depends on


def is_demo(cell) -> bool:
    """A source cell tagged "demo" (Jupyter's cell tags): the student runs it, grading does not."""
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return isinstance(tags, list) and DEMO in tags


def graded_cells(nb) -> list:
    """`nb`'s cells that can change a verdict, in order: those up to its last test cell (what comes
    after runs after every check has), without the demonstrations tagged "demo" (`demo_problems`
    proves that no graded cell reads what they define). Grading runs only these."""
    last = max((i for i, cell in enumerate(nb.cells) if is_test(cell)), default=len(nb.cells) - 1)
    return [cell for cell in nb.cells[: last + 1] if not is_demo(cell)]


def demo_problems(nb) -> list[str]:
    """Why `nb`'s "demo" tags are unsafe, if they are: a demo cell that is a solution or a test
    cell, or a name a demo cell binds that a graded cell after it reads (which grading, skipping
    the demo, would not have). Top-level names only, from the cells' syntax."""
    import ast

    def bound(tree) -> set[str]:
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        return names

    def read(tree) -> set[str]:
        return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}

    problems, from_demos = [], {}
    graded = {id(cell) for cell in graded_cells(nb)}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(runnable(cell.source))
        name = grade_id(cell) or cell.get("id", "?")
        if is_demo(cell):
            if is_test(cell) or is_solution(cell):
                problems.append(f"{name}: a test or solution cell cannot be a demo")
            for bound_name in bound(tree):
                from_demos[bound_name] = name
        elif id(cell) in graded:
            for used in sorted(read(tree) & set(from_demos)):
                problems.append(f"{name} reads {used}, which the demo cell {from_demos[used]} defines")
            for rebound in bound(tree):
                from_demos.pop(rebound, None)
    return problems


def code_for_execution(
    nb, include_tests: bool = True, include_hidden: bool = True, graded_only: bool = False
) -> list[tuple[str | None, str]]:
    """(grade_id, source) of the code cells to run in order, with solution and hidden-test markers
    removed; `graded_only`: only those grading runs (`graded_cells`)."""
    cells = []
    for cell in graded_cells(nb) if graded_only else nb.cells:
        if cell.cell_type != "code" or (is_test(cell) and not include_tests):
            continue
        cells.append((grade_id(cell), runnable(cell.source, include_hidden)))
    return cells


def release_stub(source: str) -> str:
    """The cell as the release has it: each solution region replaced by CODE_STUB, indented like its
    BEGIN marker (what nbgrader's ClearSolutions does with nbgrader_config.py, which takes the stub
    from here)."""
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == BEGIN_SOLUTION:
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub for stub in CODE_STUB.split("\n")]
            inside = True
        elif line.strip() == END_SOLUTION:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)
