"""Every check catches the mistakes it is written for, and only those; correct variants pass.

Each file in tests/mistakes/<assignment>/ is a small wrong implementation (patch format, see
course/authoring/patches.py) naming the graded checks it must fail; samples/<assignment>/ holds the partly
wrong sample submissions of `make demo`. Each is graded once, by the grader (record in a child
process, verdicts judged here against the hidden answers): exactly the named checks must fail, each
an AssertionError with a reason that says what the file names, and every other check must pass.
Files in tests/alternatives/ are correct implementations written differently from the solution:
every check must pass.

These files are the course's own code, so they run in forks of a warm interpreter
(`sandbox.run_forked`: the sandbox's child program and protocol without the sandbox), not each in a
fresh sandbox that imports torch again; tests/test_grader.py grades the solutions, the releases and
the cheats through the real sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ASSIGNMENTS, REPO, source_notebook
from course import nbtools
from course.authoring import patches
from course.engine import grader, sandbox

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

HERE = Path(__file__).parent
NO_FIGURES = sandbox.Limits(figures=0)  # verdicts never read figures; drawing them for the feedback costs seconds


def _cases(*folders: Path):
    for assignment in ASSIGNMENTS:
        for folder in folders:
            for path in sorted((folder / assignment).glob("*.py")):
                yield pytest.param(assignment, path, id=f"{assignment}/{folder.name}/{path.stem}")


def grade(tmp_path, assignment: str, cells: dict[str, str]) -> grader.Grading:
    (source,) = nbtools.notebooks(REPO / "notebooks" / assignment)
    submission = tmp_path / source.name
    nbtools.write(nbtools.fill(nbtools.read(source), cells), submission)
    grading = grader.grade(source, submission, limits=NO_FIGURES, run=sandbox.run_forked)
    assert grading.status == "ok", grading.reason
    return grading


@pytest.mark.usefixtures("mnist_dir")
@pytest.mark.parametrize("assignment, path", list(_cases(HERE / "mistakes", REPO / "samples")))
def test_each_mistake_fails_exactly_its_checks(tmp_path, assignment, path):
    patch = patches.load(path)
    tests = set(nbtools.test_points(source_notebook(assignment)))
    assert patch.fails, f"{path.name} names no check it must fail"
    assert patch.fails <= tests, f"{path.name} names unknown checks {sorted(patch.fails - tests)}"

    grading = grade(tmp_path, assignment, patch.cells)
    lost = {v.grade_id: v for v in grading.verdicts if v.points < v.max_points}
    reasons = {grade_id: v.reason for grade_id, v in lost.items()}
    assert set(lost) == patch.fails, (
        f"{patch.description}\n  should fail: {sorted(patch.fails)}\n  failed:      {sorted(lost)}\n  reasons: {reasons}"
    )
    for grade_id, verdict in lost.items():
        assert verdict.error == "AssertionError" and verdict.reason, (
            f"{grade_id} failed without a clear reason: {verdict}"
        )
    assert patch.unsaid(reasons) == {}, f"reasons that do not say what {path.name} names: {reasons}"


@pytest.mark.usefixtures("mnist_dir")
@pytest.mark.parametrize("assignment, path", list(_cases(HERE / "alternatives")))
def test_each_alternative_gets_full_marks(tmp_path, assignment, path):
    patch = patches.load(path)
    grading = grade(tmp_path, assignment, patch.cells)
    assert grading.score == grading.max_score > 0, f"{patch.description}: {grader.format_grading(grading)}"


def test_every_check_is_exercised_by_some_mistake():
    """A check no mistake fails is a check nobody has shown can fail."""
    for assignment in ASSIGNMENTS:
        caught = set()
        for path in (HERE / "mistakes" / assignment).glob("*.py"):
            caught |= patches.load(path).fails
        assert set(nbtools.test_points(source_notebook(assignment))) == caught
