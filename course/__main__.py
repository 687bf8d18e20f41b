"""`python -m course STEP`: the instructor's commands (the Makefile calls these)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from course import workflow
from course.layout import Layout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course root, the folder of nbgrader_config.py")
    steps = parser.add_subparsers(dest="step", required=True)
    for name, text in [
        ("release", "generate the student version of every assignment (release/)"),
        ("samples", "add the bundled sample submissions to submitted/"),
        ("feedback", "write an HTML feedback page per submission (feedback/)"),
        ("demo", "release, sample submissions, autograde, feedback, export, then print the grades"),
    ]:
        step = steps.add_parser(name, help=text)
        step.add_argument("assignments", nargs="*", help="only these assignments (default: all)")
        if name == "demo":
            _unisolated_option(step)
    step = steps.add_parser(
        "autograde",
        help="autograde every submission: the sandboxed grader in parallel (Dask), then nbgrader's gradebook",
    )
    step.add_argument("assignments", nargs="*", help="only these assignments (default: all)")
    step.add_argument("--student", action="append", default=None, help="only this student (repeatable)")
    step.add_argument(
        "--scheduler",
        default=None,
        help="address of an existing Dask scheduler, tcp://host:8786 (default: a local cluster)",
    )
    step.add_argument(
        "--workers", type=int, default=None, help="local cluster: worker processes (default: one per CPU)"
    )
    step.add_argument("--force", action="store_true", help="grade again even where the verdict is up to date")
    step.add_argument("--timeout", type=float, default=None, help="seconds a notebook may run in all (default 600)")
    step.add_argument("--cell-timeout", type=float, default=None, help="seconds one cell may run (default 300)")
    step.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    _unisolated_option(step)
    step = steps.add_parser(
        "collect",
        help="nbgrader zip_collect: unpack an LMS download (downloaded/<assignment>/archive/*.zip) into submitted/",
    )
    step.add_argument("assignment")
    step = steps.add_parser("export", help="export the gradebook to a CSV file")
    step.add_argument("--to", default="grades.csv")
    step = steps.add_parser("report", help="print the grade table and the reason for every lost point")
    step.add_argument("--assignment", action="append", default=None, help="only this assignment (repeatable)")
    step.add_argument("--student", action="append", default=None, help="only this student (repeatable)")
    step.add_argument("--json", action="store_true", help="the report as JSON: scores and every lost point's reason")
    step = steps.add_parser(
        "pieces", help="rewrite each notebook's given cell of earlier solutions ('pieces') from those notebooks"
    )
    step.add_argument("--check", action="store_true", help="only say which are out of date (exit 1 if any)")
    step = steps.add_parser("answers", help="regenerate answers/ from the solutions")
    step.add_argument("--out", type=Path, default=None, help="write here instead of answers/")
    step = steps.add_parser(
        "classifiers", help="train the sample-quality classifier (helpers/weights/) from the data on disk"
    )
    step.add_argument("--dataset", default="mnist", choices=["mnist", "fashion-mnist"])
    step.add_argument("--epochs", type=int, default=4)
    step = steps.add_parser("notebooks", help="execute every source notebook headless in a real kernel")
    step.add_argument("--smoke", action="store_true", help="set GAN_SMOKE=1 (few steps, little data)")
    step.add_argument("--out", type=Path, default=Path("build/executed"), help="where the executed copies go")
    step = steps.add_parser(
        "grade", help="grade one submitted notebook in the sandbox, verdicts outside it (GRADING.md)"
    )
    step.add_argument("assignment")
    step.add_argument("notebook", type=Path, help="the student's notebook file")
    _unisolated_option(step)
    step = steps.add_parser(
        "benchmark", help="training speed: our loop against a CS231n-style loop, and the series' run time"
    )
    step.add_argument("--quick", action="store_true", help="a few steps of each, to try the script (rough numbers)")
    step.add_argument("--no-table", dest="table", action="store_false", help="skip the ms-per-step table")
    step.add_argument("--no-race", dest="race", action="store_false", help="skip the DCGAN time-to-score race")
    step.add_argument("--no-series", dest="series", action="store_false", help="skip running the whole series")
    step.add_argument("--device", default="cpu", help="cpu (default), cuda, mps")
    step.add_argument("--out", type=Path, default=None, help="also write the report to this file")
    step = steps.add_parser(
        "kit", help="the student kit: helpers, the visible answers and the release (build/student-kit/)"
    )
    step.add_argument("--out", type=Path, default=Path("build/student-kit"))
    step = steps.add_parser(
        "benchmark-grading", help="grading speed: stock nbgrader autograde against our engine on 1, 2 and all workers"
    )
    step.add_argument("--copies", type=int, default=2, help="submissions per assignment (default 2)")
    step.add_argument(
        "--workers",
        type=int,
        action="append",
        default=None,
        help="worker counts to try (repeatable; default 1, 2, all)",
    )
    step.add_argument("--out", type=Path, default=None, help="also write the report to this file")
    args, extra = parser.parse_known_args(argv)
    if extra:  # a mistyped flag: the usage of the step it was given to, not only the top-level one
        steps.choices[args.step].error(f"unrecognized arguments: {' '.join(extra)}")
    root = args.root.resolve()
    if not (root / "nbgrader_config.py").is_file():
        parser.error(f"{root} has no nbgrader_config.py: pass --root or run from the course folder")

    from course.engine.sandbox import IsolationUnavailable

    try:
        return STEPS[args.step](root, args)
    except workflow.WorkflowError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except IsolationUnavailable as error:  # nothing was graded: say why, no traceback
        print(f"error: {error}", file=sys.stderr)
        return 2


def _unisolated_option(step) -> None:
    step.add_argument(
        "--unisolated",
        action="store_true",
        help="grade even where this machine cannot isolate submissions (no bubblewrap or user "
        "namespaces): student code then runs with your rights; the export and feedback say so",
    )


def _progress(text: str) -> None:
    print(text, flush=True)


def _release(root, args):
    for path in workflow.release(root, args.assignments, progress=_progress):
        print(f"released {path.relative_to(root)}")
    return 0


def _samples(root, args):
    for assignment, students in workflow.add_samples(root, args.assignments).items():
        print(f"{assignment}: submitted/ now holds {', '.join(students)}")
    return 0


def _autograde(root, args):
    from course.engine.sandbox import Limits

    limits = Limits(
        unisolated=args.unisolated,
        **{
            name: value
            for name, value in [("wall_seconds", args.timeout), ("cell_seconds", args.cell_timeout)]
            if value is not None
        },
    )
    workflow.autograde(
        root,
        args.assignments,
        students=args.student,
        scheduler=args.scheduler,
        workers=args.workers,
        force=args.force,
        progress=args.progress,
        limits=limits,
    )
    return _report(root, args)


def _collect(root, args):
    for path in workflow.collect(root, args.assignment):
        print(f"collected {path.relative_to(root)}")
    return 0


def _feedback(root, args):
    for page in workflow.feedback(root, args.assignments, progress=_progress):
        print(f"feedback: {page.relative_to(root)}")
    return 0


def _export(root, args):
    from course import exports

    path = workflow.export(root, args.to)
    print(
        f"grades written to {path.relative_to(root)} (nbgrader's: one row per student and assignment), and beside it:"
    )
    for name, what in [
        (exports.BY_CHECK, "one row per submission and check, with the reason for every lost point"),
        (exports.BY_STUDENT, "one row per student: every assignment, the total, points still to grade"),
        (exports.CANVAS, "for Canvas's gradebook import"),
        (exports.ROSTER, "a roster with scores for Gradescope's or Moodle's import"),
    ]:
        print(f"  {(path.parent / name).relative_to(root)}: {what}")
    return 0


def _report(root, args):
    only = getattr(args, "assignment", None) or getattr(args, "assignments", None)  # report's flag, autograde's list
    rows = workflow.report(root, only, students=getattr(args, "student", None))
    if getattr(args, "json", False):
        print(json.dumps(workflow.report_data(rows), indent=1))
    else:
        print(workflow.format_report(rows))
    return 0


def _demo(root, args):
    started = time.perf_counter()
    print("1/5 release: nbgrader generate_assignment", flush=True)
    workflow.release(root, args.assignments, progress=_progress)
    print("2/5 sample submissions: full solution, untouched release, partly wrong", flush=True)
    workflow.add_samples(root, args.assignments)
    print("3/5 autograde: the sandboxed grader in parallel, then nbgrader autograde", flush=True)
    from course.engine.sandbox import Limits

    workflow.autograde(root, args.assignments, limits=Limits(unisolated=args.unisolated))
    print("4/5 feedback: nbgrader generate_feedback", flush=True)
    pages = workflow.feedback(root, args.assignments, progress=_progress)
    print("5/5 export: nbgrader export", flush=True)
    csv_path = workflow.export(root)
    print()
    print(workflow.format_report(workflow.report(root)))
    print("\nFeedback pages:")
    for page in pages:
        print(f"  {page.relative_to(root)}")
    print(f"Grades CSV: {csv_path.relative_to(root)}")
    print("Student release: release/ (hand out release/<assignment>/)")
    print(f"Done in {time.perf_counter() - started:.0f} s.")
    return 0


def _answers(root, args):
    from course.authoring import answers

    out = args.out or root / "answers"
    for path in answers.regenerate(Layout(root).source, out):
        print(f"wrote {path}")
    return 0


def _pieces(root, args):
    from course.authoring import pieces

    try:
        if args.check:
            stale = pieces.stale(root)
            for assignment in stale:
                print(
                    f"{assignment}: its pieces cell is not its earlier notebooks' solutions; run python -m course pieces"
                )
            return 1 if stale else 0
        for assignment in pieces.write(root):
            print(f"rewrote the pieces cell of {assignment}")
    except pieces.PiecesError as error:
        raise workflow.WorkflowError(str(error)) from None
    return 0


def _classifiers(root, args):
    from course.authoring import classifiers

    classifiers.main(args.dataset, epochs=args.epochs)
    return 0


def _notebooks(root, args):
    from course.authoring import execute

    if args.smoke:
        os.environ["GAN_SMOKE"] = "1"
    failures = 0
    for assignment in workflow.assignments(root):
        for result in execute.run_folder(Layout(root).source / assignment, root / args.out / assignment):
            status = "ok" if result.error is None else f"FAILED\n{result.error}"
            print(f"{result.path.relative_to(root)}: {result.seconds:.1f} s {status}", flush=True)
            failures += result.error is not None
    return 1 if failures else 0


def _grade(root, args):
    from course import nbtools
    from course.engine import grader

    workflow.assignments(root, [args.assignment])  # an unknown assignment is a WorkflowError
    if not args.notebook.is_file():
        raise workflow.WorkflowError(f"{args.notebook}: no such file (the student's notebook to grade)")
    from course.engine.sandbox import Limits, require_isolation

    limits = Limits(unisolated=args.unisolated)
    require_isolation(limits)
    source = nbtools.notebooks(Layout(root).source / args.assignment)[0]
    grading = grader.grade(source, args.notebook, limits=limits)
    print(grader.format_grading(grading))
    return 0 if grading.status == "ok" else 1  # invalid, timeout, crashed, output_limit, error


def _benchmark(root, args):
    from course.benchmarks import training

    with training.copy_of_stdout(args.out):
        return training.main(
            root, quick=args.quick, table=args.table, race=args.race, series=args.series, device=args.device
        )


def _kit(root, args):
    from course.authoring import kit

    try:
        out = kit.build(root, root / args.out)
    except FileNotFoundError as error:
        raise workflow.WorkflowError(str(error)) from None
    print(f"student kit written to {out.relative_to(root) if out.is_relative_to(root) else out}")
    return 0


def _benchmark_grading(root, args):
    from course.benchmarks import grading, training

    with training.copy_of_stdout(args.out):
        return grading.main(root, copies=args.copies, workers=args.workers)


STEPS = {
    "release": _release,
    "samples": _samples,
    "autograde": _autograde,
    "collect": _collect,
    "feedback": _feedback,
    "export": _export,
    "report": _report,
    "demo": _demo,
    "pieces": _pieces,
    "answers": _answers,
    "classifiers": _classifiers,
    "notebooks": _notebooks,
    "benchmark": _benchmark,
    "grade": _grade,
    "benchmark-grading": _benchmark_grading,
    "kit": _kit,
}

if __name__ == "__main__":
    sys.exit(main())
