"""The instructor's workflow on an nbgrader course folder, for every assignment at once.

The course root holds nbgrader_config.py; nbgrader's own layout lives below it:
notebooks/ (source, with solutions), release/, submitted/<student>/<assignment>/,
autograded/, feedback/ and gradebook.db. Every step calls the real `nbgrader` command.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from course import layout, nbtools
from course.authoring import patches
from course.engine import autograde as engine
from course.layout import Layout

FULL, UNTOUCHED = "sample_full", "sample_untouched"


class WorkflowError(RuntimeError):
    """An nbgrader step failed; the message carries its log."""


def own_tools_path() -> str:
    """PATH with this Python environment's bin/ first: nbgrader runs tools of its own environment
    (alembic, for the gradebook) by name, and the venv need not be activated."""
    own, path = str(Path(sys.executable).parent), os.environ.get("PATH", "")
    return path if path.split(os.pathsep)[0] == own else os.pathsep.join([own, path])


def copy_course(root: Path, to: Path) -> Path:
    """A new course folder at `to` made from the course at `root`: its nbgrader_config.py, source
    notebooks and sample submissions (for a scratch course: the tests, the grading benchmark)."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", to / "nbgrader_config.py")
    for name in (layout.SOURCE, layout.SAMPLES):
        shutil.copytree(root / name, to / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return to


def nbgrader(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run `nbgrader ARGS` in the course root; raise WorkflowError with its log when it fails."""
    command = [sys.executable, "-m", "nbgrader", *args]
    env = dict(os.environ, **(env or {}), PATH=own_tools_path())
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    log = done.stdout + done.stderr
    if done.returncode != 0 or "[ERROR]" in log:
        raise WorkflowError(f"`nbgrader {' '.join(args)}` failed (exit {done.returncode}) in {root}:\n{log}")
    return log


def assignments(root: Path, only: list[str] | None = None) -> list[str]:
    found = nbtools.assignments(Layout(root).source)
    if only:
        unknown = sorted(set(only) - set(found))
        if unknown:
            raise WorkflowError(f"no assignment {unknown} under {Layout(root).source}; there are {found}")
        return [a for a in found if a in only]
    return found


def release(root: Path, only=None, progress=None) -> list[Path]:
    """nbgrader generate_assignment for every assignment: release/<assignment>/ without solutions.
    `progress(text)`, if given, hears of each assignment as it starts (a release takes seconds each)."""
    chosen = assignments(root, only)
    for index, assignment in enumerate(chosen, 1):
        if progress:
            progress(f"[{index}/{len(chosen)}] releasing {assignment}")
        nbgrader(root, "generate_assignment", assignment, "--force")
    return [Layout(root).release / a for a in chosen]


def add_samples(root: Path, only=None) -> dict[str, list[str]]:
    """Put the bundled sample submissions into submitted/, as if three students had turned them in.

    - sample_full: the release with the instructor's solutions typed in;
    - sample_untouched: the release as it was handed out;
    - sample_<name>: the full solution with the cells of samples/<assignment>/<name>.py instead.
    Returns assignment -> the student ids written.
    """
    written, paths = {}, Layout(root)
    for assignment in assignments(root, only):
        released = paths.release / assignment
        if not released.is_dir():
            raise WorkflowError(f"{released} is missing: run the release step first")
        sample_patches = [patches.load(p) for p in sorted((paths.samples / assignment).glob("*.py"))]
        students = [FULL, UNTOUCHED] + [f"sample_{p.name}" for p in sample_patches]
        for path in nbtools.notebooks(paths.source / assignment):
            release_nb = nbtools.read(released / path.name)
            solution = nbtools.solutions(nbtools.read(path))
            versions = {FULL: nbtools.fill(release_nb, solution), UNTOUCHED: release_nb}
            for patch in sample_patches:
                versions[f"sample_{patch.name}"] = nbtools.fill(release_nb, {**solution, **patch.cells})
            for student, nb in versions.items():
                nbtools.write(nb, paths.submission(student, assignment) / path.name)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        for student in students:
            (paths.submission(student, assignment) / layout.TIMESTAMP).write_text(stamp)
        written[assignment] = students
    return written


def autograde(
    root: Path,
    only=None,
    students: list[str] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
    limits=None,
) -> dict:
    """Autograde every submission (only `students`' if given) of every assignment (course/engine/autograde.py):
    the sandboxed grader in parallel on a Dask cluster (local by default, or the one at `scheduler`),
    then `nbgrader autograde` writes the verdicts into autograded/ and the gradebook.

    Verdicts still up to date are kept (`force`: grade everything again). `limits`: the sandbox's
    (course.engine.sandbox.Limits; a verdict reached under other limits is out of date). Before anything
    is graded, the machine must isolate submissions, or `limits.unisolated` say to grade anyway
    (course.engine.sandbox.IsolationUnavailable otherwise). No submission stops the batch: one that
    nbgrader's pass fails on is recorded as an "error" with nbgrader's reason and scored 0, and
    every other submission and assignment is graded. Returns the verdicts, (assignment, student,
    notebook) -> record.
    """
    from course.engine import sandbox

    limits = limits or engine.Limits()
    chosen = assignments(root, only)
    if students:
        found = {student for assignment in chosen for student in engine.submitted_students(root, assignment)}
        unknown = sorted(set(students) - found)
        if unknown:
            raise WorkflowError(
                f"no submission from {', '.join(unknown)} in {Layout(root).submitted} for "
                f"{', '.join(chosen)}; students with one: {', '.join(sorted(found)) or 'none'}"
            )
    sandbox.require_isolation(limits)
    todo = [job for assignment in chosen for job in engine.jobs(root, assignment, students)]
    records = engine.grade_all(
        root, todo, scheduler=scheduler, workers=workers, force=force, progress=progress, limits=limits
    )
    for assignment in chosen:
        mine = {job: record for job, record in records.items() if job.assignment == assignment}
        if not mine:
            continue
        left_out = engine.not_for_nbgrader(mine)
        graded = sorted({job.student for job in mine} - left_out)
        failed = nbgrader_pass(root, assignment, graded, left_out, one_by_one=bool(students))
        for student in {job.student for job in mine}:
            if student in failed:
                engine.record_failure(root, assignment, student, failed[student])
            else:
                engine.clear_failure(root, assignment, student)
        engine.zero_in_gradebook(root, assignment, left_out | set(failed))
    return {(job.assignment, job.student, job.notebook): record for job, record in records.items()}


def nbgrader_pass(
    root: Path, assignment: str, students: list[str], left_out: set[str], one_by_one: bool = False
) -> dict[str, str]:
    """nbgrader's autograde of `students` (never of `left_out`): in one pass, or `one_by_one`. A
    pass that fails is followed by one pass per student it did not finish, so that one submission
    cannot stop the others; returns student -> nbgrader's reason, for each that failed alone."""
    if not students:
        return {}
    started = time.time()
    if not one_by_one:
        try:
            nbgrader_autograde(root, assignment, "*", left_out)
            return {}
        except WorkflowError:
            pass  # below: who did it not finish?
    failed = {}
    for student in students:
        graded = Layout(root).autograded / student / assignment
        done = graded.is_dir() and all(
            (graded / f"{job.notebook}.ipynb").is_file()
            and (graded / f"{job.notebook}.ipynb").stat().st_mtime >= started - 1
            for job in engine.jobs(root, assignment, [student])
        )
        if one_by_one or not done:
            try:
                nbgrader_autograde(root, assignment, student, left_out)
            except WorkflowError as error:
                failed[student] = f"nbgrader's autograde could not take this submission: {_cause(str(error))}"
                last_error = error
    if len(students) > 1 and len(failed) == len(students) and len(set(failed.values())) == 1:
        raise last_error  # every one alike: the course's setup failed (the gradebook, the release), not a submission
    return failed


def _cause(log: str) -> str:
    """The first exception an nbgrader log shows (the root of a chained traceback), without its
    module path, e.g. "ParserError: Unknown string format: ..."; not nbgrader's closing summary."""
    for line in log.splitlines():
        raised = re.match(r"^\s*(?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*(?:Error|Exception|Refused)): (.+)", line)
        if raised and raised[1] != "NbGraderException":
            return f"{raised[1]}: {raised[2].strip()}"[:300]
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return (lines or ["no log"])[-1][:300]


def collect(root: Path, assignment: str) -> list[Path]:
    """nbgrader zip_collect: the LMS download in downloaded/<assignment>/archive/ into submitted/.

    File names are parsed by the pattern in nbgrader_config.py (FileNameCollectorPlugin.named_regexp);
    a file it cannot parse is reported by nbgrader and skipped. Returns the notebooks collected."""
    assignments(root, [assignment])
    archive = root / "downloaded" / assignment / "archive"
    if not archive.is_dir() or not any(archive.iterdir()):
        raise WorkflowError(f"nothing to collect: put the LMS download (zip files or notebooks) in {archive}")
    before = {p: p.stat().st_mtime_ns for p in Layout(root).submitted.glob(f"*/{assignment}/*.ipynb")}
    nbgrader(root, "zip_collect", assignment, "--force")
    return sorted(
        p for p in Layout(root).submitted.glob(f"*/{assignment}/*.ipynb") if before.get(p) != p.stat().st_mtime_ns
    )


def nbgrader_autograde(root: Path, assignment: str, student: str = "*", exclude=()) -> str:
    """`nbgrader autograde ASSIGNMENT --force`, run in this process with the course's configuration
    (so its verdict preprocessor finds the verdicts, and torch is imported once, not per
    assignment); raise WorkflowError with its log when it fails."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    from sqlalchemy.exc import SAWarning
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.SandboxVerdicts.course_root = config.SourceCells.course_root = str(root)
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    config.CourseDirectory.student_id_exclude = ",".join(sorted(exclude))
    converter = Autograde(coursedir=CourseDirectory(config=config), config=config)
    converter.force = True
    with warnings.catch_warnings():  # nbgrader's own SQLAlchemy session warnings, harmless and not ours
        warnings.simplefilter("ignore", SAWarning)
        done = capture_log(converter)
    log = done.get("log", "") + done.get("error", "")
    if not done["success"] or "[ERROR]" in log:
        raise WorkflowError(f"nbgrader autograde {assignment} (student {student}) failed in {root}:\n{log}")
    return log


def feedback(root: Path, only=None, progress=None) -> list[Path]:
    """nbgrader generate_feedback for every assignment: HTML pages under feedback/ (`progress(text)`
    hears of each assignment as it starts).

    nbgrader copies every file of autograded/<student>/<assignment>/ into the student's feedback
    folder: a folder there that is not plain data (course/engine/submissions.py) is left out, with a
    warning. One assignment that fails does not stop the others; the failures are raised at the end."""
    from course.engine import submissions

    errors = []
    chosen = assignments(root, only)
    for index, assignment in enumerate(chosen, 1):
        if progress:
            progress(f"[{index}/{len(chosen)}] feedback for {assignment}")
        folders = sorted(Layout(root).autograded.glob(f"*/{assignment}"))
        if not folders:
            errors.append(f"nothing of {assignment} is autograded yet: run `make autograde` first")
            continue
        unsafe = {}
        for folder in folders:
            expected = Layout(root).autograded.resolve() / folder.parent.name / assignment
            problem = submissions.folder_problem(folder, expected)
            if problem:
                unsafe[folder.parent.name] = problem
        for student, problem in unsafe.items():
            print(f"warning: no feedback for {student}/{assignment}: {problem}", file=sys.stderr)
        args = ["generate_feedback", assignment, "--force"]
        if unsafe:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(sorted(unsafe))}")
        try:
            nbgrader(root, *args)
        except WorkflowError as error:
            errors.append(str(error))
    if errors:
        raise WorkflowError("\n\n".join(errors))
    return sorted(Layout(root).feedback.glob("*/*/*.html"))


def gradebook_path(root: Path) -> Path:
    """The course's gradebook.db, or a WorkflowError saying what to run first when nothing made it yet."""
    database = Layout(root).gradebook
    if not database.is_file():
        raise WorkflowError(
            f"no gradebook yet ({database}): nothing has been graded. Run `make release`, collect or "
            "add submissions (`make samples`), then `make autograde`; or `make demo` for all of it"
        )
    return database


def export(root: Path, to: str = "grades.csv") -> Path:
    """nbgrader export (one CSV row per student and assignment) to `to`, and beside it the exports per
    check, per student, for Canvas and as a roster (course/exports.py). Returns nbgrader's file."""
    from course import exports

    gradebook_path(root)
    nbgrader(root, "export", "--to", to)
    exports.write_all(root, (root / to).parent)
    return root / to


@dataclass
class Lost:
    grade_id: str
    points: float
    reason: str


@dataclass
class Row:
    assignment: str
    student: str
    auto_score: float
    auto_max: float
    written_score: float | None  # None while a written answer awaits grading by hand
    written_max: float
    lost: list[Lost] = field(default_factory=list)
    status: str = ""  # the autograder's status ("ok", "timeout", ...; "" if it never graded this)
    status_reason: str = ""
    isolation: str = ""  # "isolated", "unisolated" (graded with --unisolated), "" if nothing ran


def report(root: Path, only: list[str] | None = None, students: list[str] | None = None) -> list[Row]:
    """Scores per assignment and student from the gradebook, with the reason for every lost point
    (`only` these assignments, `students` these students; an unknown one is a WorkflowError)."""
    from nbgrader.api import Gradebook

    chosen = set(assignments(root, only))
    gradebook_path(root)  # says what to run first when there is none
    rows = []
    os.environ["PATH"] = own_tools_path()  # the gradebook may run alembic to upgrade itself
    with Gradebook(Layout(root).gradebook_url) as gradebook:
        for assignment in gradebook.assignments:
            if assignment.name not in chosen:
                continue
            for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
                if students and submission.student.id not in students:
                    continue
                row = Row(assignment.name, submission.student.id, 0.0, 0.0, 0.0, 0.0)
                row.status, row.status_reason = engine.status_of(root, row.assignment, row.student)
                row.isolation = engine.isolation_of(root, row.assignment, row.student)
                reasons = _failure_reasons(root, row.assignment, row.student)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell.cell_type == "code" and grade.auto_score is not None:
                            row.auto_max += grade.max_score
                            row.auto_score += grade.score
                            if grade.score < grade.max_score:
                                reason = reasons.get(
                                    grade.name, row.status_reason or "no points (see the feedback page)"
                                )
                                row.lost.append(Lost(grade.name, grade.max_score - grade.score, reason))
                        else:
                            row.written_max += grade.max_score
                            if grade.needs_manual_grade or row.written_score is None:
                                row.written_score = None
                            else:
                                row.written_score += grade.score
                rows.append(row)
    if students:
        unknown = sorted(set(students) - {row.student for row in rows})
        if unknown:
            raise WorkflowError(
                f"no graded submission from {', '.join(unknown)} in the gradebook"
                + (f" for {', '.join(sorted(chosen))}" if only else "")
            )
    return rows


def _failure_reasons(root: Path, assignment: str, student: str) -> dict[str, str]:
    """grade_id -> why the test cell lost its points, from the verdict store: what the graded
    notebook and the feedback page show under it ("AssertionError: ...")."""
    return {
        verdict.grade_id: ": ".join(verdict.shown())
        for record in engine.records_of(root, assignment, student)
        for verdict in record.lost()
        if verdict.reason
    }


def format_report(rows: list[Row], width: int = 100) -> str:
    """The grade table, then every lost point with its whole reason (wrapped at `width`)."""
    lines = [f"{'assignment':<22}{'student':<24}{'checks':>10}{'written':>16}  autograder"]
    for row in rows:
        if row.written_max == 0:
            written = "-"
        elif row.written_score is None:
            written = f"to grade ({row.written_max:g})"
        else:
            written = f"{row.written_score:g}/{row.written_max:g}"
        lines.append(
            f"{row.assignment:<22}{row.student:<24}{row.auto_score:>6g}/{row.auto_max:<3g}{written:>16}"
            f"  {row.status or '-'}{' (UNISOLATED)' if row.isolation == 'unisolated' else ''}"
        )
    for row in rows:
        if row.lost:
            lines.append(f"\n{row.student} lost points in {row.assignment}:")
            for reason, group in _by_reason(row.lost):
                if len(group) == 1:
                    lines.extend(_wrap(f"  - {group[0].grade_id} ({group[0].points:g}): {reason}", width))
                else:  # e.g. every check of an untouched notebook: one reason, not a dozen lines
                    points = sum(lost.points for lost in group)
                    lines.extend(_wrap(f"  - {len(group)} checks ({points:g} points): {reason}", width))
                    lines.extend(_wrap(f"      {', '.join(item.grade_id for item in group)}", width))
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` (a longer word stays whole), continuation lines indented
    under it: nothing is cut off, and a reason of several lines keeps them."""
    first, *rest = text.splitlines() or [""]
    indent = " " * (len(first) - len(first.lstrip()) + 4)
    options = {"width": width, "subsequent_indent": indent, "break_long_words": False, "break_on_hyphens": False}
    lines = textwrap.wrap(first, **options) or [""]
    for more in rest:
        lines += textwrap.wrap(more, initial_indent=indent, **options) or [""]
    return lines


def report_data(rows: list[Row]) -> list[dict]:
    """The report as plain data (`--json`): one dict per assignment and student, every lost point with its reason."""
    return [
        {
            "assignment": row.assignment,
            "student": row.student,
            "auto_score": row.auto_score,
            "auto_max": row.auto_max,
            "written_score": row.written_score,
            "written_max": row.written_max,
            "status": row.status or None,
            "status_reason": row.status_reason or None,
            "isolation": row.isolation or None,
            "lost": [{"check": lost.grade_id, "points": lost.points, "reason": lost.reason} for lost in row.lost],
        }
        for row in rows
    ]


def _by_reason(lost: list[Lost]) -> list[tuple[str, list[Lost]]]:
    groups: dict[str, list[Lost]] = {}
    for item in lost:
        groups.setdefault(item.reason, []).append(item)
    return list(groups.items())


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
