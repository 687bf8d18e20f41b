"""course/nbtools.py: what the release holds in place of a solution is what nbgrader hands out."""

from __future__ import annotations

import subprocess
import sys

import nbformat
from nbgrader.preprocessors import ClearSolutions

from conftest import REPO, nbgrader_config
from course import nbtools


def nbgraders_release(source: str) -> str:
    """nbgrader's own ClearSolutions, configured by the course's nbgrader_config.py, on one cell."""
    config = nbgrader_config()
    metadata = {"nbgrader": {"solution": True, "grade": False, "locked": False, "grade_id": "f", "schema_version": 3}}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source, metadata=metadata)])
    nb, _ = ClearSolutions(config=config).preprocess(nb, {})
    return nb.cells[0].source


def test_a_release_stub_is_what_nbgrader_hands_out():
    for source in [
        "def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n",
        "x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION\nz = 3",
        "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
    ]:
        assert nbtools.release_stub(source) == nbgraders_release(source)
    assert "raise NotImplementedError()" in nbtools.release_stub("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")


def test_reading_a_notebook_builds_no_iri_parser():
    """nbformat imports jsonschema, whose format checkers from 4.25 on include an IRI parser built at
    import (rfc3987-syntax, Lark): 2 s added to every course and nbgrader command. pyproject.toml keeps
    jsonschema below 4.25 until that import is lazy; this fails when a jsonschema that builds it
    comes back."""
    code = "import sys, nbformat, course.nbtools; print(sorted({'rfc3987_syntax', 'lark'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]", f"importing nbformat built {done.stdout.strip()}"
