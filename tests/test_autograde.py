"""`make autograde` end to end (course/autograde.py, course/nbgrader_plugins.py): a batch of
honest, broken and adversarial submissions graded in parallel on a local Dask cluster, the
verdicts written by nbgrader into the gradebook; then a late submission, one student re-graded, an
LMS download through nbgrader's zip_collect, a plain `nbgrader autograde`, and a real Dask
scheduler with workers on 127.0.0.1.

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
from course import nbtools, patches, workflow

HERE = Path(__file__).parent
ASSIGNMENT = "01_minimax"
FULL_MARKS = 14
WRONG_GDA = patches.load(HERE / "mistakes" / ASSIGNMENT / "gda_signs_swapped.py")
DUE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
ON_TIME, LATE = "2025-12-31 12:00:00.000000 UTC", "2026-01-02 08:00:00.000000 UTC"
LIMITS = ["--cell-timeout", "10", "--timeout", "45"]


def wrong_gda_and(extra: str) -> dict[str, str]:
    (cell, source), = WRONG_GDA.cells.items()
    return {cell: source + "\n" + extra}


def solution_and(extra: str) -> dict[str, str]:
    (cell, _), = WRONG_GDA.cells.items()
    return {cell: nbtools.solutions(source_notebook(ASSIGNMENT))[cell] + "\n" + extra}


def _vandalise(nb):
    for cell in nb.cells:
        if nbtools.is_test(cell):
            cell.source, cell.metadata = "pass", {}


WRONG_SCORE = FULL_MARKS - 3  # what WRONG_GDA's answers deserve (its checks: 2 + 1 points)
# student -> (answer cells over the solution, an edit of the notebook, expected status, expected score)
CORPUS = {
    "full": ({}, None, "ok", FULL_MARKS),
    "wrong": (WRONG_GDA.cells, None, "ok", WRONG_SCORE),
    "transformer": (wrong_gda_and("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"),
                    None, "ok", WRONG_SCORE),
    "patcher": (wrong_gda_and("import numpy as np, torch, helpers.checks as c\nnp.allclose = lambda *a, **k: True\n"
                              "torch.allclose = lambda *a, **k: True\nc.expect = lambda *a, **k: None"),
                None, "ok", WRONG_SCORE),
    "equalizer": (wrong_gda_and("class Anything:\n    def __eq__(self, other): return True\n"
                                "gda_step = lambda *a: Anything()"), None, "ok", WRONG_SCORE),
    "vandal": (WRONG_GDA.cells, _vandalise, "ok", WRONG_SCORE),
    "warner": (solution_and("import warnings\nwarnings.warn('a library warning')"), None, "ok", FULL_MARKS),
    "printer": (solution_and("print('x' * 5_000_000)"), None, "ok", FULL_MARKS),
    "hog": (solution_and("hog = [bytearray(2**28) for _ in range(10**4)]"), None, "ok", FULL_MARKS),
    "forker": (solution_and("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        break"),
               None, "ok", FULL_MARKS),
    "exiter": (wrong_gda_and("import os\nos._exit(3)"), None, "crashed", 0),
    "segfault": (solution_and("import ctypes\nctypes.string_at(0)"), None, "crashed", 0),
    "looper": (solution_and("while True:\n    pass"), None, "ok", FULL_MARKS),  # the cell is stopped, the rest runs
    "stubborn": (solution_and("import time\nwhile True:\n    try:\n        time.sleep(1)\n    except BaseException:\n"
                              "        pass"), None, "timeout", 0),  # swallows the cell's alarm: the notebook's clock
    # and two files that are not a notebook: "garbled" (not JSON) and "absent" (no notebook at all)
}


def cli(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "course", "--root", str(root), *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=timeout)
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
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
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


def test_the_gradebook_holds_each_check_and_its_reason(batch):
    root, done, _ = batch
    lost = {lost.grade_id: lost.reason for row in workflow.report(root)
            if row.student == "transformer" and row.assignment == ASSIGNMENT for lost in row.lost}
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
        assert graded.stat().st_size < 200_000 and page.stat().st_size < 1_000_000
        banner = nbtools.read(graded).cells[0].source
        assert banner.startswith("### Autograder") and f"Status: {CORPUS[student][2]}" in banner
        assert f"Status: {CORPUS[student][2]}" in page.read_text()
    assert "a library warning" in nbtools.read(root / "autograded" / "warner" / ASSIGNMENT / "minimax.ipynb").cells[0].source
    looper = nbtools.read(root / "autograded" / "looper" / ASSIGNMENT / "minimax.ipynb")
    assert "CellTimeout: the cell ran longer than 10 s" in looper.cells[0].source
    (stopped,) = [c for c in looper.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)
                  and not nbtools.is_test(c)]
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


def test_a_late_submission_is_graded_alone_and_penalised(batch):
    from nbgrader.api import Gradebook

    root, _, _ = batch
    others = {p: p.read_text() for p in (root / "grading").rglob("*.json")}
    submit(root, "latecomer", filled(), LATE)
    cli(root, "autograde", ASSIGNMENT, "--student", "latecomer", *LIMITS)
    assert {p: p.read_text() for p in others} == others
    assert record(root, "latecomer")["score"] == FULL_MARKS
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "latecomer")
        assert submission.total_seconds_late == 32 * 3600
        assert submission.score == FULL_MARKS and submission.late_submission_penalty == FULL_MARKS
    row = exported(root, "late.csv")["latecomer"]
    assert float(row["raw_score"]) == FULL_MARKS and float(row["score"]) == 0.0 and row["autograde_status"] == "ok"


def test_a_resubmission_regrades_that_student_only(batch):
    root, _, _ = batch
    submit(root, "wrong", filled(), ON_TIME)  # fixed
    others = {p: p.read_text() for p in (root / "grading").rglob("*.json") if p.parent.name != "wrong"}
    cli(root, "autograde", ASSIGNMENT, "--student", "wrong", *LIMITS)
    assert {p: p.read_text() for p in others} == others
    assert float(exported(root, "again.csv")["wrong"]["score"]) == FULL_MARKS


def test_an_lms_download_is_collected_and_graded(batch):
    root, _, _ = batch
    archive = root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms_download.zip", "w") as download:
        for student, cells, when in [("zoe", {}, "2025-12-30-09-15-00"), ("yan", WRONG_GDA.cells, "2025-12-31-23-59-00")]:
            download.writestr(f"{ASSIGNMENT}_{student}_attempt_{when}_minimax.ipynb", json.dumps(filled(cells)))
    done = cli(root, "collect", ASSIGNMENT)
    assert "submitted/zoe/01_minimax/minimax.ipynb" in done.stdout and "submitted/yan" in done.stdout
    assert (root / "submitted" / "zoe" / ASSIGNMENT / "timestamp.txt").read_text().startswith("2025-12-30 09:15:00")
    cli(root, "autograde", ASSIGNMENT, "--student", "zoe", "--student", "yan", *LIMITS)
    rows = exported(root, "collected.csv")
    assert float(rows["zoe"]["score"]) == FULL_MARKS and float(rows["yan"]["score"]) == WRONG_SCORE


def test_plain_nbgrader_autograde_grades_the_same_way(batch):
    """Without `make autograde` first (the formgrader's button), the verdict is reached on the spot."""
    root, _, _ = batch
    (root / "grading" / ASSIGNMENT / "vandal" / "minimax.json").unlink()
    workflow.nbgrader(root, "autograde", ASSIGNMENT, "--student=vandal", "--force")
    assert record(root, "vandal")["score"] == WRONG_SCORE and record(root, "vandal")["worker"] == ""
    assert float(exported(root, "plain.csv")["vandal"]["score"]) == WRONG_SCORE


def test_a_real_dask_scheduler_and_workers(batch, tmp_path):
    """A scheduler and two workers started as their own processes on 127.0.0.1, as on a cluster."""
    from distributed import Client

    root, _, _ = batch
    bin_dir = Path(sys.executable).parent
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--scheduler-file", scheduler_file],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = None
    try:
        for _ in range(300):
            if scheduler_file.exists() and scheduler_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        workers = subprocess.Popen([bin_dir / "dask", "worker", address, "--nworkers", "2", "--nthreads", "1",
                                    "--host", "127.0.0.1", "--no-dashboard"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
            started = set(client.scheduler_info()["workers"])
        cli(root, "autograde", ASSIGNMENT, "--student", "full", "--student", "equalizer", "--force",
            "--scheduler", address, *LIMITS)
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
    from course import autograde

    (tmp_path / "notebooks" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "notebooks" / ASSIGNMENT / "minimax.ipynb").write_text("{}")  # not a source the grader can read
    submit(tmp_path, "someone", filled(), ON_TIME)
    (job,) = autograde.jobs(tmp_path, ASSIGNMENT)
    records = autograde.grade_all(tmp_path, [job], workers=1, progress=False)
    assert records[job]["status"] == "error" and records[job]["score"] == 0
    assert records[job]["reason"].startswith("grading failed on the cluster: ")


def test_a_change_to_any_answers_file_makes_every_verdict_stale(tmp_path, monkeypatch):
    """The grader reads the visible and the hidden answers: the verdicts' key covers both."""
    import shutil

    from course import autograde
    from helpers.answers import HIDDEN, answers_dir

    shutil.copytree(answers_dir(), tmp_path / "answers")
    monkeypatch.setenv("GAN_ANSWERS_DIR", str(tmp_path / "answers"))
    before = autograde.engine_digest()
    hidden = tmp_path / "answers" / HIDDEN / "minimax.npz"
    hidden.write_bytes(hidden.read_bytes() + b"\0")
    assert autograde.engine_digest() != before
