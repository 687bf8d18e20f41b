"""`make autograde` end to end (course/engine/autograde.py, course/engine/nbgrader_plugins.py): a batch of
honest, broken and adversarial submissions graded in parallel on a local Dask cluster, the
verdicts written by nbgrader into the gradebook; then, graded together in one follow-up run, a late
submission, a resubmission, an LMS download through nbgrader's zip_collect and a verdict that a plain
`nbgrader autograde` was asked for first (it grades nothing); and a real Dask scheduler with
workers on 127.0.0.1.

Each submission of the corpus has its expected status and score, read back from the grade export."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import make_course, source_notebook
from course import nbtools, workflow
from course.authoring import patches
from course.engine.sandbox import Limits
from course.layout import Layout

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

HERE = Path(__file__).parent
ASSIGNMENT = "01_minimax"
FULL_MARKS = 14
WRONG_GDA = patches.load(HERE / "mistakes" / ASSIGNMENT / "gda_signs_swapped.py")
DUE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
ON_TIME, LATE = "2025-12-31 12:00:00.000000 UTC", "2026-01-02 08:00:00.000000 UTC"
LIMITS = [
    "--cell-timeout",
    "10",
    "--timeout",
    "90",
]  # a cell stopped at 10 s leaves room for the rest on a loaded machine


def wrong_gda_and(extra: str) -> dict[str, str]:
    ((cell, source),) = WRONG_GDA.cells.items()
    return {cell: source + "\n" + extra}


def solution_and(extra: str) -> dict[str, str]:
    ((cell, _),) = WRONG_GDA.cells.items()
    return {cell: nbtools.solutions(source_notebook(ASSIGNMENT))[cell] + "\n" + extra}


def _vandalise(nb):
    for cell in nb.cells:
        if nbtools.is_test(cell):
            cell.source, cell.metadata = "pass", {}


def _cell(nb, gid):
    return next(c for c in nb.cells if nbtools.grade_id(c) == gid)


def _paste_twice(nb):
    """Copy-pasted in Jupyter: the gda_step answer again below it (the wrong one, run last, so it is
    the one graded), and a test cell twice; each copy keeps the grade_id, with a new cell id."""
    import copy

    for gid, source in [("gda_step", next(iter(WRONG_GDA.cells.values()))), ("test_gda_step", None)]:
        cell = _cell(nb, gid)
        pasted = copy.deepcopy(cell)
        pasted["id"] = f"pasted-{gid}".replace("_", "-")
        if source is not None:
            pasted.source = source
        nb.cells.insert(nb.cells.index(cell) + 1, pasted)


def _rename(nb):
    for gid in ("gda_step", "test_gda_step"):
        _cell(nb, gid).metadata["nbgrader"]["grade_id"] = gid + "_mine"


def _test_into_answer(nb):
    meta = _cell(nb, "test_gda_step").metadata["nbgrader"]
    meta.update(solution=True, grade=True, locked=False)
    _cell(nb, "test_gda_step").source = "pass  # my own test"


def _retype(nb):
    import nbformat

    for gid in ("gda_step", "test_flow"):
        cell = _cell(nb, gid)
        markdown = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
        nb.cells[nb.cells.index(cell)] = markdown


def _break_metadata(nb):
    _cell(nb, "test_gda_step").metadata["nbgrader"] = "garbage"
    _cell(nb, "test_xy").metadata["nbgrader"]["points"] = "many"
    _cell(nb, "flow").metadata["nbgrader"]["schema_version"] = 1  # nbgrader: SchemaTooOldError, batch stops
    _cell(nb, "test_flow_circle").metadata["nbgrader"] = {"grade": True, "solution": False}  # no grade_id
    nb.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "test_grad_f", "points": 99}  # a duplicate


# Right on the visible cases, wrong where lr is 0.05: only a hidden case sees it.
HIDDEN_WRONG = {
    "gda_step": "def gda_step(grad, x, y, lr):\n    df_dx, df_dy = grad(x, y)\n"
    "    if lr == 0.05:\n        return x + lr * df_dx, y - lr * df_dy\n"
    "    return x - lr * df_dx, y + lr * df_dy"
}


WRONG_SCORE = FULL_MARKS - 3  # what WRONG_GDA's answers deserve (its checks: 2 + 1 points)
# student -> (answer cells over the solution, an edit of the notebook, expected status, expected score)
CORPUS = {
    "full": ({}, None, "ok", FULL_MARKS),
    "wrong": (WRONG_GDA.cells, None, "ok", WRONG_SCORE),
    "transformer": (
        wrong_gda_and("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"),
        None,
        "ok",
        WRONG_SCORE,
    ),
    "patcher": (
        wrong_gda_and(
            "import numpy as np, torch, helpers.checks as c\nnp.allclose = lambda *a, **k: True\n"
            "torch.allclose = lambda *a, **k: True\nc.expect = lambda *a, **k: None"
        ),
        None,
        "ok",
        WRONG_SCORE,
    ),
    "equalizer": (
        wrong_gda_and("class Anything:\n    def __eq__(self, other): return True\ngda_step = lambda *a: Anything()"),
        None,
        "ok",
        WRONG_SCORE,
    ),
    "vandal": (WRONG_GDA.cells, _vandalise, "ok", WRONG_SCORE),
    "warner": (solution_and("import warnings\nwarnings.warn('a library warning')"), None, "ok", FULL_MARKS),
    "printer": (solution_and("print('x' * 5_000_000)"), None, "ok", FULL_MARKS),
    "hog": (solution_and("hog = [bytearray(2**28) for _ in range(10**4)]"), None, "ok", FULL_MARKS),
    "greedy": (solution_and("greedy = bytearray(8 * 2**30)"), None, "ok", FULL_MARKS),  # MemoryError at once
    "forker": (
        solution_and("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        break"),
        None,
        "ok",
        FULL_MARKS,
    ),
    "exiter": (wrong_gda_and("import os\nos._exit(3)"), None, "crashed", 0),
    "segfault": (solution_and("import ctypes\nctypes.string_at(0)"), None, "crashed", 0),
    "looper": (solution_and("while True:\n    pass"), None, "ok", FULL_MARKS),  # the cell is stopped, the rest runs
    "stubborn": (
        solution_and(
            "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except BaseException:\n        pass"
        ),
        None,
        "timeout",
        0,
    ),  # swallows the cell's alarm: the notebook's clock
    # what Jupyter lets a student do to the notebook's structure: graded from the source's cells
    "pasted": ({}, _paste_twice, "ok", WRONG_SCORE),
    "renamed": ({}, _rename, "ok", WRONG_SCORE),  # the gda_step answer is not found: its stub is graded
    "retested": ({}, _test_into_answer, "ok", FULL_MARKS),
    "retyped": ({}, _retype, "ok", WRONG_SCORE),  # a markdown gda_step is no answer
    "broken": ({}, _break_metadata, "ok", FULL_MARKS),
    "hidden": (HIDDEN_WRONG, None, "ok", FULL_MARKS - 2),
    "noisy": (
        solution_and("import sys\nfor i in range(5_000):\n    print(f'noise {i}', file=sys.stderr)"),
        None,
        "ok",
        FULL_MARKS,
    ),
    # and two files that are not a notebook: "garbled" (not JSON) and "absent" (no notebook at all);
    # submissions that are not data (REFUSED), and one that nbgrader's own pass fails on ("forger")
}
REFUSED = {
    "linker": "minimax.ipynb is a symbolic link",
    "snoop": "gradebook.db is a symbolic link",
    "piper": "minimax.ipynb is a FIFO",
}


def cli(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "course", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def submit(root: Path, student: str, nb, stamp: str) -> Path:
    path = root / "submitted" / student / ASSIGNMENT / "minimax.ipynb"
    nbtools.write(nb, path)
    (path.parent / "timestamp.txt").write_text(stamp)
    return path


def filled(cells=None, edit=None):
    nb = nbtools.fill(nbtools.read(nbtools.notebooks(HERE.parent / "notebooks" / ASSIGNMENT)[0]), cells or {})
    if edit:
        edit(nb)
    return nb


def exported(root: Path, name: str = "grades.csv") -> dict[str, dict[str, str]]:
    cli(root, "export", "--to", name)
    return {row["student_id"]: row for row in workflow.read_csv(root / name) if row["assignment"] == ASSIGNMENT}


def record(root: Path, student: str) -> dict:
    return json.loads((root / "grading" / ASSIGNMENT / student / "minimax.json").read_text())


@pytest.fixture(scope="module")
def batch(tmp_path_factory, mnist_dir):
    from nbgrader.api import Gradebook

    root = make_course(tmp_path_factory.mktemp("autograde"))
    with open(root / "nbgrader_config.py", "a") as config:  # a late submission scores 0
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    cli(root, "release", ASSIGNMENT)
    with Gradebook(Layout(root).gradebook_url) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    for student, (cells, edit, _, _) in CORPUS.items():
        submit(root, student, filled(cells, edit), ON_TIME)
    garbled = root / "submitted" / "garbled" / ASSIGNMENT
    garbled.mkdir(parents=True)
    (garbled / "minimax.ipynb").write_text('{"cells": [oops')
    (garbled / "timestamp.txt").write_text(ON_TIME)
    absent = root / "submitted" / "absent" / ASSIGNMENT
    absent.mkdir(parents=True)
    (absent / "timestamp.txt").write_text(ON_TIME)
    linker = root / "submitted" / "linker" / ASSIGNMENT
    linker.mkdir(parents=True)
    (linker / "minimax.ipynb").symlink_to(root / "notebooks" / ASSIGNMENT / "minimax.ipynb")  # the solutions
    (linker / "timestamp.txt").write_text(ON_TIME)
    snoop = submit(root, "snoop", filled(), ON_TIME).parent
    (snoop / "gradebook.db").symlink_to(root / "gradebook.db")  # nbgrader would copy it into feedback/
    piper = root / "submitted" / "piper" / ASSIGNMENT
    piper.mkdir(parents=True)
    os.mkfifo(piper / "minimax.ipynb")  # reading it would block the batch for ever
    submit(root, "forger", filled(), "not a time at all")  # nbgrader's pass raises on this submission
    started = time.perf_counter()
    done = cli(root, "autograde", ASSIGNMENT, "--workers", "2", *LIMITS)
    return root, done, time.perf_counter() - started


@pytest.fixture(scope="module")
def rows(batch):
    return exported(batch[0])


@pytest.mark.parametrize("student", list(CORPUS))
def test_each_submission_gets_its_status_and_score(batch, rows, student):
    root, _, _ = batch
    _, _, status, score = CORPUS[student]
    row = rows[student]
    assert (row["autograde_status"], float(row["score"])) == (status, score), row
    if status != "ok":
        assert row["autograde_reason"].startswith("minimax: ") and len(row["autograde_reason"]) > 20
    saved = record(root, student)
    assert saved["status"] == status and saved["score"] == score and saved["worker"].startswith("tcp://127.0.0.1:")


def test_files_that_are_not_a_notebook_score_zero_with_their_reason(rows):
    assert (rows["garbled"]["autograde_status"], float(rows["garbled"]["score"])) == ("invalid", 0.0)
    assert "not a valid notebook" in rows["garbled"]["autograde_reason"]
    assert (rows["absent"]["autograde_status"], float(rows["absent"]["score"])) == ("invalid", 0.0)
    assert "no minimax.ipynb in the submission" in rows["absent"]["autograde_reason"]
    assert float(rows["garbled"]["max_score"]) == float(rows["full"]["max_score"]) == FULL_MARKS + 2


@pytest.mark.parametrize("student", list(REFUSED))
def test_a_submission_that_is_not_data_is_refused_unread(batch, rows, student):
    root, _, _ = batch
    row = rows[student]
    assert (row["autograde_status"], float(row["score"])) == ("invalid", 0.0), row
    assert REFUSED[student] in row["autograde_reason"] and "plain files only" in row["autograde_reason"]
    assert not (root / "autograded" / student).exists()  # nbgrader never saw it
    assert record(root, student)["isolated"] is None and record(root, student)["cells"] == []


def test_nothing_of_the_gradebook_reaches_feedback(batch):
    root, _, _ = batch
    cli(root, "feedback", ASSIGNMENT)
    assert (root / "feedback" / "full" / ASSIGNMENT / "minimax.html").is_file()
    assert not (root / "feedback" / "snoop").exists()
    for folder in ("autograded", "feedback"):
        for path in (root / folder).rglob("*"):
            assert path.name != "gradebook.db" and not path.is_symlink(), path
            assert not (path.is_file() and path.read_bytes().startswith(b"SQLite format 3")), path


def test_a_submission_nbgrader_fails_on_is_recorded_and_the_batch_goes_on(batch, rows):
    """The forged timestamp makes nbgrader's own pass raise for that student: the failure is the
    submission's status and reason, and every other student is graded and exported."""
    root, _, _ = batch
    row = rows["forger"]
    assert (row["autograde_status"], float(row["score"])) == ("error", 0.0), row
    assert row["autograde_reason"] == (
        "nbgrader's autograde could not take this submission: ParserError: Unknown string format: not a time at all"
    )
    assert (root / "grading" / ASSIGNMENT / "forger" / "nbgrader_pass.failed").is_file()
    assert set(CORPUS) | set(REFUSED) | {"garbled", "absent", "forger"} <= set(rows)
    for student in CORPUS:  # each graded by nbgrader, none "not submitted" or "not autograded"
        assert (root / "autograded" / student / ASSIGNMENT / "minimax.ipynb").is_file(), student


