"""The source notebooks: committed clean, well-formed for nbgrader, and run top to bottom in a real kernel."""

from __future__ import annotations

import re

import pytest

from conftest import ASSIGNMENTS, SOURCE
from course import nbtools
from course.authoring import execute

PATHS = [path for assignment in ASSIGNMENTS for path in nbtools.notebooks(SOURCE / assignment)]
IDS = [f"{p.parent.name}/{p.name}" for p in PATHS]


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_committed_without_outputs(path):
    for cell in nbtools.read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_nbgrader_cells_are_well_formed(path):
    nb = nbtools.read(path)
    assert nb.metadata.kernelspec.name == "python3"
    ids = [nbtools.grade_id(c) for c in nb.cells if nbtools.meta(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    tests = [c for c in nb.cells if nbtools.is_test(c)]
    assert tests, "no autograded test cells"
    for cell in tests:
        gid = nbtools.grade_id(cell)
        assert gid.startswith("test_"), gid
        first = cell.source.splitlines()[0]
        match = nbtools.POINTS_IN_TITLE.search(first)
        assert first.startswith("# Check: ") and match, f"{gid}: first line must say '# Check: ... [N points]'"
        assert float(match.group(1)) == float(nbtools.meta(cell)["points"]) > 0, (
            f"{gid}: points in title and metadata differ"
        )
        assert nbtools.BEGIN_HIDDEN in cell.source and nbtools.END_HIDDEN in cell.source, f"{gid}: no hidden part"
        visible = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=False)
        assert re.search(r"checks\.\w+\(", visible), f"{gid}: the visible part calls no check"
        assert nbtools.meta(cell)["locked"], f"{gid}: test cells must be read-only"
    for cell in nb.cells:
        if nbtools.is_solution(cell) and cell.cell_type == "code":
            assert nbtools.BEGIN_SOLUTION in cell.source and nbtools.END_SOLUTION in cell.source, nbtools.grade_id(cell)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_no_graded_cell_reads_what_a_demo_defines(path):
    """Grading skips the cells tagged "demo" (nbtools.graded_cells): safe only while nothing it runs needs them."""
    assert nbtools.demo_problems(nbtools.read(path)) == []


def test_a_demo_tag_that_grading_could_not_honour_is_refused():
    (path,) = nbtools.notebooks(SOURCE / "06_dcgan")
    nb = nbtools.read(path)
    by_id = {nbtools.grade_id(cell): cell for cell in nb.cells}
    by_id["setup"].metadata["tags"] = ["demo"]  # it imports torch, nn and the checks, which later cells use
    by_id["test_initialize_weights"].metadata["tags"] = ["demo"]
    problems = nbtools.demo_problems(nb)
    assert "test_initialize_weights: a test or solution cell cannot be a demo" in problems
    assert "classifier reads nn, which the demo cell setup defines" in problems
    assert "test_dc_classifier_structure reads checks, which the demo cell setup defines" in problems


@pytest.fixture(scope="module")
def executed(request, mnist_dir):
    """Each source notebook run in a fresh python3 kernel, smoke setting, like `make notebooks SMOKE=1`."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GAN_SMOKE", "1")
    mp.setenv("GAN_DATA_DIR", str(mnist_dir))
    try:
        yield {path: execute.run_notebook(path, allow_errors=True) for path in PATHS}
    finally:
        mp.undo()


@pytest.mark.slow  # runs the whole notebook
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_runs_headless_and_every_check_passes(path, executed):
    result = executed[path]
    for cell in result.nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{nbtools.grade_id(cell)}: {errors[0].ename}: {errors[0].evalue}"
        if nbtools.is_test(cell):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
            assert "passed: " in text, f"{nbtools.grade_id(cell)} printed no 'passed' line"
            # nbgrader gives 0 points to a test cell that writes to stderr, even if it passed
            assert not [o for o in cell.outputs if o.get("name") == "stderr"], (
                f"{nbtools.grade_id(cell)} wrote to stderr"
            )
    images = sum(
        1 for c in result.nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})
    )
    assert images >= 2, "the notebook should show its figures (real digits, generated images)"
    last = result.nb.cells[-1]  # the self-check: every visible check again, all points
    total = sum(nbtools.test_points(result.nb).values())
    assert last.get("id") == "self_check" and f"Total: {total:g}/{total:g} points" in "".join(
        o.get("text", "") for o in last.outputs
    ), last.outputs
