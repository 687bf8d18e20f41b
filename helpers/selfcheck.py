"""Your visible points so far: run a notebook's check cells, print the points of each and the total.

In a notebook (its last cell):   from helpers import self_check; self_check()
From a terminal:                 python -m helpers.selfcheck release/01_minimax/minimax.ipynb

It reads the notebook as last saved (save it first) and runs the code of every check cell: in the
notebook's own kernel, on what you have run so far, or from a terminal in a fresh headless kernel
that runs the whole notebook. Each check gets its points when it passes, else 0 and the first line of
what failed. These are the visible cases only: grading adds hidden cases (other sizes, seeds and
inputs), and the written answers are graded by hand.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers.markers import visible


@dataclass
class Check:
    grade_id: str
    points: float
    title: str  # the cell's first line, "# Check: ...  [N points]"
    source: str  # its code, hidden region left out


@dataclass
class Outcome:
    check: Check
    passed: bool
    reason: str = ""


def read_checks(path: Path) -> tuple[list[Check], float]:
    """The notebook's check cells (nbgrader test cells) and the points of its written answers."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot read it as a notebook ({error})") from None
    checks, written = [], 0.0
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            continue
        source = "".join(cell.get("source", ""))
        if meta.get("solution"):
            written += float(meta.get("points", 0))
        elif cell.get("cell_type") == "code":
            title = source.strip().splitlines()[0].lstrip("# ").strip() if source.strip() else meta["grade_id"]
            checks.append(Check(meta["grade_id"], float(meta.get("points", 0)), title, visible(source)))
    return checks, written


def run_checks(checks: list[Check], namespace: dict) -> list[Outcome]:
    """Run every check's code in `namespace` (the notebook's variables); what it prints is kept quiet."""
    outcomes = []
    for check in checks:
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(check.source, f"<{check.grade_id}>", "exec"), namespace)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the others
            outcomes.append(Outcome(check, False, _first_line(error)))
        else:
            outcomes.append(Outcome(check, True))
    return outcomes


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    detail = text[0] if text else ""
    if isinstance(error, NameError):
        detail += " (run the cells above first)"
    return detail if isinstance(error, AssertionError) else f"{type(error).__name__}: {detail}"


def format_outcomes(outcomes: list[Outcome], written: float, name: str = "") -> str:
    """A table: each check's points or what failed, then the visible total."""
    got = sum(o.check.points for o in outcomes if o.passed)
    most = sum(o.check.points for o in outcomes)
    lines = [f"Visible checks{f' of {name}' if name else ''}:"]
    for o in outcomes:
        points = o.check.points if o.passed else 0
        lines.append(f"  {points:>4g}/{o.check.points:<3g} {o.check.grade_id}" + ("" if o.passed else f": {o.reason}"))
    lines.append(
        f"Total: {got:g}/{most:g} points from the visible checks"
        + (f", plus {written:g} for written answers, graded by hand" if written else "")
        + ". Grading also runs hidden cases."
    )
    return "\n".join(lines)


def self_check(path: str | Path | None = None) -> str:
    """In a notebook: run its check cells on what the kernel holds now and print the points.

    - path: the notebook file; by default the one notebook of the current folder (Jupyter starts the
      kernel in the notebook's folder). It reads the file as last saved: save first.
    Returns the printed text.
    """
    notebook = Path(path) if path is not None else _the_notebook_here()
    checks, written = read_checks(notebook)
    text = format_outcomes(run_checks(checks, _kernel_namespace()), written, notebook.name)
    print(text)
    return text


def _the_notebook_here() -> Path:
    found = sorted(p for p in Path.cwd().glob("*.ipynb") if not p.name.startswith("."))
    if len(found) != 1:
        raise FileNotFoundError(f"{Path.cwd()} holds {len(found)} notebooks: call self_check('<notebook>.ipynb')")
    return found[0]


def _kernel_namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else sys.modules["__main__"].__dict__


def outcomes_of_executed(nb: dict, checks: list[Check]) -> list[Outcome]:
    """The outcomes in a notebook executed with errors allowed: a check cell passed unless it raised."""
    errors = {}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and grade_id not in errors:
                message = str(output.get("evalue", "")).strip().splitlines()
                name = output.get("ename", "Error")
                errors[grade_id] = (
                    (message[0] if message else "")
                    if name == "AssertionError"
                    else f"{name}: {message[0] if message else ''}"
                )
    return [Outcome(check, check.grade_id not in errors, errors.get(check.grade_id, "")) for check in checks]


def main(argv: list[str] | None = None) -> int:
    """`python -m helpers.selfcheck NOTEBOOK`: run the whole notebook headless, print its visible points."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m helpers.selfcheck NOTEBOOK.ipynb", file=sys.stderr)
        return 2
    notebook = Path(args[0])
    try:
        checks, written = read_checks(notebook)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError:
        print("error: running a notebook from the terminal needs Jupyter: pip install -e '.[lab]'", file=sys.stderr)
        return 2
    nb = nbformat.read(notebook, as_version=4)
    # a check cell is not the last thing in the notebook: the self-check cell (this) is left out
    nb.cells = [cell for cell in nb.cells if "self_check(" not in cell.source or cell.cell_type != "code"]
    NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(notebook.resolve().parent)}},
    ).execute()
    outcomes = outcomes_of_executed(nb, checks)
    print(format_outcomes(outcomes, written, notebook.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