def test_edited_notebook_structure_is_graded_from_the_source(batch, rows):
    root, _, _ = batch
    assert "no answer cell `gda_step` in the submission" in rows["renamed"]["autograde_reason"]
    assert "no answer cell `gda_step` in the submission" in rows["retyped"]["autograde_reason"]
    for student in ("pasted", "renamed", "retested", "retyped", "broken"):
        graded = nbtools.read(root / "autograded" / student / ASSIGNMENT / "minimax.ipynb")
        source = [nbtools.grade_id(c) for c in source_notebook(ASSIGNMENT).cells]
        assert [nbtools.grade_id(c) for c in graded.cells[1:]] == source, student  # the source's cells, in order
    pasted = nbtools.read(root / "autograded" / "pasted" / ASSIGNMENT / "minimax.ipynb")
    assert "x + lr * df_dx" in _cell(pasted, "gda_step").source  # the last copy, as the notebook ran it


def test_limits_are_named_in_the_reason(batch, rows):
    root, _, _ = batch
    assert "cell `gda_step` was stopped by the 10 s cell time limit" in rows["looper"]["autograde_reason"]
    assert (
        "cell `gda_step` ran out of memory (MemoryError) under the 6 GiB memory limit"
        in rows["greedy"]["autograde_reason"]
    )
    assert "output limit" in rows["printer"]["autograde_reason"]
    for row in rows.values():  # no 0 without a reason
        if float(row["raw_score"]) < float(row["max_score"]) - 2:  # beyond the written answer
            assert row["autograde_reason"], row
        assert row["autograde_isolation"] in ("isolated", "unisolated", "")
    assert rows["full"]["autograde_isolation"] == "isolated" and rows["garbled"]["autograde_isolation"] == ""


