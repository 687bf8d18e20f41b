"""The verdict store's record: what the engine concluded about one graded notebook, and its JSON.

The batch (autograde.grade_job) writes one per notebook, at Layout.verdict(assignment, student,
notebook); everything after it reads it: nbgrader's autograde pass (nbgrader_plugins), the
feedback page (feedback), the report's status (autograde.status_of) and the export. `Record.to_json`
and `Record.from_json` are its one codec; a file that does not decode into a Record is no record
(it is graded again).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from course.engine.sandbox import CellRun


@dataclass
class Verdict:
    """One test cell's verdict, reached outside the sandbox (course/engine/grader.py)."""

    grade_id: str
    points: float
    max_points: float
    reason: str = ""  # why points were lost ("" for full points)
    printed: str = ""  # what the checks printed when they were replayed ("passed: ...")
    error: str = ""  # the kind of failure: "AssertionError" for a failed check, else the exception's name
    hidden: bool = False  # the reason is a hidden call's (scrubbed of every value)

    def shown(self) -> tuple[str, str]:
        """The failure as the graded notebook and the report show it: the exception's name and its message."""
        name = self.error or "AssertionError"
        message = self.reason[len(name) + 2 :] if self.reason.startswith(f"{name}: ") else self.reason
        return name, message.strip()


@dataclass
class Record:
    assignment: str
    student: str
    notebook: str  # without .ipynb
    fingerprint: str  # what the verdict depends on (autograde.fingerprint): a changed one makes it stale
    limits: dict  # the sandbox.Limits it was graded under, as data
    status: str  # "ok" or why nothing could be judged (sandbox.STATUSES, "invalid")
    reason: str  # the grading's reason: the notes of an "ok" one, else why every check scored 0
    score: float
    max_score: float
    verdicts: list[Verdict]  # one per test cell, in the source's order
    cells: list[CellRun] = field(default_factory=list)  # the sandbox run, per cell
    stdout: str = ""  # the end of what the notebook printed (never shown to the student)
    stderr: str = ""  # the end of its stderr (shown in the banner)
    isolation: list[str] = field(default_factory=list)  # the layers that were in force
    isolated: bool | None = None  # None: nothing ran
    sandbox_seconds: float = 0.0
    seconds: float = 0.0
    graded_at: str = ""  # ISO 8601, UTC
    host: str = ""
    worker: str = ""  # the Dask worker's address ("" outside Dask)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Record:
        """The record `text` holds; ValueError when it is not one (malformed, a field missing or unknown)."""
        data = json.loads(text)
        if type(data) is not dict:
            raise ValueError("a verdict record is a JSON object")
        try:
            verdicts = [Verdict(**v) for v in data.pop("verdicts")]
            cells = [CellRun(**c) for c in data.pop("cells", [])]
            return cls(**data, verdicts=verdicts, cells=cells)
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a verdict record: {error}") from error

    def lost(self) -> list[Verdict]:
        """The verdicts that lost points, in order."""
        return [v for v in self.verdicts if v.points < v.max_points]
