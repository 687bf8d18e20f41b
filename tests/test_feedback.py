"""The pieces of a feedback page on their own (course/engine/feedback.py, nbgrader_plugins.annotate): what
a graded cell shows, a test cell without its hidden code, the header's counts, formulas as MathML.
tests/test_grading.py opens whole pages in a browser."""

from __future__ import annotations

import base64

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course import nbtools
from course.engine import feedback, nbgrader_plugins
from course.engine.record import Record, Verdict
from course.engine.sandbox import PNG_SIGNATURE, CellRun

TEST_CELL = """# Check: f works.  [1 point]
checks.f_matches(f)
### BEGIN HIDDEN TESTS
checks.f_matches(f, points=[(0.25, -3.0)], secret_size=17)
### END HIDDEN TESTS"""


def graded_cell(cell, grade_id, **nbgrader):
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "grade": False, "solution": False, **nbgrader}
    return cell


def test_each_cell_shows_what_its_run_printed_drew_and_raised():
    png = base64.b64encode(PNG_SIGNATURE + b"data").decode()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            graded_cell(new_code_cell("answer = 1"), "answer", solution=True),
            new_code_cell("plot()"),  # no grade id: the grader calls it cell-2
            graded_cell(new_code_cell(TEST_CELL), "test_f", grade=True, points=1),
        ]
    )
    record = Record(
        "a",
        "s",
        "n",
        "fingerprint",
        {},
        "ok",
        "",
        0,
        1,
        cells=[
            CellRun("answer", "ValueError: bad", 0.1, output="hello\n"),
            CellRun("cell-2", None, 0.1, figures=[png], figures_left_out=2),
        ],
        verdicts=[Verdict("test_f", 0, 1, reason="AssertionError: f is off", error="AssertionError")],
    )
    nbgrader_plugins.annotate(nb, record)
    banner, _, answer, plot, test = nb.cells
    assert banner.source.startswith("### Autograder") and "`answer`: ValueError: bad" in banner.source
    assert [o.output_type for o in answer.outputs] == ["stream", "error"] and answer.outputs[0].text == "hello\n"
    assert answer.outputs[1].ename == "ValueError"
    assert plot.outputs[0].data["image/png"] == png
    assert plot.outputs[1].text.startswith("[2 figures of this cell not shown: a graded notebook keeps at most 6")
    assert test.outputs[0].ename == "AssertionError" and test.outputs[0].evalue == "f is off"


def test_a_test_cell_shows_no_hidden_code():
    for passed, hidden_failed, line in [
        (True, False, feedback.HIDDEN_PASSED),
        (False, True, feedback.HIDDEN_FAILED),
        (False, False, feedback.HIDDEN_UNSEEN),
    ]:
        shown = feedback.shown_test(TEST_CELL, passed=passed, hidden_failed=hidden_failed)
        assert shown.splitlines() == ["# Check: f works.  [1 point]", "checks.f_matches(f)", line]
    assert feedback.shown_test("checks.f_matches(f)", passed=False, hidden_failed=False) == "checks.f_matches(f)"


def test_the_header_counts_autograded_and_hand_graded_points_apart():
    def cells(written_pending, written_score):
        test = graded_cell(new_code_cell(TEST_CELL), "test_f", grade=True, points=3, score=2.0)
        written = graded_cell(new_markdown_cell("my answer"), "why", grade=True, solution=True, points=2)
        written.metadata.nbgrader.update(score=written_score, pending=written_pending)
        return new_notebook(cells=[test, written, new_markdown_cell("text")])

    assert feedback.summary(cells(True, 0.0))["text"] == "2/3 autograded, 2 points still to grade"
    assert feedback.summary(cells(False, 1.5))["text"] == "2/3 autograded, 1.5/2 graded by hand"
    found = feedback.summary(cells(True, 0.0))
    assert (found["auto_score"], found["auto_max"], found["pending"], found["hand_max"]) == (2, 3, 2, 0)
    assert nbtools.is_test(cells(True, 0.0).cells[0])


def test_formulas_become_mathml_and_code_stays_code():
    page = feedback.FeedbackPage()
    html = page.markdown2html({"cell": {}, "resources": {}}, "Inline $x^2$, code `$a$`, and\n\n$$\\frac{1}{2}$$")
    assert html.count("<math") == 2 and 'display="block"' in html and "<mfrac>" in html
    assert "<code>$a$</code>" in html and "$x^2$" not in html
    assert feedback.mathml("\\unknowncommand{", "inline").startswith('<code class="tex">')
