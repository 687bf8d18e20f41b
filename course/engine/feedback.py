"""The feedback page a student gets (`make feedback`: nbgrader generate_feedback, wired in
nbgrader_config.py), made from the autograded notebook and the gradebook.

What the page holds, and what it never does:
- every reason whole, wrapped to the page (course/engine/feedback_page/index.html.j2);
- a test cell's visible checks only: its hidden cases are one comment line that says whether
  they passed (`shown_test`); their code, inputs and sizes stay with the grader;
- a written answer not yet graded by hand says "to be graded by hand", and the header counts
  it apart: "12/15 autograded, 2 points still to grade" (`FeedbackGrades`, `summary`);
- the student's own outputs and figures from the graded run (put in by
  course.engine.nbgrader_plugins.annotate, capped by course.engine.sandbox.Limits);
- a contents list whose links are named after the checks;
- formulas as MathML, which browsers draw themselves: the page needs no network and no script
  (`FeedbackPage`).
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import HTMLExporter
from nbconvert.exporters.html import contextfilter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbgrader.preprocessors import GetGrades

from course import nbtools
from course.engine import autograde, nbgrader_plugins
from helpers import markers

TEMPLATES = Path(__file__).parent  # holds feedback_page/, the page's template (nbgrader_config.py)
HIDDEN_PASSED = "# Hidden cases: passed."
HIDDEN_FAILED = "# Hidden cases: one failed; the reason below says which property (never a value)."
HIDDEN_UNSEEN = "# Hidden cases: graded too; the reason below is the first check that failed."


class FeedbackGrades(GetGrades):
    """nbgrader's GetGrades (each grade cell's score and points, the comments, the late penalty)
    plus what the page needs from the gradebook and the verdict store: whether a written answer still
    waits for its grade, the totals apart (`summary`), and each test cell shown without its hidden code."""

    def _get_score(self, cell, resources) -> None:
        grade = self.gradebook.find_grade(nbtools.grade_id(cell), self.notebook_id, self.assignment_id, self.student_id)
        cell.metadata.nbgrader["score"] = grade.score
        cell.metadata.nbgrader["points"] = grade.max_score
        cell.metadata.nbgrader["pending"] = bool(grade.needs_manual_grade)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        info = resources["nbgrader"]
        root = Path(os.getcwd())  # nbgrader runs in the course folder
        record = autograde.load(root, nbgrader_plugins.job_of(root, resources))
        hidden_failures = {v.grade_id for v in (record.verdicts if record else []) if v.hidden and v.reason}
        for cell in nb.cells:
            if nbtools.is_test(cell):
                m = cell.metadata.nbgrader
                cell.source = shown_test(
                    cell.source,
                    passed=m["score"] >= m["points"],
                    hidden_failed=nbtools.grade_id(cell) in hidden_failures,
                )
        info["summary"] = summary(nb)
        return nb, resources


def shown_test(source: str, passed: bool, hidden_failed: bool) -> str:
    """A test cell's source as the student sees it: the hidden-tests region becomes one line."""
    if nbtools.BEGIN_HIDDEN not in source:
        return source
    line = HIDDEN_PASSED if passed else HIDDEN_FAILED if hidden_failed else HIDDEN_UNSEEN
    return markers.visible(source).rstrip() + "\n" + line


def summary(nb) -> dict:
    """Points of the graded notebook `nb` (its cells' scores from the gradebook), apart:
    {"auto_score", "auto_max", "hand_score", "hand_max", "pending"}, pending the points of
    written answers still to grade by hand, and `text`: "12/15 autograded, 2 points still to grade"."""
    found = {"auto_score": 0.0, "auto_max": 0.0, "hand_score": 0.0, "hand_max": 0.0, "pending": 0.0}
    for cell in nb.cells:
        m = nbtools.meta(cell)
        if not m.get("grade") or "points" not in m:
            continue
        if nbtools.is_test(cell):
            found["auto_score"] += m["score"] or 0.0
            found["auto_max"] += m["points"]
        elif m.get("pending"):
            found["pending"] += m["points"]
        else:
            found["hand_score"] += m["score"] or 0.0
            found["hand_max"] += m["points"]
    parts = [f"{found['auto_score']:g}/{found['auto_max']:g} autograded"]
    if found["hand_max"]:
        parts.append(f"{found['hand_score']:g}/{found['hand_max']:g} graded by hand")
    if found["pending"]:
        parts.append(f"{found['pending']:g} point{'s' if found['pending'] != 1 else ''} still to grade")
    found["text"] = ", ".join(parts)
    return found


def mathml(tex: str, display: str) -> str:
    """One formula as MathML ("inline" or "block"); what latex2mathml cannot read stays as its source."""
    try:
        return latex_to_mathml(tex, display=display)
    except Exception:  # noqa: BLE001 (a student's formula the converter does not know: shown as written)
        return f'<code class="tex">{html.escape(tex)}</code>'


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with formulas drawn as MathML instead of left for MathJax."""

    def block_math(self, body: str) -> str:
        return mathml(body, "block")

    def inline_math(self, body: str) -> str:
        return mathml(body, "inline")

    def latex_environment(self, name: str, body: str) -> str:
        return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


class FeedbackPage(HTMLExporter):
    """The HTML exporter of the feedback page: nbconvert's, with MathML formulas."""

    @contextfilter
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=path,
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)
