"""`make autograde`: every submission graded by the sandboxed grader, in parallel, then nbgrader.

Two stages per assignment (GRADING.md, "Scale"):

1. **Verdicts, in parallel.** Every submitted notebook without an up-to-date verdict is graded by
   `course.engine.grader.grade` (student code in the sandbox, the verdict outside it) as a task on a Dask
   cluster: by default a local one, one single-threaded worker per usable CPU; with `scheduler`, an
   existing cluster (`tcp://host:8786`, e.g. one from dask-jobqueue or dask-kubernetes, whose
   workers see the course folder). Only this process writes the results, one JSON file per
   notebook: grading/<assignment>/<student>/<notebook>.json. A verdict is up to date while the
   submission, the source notebook, the checks and the answers are byte for byte the same, so a
   late submission or one student's resubmission is the only thing graded again.
2. **The gradebook, from one process.** `nbgrader autograde`, whose `Execute` step is replaced by
   `course.engine.nbgrader_plugins.SandboxVerdicts` (nbgrader_config.py), writes each verdict into its
   test cell; nbgrader's SaveAutoGrades stores the points, late penalties and all. One writer, so
   SQLite never sees two. This stage grades nothing: a notebook without an up-to-date verdict (a
   plain `nbgrader autograde` or the formgrader's button before `make autograde`, a resubmission
   since) is refused with the command that grades it. A submission nbgrader cannot take (a
   notebook file it cannot read, or no notebook at all) is left out of that pass and scored 0 in
   the gradebook here, its reason in the grading file and the export.

A task that fails (a worker that dies, an error in the grader) becomes an "error" verdict with its
reason: the submission gets 0 with that reason, never a silent 0, and the batch goes on.

Submissions are data (course/engine/submissions.py): a submission folder that holds a symlink, a device,
a FIFO, a socket or a path resolving outside it is refused before anything reads it ("invalid",
with the reason) and left out of nbgrader's pass. What a student wrote to stderr is kept capped
(`stderr_tail`), and a verdict records whether the sandbox was isolated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from course import nbtools
from course.engine import submissions
from course.engine.record import Record
from course.engine.sandbox import HELPERS, Limits
from course.layout import TIMESTAMP, Layout

SMOKE_ENV = {"GAN_SMOKE": "1"}  # no graded check depends on how long a notebook trains
OUTPUT_KEPT = 20_000  # characters of the sandbox's stdout kept with a verdict (never shown to the student)
STDERR_CHARS, STDERR_LINES = 1_000, 20  # the most of the notebook's stderr kept with a verdict and shown


@dataclass(frozen=True)
class Job:
    """One submitted notebook to grade."""

    assignment: str
    student: str
    notebook: str  # the notebook's name without .ipynb
    source: Path  # the instructor's notebook, with solutions and hidden tests
    submission: Path  # the student's file (it may be missing)

    def record_path(self, root: Path) -> Path:
        return Layout(root).verdict(self.assignment, self.student, self.notebook)

    @property
    def folder(self) -> Path:
        """The student's submission folder, submitted/<student>/<assignment>."""
        return self.submission.parent

    def refusal(self) -> str:
        """Why this submission may not be read at all ("" if it may): its folder, links and all."""
        expected = self.folder.parent.parent.resolve() / self.student / self.assignment
        return submissions.folder_problem(self.folder, expected) or submissions.notebook_problem(self.submission)


def stderr_tail(text: str) -> str:
    """The end of what the notebook wrote to stderr: at most STDERR_LINES lines and STDERR_CHARS characters."""
    text = text.strip()
    lines = text.splitlines()
    tail = "\n".join(lines[-STDERR_LINES:])[-STDERR_CHARS:]
    return tail if tail == text else "[...]\n" + tail


def submitted_students(root: Path, assignment: str) -> list[str]:
    """The students with a submission of `assignment` under submitted/."""
    submitted = Layout(root).submitted
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir()) if submitted.is_dir() else []


def jobs(root: Path, assignment: str, students: list[str] | None = None) -> list[Job]:
    """Every notebook of every submission of `assignment` under submitted/ (only `students` if given)."""
    layout = Layout(root)
    found = submitted_students(root, assignment)
    if students:
        found = [s for s in found if s in students]
    sources = nbtools.notebooks(layout.source / assignment)
    return [
        Job(assignment, student, source.stem, source, layout.submission(student, assignment) / source.name)
        for student in found
        for source in sources
    ]


