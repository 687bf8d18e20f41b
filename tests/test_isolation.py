"""The whole grading path as root (CI) and as an ordinary user (an instructor's laptop, a
JupyterHub), with the same expectations; and where user namespaces are refused, grading refuses,
unless told `--unisolated`, and then says so in every verdict and the export.

A correct, a wrong and a hostile submission of notebooks 1 and 4 go through `python -m course
release`, `autograde`, `export` and `feedback` (its pages opened in Chromium). The hostile one is the wrong one plus code that tries to plant
a `.pth` in the Python environment (it would run in `make export`), rewrite the gradebook, the
course's `nbgrader_config.py`, the checks and the hidden answers, read them, leave a file in /tmp
and a daemon behind; in notebook 4 it also patches the course's computations in the sandbox to
report what a correct gan_step would give (tests/test_grader.py's FORGE_GAN_LOSSES). It must score
exactly what the wrong one scores, and afterwards the course folder, the repository, the Python
environment and /tmp hold nothing it wrote; no process of it is left.

The ordinary user is made from a spare uid when the suite runs as root (as CI does); the
folders it needs but cannot enter from root's home (the Python installation below /root) are
made reachable in the test's own mount namespace, as they are on a machine where that user
installed Python (course.engine.sandbox.make_reachable)."""

from __future__ import annotations