def test_a_hidden_case_fails_without_a_value(batch, rows):
    import numpy as np

    from helpers.answers import HIDDEN, answers_dir

    root, _, _ = batch
    (verdict,) = [v for v in record(root, "hidden")["verdicts"] if v["points"] < v["max_points"]]
    assert verdict["grade_id"] == "test_gda_step" and verdict["hidden"]
    assert verdict["reason"].startswith("hidden case: gda_step moves x down and y up its gradient")
    graded = nbtools.read(root / "autograded" / "hidden" / ASSIGNMENT / "minimax.ipynb")
    shown = "".join(str(o.get("evalue", "")) + str(o.get("text", "")) for o in _cell(graded, "test_gda_step").outputs)
    assert "hidden case: " in shown and "hidden case: " in rows["hidden"]["autograde_reason"]
    for text in (verdict["reason"], shown, rows["hidden"]["autograde_reason"].split("test_gda_step: ", 1)[1]):
        assert not any(char.isnumeric() for char in text.split(": ", 2)[-1]), text
        with np.load(answers_dir() / HIDDEN / "minimax.npz") as hidden:
            for name in hidden.files:
                for value in np.asarray(hidden[name]).ravel():
                    for printed in {str(value), repr(float(value)), f"{float(value):.6g}", f"{float(value):.3g}"}:
                        if len(printed.strip("-")) > 1:
                            assert printed not in text, (name, printed, text)


