"""Small units of issue 12: a hidden call's reason names no value, submissions are plain data,
stderr is kept capped. (End to end, through nbgrader: tests/test_autograde.py.)"""

from __future__ import annotations

import os
import re
import socket

import nbformat
import pytest

from course.engine import autograde, grader, submissions


@pytest.mark.parametrize(
    "message",
    [
        "gda_step on the hidden test games: does not match the reference. max error 0.75 > tolerance 1e-05; "
        "at flat index 3 expected -1.995, got 0.3. x_new = x - lr * df/dx(x, y)",
        "gda_step(grad, 0.3, -1.7, lr=0.05) on -0.5x² + 3.0xy + 2.0y² returned 'abc'",
        "expected [0.24965508, 6] got {'a': 1} or `7` or \"eight 8\" or <9> or ½ or ٣ or 1_000 or 2.5E+3 or .5",
        "SADDLE_F must return a pair of numbers (x, y), got (nan, inf)",
    ],
)
def test_a_scrubbed_message_holds_no_digit_and_no_literal(message):
    scrubbed = grader.scrub(message)
    assert not any(char.isnumeric() for char in scrubbed), scrubbed
    assert not re.search(r"nan|inf|abc|eight|'|\"|`|\(|\[|\{|<", scrubbed, re.IGNORECASE), scrubbed
    assert "…" in scrubbed


def test_the_hidden_reason_says_which_property_failed():
    def check():
        """gda_step moves x down and y up its gradient.

        More lines that are not shown."""

    reason = grader.hidden_reason(check, "gda_step at 0.37: expected 1.25, got 3")
    assert reason == "hidden case: gda_step moves x down and y up its gradient: gda_step at …: expected …, got …"
    assert len(grader.hidden_reason(check, "x " * 1_000)) <= grader.HIDDEN_REASON_CHARS


def test_check_calls_in_the_hidden_region_are_marked_hidden():
    cell = nbformat.v4.new_code_cell(
        "# Check\nchecks.a(f)\n### BEGIN HIDDEN TESTS\nchecks.a(f,\n  case='hidden')\n### END HIDDEN TESTS\nchecks.b(f)"
    )
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    (test,) = grader.tests_of(nbformat.v4.new_notebook(cells=[cell]))
    assert [(c.check, c.kwargs, c.hidden) for c in test.calls] == [
        ("a", {}, False),
        ("a", {"case": "hidden"}, True),
        ("b", {}, False),
    ]


def test_stderr_is_kept_capped():
    flood = "".join(f"warning {i}\n" for i in range(10_000))
    tail = autograde.stderr_tail(flood)
    assert len(tail) <= autograde.STDERR_CHARS + 10 and len(tail.splitlines()) <= autograde.STDERR_LINES + 1
    assert tail.endswith("warning 9999") and tail.startswith("[...]")
    assert autograde.stderr_tail("one line\n") == "one line"
    assert len(autograde.stderr_tail("x" * 50_000)) <= autograde.STDERR_CHARS + 10


def test_a_submission_folder_holds_plain_files_only(tmp_path):
    folder = tmp_path / "submitted" / "s" / "a"
    folder.mkdir(parents=True)
    notebook = folder / "minimax.ipynb"
    notebook.write_text("{}")
    (folder / "data").mkdir()
    (folder / "data" / "notes.txt").write_text("mine")
    expected = folder.resolve()
    assert submissions.folder_problem(folder, expected) == "" and submissions.notebook_problem(notebook) == ""

    secret = tmp_path / "gradebook.db"
    secret.write_text("SQLite format 3")
    (folder / "data" / "gradebook.db").symlink_to(secret)
    assert "data/gradebook.db is a symbolic link" in submissions.folder_problem(folder, expected)
    (folder / "data" / "gradebook.db").unlink()

    os.link(secret, folder / "copy.db")
    assert "hard link" in submissions.folder_problem(folder, expected)
    (folder / "copy.db").unlink()

    os.mkfifo(folder / "pipe")
    assert "pipe is a FIFO" in submissions.folder_problem(folder, expected)
    (folder / "pipe").unlink()

    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock"))
        assert "sock is a socket" in submissions.folder_problem(folder, expected)
    (folder / "sock").unlink()

    (folder / "linked").symlink_to(tmp_path, target_is_directory=True)  # listed, never entered
    assert "linked is a symbolic link" in submissions.folder_problem(folder, expected)
    (folder / "linked").unlink()

    notebook.unlink()
    notebook.symlink_to(secret)
    assert "minimax.ipynb is a symbolic link" in submissions.notebook_problem(notebook)
    notebook.unlink()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "submitted" / "t").mkdir()
    (tmp_path / "submitted" / "t" / "a").symlink_to(elsewhere, target_is_directory=True)
    linked = tmp_path / "submitted" / "t" / "a"
    assert "is a symbolic link" in submissions.folder_problem(linked, (tmp_path / "submitted" / "t" / "a"))
    (tmp_path / "submitted" / "u").symlink_to(tmp_path / "submitted" / "s", target_is_directory=True)
    assert "resolves outside" in submissions.folder_problem(
        tmp_path / "submitted" / "u" / "a", tmp_path.resolve() / "submitted" / "u" / "a"
    )


def test_a_huge_notebook_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_NOTEBOOK_BYTES", 10)
    (tmp_path / "minimax.ipynb").write_text("{" + " " * 20 + "}")
    assert "larger than" in submissions.notebook_problem(tmp_path / "minimax.ipynb")