def fingerprint(job: Job, engine: str, limits: Limits = Limits()) -> str:
    """What a verdict depends on: the submission, the source notebook, the grading engine and the limits."""
    digest = hashlib.sha256(engine.encode() + repr(limits).encode())
    refused = job.refusal()
    for path in (job.source, job.submission):
        if path == job.submission and refused:
            digest.update(f"<refused: {refused}>".encode())  # never read
        else:
            digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def engine_digest() -> str:
    """A digest of what judges a submission besides its notebook: the reference answers, helpers
    (the checks, the codec of what leaves the sandbox, and what the notebook itself runs), the
    grader and the sandbox. Changing any of them makes every verdict stale."""
    from helpers.answers import answers_dir

    here = Path(__file__).resolve().parent
    answers = answers_dir()
    files = sorted(answers.rglob("*.npz")) + sorted(HELPERS.rglob("*.py"))  # hidden/ too
    files += [here / "grader.py", here / "sandbox.py", here / "sandbox_child.py"]
    digest = hashlib.sha256()
    for path in files:
        name = path.relative_to(answers if path.is_relative_to(answers) else HELPERS.parent)
        digest.update(str(name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def grade_job(job: Job, fingerprint: str, limits: Limits = Limits()) -> Record:
    """Grade one notebook (this runs on a Dask worker): its record for the store."""
    import socket

    from course.engine import grader

    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):  # not on a Dask worker (nbgrader's own pass)
        worker = ""
    started = time.perf_counter()
    refused = job.refusal()  # checked again here: the task may run long after the batch listed it
    if refused:
        grading = grader.failed(grader.tests_of(nbtools.read(job.source)), "invalid", refused)
    else:
        grading = grader.grade(job.source, job.submission, limits=limits, env=SMOKE_ENV)
    record = _record(job, fingerprint, limits, grading)
    outcome = grading.outcome
    if outcome:  # else nothing ran (an invalid submission)
        record.cells, record.isolation, record.isolated = outcome.cells, outcome.isolation, outcome.isolated
        record.stdout, record.stderr = outcome.stdout[-OUTPUT_KEPT:], stderr_tail(outcome.stderr)
        record.sandbox_seconds = outcome.seconds
    record.seconds, record.host, record.worker = time.perf_counter() - started, socket.gethostname(), worker
    return record


def _record(job: Job, fingerprint: str, limits: Limits, grading) -> Record:
    """The record of `job`'s `grading` (a grader.Grading), graded now, as if nothing ran in the sandbox."""
    return Record(
        job.assignment,
        job.student,
        job.notebook,
        fingerprint,
        dataclasses.asdict(limits),
        grading.status,
        grading.reason,
        score=grading.score,
        max_score=grading.max_score,
        verdicts=grading.verdicts,
        graded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )


def failed_job(job: Job, fingerprint: str, reason: str, limits: Limits = Limits(), status: str = "error") -> Record:
    """The verdict of a task that produced none: every check 0, with the reason."""
    from course.engine import grader

    try:
        tests = grader.tests_of(nbtools.read(job.source))
    except Exception:  # noqa: BLE001 (the source itself is the problem: no checks to list)
        tests = []
    return _record(job, fingerprint, limits, grader.failed(tests, status, reason))


def load(root: Path, job: Job) -> Record | None:
    """The stored record of `job`; None where there is none or it does not read as one."""
    try:
        return Record.from_json(job.record_path(root).read_text())
    except (OSError, ValueError):
        return None


def save(root: Path, job: Job, record: Record) -> None:
    path = job.record_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(record.to_json())
    partial.replace(path)  # a reader never sees half a file


def stored_verdict(root: Path, job: Job, engine: str) -> Record | None:
    """`job`'s verdict from the store while it is up to date (the same submission, source notebook
    and `engine`, under the limits it was graded with); None where there is none. It only reads:
    nothing is graded here, so nbgrader's pass (stage 2) never runs student code."""
    record = load(root, job)
    if record is None:
        return None
    try:
        limits = Limits(**record.limits)
    except (TypeError, ValueError):  # a record of another version's limits: stale
        return None
    return record if record.fingerprint == fingerprint(job, engine, limits) else None


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int):
    """A client of the cluster at `scheduler`, else of a local cluster of `workers` single-threaded
    worker processes, closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def grade_all(
    root: Path,
    todo: list[Job],
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
    limits: Limits = Limits(),
) -> dict[Job, Record]:
    """Stage 1: the verdict of every job, grading on the cluster those not up to date (all if `force`)."""
    from distributed import as_completed
    from tqdm import tqdm

    engine = engine_digest()
    keys = {job: fingerprint(job, engine, limits) for job in todo}
    records = {}
    for job in todo:
        stored = None if force else load(root, job)
        if stored is not None and stored.fingerprint == keys[job]:
            records[job] = stored
    stale = []
    for job in todo:
        if job in records:
            continue
        refused = job.refusal()
        if refused:  # nothing of it is read, here or on a worker
            records[job] = failed_job(job, keys[job], refused, limits, status="invalid")
            save(root, job, records[job])
        else:
            stale.append(job)
    if not stale:
        return records
    from helpers.utils import usable_cpus

    # no more local workers than notebooks to grade: a regrade of one student starts one
    with dask_client(scheduler, min(workers or usable_cpus(), len(stale))) as client:
        futures = {
            client.submit(
                grade_job,
                job,
                keys[job],
                limits,
                pure=False,
                key=f"grade-{job.assignment}-{job.student}-{job.notebook}-{keys[job][:12]}",
            ): job
            for job in stale
        }
        bar = tqdm(
            total=len(stale), desc="grading", unit="notebook", file=sys.stderr, disable=not progress, dynamic_ncols=True
        )
        for future in as_completed(futures):
            job = futures[future]
            try:
                record = future.result()
            except Exception as error:  # noqa: BLE001 (a dead worker or a bug: this submission fails closed)
                record = failed_job(
                    job, keys[job], f"grading failed on the cluster: {type(error).__name__}: {error}", limits
                )
            save(root, job, record)
            records[job] = record
            bar.set_postfix_str(f"{job.student}/{job.notebook}: {record.status} {record.score:g}/{record.max_score:g}")
            bar.update()
        bar.close()
    return records


def not_for_nbgrader(records: dict[Job, Record]) -> set[str]:
    """Students whose submission nbgrader's autograde must not take: one refused or unreadable
    (an "invalid" verdict for a notebook that is there, as a file, a link or anything else), or
    one with no notebook at all (nbgrader does not see them)."""
    left_out = set()
    for student in {job.student for job in records}:
        mine = [(job, record) for job, record in records.items() if job.student == student]
        present = [job for job, _ in mine if os.path.lexists(job.submission)]
        refused = any(
            record.status == "invalid" and (os.path.lexists(job.submission) or job.refusal()) for job, record in mine
        )
        if refused or not present:
            left_out.add(student)
    return left_out


PASS_FAILED = "nbgrader_pass.failed"  # beside a student's verdicts: why nbgrader's pass failed on them


def record_failure(root: Path, assignment: str, student: str, reason: str) -> None:
    """nbgrader's pass failed on this submission: the submission's status is "error" with `reason`
    (`status_of`) until a pass succeeds (`clear_failure`). The verdicts stay as they are, up to date."""
    path = Layout(root).verdicts(assignment, student) / PASS_FAILED
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(reason)


def clear_failure(root: Path, assignment: str, student: str) -> None:
    (Layout(root).verdicts(assignment, student) / PASS_FAILED).unlink(missing_ok=True)


def zero_in_gradebook(root: Path, assignment: str, students: set[str]) -> None:
    """Record the submissions nbgrader cannot take, every grade 0 (the reason is in grading/), and
    remove what an earlier pass left of them in autograded/ and feedback/ (now out of date)."""
    import shutil

    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    layout = Layout(root)
    with Gradebook(layout.gradebook_url) as gradebook:
        for student in sorted(students):
            gradebook.update_or_create_student(student)
            timestamp = None
            stamp = layout.submission(student, assignment) / TIMESTAMP
            if not submissions.entry_problem(stamp, stamp.parent) and stamp.is_file() and stamp.stat().st_size < 1_000:
                with contextlib.suppress(ValueError, TypeError, OverflowError, UnicodeDecodeError):
                    timestamp = parse_utc(stamp.read_text().strip())
            submission = gradebook.update_or_create_submission(assignment, student, timestamp=timestamp)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0.0
                    grade.needs_manual_grade = False
            gradebook.db.commit()
            for stale in (layout.autograded / student / assignment, layout.feedback_pages(student, assignment)):
                if stale.is_dir() and not stale.is_symlink():
                    shutil.rmtree(stale)


def records_of(root: Path, assignment: str, student: str) -> list[Record]:
    """The verdict store's records of one submission, a notebook each (those that read as records)."""
    records = []
    for path in sorted(Layout(root).verdicts(assignment, student).glob("*.json")):
        with contextlib.suppress(OSError, ValueError):
            records.append(Record.from_json(path.read_text()))
    return records