def test_stderr_is_capped_in_the_feedback(batch):
    root, _, _ = batch
    banner = nbtools.read(root / "autograded" / "noisy" / ASSIGNMENT / "minimax.ipynb").cells[0].source
    assert "noise 4999" in banner and "noise 100\n" not in banner
    shown = banner.split("```")[1]
    assert len(shown) <= 1_100 and len(shown.strip().splitlines()) <= 21
    assert len(record(root, "noisy")["stderr"]) <= 1_100


def test_the_gradebook_holds_each_check_and_its_reason(batch):
    root, done, _ = batch
    lost = {
        lost.grade_id: lost.reason
        for row in workflow.report(root)
        if row.student == "transformer" and row.assignment == ASSIGNMENT
        for lost in row.lost
    }
    assert set(lost) == set(WRONG_GDA.fails)
    assert all(reason.startswith("AssertionError: ") for reason in lost.values())
    assert re.search(r"stubborn\s+0/14.*timeout", done.stdout), done.stdout
    assert "grading: 100%" in done.stderr  # the progress bar


def test_graded_notebooks_and_feedback_say_the_status_and_stay_small(batch):
    root, _, _ = batch
    cli(root, "feedback", ASSIGNMENT)
    for student in ("full", "stubborn", "printer"):
        graded = root / "autograded" / student / ASSIGNMENT / "minimax.ipynb"
        page = root / "feedback" / student / ASSIGNMENT / "minimax.html"
        figures = [
            o.data["image/png"]
            for c in nbtools.read(graded).cells
            for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]  # the student's own, capped by the sandbox
        assert len(figures) <= Limits().figures and all(len(f) <= Limits().figure_bytes * 4 / 3 + 4 for f in figures)
        assert graded.stat().st_size - sum(map(len, figures)) < 200_000 and page.stat().st_size < 1_000_000
        banner = nbtools.read(graded).cells[0].source
        assert banner.startswith("### Autograder") and f"Status: {CORPUS[student][2]}" in banner
        assert f"Status: {CORPUS[student][2]}" in page.read_text()
    assert (
        "a library warning"
        in nbtools.read(root / "autograded" / "warner" / ASSIGNMENT / "minimax.ipynb").cells[0].source
    )
    looper = nbtools.read(root / "autograded" / "looper" / ASSIGNMENT / "minimax.ipynb")
    assert "CellTimeout: the cell ran longer than 10 s" in looper.cells[0].source
    (stopped,) = [
        c
        for c in looper.cells
        if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs) and not nbtools.is_test(c)
    ]
    assert nbtools.grade_id(stopped) == next(iter(WRONG_GDA.cells)) and stopped.outputs[0].ename == "CellTimeout"
    full = nbtools.read(root / "autograded" / "full" / ASSIGNMENT / "minimax.ipynb")
    for cell in full.cells:
        if nbtools.is_test(cell):  # the replayed checks' own lines, hidden cases included
            assert "".join(o.get("text", "") for o in cell.outputs).count("passed: ") >= 2, nbtools.grade_id(cell)


