"""The grading engine inside nbgrader (nbgrader_config.py wires these in).

- `SourceCells`, the first of autograde's sanitizing steps: the submitted notebook is replaced by
  the source's cells, with the student's answers (their text only) in the answer cells. So
  nbgrader's own steps after it (DeduplicateIds, OverwriteCells, CheckCellMetadata, ...) never see
  what a student can break: duplicated or renamed grade ids, test cells turned into answers,
  changed cell types, broken or outdated nbgrader metadata. A submission refused as data
  (course/engine/submissions.py) raises here, so that nbgrader drops it and removes what it copied.
- `SandboxVerdicts`, an autograde preprocessor in place of nbgrader's `Execute`: the notebook is
  not run in a kernel; each test cell gets the verdict of `course.engine.grader` (judged outside the
  sandbox) as its output, which nbgrader's SaveAutoGrades turns into points as usual: the checks'
  printed lines when it passed, an error with the reason when it did not. A banner cell on top
  says the status (ok, timeout, crashed, ...) and its reason. The verdict comes from the store,
  grading/ (written by `make autograde`, stage 1); nothing is graded here. A notebook whose
  verdict is missing or out of date is refused (`NotGraded`) with the command that grades it, so a
  plain `nbgrader autograde` or the formgrader's button never scores what the sandbox did not grade.
- `AttemptFileNames`, the zip_collect plugin: nbgrader's file-name pattern, with the LMS's
  "2026-01-30-15-30-10" read as 15:30:10 (nbgrader's date parser reads "-15-30" as a time zone).
- `CsvWithStatus`, the export plugin: nbgrader's CSV columns, written with proper quoting, plus
  the autograder's status and reason per submission, so no 0 in the export is unexplained.
"""

from __future__ import annotations

import copy
import csv
import functools
import os
import re
import uuid
from pathlib import Path

from nbformat.v4 import new_markdown_cell, new_output
from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin, FileNameCollectorPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import compute_checksum
from traitlets import Unicode

from course import nbtools
from course.engine import autograde, grader
from course.engine.record import Record, Verdict
from course.engine.sandbox import CellRun, Limits
from course.layout import Layout


def job_of(root: Path, resources) -> autograde.Job:
    """The notebook nbgrader is working on (its `resources`), as the engine's Job."""
    info = resources["nbgrader"]
    return autograde.Job(
        info["assignment"],
        info["student"],
        info["notebook"],
        Layout(root).source_notebook(info["assignment"], info["notebook"]),
        Layout(root).submitted_notebook(info["student"], info["assignment"], info["notebook"]),
    )


class SubmissionRefused(RuntimeError):
    """A submission that is not plain data in its own folder (course/engine/submissions.py)."""


class SourceCells(NbGraderPreprocessor):
    """Replace the submitted notebook by the notebook that is graded (`graded_cells`), before any
    of nbgrader's sanitizing steps reads the student's cells or metadata."""

    course_root = Unicode("", help="the course folder (default: the current directory)").tag(config=True)

    def preprocess(self, nb, resources):
        job = job_of(Path(self.course_root or os.getcwd()), resources)
        refused = job.refusal()
        if refused:  # nbgrader then removes this student's autograded/ folder, copied files included
            raise SubmissionRefused(f"{job.student}/{job.assignment}: {refused}")
        source_nb = nbtools.read(job.source)
        nb.cells = graded_cells(source_nb, nb)
        nb.metadata = copy.deepcopy(source_nb.metadata)
        return nb, resources


class NotGraded(RuntimeError):
    """A notebook with no up-to-date verdict in the store: stage 1 (`make autograde`) grades it."""


class SandboxVerdicts(NbGraderPreprocessor):
    """Write the sandboxed grader's verdicts into the test cells of the notebook being autograded
    (the source's cells with the student's answers, as `SourceCells` left it). It reads the verdict
    store and grades nothing: a notebook without an up-to-date verdict is refused (nbgrader then
    drops it, keeps no score for it and exits non-zero), with the command that grades it."""

    course_root = Unicode("", help="the course folder (default: the current directory)").tag(config=True)

    @functools.cached_property
    def engine(self) -> str:
        """What judges a verdict (autograde.engine_digest): one digest for the whole pass."""
        return autograde.engine_digest()

    def preprocess(self, nb, resources):
        root = Path(self.course_root or os.getcwd())
        job = job_of(root, resources)
        record = autograde.stored_verdict(root, job, self.engine)
        if record is None:
            raise NotGraded(
                f"{job.student}/{job.assignment}/{job.notebook}: no up-to-date verdict in "
                f"{job.record_path(root).relative_to(root)} (not graded yet, or the submission, the source "
                f"or the checks changed since). Grade it in the sandbox first: python -m course autograde "
                f"{job.assignment} --student {job.student} (or make autograde), which then runs this step."
            )
        annotate(nb, record)
        self.log.info(
            "%s/%s: %s, %g of %g points",
            job.student,
            job.notebook,
            record.status,
            record.score,
            record.max_score,
        )
        return nb, resources


