"""Grading speed, measured side by side (`make benchmark-grading`, `python -m course benchmark-grading`).

On a scratch copy of the course, every assignment is released and `copies` realistic submissions
of each are turned in (alternately the full solution and the assignment's partly wrong sample, so
both passing and failing checks are judged). The same submissions are then graded, in one run:

1. by stock nbgrader: `nbgrader autograde` with its `Execute` (a kernel per notebook, one
   submission after another), in a second scratch course whose nbgrader_config.py has the stock
   autograde steps and export;
2. by our engine (`make autograde`: the sandboxed grader on a local Dask cluster, then nbgrader's
   pass that writes the gradebook) with 1, 2 and all usable workers, every verdict graded afresh;
   then once more with every verdict up to date, which is the cost of nbgrader's pass alone.

Both settings run the notebooks in the smoke setting (GAN_SMOKE=1). Printed: the wall time of each,
submissions per minute, the speed-up over stock nbgrader, and whether the scores agree.
Nothing here is a test: it prints figures.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from course import workflow
from course.layout import Layout
from helpers.utils import usable_cpus

STOCK_MARKER = "# Autograding: nbgrader's steps"  # where our steps begin in nbgrader_config.py


def make_course(root: Path, to: Path, stock: bool = False) -> Path:
    """A scratch course at `to` (workflow.copy_course); `stock`: nbgrader's own autograde steps and
    export (our configuration cut where it begins)."""
    workflow.copy_course(root, to)
    if stock:
        config = (to / "nbgrader_config.py").read_text()
        (to / "nbgrader_config.py").write_text(config[: config.index(STOCK_MARKER)])
    return to


def turn_in(course: Path, copies: int) -> int:
    """Release every assignment and submit `copies` per assignment; returns the number submitted."""
    workflow.release(course)
    workflow.add_samples(course)  # sample_full, sample_untouched, sample_<wrong> per assignment
    count = 0
    for assignment in workflow.assignments(course):
        folder = Layout(course).submitted
        wrong = next(
            p.name
            for p in folder.iterdir()
            if p.name.startswith("sample_")
            and p.name not in (workflow.FULL, workflow.UNTOUCHED)
            and (p / assignment).is_dir()
        )
        for k in range(copies):
            template = folder / (workflow.FULL if k % 2 == 0 else wrong) / assignment
            shutil.copytree(template, folder / f"student{k:03d}" / assignment)
            count += 1
    for sample in (workflow.FULL, workflow.UNTOUCHED):
        shutil.rmtree(Layout(course).submitted / sample)
    for extra in Layout(course).submitted.iterdir():
        if not extra.name.startswith("student"):
            shutil.rmtree(extra)
    return count


def scores(course: Path) -> dict[tuple[str, str], float]:
    path = workflow.export(course, "bench.csv")
    return {(row["assignment"], row["student_id"]): float(row["score"]) for row in workflow.read_csv(path)}


def main(root: Path, copies: int = 2, workers: list[int] | None = None) -> int:
    saved = os.environ.get("GAN_SMOKE")
    os.environ["GAN_SMOKE"] = "1"  # for the gradings it starts; the caller's setting comes back afterwards
    try:
        return _measure(root, copies, workers)
    finally:
        if saved is None:
            os.environ.pop("GAN_SMOKE", None)
        else:
            os.environ["GAN_SMOKE"] = saved


def _measure(root: Path, copies: int, workers: list[int] | None) -> int:
    cpus = usable_cpus()
    workers = workers or sorted({1, 2, cpus})
    print(f"# Grading benchmark: {copies} submissions per assignment, 8 assignments; {cpus} usable CPUs\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="gan-grading-bench-") as scratch:
        scratch = Path(scratch)
        stock = make_course(root, scratch / "stock", stock=True)
        ours = make_course(root, scratch / "ours", stock=False)
        count = turn_in(stock, copies)
        turn_in(ours, copies)
        rows = []

        started = time.perf_counter()
        for assignment in workflow.assignments(stock):
            workflow.nbgrader(stock, "autograde", assignment, "--force")
        baseline = time.perf_counter() - started
        expected = scores(stock)
        rows.append(("stock nbgrader autograde (sequential kernels)", baseline, None))
        print(f"stock nbgrader: {baseline:.1f} s", flush=True)

        for n in workers:
            started = time.perf_counter()
            workflow.autograde(ours, workers=n, force=True, progress=False)
            seconds = time.perf_counter() - started
            got = scores(ours)
            agree = sum(got.get(key) == value for key, value in expected.items())
            rows.append((f"our engine, {n} worker{'s' if n > 1 else ''}", seconds, f"{agree}/{len(expected)}"))
            print(
                f"ours, {n} workers: {seconds:.1f} s, scores equal to stock nbgrader's: {agree}/{len(expected)}",
                flush=True,
            )

        started = time.perf_counter()
        workflow.autograde(ours, progress=False)  # every verdict up to date: nbgrader's pass alone
        rows.append(
            ("our engine, verdicts up to date (the nbgrader pass alone)", time.perf_counter() - started, "pass")
        )

    print(f"\n| grading {count} submissions | wall s | submissions/min | vs stock | scores equal to stock |")
    print("|---|---|---|---|---|")
    for name, seconds, agree in rows:
        if agree == "pass":  # not a grading of the submissions: no rate to compare
            print(f"| {name} | {seconds:.1f} | - | - | - |")
        else:
            print(
                f"| {name} | {seconds:.1f} | {count / seconds * 60:.1f} | {baseline / seconds:.2f}x | {agree or '-'} |"
            )
    return 0
