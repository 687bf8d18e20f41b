"""End to end with real nbgrader: `python -m course demo` on a scratch course, then what it produced.

One run (module fixture) releases every assignment, submits the bundled samples (full solution,
untouched release, partly wrong), autogrades them in real kernels, writes feedback and grades.csv.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys

import pytest

from conftest import ASSIGNMENTS, make_course, source_notebook
from course import nbtools, workflow
from course.authoring import inprocess, patches
from course.layout import Layout

pytestmark = pytest.mark.slow  # sandboxes, kernels or nbgrader runs: left out of `make test-fast`


@pytest.fixture(scope="module")
def course(tmp_path_factory, mnist_dir):
    root = make_course(tmp_path_factory.mktemp("course"))
    env = dict(os.environ, GAN_DATA_DIR=str(mnist_dir))
    done = subprocess.run(
        [sys.executable, "-m", "course", "--root", str(root), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return root, done.stdout


def partly_wrong(root, assignment):
    (path,) = sorted((root / "samples" / assignment).glob("*.py"))
    return patches.load(path)


def significant_lines(text):
    """Lines long enough that finding them elsewhere is no coincidence."""
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= 12}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(course, assignment):
    root, _ = course
    source = source_notebook(assignment)
    (release_path,) = nbtools.notebooks(root / "release" / assignment)
    release = nbtools.read(release_path)
    text = "\n".join(cell.source for cell in release.cells)
    released_lines = {line.strip() for line in text.splitlines()}
    for marker in (nbtools.BEGIN_SOLUTION, nbtools.BEGIN_HIDDEN, "Model answer", "Rubric"):
        assert marker not in text
    for cell in source.cells:
        secret = ""
        if nbtools.is_solution(cell) and cell.cell_type == "code":
            inside = nbtools.without_markers(
                cell.source, nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION, keep_inside=True
            )
            outside = nbtools.without_markers(
                cell.source, nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION, keep_inside=False
            )
            secret = "\n".join(sorted(significant_lines(inside) - significant_lines(outside)))
        elif nbtools.is_written_answer(cell):
            secret = cell.source
        elif nbtools.is_test(cell):
            inside = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=True)
            outside = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=False)
            secret = "\n".join(sorted(significant_lines(inside) - significant_lines(outside)))
        leaked = significant_lines(secret) & released_lines
        assert not leaked, f"{nbtools.grade_id(cell)} leaked into the release: {sorted(leaked)}"
    stubs = [c for c in release.cells if nbtools.is_solution(c)]
    assert stubs and all(
        "raise NotImplementedError()" in c.source if c.cell_type == "code" else c.source.strip() == "YOUR ANSWER HERE"
        for c in stubs
    )


@pytest.mark.usefixtures("mnist_dir")
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_fails_on_the_released_stub(course, assignment):
    """Run the release as handed out (visible checks), and the stub with the hidden checks restored."""
    root, _ = course
    (release_path,) = nbtools.notebooks(root / "release" / assignment)
    release = nbtools.read(release_path)
    tests = set(nbtools.test_points(release))
    assert tests == set(nbtools.test_points(source_notebook(assignment)))
    run = inprocess.run(release, name="release")
    assert run.failed_tests(release) == tests
    assert all(run.errors[t].startswith("AssertionError: not implemented yet") for t in tests)
    # what the autograder ran for the untouched submission: the hidden parts were put back, and failed
    (graded_path,) = nbtools.notebooks(root / "autograded" / workflow.UNTOUCHED / assignment)
    for cell in nbtools.read(graded_path).cells:
        if nbtools.is_test(cell):
            assert any(o.output_type == "error" for o in cell.outputs), nbtools.grade_id(cell)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_scores_of_the_sample_submissions(course, assignment):
    root, _ = course
    points = nbtools.test_points(source_notebook(assignment))
    full_marks = sum(points.values())
    rows = {row.student: row for row in workflow.report(root) if row.assignment == assignment}
    wrong = partly_wrong(root, assignment)
    wrong_student = f"sample_{wrong.name}"
    assert set(rows) == {workflow.FULL, workflow.UNTOUCHED, wrong_student}

    full = rows[workflow.FULL]
    assert (full.auto_score, full.auto_max, full.lost) == (full_marks, full_marks, [])
    assert full.written_score is None, "a written answer waits for the instructor"

    untouched = rows[workflow.UNTOUCHED]
    assert untouched.auto_score == 0 and untouched.written_score == 0  # nbgrader zeroes an unchanged answer
    assert {lost.grade_id for lost in untouched.lost} == set(points)
    assert all("not implemented yet" in lost.reason for lost in untouched.lost), untouched.lost

    row = rows[wrong_student]
    assert row.auto_score == full_marks - sum(points[gid] for gid in wrong.fails)
    assert {lost.grade_id for lost in row.lost} == wrong.fails
    for lost in row.lost:
        assert lost.points == points[lost.grade_id]
        assert lost.reason.startswith("AssertionError: ") and len(lost.reason) > 30, lost.reason


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_ran_at_grading(course, assignment):
    root, _ = course
    (path,) = nbtools.notebooks(root / "autograded" / workflow.FULL / assignment)
    for cell in nbtools.read(path).cells:
        if nbtools.is_test(cell):
            hidden = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=True)
            visible = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=False)
            assert hidden != visible, f"{nbtools.grade_id(cell)}: the hidden part was not restored"
            printed = "".join(o.get("text", "") for o in cell.outputs)
            assert printed.count("passed: ") >= 2, f"{nbtools.grade_id(cell)}: {printed!r}"


def test_feedback_pages_name_the_reasons(course):
    root, _ = course
    for assignment in ASSIGNMENTS:
        wrong = partly_wrong(root, assignment)
        pages = {p.parts[-3]: p for p in (root / "feedback").glob(f"*/{assignment}/*.html")}
        assert set(pages) == {workflow.FULL, workflow.UNTOUCHED, f"sample_{wrong.name}"}
        html = pages[f"sample_{wrong.name}"].read_text()
        assert "AssertionError" in html
        row = next(
            r for r in workflow.report(root) if (r.assignment, r.student) == (assignment, f"sample_{wrong.name}")
        )
        for lost in row.lost:
            assert lost.reason.split(": ", 1)[1][:40] in html


def _flat(text: str) -> str:
    return " ".join(text.split())


def formulas(nb) -> int:
    """How many $...$ and $$...$$ formulas the markdown cells of `nb` hold, outside code."""
    found = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = re.sub(r"```.*?```|`[^`\n]*`", "", cell.source, flags=re.S)
            found += len(re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", text, flags=re.S))
    return found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_pages_in_a_browser(course, assignment, tmp_path):
    """The partly wrong sample's page, opened in headless Chromium: every reason whole and wrapped,
    no hidden test code, the written answer "to be graded by hand" and counted apart, the student's
    own outputs and figures (capped), links named after the checks, formulas drawn with no network."""
    from browser import look
    from course.engine.sandbox import Limits

    root, _ = course
    source = source_notebook(assignment)
    student = f"sample_{partly_wrong(root, assignment).name}"
    (row,) = [r for r in workflow.report(root) if (r.assignment, r.student) == (assignment, student)]
    (page,) = (root / "feedback" / student / assignment).glob("*.html")
    assert page.stat().st_size < 1_000_000
    seen = look(page, tmp_path)

    assert seen["page_width"] <= seen["viewport"] and seen["overflowing"] == []
    errors = [_flat(e) for e in seen["errors"]]
    assert row.lost and all(_flat(lost.reason) in errors for lost in row.lost)  # whole, as the gradebook holds it

    graded = [c for c in source.cells if nbtools.meta(c).get("grade")]
    written = [c for c in graded if nbtools.is_written_answer(c)]
    assert row.written_score is None and written, "the sample's written answer waits for the instructor"
    pending = sum(nbtools.meta(c)["points"] for c in written)
    assert seen["summary"] == (
        f"{page.stem}: {row.auto_score:g}/{row.auto_max:g} autograded, "
        f"{pending:g} point{'s' if pending != 1 else ''} still to grade"
    )
    assert len(seen["toc"]) == len(graded)
    for entry, cell in zip(seen["toc"], graded):
        gid = nbtools.grade_id(cell)
        if nbtools.is_test(cell):
            points = nbtools.meta(cell)["points"]
            got = 0 if gid in {lost.grade_id for lost in row.lost} else points
            assert entry == f"check {gid}: Score: {float(got)} / {float(points)}"
        else:
            assert entry == f"written answer {gid}: to be graded by hand ({float(nbtools.meta(cell)['points'])} points)"

    text = seen["text"]
    assert nbtools.BEGIN_HIDDEN not in text and nbtools.END_HIDDEN not in text
    for cell in source.cells:
        if nbtools.is_test(cell) and nbtools.BEGIN_HIDDEN in cell.source:
            inside = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=True)
            outside = nbtools.without_markers(cell.source, nbtools.BEGIN_HIDDEN, nbtools.END_HIDDEN, keep_inside=False)
            for line in significant_lines(inside) - significant_lines(outside):
                assert line not in text, f"{nbtools.grade_id(cell)}: hidden test code on the page"
    assert "Hidden cases: passed." in text

    limits = Limits()
    assert len(seen["images"]) <= limits.figures
    assert all(0 < image["width"] <= image["container"] for image in seen["images"])
    (graded_path,) = nbtools.notebooks(root / "autograded" / student / assignment)
    assert len(seen["math"]) == formulas(nbtools.read(graded_path)) and all(width > 0 for width in seen["math"])
    assert not re.search(r"\$[^$\n]*\\[A-Za-z]+[^$\n]*\$", text), "a formula left for MathJax"
    assert seen["fetches"] == [] and seen["scripts"] == 1  # nothing to fetch; the only script is the probe's


def test_the_students_own_outputs_reach_the_feedback(course):
    """What the graded run printed and drew is under its cells, within the sandbox's caps."""
    from course.engine.sandbox import Limits

    root, _ = course
    pages = {a: next((root / "feedback" / workflow.FULL / a).glob("*.html")).read_text() for a in ASSIGNMENTS}
    assert "smoke mode: True" in pages[ASSIGNMENTS[0]]  # the setup cell's own print
    drawn = {a: page.count('src="data:image/png;base64,') for a, page in pages.items()}
    assert all(n <= Limits().figures for n in drawn.values()) and sum(drawn.values()) >= len(ASSIGNMENTS), drawn


