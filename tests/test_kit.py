"""The student kit (`make kit`): what students install holds no solution and no hidden case's value,
and the released notebook's visible checks work with it."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import REPO, make_course, source_notebook
from course import inprocess, kit, nbtools, workflow

ASSIGNMENT = "01_minimax"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course"))
    workflow.release(root, [ASSIGNMENT])
    return kit.build(root, root / "build" / "student-kit")


def test_the_kit_holds_the_package_the_visible_answers_and_the_release(built):
    names = {p.relative_to(built).parts[0] for p in built.rglob("*")}
    assert names == {"helpers", "answers", "release", "pyproject.toml", "README.md"}
    assert (built / "helpers" / "weights" / "mnist.npz").is_file()
    assert sorted(p.name for p in (built / "answers").iterdir()) == sorted(p.name for p in (REPO / "answers").glob("*.npz"))
    for path in (built / "answers").iterdir():
        with np.load(path) as shown, np.load(REPO / "answers" / "hidden" / path.name) as hidden:
            assert shown.files and not set(shown.files) & set(hidden.files)
    project = (built / "pyproject.toml").read_text()
    assert not [name for name in ('"nbgrader', '"distributed', '"pytest', '"jupyterlab') if name in project]
    assert 'include = ["helpers*"]' in project and '"torch>=' in project
    text = "\n".join(cell.source for path in (built / "release").rglob("*.ipynb") for cell in nbtools.read(path).cells)
    assert nbtools.BEGIN_SOLUTION not in text and nbtools.BEGIN_HIDDEN not in text


def test_the_visible_checks_run_on_the_kits_answers(built, monkeypatch):
    """A student's finished notebook passes its visible checks with only the kit's answers."""
    from helpers import answers

    monkeypatch.setenv(answers.ANSWERS_ENV, str(built / "answers"))
    answers._load.cache_clear()
    (release_path,) = nbtools.notebooks(built / "release" / ASSIGNMENT)
    finished = nbtools.fill(nbtools.read(release_path), nbtools.solutions(source_notebook(ASSIGNMENT)))
    try:
        run = inprocess.run(finished, name="kit")
    finally:
        answers._load.cache_clear()
    assert run.failed_tests(finished) == set(), run.errors
