"""nbgrader's marker lines in a cell's source: one reading for the kit's self-check and the course's tools.

A region starts at a line that is exactly its BEGIN marker (spaces around it allowed) and ends at
its END marker; the marker lines themselves are never part of the code.
"""

from __future__ import annotations

from collections.abc import Iterator

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def lines_in(source: str, begin: str, end: str) -> Iterator[tuple[str, bool]]:
    """Each line of `source` that is not a `begin`/`end` marker, and whether it lies between them."""
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == begin:
            inside = True
        elif stripped == end:
            inside = False
        else:
            yield line, inside


def without_markers(source: str, begin: str, end: str, keep_inside: bool) -> str:
    """Remove the `begin`/`end` marker lines; keep or drop what lies between them."""
    return "\n".join(line for line, inside in lines_in(source, begin, end) if keep_inside or not inside)


def visible(source: str) -> str:
    """A test cell's code without its hidden region (a release has none; the instructor's source does)."""
    return without_markers(source, BEGIN_HIDDEN, END_HIDDEN, keep_inside=False)