def test_the_browser_probe_sees_what_it_is_written_for(tmp_path):
    """The probe of tests/browser.py reports an output line cut at the right and a fetched resource."""
    from browser import look

    page = tmp_path / "page" / "bad.html"
    page.parent.mkdir()
    (tmp_path / "page" / "style.css").write_text("body { color: black; }")
    page.write_text(
        '<html><head><link rel="stylesheet" href="style.css"></head><body>'
        '<div class="output_area"><pre style="white-space: pre; overflow: hidden">'
        + "AssertionError: "
        + "x " * 2000
        + '</pre></div><img src="https://example.org/x.png"></body></html>'
    )
    seen = look(page, tmp_path / "look")
    assert seen["overflowing"] and seen["fetches"] == ["style.css", "https://example.org/x.png"]
    assert sum(formulas(source_notebook(a)) for a in ASSIGNMENTS) > 20  # the pages above had formulas to draw


def test_grades_csv_and_the_printed_table(course):
    root, stdout = course
    rows = workflow.read_csv(root / "grades.csv")
    report = {(r.assignment, r.student): r for r in workflow.report(root)}
    assert {(r["assignment"], r["student_id"]) for r in rows} == set(report)
    for row in rows:
        graded = report[(row["assignment"], row["student_id"])]
        assert float(row["score"]) == graded.auto_score + (graded.written_score or 0)
        assert float(row["max_score"]) == graded.auto_max + graded.written_max
    for (assignment, student), graded in report.items():
        assert any(
            line.split()[:3] == [assignment, student, f"{graded.auto_score:g}/{graded.auto_max:g}"]
            for line in stdout.splitlines()
        )
    assert "lost points in" in stdout and "Feedback pages:" in stdout and "grades.csv" in stdout