def status_of(root: Path, assignment: str, student: str) -> tuple[str, str]:
    """The autograder's status of one submission ("ok", or the first notebook's failure) and its
    reason, from grading/; ("", "") where it was never graded there. An "ok" submission's reason
    says what was stopped at a limit, and why points were lost, so that no 0 is unexplained."""
    records = records_of(root, assignment, student)
    if not records:
        return "", ""
    failed = Layout(root).verdicts(assignment, student) / PASS_FAILED
    if failed.is_file():
        return "error", failed.read_text()
    for record in records:
        if record.status != "ok":
            return record.status, f"{record.notebook}: {record.reason}"
    said = []
    for record in records:
        lost = record.lost()
        parts = [record.reason] if record.reason else []
        if lost:
            first = " ".join(lost[0].reason.split())
            parts.append(
                f"{len(lost)} of {len(record.verdicts)} test cells failed, first {lost[0].grade_id}: {first[:200]}"
            )
        if parts:
            said.append(f"{record.notebook}: {'; '.join(parts)}")
    return "ok", "; ".join(said)


def isolation_of(root: Path, assignment: str, student: str) -> str:
    """ "unisolated" when any notebook of the submission ran without isolation, "isolated" when
    each that ran was isolated, "" when none ran in the sandbox."""
    ran = [record.isolated for record in records_of(root, assignment, student) if record.isolated is not None]
    if not ran:
        return ""
    return "isolated" if all(ran) else "unisolated"
