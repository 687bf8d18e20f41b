"""The student kit (`make kit`): what students install holds no solution and no hidden case's value,
and the released notebook's visible checks work with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO, make_course, source_notebook
from course import nbtools, workflow
from course.authoring import inprocess, kit, patches

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

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
    assert sorted(p.name for p in (built / "answers").iterdir()) == sorted(
        p.name for p in (REPO / "answers").glob("*.npz")
    )
    for path in (built / "answers").iterdir():
        with np.load(path) as shown, np.load(REPO / "answers" / "hidden" / path.name) as hidden:
            assert shown.files and not set(shown.files) & set(hidden.files)
    project = (built / "pyproject.toml").read_text()
    assert not [name for name in ('"nbgrader', '"distributed', '"pytest', '"bubblewrap') if name in project]
    assert 'include = ["helpers*"]' in project and '"torch>=' in project
    assert "\nlab = [" in project and '"jupyterlab>=' in project  # `pip install -e ".[lab]"` brings Jupyter
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


def test_self_check_prints_the_visible_points_in_a_real_kernel(built, tmp_path):
    """The notebook's last cell, run headless in a real kernel: with the partly wrong sample's answers
    every check it fails shows 0 and the total is what the visible checks give; the stub gets 0."""
    from nbclient import NotebookClient

    (release_path,) = nbtools.notebooks(built / "release" / ASSIGNMENT)
    release = nbtools.read(release_path)
    points = nbtools.test_points(release)
    sample = patches.load(REPO / "samples" / ASSIGNMENT / "partly_wrong.py")
    answers = {**nbtools.solutions(source_notebook(ASSIGNMENT)), **sample.cells}
    for name, nb, lost in [
        ("partly_wrong", nbtools.fill(release, answers), sample.fails),
        ("stub", release, set(points)),
    ]:
        folder = tmp_path / name
        folder.mkdir()
        nbtools.write(nb, folder / release_path.name)
        NotebookClient(
            nb, timeout=600, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(folder)}}
        ).execute()
        text = "".join(output.get("text", "") for output in nb.cells[-1].outputs)
        total = sum(points.values())
        assert f"Total: {total - sum(points[g] for g in lost):g}/{total:g} points" in text, text
        for grade_id in points:
            assert (f"   0/{points[grade_id]:<3g} {grade_id}: " in text) == (grade_id in lost), (grade_id, text)


def test_the_documented_install_works_in_a_new_venv(built, tmp_path):
    """The kit README's line, `pip install -e ".[lab]"`, in a new virtual environment: Jupyter is there,
    and the self-check runs the released notebook headless in that environment's own kernel."""
    venv = tmp_path / "venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        python = venv / "bin" / "python"
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{built}[lab]"],
            capture_output=True,
            text=True,
            timeout=1500,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert (
            subprocess.run(
                [str(venv / "bin" / "jupyter"), "lab", "--version"], capture_output=True, timeout=120
            ).returncode
            == 0
        )
        env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(
            [str(python), "-m", "helpers.selfcheck", "release/01_minimax/minimax.ipynb"],
            cwd=built,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Total: 0/14 points from the visible checks, plus 2 for written answers" in done.stdout, done.stdout
        assert "not implemented yet" in done.stdout
        where = subprocess.run(
            [str(python), "-c", "import helpers; print(helpers.__file__)"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
        )
        assert where.stdout.strip() == str(built / "helpers" / "__init__.py")  # the kit's, not the course's
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # several GB
