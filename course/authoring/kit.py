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
from course.layout import Layout
from helpers.answers import HIDDEN, answers_dir

PACKAGE = Path(helpers.__file__).resolve().parent  # the helpers package of this course

README = """# GAN notebooks: student kit

## Install once

Python 3.10 or newer. In this folder:

    python -m venv .venv && .venv/bin/pip install -e ".[lab]" && .venv/bin/jupyter lab

(On Windows: `.venv\\Scripts\\pip` and `.venv\\Scripts\\jupyter`.) That installs PyTorch, this
kit's `helpers` package and JupyterLab, and opens JupyterLab: open `release/<assignment>/*.ipynb`.

**No GPU? Install the CPU-only PyTorch first** (about 200 MB instead of several GB of CUDA
libraries; on macOS the default wheels are already CPU/Apple-GPU only):

    python -m venv .venv
    .venv/bin/pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu
    .venv/bin/pip install -e ".[lab]" && .venv/bin/jupyter lab

**Google Colab.** Colab has PyTorch, NumPy and matplotlib. Open the release notebook in Colab (upload
it, or open it from the kit's repository), add a first cell, run it, then work as usual:

    !git clone -q <the kit's repository URL> /content/kit    # or upload the kit's zip and unzip it there
    %pip install -q tqdm
    import os, sys; sys.path.insert(0, "/content/kit"); os.chdir("/content/kit/release/<assignment>")

Grading uses only your answer cells, so that extra cell changes nothing. Runtime > Change runtime
type > GPU makes the training cells fast.

**JupyterHub.** The hub already has Jupyter. In a terminal on the hub:

    git clone <the kit's repository URL> ~/gan-kit && pip install --user -e ~/gan-kit

(add `--index-url https://download.pytorch.org/whl/cpu` to a first `pip install --user torch
torchvision` if the hub has no GPU and no PyTorch), then restart your kernel and open
`~/gan-kit/release/<assignment>/`. If your course hands assignments out through nbgrader's
Assignments tab, fetch them there: the kit only provides `helpers`.

## Work

Write your code where it says `# YOUR CODE HERE` and run the check cells: a passing check prints
`passed: ...`, a failing one says what it expected and what it got. At grading time every check cell
also runs hidden cases (other sizes, seeds and inputs), so write general code. Do not edit or delete
check cells: grading uses the course's own copies.

**Your points so far.** The last cell of every notebook, `self_check()`, runs all its check cells
again (save the notebook first) and prints the points of each and the visible total. From a
terminal, `.venv/bin/python -m helpers.selfcheck release/01_minimax/minimax.ipynb` runs the whole
notebook headless and prints the same table.
"""


def build(root: Path, out: Path) -> Path:
    """Write the student kit into `out` (replaced): the release of the course at `root`, this
    course's `helpers` package and the visible values of its answers folder."""
    release = Layout(root).release
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


# the `lab` extra: Jupyter, headless runs for self-checks, and the course extra's jsonschema range
LAB = ("jupyterlab", "ipykernel", "nbclient", "nbformat", "jsonschema")


def _student_pyproject(text: str) -> str:
    """The course's pyproject.toml without the instructor's extras: the `helpers` package and its
    dependencies, the same version ranges, and a `lab` extra with Jupyter (the course extra's
    ranges for LAB's packages)."""
    lab = [line.strip().rstrip(",") for line in text.splitlines() if re.match(rf'\s*"({"|".join(LAB)})[<>=!~ ;]', line)]
    missing = [name for name in LAB if not any(entry.startswith(f'"{name}') for entry in lab)]
    if missing:
        raise ValueError(f"pyproject.toml's course extra lacks {missing}, which the student kit's lab extra needs")
    extra = (
        "\n[project.optional-dependencies]\n# Jupyter, to open the notebooks and run them headless (helpers.selfcheck)\nlab = [\n"
        + "".join(f"    {entry},\n" for entry in lab)
        + "]\n"
    )
    text = re.sub(r"\n\[project\.optional-dependencies\].*?(?=\n\[)", extra, text, flags=re.S)
    text = re.sub(r"\n\[tool\.pytest\.ini_options\].*", "\n", text, flags=re.S)
    text = text.replace('include = ["helpers*", "course*"]', 'include = ["helpers*"]')
    return text.replace('name = "gan-course"', 'name = "gan-course-student"')
