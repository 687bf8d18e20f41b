"""The student kit (`make kit`, `python -m course kit`): what students get instead of this repository.

This repository is the instructor's: it holds the solutions (notebooks/), the grading engine and
the hidden cases' reference values (answers/hidden/). Students need only the package their
notebooks import, the reference values of the visible checks, and the released notebooks:

    build/student-kit/
      pyproject.toml        installs `helpers` (pip install -e .), the student-side dependencies only
      helpers/              the package, classifier weights included
      answers/<name>.npz    the visible checks' reference values (no hidden/ folder)
      release/<assignment>/ the notebooks as nbgrader released them (run `make release` first)
      README.md             how to install and work

Publish that folder (a git repository of its own, a zip, the JupyterHub image).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import helpers
from helpers.answers import HIDDEN, answers_dir

PACKAGE = Path(helpers.__file__).resolve().parent  # the helpers package of this course

README = """# GAN notebooks: student kit

Install once (Python 3.10+), from this folder:

    python -m venv .venv && .venv/bin/pip install -e . jupyterlab
    .venv/bin/jupyter lab

(Colab: `!pip install -q -e <this folder>` in the first cell, then restart the runtime.)
Open `release/<assignment>/*.ipynb`, write your code where it says `# YOUR CODE HERE` and run the
check cells: a passing check prints `passed: ...`, a failing one says what it expected and what it
got. At grading time every check cell also runs hidden cases (other sizes, seeds and inputs), so
write general code. Do not edit or delete check cells: grading uses the course's own copies.
"""


def build(root: Path, out: Path) -> Path:
    """Write the student kit into `out` (replaced): the release of the course at `root`, this
    course's `helpers` package and the visible values of its answers folder."""
    release = root / "release"
    if not release.is_dir():
        raise FileNotFoundError(f"{release} is missing: run `make release` first")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(PACKAGE, out / "helpers", ignore=skip)
    shutil.copytree(release, out / "release", ignore=skip)
    (out / "answers").mkdir()
    for path in sorted(answers_dir().glob("*.npz")):  # the visible values only, never answers/hidden/
        shutil.copy(path, out / "answers" / path.name)
    (out / "pyproject.toml").write_text(_student_pyproject((PACKAGE.parent / "pyproject.toml").read_text()))
    (out / "README.md").write_text(README)
    assert not (out / "answers" / HIDDEN).exists()
    return out


def _student_pyproject(text: str) -> str:
    """The course's pyproject.toml without the instructor's extras: the `helpers` package and its
    dependencies, the same version ranges."""
    text = re.sub(r"\n\[project\.optional-dependencies\].*?(?=\n\[)", "\n", text, flags=re.S)
    text = re.sub(r"\n\[tool\.pytest\.ini_options\].*", "\n", text, flags=re.S)
    text = text.replace('include = ["helpers*", "course*"]', 'include = ["helpers*"]')
    return text.replace('name = "gan-course"', 'name = "gan-course-student"')
