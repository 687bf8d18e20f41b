"""What a submission may be: plain data, inside its own folder (issue 12, "submissions are data").

A submitted notebook, and everything else in the student's submission folder, is read by the
grader (the notebook), by nbgrader's autograde (which copies every other file of the folder into
autograded/, following symlinks) and then by generate_feedback (which copies those files into the
student's feedback/). So before anything reads a submission, the folder is checked here: a
symlink, a device, a FIFO, a socket, a hard link, or a path that resolves outside the folder
refuses the whole submission, with the reason. Nothing of it is opened: only `lstat` is used.

This module owns that rule; `course.engine.autograde` (the batch), `course.engine.grader` (one notebook) and
`course.engine.nbgrader_plugins` (nbgrader's own pass) ask it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_ENTRIES = 1_000  # a submission folder with more entries than this is refused unread
MAX_NOTEBOOK_BYTES = 100 * 2**20  # a larger notebook is refused unread (the grader and nbgrader parse it whole)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def entry_problem(path: Path, folder: Path) -> str:
    """Why `path` (a file or folder inside `folder`) may not be read as submitted data; "" if it may."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return ""  # nothing there: a missing notebook is the grader's own verdict
    except OSError as error:
        return f"{path.name} cannot be examined ({error.strerror})"
    if stat.S_ISDIR(info.st_mode):
        kind = ""
    elif stat.S_ISREG(info.st_mode):
        kind = "a hard link to another file" if info.st_nlink > 1 else ""
    else:
        kind = _kind(info.st_mode)
    if kind:
        name = path.relative_to(folder) if path != folder else path.name
        return f"{name} is {kind}; a submission holds plain files only"
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return f"{path.name} cannot be resolved"
    if path != folder and not resolved.is_relative_to(folder.resolve()):
        return f"{path.relative_to(folder)} resolves outside the submission folder"
    return ""


def folder_problem(folder: Path, expected: Path | None = None) -> str:
    """Why the submission folder `folder` may not be read, "" if every entry in it is plain data.

    `expected`: where the folder must resolve to (e.g. submitted/<student>/<assignment> under the
    real course root), so that neither it nor its parent is a link to somewhere else."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return ""
    except OSError as error:
        return f"the submission folder cannot be examined ({error.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return f"the submission folder {folder.name} is {_kind(info.st_mode)}"
    if expected is not None and folder.resolve() != expected:
        return "the submission folder resolves outside the course's submitted/ folder"
    count = 0
    for parent, folders, files in os.walk(folder):  # never follows links: a linked folder is listed, not entered
        for name in folders + files:
            count += 1
            if count > MAX_ENTRIES:
                return f"the submission folder holds more than {MAX_ENTRIES} entries"
            problem = entry_problem(Path(parent) / name, folder)
            if problem:
                return problem
    return ""


def notebook_problem(path: Path) -> str:
    """Why the notebook file `path` may not be read, "" if it is a plain file in its folder (or missing)."""
    problem = entry_problem(path, path.parent)
    if not problem and path.is_file() and path.stat().st_size > MAX_NOTEBOOK_BYTES:
        problem = f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB"
    return problem
