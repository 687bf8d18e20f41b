"""The grades in the shapes a course hands them on, beside nbgrader's own grades.csv.

nbgrader's export has one row per student and assignment. These read the same gradebook (after
`make autograde` and any grading by hand) and write:

- grades_by_check.csv: one row per submission and check (autograded or written): its points, the
  most it could get, its status (passed, lost, to grade by hand, graded by hand) and, for a lost
  point, the reason the report shows;
- grades_by_student.csv: one row per student, a column per assignment, the total, and the points
  still to grade by hand;
- grades_canvas.csv: Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section,
  then one column per assignment, and a "Points Possible" row);
- grades_roster.csv: a roster with scores, in the columns Gradescope's and Moodle's imports map
  (First Name, Last Name, Email, SID, one column per assignment, Total).

A score is nbgrader's: the autograded and hand-graded points, less any late penalty; a written answer
not graded yet counts 0 and is listed as "to grade by hand". A student without a submission of an
assignment gets an empty cell (Canvas then leaves that grade alone) and counts 0 in the total.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from course import workflow
from course.layout import Layout

BY_CHECK, BY_STUDENT, CANVAS, ROSTER = (
    "grades_by_check.csv",
    "grades_by_student.csv",
    "grades_canvas.csv",
    "grades_roster.csv",
)
PASSED, LOST, TO_GRADE, HAND_GRADED = "passed", "lost", "to grade by hand", "graded by hand"


@dataclass
class CheckScore:
    assignment: str
    student: str
    notebook: str
    check: str
    kind: str  # "autograded" or "written"
    points: float
    max_points: float
    status: str  # PASSED, LOST, TO_GRADE or HAND_GRADED
    reason: str = ""


@dataclass
class Student:
    id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str


@dataclass
class Grades:
    """What the gradebook holds: the assignments (name -> max score), the students, each submission's
    score (assignment, student) -> points, and every check's score."""

    assignments: dict[str, float]
    students: list[Student]
    scores: dict[tuple[str, str], float]
    checks: list[CheckScore]

    def to_grade(self, student: str) -> float:
        """The points of `student`'s written answers not graded yet."""
        return sum(c.max_points for c in self.checks if c.student == student and c.status == TO_GRADE)


def read(root: Path) -> Grades:
    """Everything the exports need, from the gradebook and the report's reasons."""
    from nbgrader.api import Gradebook

    reasons = {
        (row.assignment, row.student, lost.grade_id): lost.reason for row in workflow.report(root) for lost in row.lost
    }
    assignments, scores, checks = {}, {}, []
    workflow.gradebook_path(root)  # says what to run first when there is none
    with Gradebook(Layout(root).gradebook_url) as gradebook:
        students = [
            Student(s.id, s.first_name or "", s.last_name or "", s.email or "", s.lms_user_id or "")
            for s in sorted(gradebook.students, key=lambda s: s.id)
        ]
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            assignments[assignment.name] = float(assignment.max_score)
            for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
                student = submission.student.id
                scores[(assignment.name, student)] = max(
                    0.0, submission.score - (submission.late_submission_penalty or 0.0)
                )
                for notebook in submission.notebooks:
                    for grade in sorted(notebook.grades, key=lambda g: g.cell.name):
                        checks.append(_check_score(assignment.name, student, notebook.name, grade, reasons))
    return Grades(assignments, students, scores, checks)


def _check_score(assignment: str, student: str, notebook: str, grade, reasons: dict) -> CheckScore:
    written = grade.cell.cell_type == "markdown" or grade.auto_score is None
    points, most = float(grade.score or 0.0), float(grade.max_score)
    if written:
        status = TO_GRADE if grade.needs_manual_grade else HAND_GRADED
    else:
        status = PASSED if points >= most else LOST
    reason = reasons.get((assignment, student, grade.name), "") if status == LOST else ""
    return CheckScore(
        assignment, student, notebook, grade.name, "written" if written else "autograded", points, most, status, reason
    )


def write_all(root: Path, folder: Path) -> list[Path]:
    """Write the four exports into `folder`; returns their paths."""
    grades = read(root)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in [
        (BY_CHECK, by_check(grades)),
        (BY_STUDENT, by_student(grades)),
        (CANVAS, canvas(grades)),
        (ROSTER, roster(grades)),
    ]:
        path = folder / name
        with open(path, "w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        written.append(path)
    return written


def by_check(grades: Grades) -> list[list]:
    rows = [["assignment", "student_id", "notebook", "check", "kind", "points", "max_points", "status", "reason"]]
    rows += [
        [
            c.assignment,
            c.student,
            c.notebook,
            c.check,
            c.kind,
            _number(c.points),
            _number(c.max_points),
            c.status,
            " ".join(c.reason.split()),
        ]
        for c in grades.checks
    ]
    return rows


def by_student(grades: Grades) -> list[list]:
    names = list(grades.assignments)
    rows = [["student_id", "last_name", "first_name", "email", *names, "total", "max_total", "to_grade_by_hand"]]
    for student in grades.students:
        row = [student.id, student.last_name, student.first_name, student.email]
        row += [
            _number(grades.scores[(name, student.id)]) if (name, student.id) in grades.scores else "" for name in names
        ]
        row += [
            _number(_total(grades, student.id)),
            _number(sum(grades.assignments.values())),
            _number(grades.to_grade(student.id)),
        ]
        rows.append(row)
    return rows


def canvas(grades: Grades) -> list[list]:
    """Canvas's gradebook import: a student is matched by ID (Canvas's, from nbgrader's lms_user_id)
    or SIS User ID (nbgrader's student id); a new column becomes a new assignment in Canvas."""
    names = list(grades.assignments)
    rows = [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names],
        ["Points Possible", "", "", "", "", *(_number(grades.assignments[name]) for name in names)],
    ]
    for student in grades.students:
        full = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
        rows.append(
            [
                full,
                student.lms_user_id,
                student.id,
                student.email,
                "",
                *(
                    _number(grades.scores[(name, student.id)]) if (name, student.id) in grades.scores else ""
                    for name in names
                ),
            ]
        )
    return rows


def roster(grades: Grades) -> list[list]:
    """A roster with scores: the column names Gradescope's roster import and Moodle's grade import map."""
    names = list(grades.assignments)
    rows = [["First Name", "Last Name", "Email", "SID", *names, "Total"]]
    for student in grades.students:
        rows.append(
            [
                student.first_name,
                student.last_name,
                student.email,
                student.id,
                *(_number(grades.scores.get((name, student.id), 0.0)) for name in names),
                _number(_total(grades, student.id)),
            ]
        )
    return rows


def _total(grades: Grades, student: str) -> float:
    return sum(points for (_, who), points in grades.scores.items() if who == student)


def _number(value: float) -> str:
    """A score as CSV text: 12 rather than 12.0, at most 4 decimals."""
    return f"{round(float(value), 4):g}"