def test_nothing_up_to_date_is_graded_again(batch):
    root, _, _ = batch
    before = {p: p.read_text() for p in (root / "grading").rglob("*.json")}
    done = cli(root, "autograde", ASSIGNMENT, *LIMITS)
    assert "grading:" not in done.stderr
    assert {p: p.read_text() for p in (root / "grading").rglob("*.json")} == before


FOLLOWERS = ("latecomer", "wrong", "zoe", "yan", "vandal")  # what changed after the batch, graded in one run


@pytest.fixture(scope="module")
def followed_up(batch):
    """After the batch, as a term goes on: a late submission, a resubmission (wrong, fixed), an LMS
    download collected (zoe, yan), and a verdict lost (vandal's) that a plain `nbgrader autograde`
    is asked for first; then one `autograde --student ...` for them all, and one export."""
    root, _, _ = batch
    stored = root / "grading" / ASSIGNMENT / "vandal" / "minimax.json"
    stored.unlink()
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.nbgrader(root, "autograde", ASSIGNMENT, "--student=vandal", "--force")
    after_refusal = stored.exists(), (root / "autograded" / "vandal" / ASSIGNMENT).exists()
    submit(root, "latecomer", filled(), LATE)
    submit(root, "wrong", filled(), ON_TIME)  # fixed
    archive = root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as download:
        for student, cells, when in [
            ("zoe", {}, "2025-12-30-09-15-00"),
            ("yan", WRONG_GDA.cells, "2025-12-31-23-59-00"),
        ]:
            download.writestr(f"{ASSIGNMENT}_{student}_attempt_{when}_minimax.ipynb", json.dumps(filled(cells)))
    collected = cli(root, "collect", ASSIGNMENT)
    others = {p: p.read_text() for p in (root / "grading").rglob("*.json") if p.parent.name not in FOLLOWERS}
    cli(root, "autograde", ASSIGNMENT, *(arg for student in FOLLOWERS for arg in ("--student", student)), *LIMITS)
    return {
        "root": root,
        "refused": str(refused.value),
        "after_refusal": after_refusal,
        "collected": collected.stdout,
        "others": others,
        "rows": exported(root, "followed_up.csv"),
    }


def test_only_what_changed_is_graded_again(followed_up):
    others = followed_up["others"]
    assert len(others) > 20 and {p: p.read_text() for p in others} == others


