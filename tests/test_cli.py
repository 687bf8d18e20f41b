"""Bad input to the instructor's commands gets a clear error, and changes nothing."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, make_course, nbgrader_config


def course(*args, cwd):
    return subprocess.run([sys.executable, "-m", "course", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_a_folder_without_nbgrader_config_is_refused(tmp_path):
    done = course("release", cwd=tmp_path)
    assert done.returncode == 2 and "has no nbgrader_config.py" in done.stderr


def test_unknown_assignment_and_missing_release_are_explained(tmp_path):
    root = make_course(tmp_path)
    done = course("release", "99_nothing", cwd=root)
    assert done.returncode == 1 and "no assignment ['99_nothing']" in done.stderr
    done = course("samples", cwd=root)
    assert done.returncode == 1 and "run the release step first" in done.stderr
    assert not (root / "release").exists() and not (root / "submitted").exists()


def test_grade_exits_non_zero_unless_ok(tmp_path):
    root = make_course(tmp_path / "course")
    notebook = tmp_path / "minimax.ipynb"
    notebook.write_text("{not json")
    for extra in ([], ["--unisolated"]):
        done = course("grade", "01_minimax", str(notebook), *extra, cwd=root)
        assert done.returncode == 1 and "status: invalid" in done.stdout, done.stdout + done.stderr


def test_every_step_on_a_fresh_course_says_what_to_run_first(tmp_path):
    """Before any release: report, export, feedback and kit explain themselves, exit non-zero and
    leave no gradebook behind (report used to crash looking for alembic)."""
    root = make_course(tmp_path)
    for step, says in [
        (["report"], "no gradebook yet"),
        (["export"], "no gradebook yet"),
        (["feedback", "01_minimax"], "run `make autograde` first"),
        (["kit"], "run `make release` first"),
    ]:
        done = course(*step, cwd=root)
        assert done.returncode == 1 and says in done.stderr, (step, done.stdout + done.stderr)
        assert "Traceback" not in done.stderr
    assert not (root / "gradebook.db").exists() and not (root / "grades.csv").exists()


def test_unknown_students_files_and_flags_are_errors(tmp_path):
    root = make_course(tmp_path / "course")
    done = course("autograde", "01_minimax", "--student", "nobody", cwd=root)
    assert done.returncode == 1 and "no submission from nobody" in done.stderr, done.stdout + done.stderr
    done = course("grade", "01_minimax", str(tmp_path / "missing.ipynb"), cwd=root)
    assert done.returncode == 1 and "missing.ipynb: no such file" in done.stderr and "score" not in done.stdout
    done = course("report", "--bogus", cwd=root)  # the usage of the step, not only the top-level one
    assert done.returncode == 2 and "usage: python -m course report" in done.stderr and "--json" in done.stderr
    assert not (root / "gradebook.db").exists() and not (root / "submitted").exists()


def test_nbgrader_reads_the_course_folders_names_from_the_layout():
    """nbgrader_config.py takes its folder names from course/layout.py, and the gradebook is where
    the layout says: nbgrader's own names and the course's code cannot drift apart."""
    from nbgrader.coursedir import CourseDirectory

    from course import layout

    folders = CourseDirectory(config=nbgrader_config(), root=str(REPO))
    assert (folders.source_directory, folders.release_directory, folders.submitted_directory) == (
        layout.SOURCE,
        layout.RELEASE,
        layout.SUBMITTED,
    )
    assert (folders.autograded_directory, folders.feedback_directory) == (layout.AUTOGRADED, layout.FEEDBACK)
    assert folders.db_url == layout.Layout(REPO).gradebook_url


def test_nbgrader_s_configuration_imports_no_torch():
    """Every nbgrader command (release, autograde, feedback, export, the formgrader) loads
    nbgrader_config.py, and with it the course's plugins: they must not import torch or the
    notebooks' helpers beyond the marker rules and the codec (torch: 3 s), which only the grader's
    judge needs."""
    code = (
        "import sys\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        "import course.engine.nbgrader_plugins, course.engine.feedback\n"
        "light = {'helpers.markers', 'helpers.codec'}\n"
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('helpers.') and m not in light))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]", f"loading nbgrader's configuration imported {done.stdout.strip()}"
