"""Every check catches the mistakes it is written for, and only those; correct variants pass.

Each file in tests/mistakes/<assignment>/ is a small wrong implementation (patch format, see
course/patches.py) naming the graded checks it must fail. It replaces the solution's cell and the
whole notebook runs in-process: exactly those checks must fail, each with an AssertionError, and
every other check must pass. Files in tests/alternatives/ are correct implementations written
differently from the solution: every check must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ASSIGNMENTS, source_notebook
from course import inprocess, nbtools, patches

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

HERE = Path(__file__).parent


def _cases(kind: str):
    for assignment in ASSIGNMENTS:
        for path in sorted((HERE / kind / assignment).glob("*.py")):
            yield pytest.param(assignment, path, id=f"{assignment}/{path.stem}")


@pytest.fixture(scope="module")
def notebooks():
    return {assignment: source_notebook(assignment) for assignment in ASSIGNMENTS}


@pytest.mark.usefixtures("mnist_dir")
@pytest.mark.parametrize("assignment, path", list(_cases("mistakes")))
def test_mistake_fails_exactly_its_checks(assignment, path, notebooks):
    nb = notebooks[assignment]
    patch = patches.load(path)
    tests = set(nbtools.test_points(nb))
    assert patch.fails, f"{path.name} names no check it must fail"
    assert patch.fails <= tests, f"{path.name} names unknown checks {sorted(patch.fails - tests)}"

    run = inprocess.run(nb, cells=patch.cells, name=path.stem)
    failed = run.failed_tests(nb)
    assert failed == patch.fails, (
        f"{patch.description}\n  should fail: {sorted(patch.fails)}\n  failed:      {sorted(failed)}\n"
        f"  errors: {run.errors}"
    )
    for grade_id in failed:
        assert run.errors[grade_id].startswith("AssertionError: "), (
            f"{grade_id} failed without a clear reason: {run.errors[grade_id]}"
        )
    assert patch.unsaid(run.errors) == {}, f"reasons that do not say what {path.name} names: {run.errors}"


@pytest.mark.usefixtures("mnist_dir")
@pytest.mark.parametrize("assignment, path", list(_cases("alternatives")))
def test_equivalent_implementation_passes_every_check(assignment, path, notebooks):
    nb = notebooks[assignment]
    patch = patches.load(path)
    run = inprocess.run(nb, cells=patch.cells, name=path.stem)
    assert run.failed_tests(nb) == set(), f"{patch.description}: {run.errors}"


def test_every_check_is_exercised_by_some_mistake():
    """A check no mistake fails is a check nobody has shown can fail."""
    for assignment in ASSIGNMENTS:
        caught = set()
        for path in (HERE / "mistakes" / assignment).glob("*.py"):
            caught |= patches.load(path).fails
        assert set(nbtools.test_points(source_notebook(assignment))) == caught