import hashlib
import os
import pwd
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import REPO, make_course
from course import nbtools, workflow
from course.authoring import patches
from course.engine import grader, sandbox
from test_grader import FORGE_GAN_LOSSES

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`

HERE = Path(__file__).parent
ASSIGNMENT = "01_minimax"
WRONG_GDA = patches.load(HERE / "mistakes" / ASSIGNMENT / "gda_signs_swapped.py")

LOSSES = "04_gan_losses"
WRONG_STEP = patches.load(HERE / "mistakes" / LOSSES / "step_no_detach.py")
LIMITS = ["--cell-timeout", "60", "--timeout", "300"]


def scores(assignment: str, mistake: patches.Patch) -> tuple[float, float]:
    """(full marks, what `mistake` deserves): the points of the source's test cells, less its own."""
    tests = grader.tests_of(nbtools.read(nbtools.notebooks(REPO / "notebooks" / assignment)[0]))
    full = sum(t.points for t in tests)
    return full, full - sum(t.points for t in tests if t.grade_id in mistake.fails)


def spare_uid() -> int:
    """A uid with no account and no process: an ordinary user nobody else is."""
    running = {os.stat(f"/proc/{p}").st_uid for p in os.listdir("/proc") if p.isdigit()}
    for uid in range(47000, 48000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if uid not in running:
                return uid
    raise RuntimeError("no spare uid")


class Runner:
    """Runs the course's CLI as root (the suite's own user) or as an ordinary user."""

    def __init__(self, who: str, tmp: Path):
        self.who, self.tmp = who, tmp
        self.uid = None if who == "root" else spare_uid()
        self.home = tmp / "home"
        self.home.mkdir()

    def own(self, path: Path) -> None:
        if self.uid is not None:
            for entry in [path, *path.rglob("*")]:
                os.lchown(entry, self.uid, self.uid)

    def __call__(self, root: Path, *args: str, check: bool = True, prefix=(), timeout: float = 900):
        env = {**os.environ, "HOME": str(self.home), "USER": self.who.replace(" ", "-")}
        argv = [*prefix, sys.executable, "-m", "course", "--root", str(root), *args]
        preexec = None
        if self.uid is not None:
            reach = [*sandbox._python_folders(), REPO, root, self.home]
            if os.environ.get("GAN_DATA_DIR"):
                reach.append(Path(os.environ["GAN_DATA_DIR"]).resolve())
            park = Path(tempfile.mkdtemp(prefix="gan-test-park-"))  # outside what it covers; empty here

            def become_user(uid=self.uid):
                sandbox.make_reachable(reach, park)
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)

            preexec = become_user

        try:
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, preexec_fn=preexec)
        finally:
            if self.uid is not None:
                park.rmdir()
        if check:
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file below `folders` (caches and what grading writes aside) with its size and mtime."""
    skip = {".git", "__pycache__", ".pytest_cache", "grading", "autograded", "feedback", "build"}
    files = {}
    for folder in folders:
        for parent, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d not in skip]
            for name in names:
                path = Path(parent, name)
                if (
                    name == "gradebook.db"
                    or (name.startswith("grades") and name.endswith(".csv"))
                    or name.endswith((".log", ".pyc"))
                ):  # what the grading and the export write
                    continue
                with_stat = path.lstat()
                files[str(path)] = (with_stat.st_size, with_stat.st_mtime_ns)
    return files


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hostile_code(root: Path, marker: str) -> str:
    """What an attacker appends to a wrong answer: every write and read it should not be able to do."""
    import site

    targets = [
        *(f"{p}/zz_{marker}.pth" for p in site.getsitepackages()),
        root / "nbgrader_config.py",
        root / "gradebook.db",
        REPO / "answers" / "hidden" / "minimax.npz",
        REPO / "helpers" / "checks" / "minimax.py",
        REPO / "course" / "grader.py",
    ]
    return f'''
import os, sys, time
for _target in {[str(t) for t in targets]!r}:
    try:
        with open(_target, "a") as _handle:
            _handle.write("\\nimport os; os.system('echo {marker}')\\n")
    except OSError:
        pass
for _secret in [{str(REPO / "answers" / "hidden" / "minimax.npz")!r}, {str(root / "gradebook.db")!r}]:
    try:
        print("{marker} read", open(_secret, "rb").read(64))
    except OSError as _error:
        print("{marker} could not read", type(_error).__name__)
try:
    open("/tmp/{marker}", "w").write("left behind")
except OSError:
    pass
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
    os._exit(0)
'''


def processes_named(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def submit(root: Path, student: str, cells: dict[str, str], assignment: str = ASSIGNMENT) -> None:
    source = nbtools.notebooks(REPO / "notebooks" / assignment)[0]
    nb = nbtools.fill(nbtools.read(source), cells)
    path = root / "submitted" / student / assignment / source.name
    nbtools.write(nb, path)
    (path.parent / "timestamp.txt").write_text("2025-12-31 12:00:00.000000 UTC")


@pytest.fixture(scope="module", params=["root", "ordinary user"])
def graded(request, tmp_path_factory, mnist_dir):
    if request.param == "ordinary user" and os.getuid() != 0:
        pytest.skip("the suite already runs as an ordinary user: every test here is that test")
    tmp = tmp_path_factory.mktemp(request.param.replace(" ", "-"))
    tmp.chmod(0o755)
    runner = Runner(request.param, tmp)
    root = make_course(tmp / "course")
    runner.own(root)
    marker = f"hostile-{uuid.uuid4().hex[:10]}"
    ((cell, wrong),) = WRONG_GDA.cells.items()
    runner(root, "release", ASSIGNMENT, LOSSES)
    submit(root, "correct", {})
    submit(root, "wrong", WRONG_GDA.cells)
    submit(root, "hostile", {cell: wrong + "\n" + hostile_code(root, marker)})
    ((step_cell, wrong_step),) = WRONG_STEP.cells.items()
    submit(root, "correct", {}, LOSSES)
    submit(root, "wrong", WRONG_STEP.cells, LOSSES)
    submit(root, "hostile", {step_cell: wrong_step + "\n" + hostile_code(root, marker) + FORGE_GAN_LOSSES}, LOSSES)
    runner.own(root)
    protected = [root, REPO, Path(sys.prefix)]
    before = snapshot(*protected)
    config = digest(root / "nbgrader_config.py")
    runner(root, "autograde", ASSIGNMENT, LOSSES, "--no-progress", *LIMITS)
    export = runner(root, "export", "--to", "grades.csv")
    runner(root, "feedback", ASSIGNMENT, LOSSES)
    rows = {(row["assignment"], row["student_id"]): row for row in workflow.read_csv(root / "grades.csv")}
    yield {
        "rows": rows,
        "before": before,
        "after": snapshot(*protected),
        "config": config,
        "root": root,
        "marker": marker,
        "runner": runner,
        "export": export,
    }


@pytest.mark.parametrize(
    "assignment, mistake", [(ASSIGNMENT, WRONG_GDA), (LOSSES, WRONG_STEP)], ids=["minimax", "gan_losses"]
)
def test_the_scores_are_what_the_answers_deserve(graded, assignment, mistake):
    """The hostile submission earns nothing over the wrong one: in notebook 1 its attacks on the
    host change nothing (the same score); in notebook 4 its forged course computations leave the
    records they replaced missing, so those checks fail closed (at most the same score)."""
    rows = graded["rows"]
    full, deserved = scores(assignment, mistake)
    assert deserved < full
    got = {
        s: (
            rows[assignment, s]["autograde_status"],
            float(rows[assignment, s]["score"]),
            rows[assignment, s]["autograde_isolation"],
        )
        for s in ("correct", "wrong", "hostile")
    }
    hostile = got.pop("hostile")
    assert got == {"correct": ("ok", full, "isolated"), "wrong": ("ok", deserved, "isolated")}
    assert hostile[0] == "ok" and hostile[2] == "isolated"
    assert hostile[1] == deserved if assignment == ASSIGNMENT else hostile[1] <= deserved


def test_the_hostile_code_changed_nothing_and_left_nothing(graded):
    marker, root = graded["marker"], graded["root"]
    assert graded["after"] == graded["before"]  # the course, the repository, the Python environment
    assert digest(root / "nbgrader_config.py") == graded["config"]
    assert not Path("/tmp", marker).exists()
    assert processes_named(marker) == []
    for assignment, name in ((ASSIGNMENT, "minimax"), (LOSSES, "gan_losses")):
        record = (root / "grading" / assignment / "hostile" / f"{name}.json").read_text()
        assert f"{marker} could not read" in record and f"{marker} read" not in record  # its stdout, kept


def test_the_feedback_pages_are_made_by_their_user_and_name_every_reason(graded, tmp_path):
    """`python -m course feedback` as the course's own user (root, or an instructor on a laptop):
    a page per submission, owned by that user; the wrong answer's page, opened in Chromium, shows
    each lost point's whole reason and the score, wrapped, with nothing to fetch."""
    from browser import look

    root, runner = graded["root"], graded["runner"]
    report = {(r.assignment, r.student): r for r in workflow.report(root)}
    for assignment in (ASSIGNMENT, LOSSES):
        pages = {p.parts[-3]: p for p in (root / "feedback").glob(f"*/{assignment}/*.html")}
        assert set(pages) == {"correct", "wrong", "hostile"}, assignment
        assert {p.stat().st_uid for p in pages.values()} == {os.getuid() if runner.uid is None else runner.uid}
        row = report[assignment, "wrong"]
        seen = look(pages["wrong"], tmp_path / assignment)
        assert seen["page_width"] <= seen["viewport"] and seen["overflowing"] == [] and seen["fetches"] == []
        errors = [" ".join(e.split()) for e in seen["errors"]]
        assert row.lost and all(" ".join(lost.reason.split()) in errors for lost in row.lost), assignment
        assert seen["summary"].startswith(f"{pages['wrong'].stem}: {row.auto_score:g}/{row.auto_max:g} autograded")


def test_what_ran_was_isolated(graded):
    import json

    record = json.loads((graded["root"] / "grading" / ASSIGNMENT / "correct" / "minimax.json").read_text())
    assert record["isolation"][0].startswith("bubblewrap") and "no network" in record["isolation"]


# ------------------------------------------------------------------------------------------------
# where user namespaces are refused (Ubuntu 24.04's AppArmor rule, many containers)

NO_USER_NAMESPACES = (
    "unshare",
    "--user",
    "--map-root-user",
    "sh",
    "-c",
    'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"',
    "no-userns",
)


def test_without_user_namespaces_grading_refuses_unless_told_unisolated(tmp_path, mnist_dir):
    runner = Runner("root", tmp_path)
    root = make_course(tmp_path / "course")
    runner(root, "release", ASSIGNMENT)
    submit(root, "correct", {})
    refused = runner(root, "autograde", ASSIGNMENT, "--no-progress", *LIMITS, check=False, prefix=NO_USER_NAMESPACES)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "cannot isolate" in refused.stderr and "--unisolated" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (root / "grading" / ASSIGNMENT / "correct").exists()
    notebook = root / "submitted" / "correct" / ASSIGNMENT / "minimax.ipynb"
    one = runner(root, "grade", ASSIGNMENT, str(notebook), check=False, prefix=NO_USER_NAMESPACES)
    assert one.returncode == 2 and "cannot isolate" in one.stderr and "Traceback" not in one.stderr
    one = runner(root, "grade", ASSIGNMENT, str(notebook), "--unisolated", prefix=NO_USER_NAMESPACES)
    assert "status: ok" in one.stdout and "UNISOLATED" in one.stdout
    runner(root, "autograde", ASSIGNMENT, "--no-progress", "--unisolated", *LIMITS, prefix=NO_USER_NAMESPACES)
    runner(root, "export", "--to", "grades.csv", prefix=NO_USER_NAMESPACES)
    (row,) = [
        r
        for r in workflow.read_csv(root / "grades.csv")
        if r["student_id"] == "correct" and r["assignment"] == ASSIGNMENT
    ]
    assert float(row["score"]) == scores(ASSIGNMENT, WRONG_GDA)[0] and row["autograde_isolation"] == "unisolated"
