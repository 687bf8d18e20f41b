"""Bad input to the instructor's commands gets a clear error, and changes nothing."""

from __future__ import annotations

import subprocess
import sys

from conftest import make_course


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
