"""Grade one submitted notebook: student code in the sandbox, verdicts here (GRADING.md).

1. The submission is read and validated (missing or invalid: status "invalid", every check 0).
2. The cells to run are the source notebook's code cells without its tests, the student's answer
   in place of each solution cell (matched by grade_id; a missing answer leaves the release's
   stub). The submission's own test cells and metadata are never used.
3. In the sandbox (course/sandbox.py), after those cells, every check call of every test cell of
   the *source* (hidden ones included) runs once, recording what it takes from student code
   (helpers.checks.replay).
4. Here, each check runs again on that record against the reference answers: its verdict is the
   grade. A test cell gets its points when all its check calls pass, else 0 and the first reason.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course import nbtools, sandbox
from helpers.checks import replay

FUNCTION = "<a function of the notebook>"  # what a function argument becomes on replay
# The assignments whose checks take only data from student code (GRADING.md, build order step 3).
READY = ("01_minimax", "02_gan_theory", "03_noise_networks", "04_gan_losses", "05_lsgan", "06_dcgan", "07_wgan",
         "08_conditional")


@dataclass
class CheckCall:
    check: str  # the function's name in the assignment's checks module
    args: list[str]  # source of each positional argument (evaluated in the sandbox)
    kwargs: dict[str, object]  # keyword arguments that are literals, evaluated here
    computed: list[str] = field(default_factory=list)  # keyword arguments evaluated in the sandbox: the
    # last len(computed) entries of args are their sources


@dataclass
class Test:
    grade_id: str
    points: float
    calls: list[CheckCall]


@dataclass
class Verdict:
    grade_id: str
    points: float
    max_points: float
    reason: str = ""  # why points were lost ("" for full points)
    printed: str = ""  # what the checks printed when they were replayed ("passed: ...")
    error: str = ""  # the kind of failure: "AssertionError" for a failed check, else the exception's name


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
        for node in ast.walk(ast.parse(_plain(cell.source))):
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
        source = _plain(cell.source)
        calls = []
        for statement in ast.parse(source).body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == "checks"):
                raise ValueError(f"test cell {nbtools.grade_id(cell)}: only `checks.NAME(...)` calls can be graded "
                                 f"outside the sandbox, found: {ast.get_source_segment(source, statement)}")
            literal, computed = {}, {}
            for keyword in call.keywords:
                try:  # a literal is the instructor's input: read here, never from the sandbox
                    literal[keyword.arg] = ast.literal_eval(keyword.value)
                except ValueError:  # an expression of the notebook's values: evaluated in the sandbox
                    computed[keyword.arg] = ast.get_source_segment(source, keyword.value)
            args = [ast.get_source_segment(source, a) for a in call.args]
            calls.append(CheckCall(call.func.attr, args + list(computed.values()), literal, list(computed)))
        tests.append(Test(nbtools.grade_id(cell), float(nbtools.meta(cell)["points"]), calls))
    return tests


def cells_to_run(source_nb, submission_nb) -> list[tuple[str, str]]:
    """The source's code cells without tests, each solution cell replaced by the student's answer."""
    answers = {nbtools.grade_id(c): c.source for c in submission_nb.cells
               if c.cell_type == "code" and nbtools.is_solution(c)}
    cells = []
    for index, cell in enumerate(source_nb.cells):
        if cell.cell_type != "code" or nbtools.is_test(cell):
            continue
        cell_id = nbtools.grade_id(cell) or f"cell-{index}"
        if nbtools.is_solution(cell):
            cells.append((cell_id, answers.get(cell_id, release_stub(cell.source))))
        else:
            cells.append((cell_id, _plain(cell.source)))
    return cells


PROBE = '''
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
'''


def grade(source_path: Path, submission_path: Path, limits: sandbox.Limits = sandbox.Limits(),
          env: dict[str, str] | None = None) -> Grading:
    """Grade `submission_path` (a student's copy of the notebook at `source_path`); `env`: variables
    for the sandbox beside its own (e.g. GAN_SMOKE)."""
    source_nb = nbtools.read(source_path)
    tests = tests_of(source_nb)
    module = checks_module(source_nb)

    def fail_all(status: str, reason: str, outcome=None) -> Grading:
        return Grading(status, reason, [Verdict(t.grade_id, 0.0, t.points, reason, error="AutogradeError")
                                        for t in tests], outcome)

    if not submission_path.is_file():
        return fail_all("invalid", f"no {source_path.name} in the submission")
    try:
        submission_nb = nbformat.read(submission_path, as_version=4)
        nbformat.validate(submission_nb)
    except Exception as error:  # noqa: BLE001 (any unreadable file is the same verdict)
        return fail_all("invalid", f"{submission_path.name} is not a valid notebook: {str(error).splitlines()[0][:200]}")

    calls = [{"check": c.check, "args": c.args, "kwargs": c.kwargs, "computed": c.computed} for t in tests for c in t.calls]
    probe = "import json\n" + PROBE.format(calls=json.dumps(calls), function=FUNCTION, module=module)
    outcome = sandbox.run(cells_to_run(source_nb, submission_nb), probe=probe, limits=limits, env=env)
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
                verdict.printed += printed
        if verdict.reason:
            verdict.points = 0.0
        verdicts.append(verdict)
    return Grading("ok", "", verdicts, outcome)


def _judge(checks, call: CheckCall, record) -> tuple[str, str, str]:
    """Replay one check call on its record: (what it printed, the failure's kind, the reason), the
    last two "" when it passes."""
    if type(record) is not dict or type(record.get("log")) is not list:
        return "", "AutogradeError", "the sandbox's record of this check is malformed"
    log = record["log"]
    if len(log) < len(call.args):  # the arguments themselves could not be evaluated
        return "", "AutogradeError", f"the notebook could not provide the check's inputs: {record.get('error') or 'unknown error'}"
    printed = io.StringIO()
    try:
        with replay.replay(log), contextlib.redirect_stdout(printed):
            args = [replay.observe(f"argument {i + 1}", None) for i in range(len(call.args))]
            named = len(call.computed)
            keywords = dict(zip(call.computed, args[len(args) - named:]), **call.kwargs)
            getattr(checks, call.check)(*args[:len(args) - named], **keywords)
    except AssertionError as failure:
        return printed.getvalue(), "AssertionError", str(failure) or "the check failed"
    except Exception as failure:  # noqa: BLE001 (the check's own code choked on what the notebook gave)
        return printed.getvalue(), type(failure).__name__, f"{type(failure).__name__}: {failure}"
    return printed.getvalue(), "", ""


def release_stub(source: str) -> str:
    """The cell as the release has it: each solution region replaced by the code stub, indented
    like its BEGIN marker (what nbgrader's ClearSolutions does with this course's configuration)."""
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == nbtools.BEGIN_SOLUTION:
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + "# YOUR CODE HERE", indent + "raise NotImplementedError()"]
            inside = True
        elif line.strip() == nbtools.END_SOLUTION:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _plain(source: str) -> str:
    """A cell's source with the solution and hidden-test markers removed (their content kept)."""
    source = nbtools.without_markers(source, nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION, keep_inside=True)
    return nbtools.without_markers(source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=True)


def format_grading(grading: Grading) -> str:
    """The grade, its status, and the reason for every lost point, as text."""
    lines = [f"status: {grading.status}" + (f" ({grading.reason})" if grading.reason else ""),
             f"score: {grading.score:g} / {grading.max_score:g}"]
    if grading.status != "ok":
        lines.append(f"  - all {len(grading.verdicts)} checks: 0 points, for the reason above")
    else:
        for verdict in grading.verdicts:
            if verdict.points < verdict.max_points:
                lines.append(f"  - {verdict.grade_id} ({verdict.max_points - verdict.points:g}): {verdict.reason}")
    if grading.outcome is not None:
        lines.append(f"sandbox: {', '.join(grading.outcome.isolation)}; {grading.outcome.seconds:.1f} s")
    return "\n".join(lines)
