"""Where everything lives in a course folder: the one owner of its paths.

nbgrader's folders (nbgrader_config.py sets nbgrader's names from the constants here), the
engine's verdict store and the course's own folders:

    notebooks/<assignment>/<notebook>.ipynb         the source, with solutions and hidden tests
    samples/<assignment>/*.py                       the bundled sample submissions (patches)
    answers/, answers/hidden/                       reference values (hidden: the grader's only)
    release/<assignment>/                           what students get
    submitted/<student>/<assignment>/               what they hand in (and timestamp.txt)
    grading/<assignment>/<student>/<notebook>.json  the engine's verdicts (the store everything reads)
    autograded/<student>/<assignment>/              nbgrader's graded copies
    feedback/<student>/<assignment>/<notebook>.html the feedback pages
    gradebook.db                                    nbgrader's gradebook
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOURCE = "notebooks"
SAMPLES = "samples"
ANSWERS = "answers"
RELEASE = "release"
SUBMITTED = "submitted"
GRADING = "grading"
AUTOGRADED = "autograded"
FEEDBACK = "feedback"
GRADEBOOK = "gradebook.db"
TIMESTAMP = "timestamp.txt"  # nbgrader's submission time, beside the notebooks


@dataclass(frozen=True)
class Layout:
    """The paths of the course folder at `root`."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / SOURCE

    @property
    def samples(self) -> Path:
        return self.root / SAMPLES

    @property
    def answers(self) -> Path:
        return self.root / ANSWERS

    @property
    def release(self) -> Path:
        return self.root / RELEASE

    @property
    def submitted(self) -> Path:
        return self.root / SUBMITTED

    @property
    def grading(self) -> Path:
        return self.root / GRADING

    @property
    def autograded(self) -> Path:
        return self.root / AUTOGRADED

    @property
    def feedback(self) -> Path:
        return self.root / FEEDBACK

    @property
    def gradebook(self) -> Path:
        return self.root / GRADEBOOK

    @property
    def gradebook_url(self) -> str:
        """The gradebook as nbgrader's Gradebook() opens it."""
        return f"sqlite:///{self.gradebook}"

    def source_notebook(self, assignment: str, notebook: str) -> Path:
        return self.source / assignment / f"{notebook}.ipynb"

    def submission(self, student: str, assignment: str) -> Path:
        """The folder a student's submission of `assignment` is in."""
        return self.submitted / student / assignment

    def submitted_notebook(self, student: str, assignment: str, notebook: str) -> Path:
        return self.submission(student, assignment) / f"{notebook}.ipynb"

    def verdicts(self, assignment: str, student: str) -> Path:
        """The folder of the engine's verdicts on one submission."""
        return self.grading / assignment / student

    def verdict(self, assignment: str, student: str, notebook: str) -> Path:
        return self.verdicts(assignment, student) / f"{notebook}.json"

    def autograded_notebook(self, student: str, assignment: str, notebook: str) -> Path:
        return self.autograded / student / assignment / f"{notebook}.ipynb"

    def feedback_pages(self, student: str, assignment: str) -> Path:
        return self.feedback / student / assignment