def test_the_report_says_what_each_graded_notebook_shows(course):
    """The report reads its reasons from the verdict store (grading/), never from nbgrader's
    outputs; they are the errors the autograded notebooks, and so the feedback pages, show."""
    root, _ = course
    rows = workflow.report(root)
    assert sum(len(row.lost) for row in rows) > len(ASSIGNMENTS)
    for row in rows:
        shown = {}
        for path in sorted((root / "autograded" / row.student / row.assignment).glob("*.ipynb")):
            for cell in nbtools.read(path).cells:
                errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
                if nbtools.is_test(cell) and errors:
                    shown[nbtools.grade_id(cell)] = f"{errors[0].ename}: {errors[0].evalue}"
        assert {lost.grade_id: lost.reason for lost in row.lost} == shown, (row.assignment, row.student)


def test_the_report_shows_whole_reasons_and_filters(course):
    """`report --assignment A --student S [--json]`: only that row, every reason whole (wrapped, never cut)."""
    import json

    root, _ = course
    assignment = ASSIGNMENTS[2]
    student = f"sample_{partly_wrong(root, assignment).name}"
    (expected,) = [r for r in workflow.report(root) if (r.assignment, r.student) == (assignment, student)]
    assert expected.lost

    def report(*args):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "course",
                "--root",
                str(root),
                "report",
                "--assignment",
                assignment,
                "--student",
                student,
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    (row,) = json.loads(report("--json"))
    assert (row["assignment"], row["student"], row["auto_score"]) == (assignment, student, expected.auto_score)
    assert [(lost["check"], lost["reason"]) for lost in row["lost"]] == [(x.grade_id, x.reason) for x in expected.lost]
    text = report()
    assert all(len(line) <= 100 or " " not in line.strip() for line in text.splitlines())
    flat = " ".join(text.split())
    for lost in expected.lost:
        assert " ".join(lost.reason.split()) in flat  # the whole reason, nothing cut with "..."
    assert not any(
        line.split()[:1] == [other] for other in ASSIGNMENTS if other != assignment for line in text.splitlines()
    )
    done = subprocess.run(
        [sys.executable, "-m", "course", "--root", str(root), "report", "--student", "nobody"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "no graded submission from nobody" in done.stderr


def test_exports_per_check_per_student_for_canvas_and_as_a_roster(course):
    """Each export agrees with nbgrader's grades.csv written at the same time, and with the report."""
    from course import exports

    root, _ = course
    workflow.export(root, "now.csv")
    plain = {(r["assignment"], r["student_id"]): r for r in workflow.read_csv(root / "now.csv")}
    checks = workflow.read_csv(root / exports.BY_CHECK)
    report = {(r.assignment, r.student): r for r in workflow.report(root)}
    for (assignment, student), row in plain.items():
        mine = [c for c in checks if (c["assignment"], c["student_id"]) == (assignment, student)]
        assert sum(float(c["points"]) for c in mine) == float(row["raw_score"])  # before any late penalty
        assert sum(float(c["max_points"]) for c in mine) == float(row["max_score"])
        lost = {c["check"]: c["reason"] for c in mine if c["status"] == exports.LOST}
        assert lost == {x.grade_id: " ".join(x.reason.split()) for x in report[(assignment, student)].lost}
        assert all(c["status"] in (exports.TO_GRADE, exports.HAND_GRADED) for c in mine if c["kind"] == "written")
    students = {r["student_id"]: r for r in workflow.read_csv(root / exports.BY_STUDENT)}
    for student, row in students.items():
        mine = [r for (a, s), r in plain.items() if s == student]
        assert float(row["total"]) == sum(float(r["score"]) for r in mine)
        assert all(float(row[r["assignment"]]) == float(r["score"]) for r in mine)
    assert float(students[workflow.UNTOUCHED]["total"]) == 0 < float(students[workflow.FULL]["total"])
    with open(root / exports.CANVAS, newline="") as handle:
        header, possible, *rows = list(csv.reader(handle))
    assert (
        header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] and possible[0] == "Points Possible"
    )
    assert set(header[5:]) == {a for a, _ in plain}
    for name, most in zip(header[5:], possible[5:]):
        assert {float(r["max_score"]) for (a, _), r in plain.items() if a == name} == {float(most)}
    assert {(r[2], name): float(score) for r in rows for name, score in zip(header[5:], r[5:]) if score} == {
        (s, a): float(r["score"]) for (a, s), r in plain.items()
    }
    roster = workflow.read_csv(root / exports.ROSTER)
    assert list(roster[0])[:4] == ["First Name", "Last Name", "Email", "SID"]
    assert {r["SID"]: float(r["Total"]) for r in roster} == {s: float(r["total"]) for s, r in students.items()}


def test_a_written_answer_graded_by_hand_reaches_the_export(course):
    """What the formgrader does when the instructor scores a written answer, then `make export`."""
    from nbgrader.api import Gradebook

    root, _ = course
    assignment = ASSIGNMENTS[0]
    with Gradebook(Layout(root).gradebook_url) as gradebook:
        submission = gradebook.find_submission(assignment, workflow.FULL)
        written = [g for n in submission.notebooks for g in n.grades if g.cell.cell_type == "markdown"]
        assert written and all(g.needs_manual_grade for g in written)
        hand = sum(g.max_score for g in written)
        for grade in written:
            grade.manual_score = grade.max_score
            grade.needs_manual_grade = False
        gradebook.db.commit()
    workflow.export(root, "after_manual.csv")
    row = next(
        r
        for r in workflow.read_csv(root / "after_manual.csv")
        if r["student_id"] == workflow.FULL and r["assignment"] == assignment
    )
    assert float(row["score"]) == float(row["max_score"]) > 0
    # and the feedback page, made again, shows the grade in place of "to be graded by hand"
    done = subprocess.run(
        [sys.executable, "-m", "course", "--root", str(root), "feedback", assignment],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    page = next((root / "feedback" / workflow.FULL / assignment).glob("*.html")).read_text()
    assert "to be graded by hand" not in page and f"{hand:g}/{hand:g} graded by hand" in page