def graded_cells(source_nb, submitted_nb) -> list:
    """The notebook as it is graded: the source's cells in the source's order (test cells whole,
    hidden parts included, as nbgrader shows them), each answer cell the source's cell with the
    student's text (found by grade_id, as course.engine.grader.answer_for finds it for the sandbox), or
    the release's stub where it is missing. A deleted, edited or stripped test cell is back; cells
    the student added are not there (they were not run either); no metadata of the student's is kept."""
    found = grader.answers(submitted_nb)
    cells, ids = [], set()
    for cell in source_nb.cells:
        if nbtools.is_solution(cell):  # never the source's text: it holds the solution
            answer = grader.answer_for(cell, found)
            cell = _answered(cell, answer) if answer is not None else _stub(cell)
        else:
            cell = copy.deepcopy(cell)
            if nbtools.BEGIN_SOLUTION in cell.source:  # a solution region outside an answer cell: cleared too
                cell.source = nbtools.release_stub(cell.source)
        if cell.get("id") in ids or "id" not in cell:
            cell["id"] = uuid.uuid4().hex[:8]
        ids.add(cell["id"])
        cells.append(cell)
    return cells


def _answered(source_cell, answer):
    """The source's answer cell (its metadata, nbgrader's included) holding the student's text."""
    cell = copy.deepcopy(source_cell)
    cell.source = answer.source
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    elif isinstance(answer.get("attachments"), dict):  # images pasted into a written answer
        cell["attachments"] = copy.deepcopy(answer["attachments"])
    cell.metadata["nbgrader"].pop("checksum", None)  # nbgrader's OverwriteCells puts the release's back
    return cell


def _stub(source_cell):
    """An answer cell as the release hands it out: the stub, and the checksum nbgrader gives an
    unchanged answer (so a missing answer scores 0, with nothing left to grade by hand)."""
    cell = copy.deepcopy(source_cell)
    if cell.cell_type == "code":
        cell.source, cell.outputs, cell.execution_count = nbtools.release_stub(cell.source), [], None
    else:
        cell.source = nbtools.TEXT_STUB
    cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
    return cell


def annotate(nb, record: Record) -> None:
    """Put `record`'s verdicts into `nb` (the graded notebook, in the source's order): outputs of
    the test cells, the sandbox run's own outputs under the cells it ran (what they printed, their
    figures, the error a cell stopped with), and a banner on top."""
    verdicts = {v.grade_id: v for v in record.verdicts}
    runs = {c.id: c for c in record.cells}
    ran_under = record.limits if isinstance(record.limits, dict) else {}  # the grader's own record
    limits = Limits(**{key: value for key, value in ran_under.items() if key in Limits.__dataclass_fields__})
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = nbtools.grade_id(cell)
        if nbtools.is_test(cell):
            cell.outputs = _test_outputs(verdicts.get(gid))
        elif nbtools.run_id(cell, index) in runs:
            cell.outputs = _run_outputs(runs[nbtools.run_id(cell, index)], limits)
    nb.cells.insert(0, new_markdown_cell(banner(record)))


def _run_outputs(run: CellRun, limits: Limits) -> list:
    """A cell's outputs from the sandbox run: its printed text, its
    figures (PNGs the sandbox checked), then the error it stopped with, where the student wrote it."""
    outputs = []
    if run.output:
        outputs.append(new_output("stream", name="stdout", text=run.output))
    for figure in run.figures:
        outputs.append(new_output("display_data", data={"image/png": figure, "text/plain": "<Figure>"}))
    if run.figures_left_out:
        n = run.figures_left_out
        outputs.append(
            new_output(
                "stream",
                name="stdout",
                text=(
                    f"[{n} figure{'s' if n != 1 else ''} of this cell not shown: a graded notebook keeps at most "
                    f"{limits.figures} figures (the last ones of each cell), each at most {limits.figure_bytes // 1000} KB]\n"
                ),
            )
        )
    if run.error:
        outputs.append(_error(*_split(run.error)))
    return outputs


def _test_outputs(verdict: Verdict | None) -> list:
    if verdict is None:  # the grader does not know this cell: never full marks by default
        return [_error("AutogradeError", "the autograder has no verdict for this test cell")]
    outputs = []
    if verdict.printed:
        outputs.append(new_output("stream", name="stdout", text=verdict.printed))
    if verdict.reason:
        outputs.append(_error(*verdict.shown()))
    return outputs