def test_a_late_submission_is_graded_and_penalised(followed_up):
    from nbgrader.api import Gradebook

    root = followed_up["root"]
    assert record(root, "latecomer")["score"] == FULL_MARKS
    with Gradebook(Layout(root).gradebook_url) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "latecomer")
        assert submission.total_seconds_late == 32 * 3600
        assert submission.score == FULL_MARKS and submission.late_submission_penalty == FULL_MARKS
    row = followed_up["rows"]["latecomer"]
    assert float(row["raw_score"]) == FULL_MARKS and float(row["score"]) == 0.0 and row["autograde_status"] == "ok"


def test_a_resubmission_is_graded_again(followed_up):
    assert float(followed_up["rows"]["wrong"]["score"]) == FULL_MARKS


def test_an_lms_download_is_collected_and_graded(followed_up):
    root, done = followed_up["root"], followed_up["collected"]
    assert "submitted/zoe/01_minimax/minimax.ipynb" in done and "submitted/yan" in done
    assert (root / "submitted" / "zoe" / ASSIGNMENT / "timestamp.txt").read_text().startswith("2025-12-30 09:15:00")
    rows = followed_up["rows"]
    assert float(rows["zoe"]["score"]) == FULL_MARKS and float(rows["yan"]["score"]) == WRONG_SCORE


def test_plain_nbgrader_autograde_grades_nothing(followed_up):
    """Stage 2 only reads the verdict store: without an up-to-date verdict (a plain `nbgrader
    autograde`, the formgrader's button, before `make autograde`), the notebook is refused with the
    command that grades it, and nothing is graded; that command then grades it in the sandbox."""
    root, refused = followed_up["root"], followed_up["refused"]
    assert "vandal/01_minimax/minimax: no up-to-date verdict" in refused
    assert f"python -m course autograde {ASSIGNMENT} --student vandal" in refused
    assert followed_up["after_refusal"] == (False, False), "no verdict stored, no graded notebook kept"
    assert record(root, "vandal")["score"] == WRONG_SCORE and record(root, "vandal")["worker"] != ""
    assert float(followed_up["rows"]["vandal"]["score"]) == WRONG_SCORE


def test_a_real_dask_scheduler_and_workers(batch, tmp_path):
    """A scheduler and two workers started as their own processes on 127.0.0.1, as on a cluster."""
    from distributed import Client

    root, _, _ = batch
    bin_dir = Path(sys.executable).parent
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [
            bin_dir / "dask",
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            scheduler_file,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = None
    try:
        for _ in range(300):
            if scheduler_file.exists() and scheduler_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        workers = subprocess.Popen(
            [
                bin_dir / "dask",
                "worker",
                address,
                "--nworkers",
                "2",
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ),
        )
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            started = set(client.scheduler_info()["workers"])
        cli(
            root,
            "autograde",
            ASSIGNMENT,
            "--student",
            "full",
            "--student",
            "equalizer",
            "--force",
            "--scheduler",
            address,
            *LIMITS,
        )
        assert {record(root, s)["worker"] for s in ("full", "equalizer")} <= started
        rows = exported(root, "cluster.csv")
        assert float(rows["full"]["score"]) == FULL_MARKS and float(rows["equalizer"]["score"]) == WRONG_SCORE
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)


def test_a_task_that_fails_on_the_cluster_fails_closed(tmp_path):
    """A bug or a dead worker: the submission gets the "error" status and its reason, never points."""
    from course.engine import autograde

    (tmp_path / "notebooks" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "notebooks" / ASSIGNMENT / "minimax.ipynb").write_text("{}")  # not a source the grader can read
    submit(tmp_path, "someone", filled(), ON_TIME)
    (job,) = autograde.jobs(tmp_path, ASSIGNMENT)
    records = autograde.grade_all(tmp_path, [job], workers=1, progress=False)
    assert records[job].status == "error" and records[job].score == 0
    assert records[job].reason.startswith("grading failed on the cluster: ")


def test_a_change_to_any_answers_file_makes_every_verdict_stale(tmp_path, monkeypatch):
    """The grader reads the visible and the hidden answers: the verdicts' key covers both."""
    import shutil

    from course.engine import autograde
    from helpers.answers import HIDDEN, answers_dir

    shutil.copytree(answers_dir(), tmp_path / "answers")
    monkeypatch.setenv("GAN_ANSWERS_DIR", str(tmp_path / "answers"))
    before = autograde.engine_digest()
    hidden = tmp_path / "answers" / HIDDEN / "minimax.npz"
    hidden.write_bytes(hidden.read_bytes() + b"\0")
    assert autograde.engine_digest() != before
