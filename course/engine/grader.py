"""Grade one submitted notebook: student code in the sandbox, verdicts here (GRADING.md).

1. The submission is read and validated (missing or invalid: status "invalid", every check 0).
2. The cells to run are the source notebook's code cells without its tests, the student's answer
   in place of each solution cell (matched by grade_id; a missing answer leaves the release's
   stub). The submission's own test cells and metadata are never used.
3. In the sandbox (course/engine/sandbox.py), after those cells, every check call of every test cell of
   the *source* (hidden ones included) runs once, recording what it takes from student code
   (helpers.checks.replay).
4. Here, each check runs again on that record against the reference answers: its verdict is the
   grade. A test cell gets its points when all its check calls pass, else 0 and the first reason.
   A check call inside the cell's hidden-tests region fails with what property failed, never with
   a value (`hidden_reason`): its inputs and expected values are the grader's alone.
5. What stopped a cell at a limit (the cell time limit, the memory limit, the output cap) and
   answers the submission does not hold are named in the grading's reason even when it is "ok"
   (`notes`), so no lost point goes unexplained.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course import nbtools
from course.engine import sandbox, submissions
from course.engine.record import Verdict
from helpers.markers import lines_in


@dataclass
class CheckCall:
    check: str  # the function's name in the assignment's checks module
    args: list[str]  # source of each positional argument (evaluated in the sandbox)
    kwargs: dict[str, object]  # keyword arguments that are literals, evaluated here
    computed: list[str] = field(default_factory=list)  # keyword arguments evaluated in the sandbox: the
    # last len(computed) entries of args are their sources
    hidden: bool = False  # inside the cell's "### BEGIN HIDDEN TESTS" region: its reasons name no value


@dataclass
class Test:
    grade_id: str
    points: float
    calls: list[CheckCall]


@dataclass
class Grading:
    status: str  # "ok" or a sandbox status ("timeout", "crashed", ...) or "invalid"
    reason: str
    verdicts: list[Verdict] = field(default_factory=list)
    outcome: sandbox.Outcome | None = None

    @property
    def score(self) -> float:
        return sum(v.points for v in self.verdicts)

    @property
    def max_score(self) -> float:
        return sum(v.max_points for v in self.verdicts)


def checks_module(source_nb) -> str:
    """The module the notebook imports as `checks` (`from helpers.checks import X as checks`)."""
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(nbtools.runnable(cell.source))):
            if isinstance(node, ast.ImportFrom) and node.module == "helpers.checks":
                for alias in node.names:
                    if alias.asname == "checks":
                        return f"helpers.checks.{alias.name}"
    raise ValueError("the source notebook does not import its checks as `from helpers.checks import X as checks`")


def tests_of(source_nb) -> list[Test]:
    """Every test cell of the source notebook, hidden calls included, as check calls."""
    tests = []
    for cell in source_nb.cells:
        if not nbtools.is_test(cell):
            continue
        source, hidden_lines = _plain_with_hidden_lines(cell.source)
        calls = []
        for statement in ast.parse(source).body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == "checks"
            ):
                raise ValueError(
                    f"test cell {nbtools.grade_id(cell)}: only `checks.NAME(...)` calls can be graded "
                    f"outside the sandbox, found: {ast.get_source_segment(source, statement)}"
                )
            literal, computed = {}, {}
            for keyword in call.keywords:
                try:  # a literal is the instructor's input: read here, never from the sandbox
                    literal[keyword.arg] = ast.literal_eval(keyword.value)
                except ValueError:  # an expression of the notebook's values: evaluated in the sandbox
                    computed[keyword.arg] = ast.get_source_segment(source, keyword.value)
            args = [ast.get_source_segment(source, a) for a in call.args]
            hidden = bool(hidden_lines & set(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)))
            calls.append(CheckCall(call.func.attr, args + list(computed.values()), literal, list(computed), hidden))
        tests.append(Test(nbtools.grade_id(cell), float(nbtools.meta(cell)["points"]), calls))
    return tests


def _plain_with_hidden_lines(source: str) -> tuple[str, set[int]]:
    """`nbtools.runnable(source)`, and the numbers (from 1) of its lines that lay in a hidden-tests region."""
    lines, hidden = [], set()
    code = nbtools.without_markers(source, nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION, keep_inside=True)
    for line, inside in lines_in(code, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN):
        lines.append(line)
        if inside:
            hidden.add(len(lines))
    return "\n".join(lines), hidden


_QUOTED_OR_BRACKETED = re.compile(
    r"(?<!\w)'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|<[^<>]*>"
)
_NUMBER = re.compile(r"[-+−]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|\b(?:nan|inf)\b", re.IGNORECASE)
HIDDEN_REASON_CHARS = 400


def scrub(message: str) -> str:
    """`message` with every quoted or bracketed literal and every number replaced by "…", so that no
    input or expected value survives (digits of any script, superscripts and fractions included)."""
    previous = None
    while previous != message:  # innermost brackets first, until none is left
        previous, message = message, _QUOTED_OR_BRACKETED.sub("…", message)
    message = _NUMBER.sub("…", message)
    message = "".join("…" if char.isnumeric() else char for char in message)
    return re.sub(r"…(?:[\s,;:]*…)+", "…", " ".join(message.split()))


def hidden_reason(check, message: str) -> str:
    """What a student reads when a hidden call fails: the property (the check's docstring) and the
    message without its values."""
    summary = " ".join(((getattr(check, "__doc__", None) or "").strip().splitlines() or [""])[0].split())
    reason = f"hidden case: {summary.rstrip('.') or 'a hidden check'}: {scrub(message)}"
    return reason if len(reason) <= HIDDEN_REASON_CHARS else reason[: HIDDEN_REASON_CHARS - 1] + "…"


def answers(submission_nb) -> dict[str, object]:
    """grade_id -> the student's answer cell. Of cells pasted twice with one grade_id, the last
    (as nbgrader's DeduplicateIds keeps it, and as running the notebook leaves it)."""
    found = {}
    for cell in submission_nb.cells:
        gid = nbtools.grade_id(cell)
        if gid and nbtools.is_solution(cell) and isinstance(cell.get("source"), str):
            found[gid] = cell
    return found


def answer_for(source_cell, found: dict[str, object]):
    """The student's answer cell for the source's solution cell `source_cell`, or None (missing,
    renamed, or of another cell type): then the release's stub is what is run and graded."""
    answer = found.get(nbtools.grade_id(source_cell))
    return answer if answer is not None and answer.cell_type == source_cell.cell_type else None


def cells_to_run(source_nb, submission_nb) -> list[tuple[str, str]]:
    """The source's code cells that can change a verdict (nbtools.graded_cells: no demonstration,
    nothing after the last test) without the tests, each solution cell replaced by the student's answer."""
    found = answers(submission_nb)
    graded = {id(cell) for cell in nbtools.graded_cells(source_nb)}
    cells = []
    for index, cell in enumerate(source_nb.cells):
        if cell.cell_type != "code" or nbtools.is_test(cell) or id(cell) not in graded:
            continue
        cell_id = nbtools.run_id(cell, index)
        if nbtools.is_solution(cell):
            answer = answer_for(cell, found)
            cells.append((cell_id, answer.source if answer is not None else nbtools.release_stub(cell.source)))
        else:
            cells.append((cell_id, nbtools.runnable(cell.source)))
    return cells


def missing_answers(source_nb, submission_nb) -> list[str]:
    """The grade_ids of the source's answer cells the submission does not hold (as the same type)."""
    found = answers(submission_nb)
    return [nbtools.grade_id(c) for c in source_nb.cells if nbtools.is_solution(c) and answer_for(c, found) is None]


def notes(outcome: sandbox.Outcome, limits: sandbox.Limits, missing: list[str]) -> str:
    """What the grading's reason says beside its status: each cell stopped at a limit (named, with
    the limit), the output cap, and the answers that were not found."""
    said = []
    for cell in outcome.cells:
        error = cell.error or ""
        if error.startswith("CellTimeout"):
            said.append(f"cell `{cell.id}` was stopped by the {limits.cell_seconds:g} s cell time limit")
        elif error.startswith("MemoryError"):
            said.append(
                f"cell `{cell.id}` ran out of memory (MemoryError) under the "
                f"{limits.memory_bytes / 2**30:g} GiB memory limit"
            )
    if "[output cut at " in outcome.stdout or "[output cut at " in outcome.stderr:
        said.append(f"the notebook's output was cut at the {limits.output_bytes:,}-byte output limit")
    if missing:
        said.append(
            f"no answer cell {', '.join(f'`{gid}`' for gid in missing)} in the submission (deleted, "
            "renamed or of another cell type): the release's stub was graded in its place"
        )
    return "; ".join(said)


PROBE = """
import importlib
from helpers.checks import replay

CALLS = json.loads({calls!r})
FUNCTION = {function!r}


def observe(ns):
    module = importlib.import_module({module!r})
    records = []
    for call in CALLS:
        with replay.record() as log:
            error = None
            try:
                args = []
                for index, source in enumerate(call["args"]):
                    value = eval(source, ns)
                    replay.observe(f"argument {{index + 1}}", FUNCTION if callable(value) else value)
                    args.append(value)
                named = len(call["computed"])
                keywords = dict(zip(call["computed"], args[len(args) - named:]), **call["kwargs"])
                getattr(module, call["check"])(*args[:len(args) - named], **keywords)
            except BaseException as failure:
                error = f"{{type(failure).__name__}}: {{failure}}"
        records.append({{"log": list(log), "error": error}})
    return records
"""


def grade(
    source_path: Path,
    submission_path: Path,
    limits: sandbox.Limits = sandbox.Limits(),
    env: dict[str, str] | None = None,
    run=sandbox.run,
) -> Grading:
    """Grade `submission_path` (a student's copy of the notebook at `source_path`); `env`: variables
    for the sandbox beside its own (e.g. GAN_SMOKE). `run` runs the cells: the sandbox, or for the
    course's own code only (the tests' catalogue of mistakes) `sandbox.run_forked`."""
    source_nb = nbtools.read(source_path)
    tests = tests_of(source_nb)
    module = checks_module(source_nb)

    def fail_all(status: str, reason: str, outcome=None) -> Grading:
        return failed(tests, status, reason, outcome)

    refused = submissions.notebook_problem(submission_path)
    if refused:
        return fail_all("invalid", refused)
    if not submission_path.is_file():
        return fail_all("invalid", f"no {source_path.name} in the submission")
    try:
        submission_nb = nbformat.read(submission_path, as_version=4)
        nbformat.validate(submission_nb)
    except Exception as error:  # noqa: BLE001 (any unreadable file is the same verdict)
        return fail_all(
            "invalid", f"{submission_path.name} is not a valid notebook: {str(error).splitlines()[0][:200]}"
        )

    calls = [
        {"check": c.check, "args": c.args, "kwargs": c.kwargs, "computed": c.computed} for t in tests for c in t.calls
    ]
    missing = missing_answers(source_nb, submission_nb)
    # the judge (helpers.checks) imports torch: only grading needs it, not nbgrader's configuration,
    # which imports this module for its plugins
    from helpers.checks import replay

    probe = "import json\n" + PROBE.format(calls=json.dumps(calls), function=replay.FUNCTION, module=module)
    outcome = run(cells_to_run(source_nb, submission_nb), probe=probe, limits=limits, env=env)
    if not outcome.ok:
        return fail_all(outcome.status, outcome.reason, outcome)
    records = outcome.observations
    if type(records) is not list or len(records) != len(calls):
        detail = records.get("__error__") if type(records) is dict else "a result of the wrong shape"
        return fail_all("error", f"the checks could not run in the sandbox: {detail}", outcome)

    checks = importlib.import_module(module)
    verdicts, position = [], 0
    for test in tests:
        verdict = Verdict(test.grade_id, test.points, test.points)
        for call in test.calls:  # like the cell in the notebook: the first failing call ends it
            record = records[position]
            position += 1
            if not verdict.reason:
                printed, verdict.error, verdict.reason = _judge(checks, call, record)
                if call.hidden:  # only its "passed:" line, and a reason without values
                    printed = "".join(line for line in printed.splitlines(keepends=True) if line.startswith("passed: "))
                    if verdict.reason:
                        verdict.reason = hidden_reason(getattr(checks, call.check, None), verdict.reason)
                        verdict.hidden = True
                verdict.printed += printed
        if verdict.reason:
            verdict.points = 0.0
        verdicts.append(verdict)
    return Grading("ok", notes(outcome, limits, missing), verdicts, outcome)


def failed(tests: list[Test], status: str, reason: str, outcome: sandbox.Outcome | None = None) -> Grading:
    """A grading in which every check scores 0 for `reason` (any status but "ok")."""
    return Grading(
        status, reason, [Verdict(t.grade_id, 0.0, t.points, reason, error="AutogradeError") for t in tests], outcome
    )


def _judge(checks, call: CheckCall, record) -> tuple[str, str, str]:
    """Replay one check call on its record: (what it printed, the failure's kind, the reason), the
    last two "" when it passes."""
    if type(record) is not dict or type(record.get("log")) is not list:
        return "", "AutogradeError", "the sandbox's record of this check is malformed"
    log = record["log"]
    if len(log) < len(call.args):  # the arguments themselves could not be evaluated
        return (
            "",
            "AutogradeError",
            f"the notebook could not provide the check's inputs: {record.get('error') or 'unknown error'}",
        )
    from helpers.checks import replay

    printed = io.StringIO()
    try:
        with replay.replay(log, hidden=call.hidden), contextlib.redirect_stdout(printed):
            args = [replay.observe(f"argument {i + 1}", None) for i in range(len(call.args))]
            named = len(call.computed)
            keywords = dict(zip(call.computed, args[len(args) - named :]), **call.kwargs)
            getattr(checks, call.check)(*args[: len(args) - named], **keywords)
    except AssertionError as failure:
        return printed.getvalue(), "AssertionError", str(failure) or "the check failed"
    except Exception as failure:  # noqa: BLE001 (the check's own code choked on what the notebook gave)
        return printed.getvalue(), type(failure).__name__, f"{type(failure).__name__}: {failure}"
    return printed.getvalue(), "", ""


def format_grading(grading: Grading) -> str:
    """The grade, its status, and the reason for every lost point, as text."""
    lines = [
        f"status: {grading.status}" + (f" ({grading.reason})" if grading.reason else ""),
        f"score: {grading.score:g} / {grading.max_score:g}",
    ]
    if grading.status != "ok":
        lines.append(f"  - all {len(grading.verdicts)} checks: 0 points, for the reason above")
    else:
        for verdict in grading.verdicts:
            if verdict.points < verdict.max_points:
                lines.append(f"  - {verdict.grade_id} ({verdict.max_points - verdict.points:g}): {verdict.reason}")
    if grading.outcome is not None:
        isolation = ", ".join(grading.outcome.isolation) if grading.outcome.isolated else "UNISOLATED (--unisolated)"
        lines.append(f"sandbox: {isolation}; {grading.outcome.seconds:.1f} s")
    return "\n".join(lines)