def _error(name: str, message: str):
    return new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


def _split(error: str) -> tuple[str, str]:
    name, _, message = error.partition(": ")
    return (name, message) if name.isidentifier() else ("Error", error)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def banner(record: Record) -> str:
    """The autograder's summary, the first cell of the graded notebook and of the feedback page."""
    lines = ["### Autograder"]
    if record.status == "ok":
        lines.append(
            f"**Status: ok.** Your code ran in the sandbox and the checks judged what it returned: "
            f"**{record.score:g} of {record.max_score:g} points**. "
            "Each test cell below shows its checks' output, or the reason it lost its points."
        )
        if record.reason:
            lines.append(f"\n**Note:** {record.reason}.\n")
        lines.append("The notebook below is what was graded: the course's cells, with your answers in place.")
    else:
        lines.append(f"**Status: {record.status}.** {record.reason}.")
        lines.append("Because the notebook did not finish, every check scored 0. Fix the cause and submit again.")
    if record.isolated is False:
        lines.append(
            "\n**Graded unisolated:** the instructor graded this notebook on a machine without the "
            "sandbox's isolation (`--unisolated`)."
        )
    failed = [c for c in record.cells if c.error]
    if failed:
        lines.append("\nCells that stopped with an error (shown under the cell too):")
        lines += [f"- `{c.id}`: {_clip(c.error, 300)}" for c in failed]
    if record.sandbox_seconds:
        lines.append(f"\nRun time in the sandbox: {record.sandbox_seconds:.1f} s.")
    stderr = autograde.stderr_tail(record.stderr)  # capped again: a record may be older
    if stderr:
        lines.append(
            f"\nWhat the notebook wrote to stderr (warnings cost nothing; at most the last "
            f"{autograde.STDERR_LINES} lines):\n\n```\n" + stderr.replace("```", "` ` `") + "\n```"
        )
    return "\n".join(lines)


class CsvWithStatus(ExportPlugin):
    """nbgrader's CSV export, quoted properly, with `autograde_status`, `autograde_reason` and
    `autograde_isolation` ("isolated", "unisolated", or "" where nothing ran in the sandbox)."""

    COLUMNS = [
        "assignment",
        "duedate",
        "timestamp",
        "student_id",
        "last_name",
        "first_name",
        "email",
        "raw_score",
        "late_submission_penalty",
        "score",
        "max_score",
        "autograde_status",
        "autograde_reason",
        "autograde_isolation",
    ]

    def export(self, gradebook) -> None:
        root = Path(os.getcwd())
        dest = self.to or "grades.csv"
        students = {str(s) for s in self.student}
        chosen = {str(a) for a in self.assignment}
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=self.COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if chosen and assignment.name not in chosen:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    row = {
                        "assignment": assignment.name,
                        "duedate": assignment.duedate,
                        "student_id": student.id,
                        "last_name": student.last_name,
                        "first_name": student.first_name,
                        "email": student.email,
                        "max_score": assignment.max_score,
                    }
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.update(
                            timestamp="",
                            raw_score=0.0,
                            late_submission_penalty=0.0,
                            score=0.0,
                            autograde_status="not submitted",
                            autograde_reason="nothing was collected for this assignment",
                            autograde_isolation="",
                        )
                    else:
                        penalty = submission.late_submission_penalty or 0.0
                        status, reason = autograde.status_of(root, assignment.name, student.id)
                        row.update(
                            timestamp=submission.timestamp,
                            raw_score=submission.score,
                            late_submission_penalty=penalty,
                            score=max(0.0, submission.score - penalty),
                            autograde_status=status or "not autograded",
                            autograde_reason=reason if status else "no verdict of the sandboxed grader",
                            autograde_isolation=autograde.isolation_of(root, assignment.name, student.id),
                        )
                    writer.writerow({key: "" if value is None else value for key, value in row.items()})


class AttemptFileNames(FileNameCollectorPlugin):
    """File names like "<assignment>_<student>_attempt_2026-01-30-15-30-10_<notebook>.ipynb"
    (the named_regexp in nbgrader_config.py), with the attempt's time read as it is written."""

    def collect(self, submitted_file: str):
        info = super().collect(submitted_file)
        stamp = re.fullmatch(r"(\d{4}-\d{2}-\d{2})-(\d{2})-(\d{2})-(\d{2})", (info or {}).get("timestamp") or "")
        if stamp:
            info["timestamp"] = f"{stamp[1]} {stamp[2]}:{stamp[3]}:{stamp[4]}"
        return info
