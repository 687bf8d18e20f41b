import nbformat
import pytest

from course import nbtools
from course.authoring import patches


def test_parse_reads_description_fails_and_cells():
    patch = patches.parse(
        "# A wrong one.\n# Two lines.\n# fails: test_a, test_b\n# %% cell: f\ndef f():\n    return 1\n\n# %% cell: g\nx = 2\n"
    )
    assert patch.description == "A wrong one. Two lines."
    assert patch.fails == {"test_a", "test_b"}
    assert patch.cells == {"f": "def f():\n    return 1", "g": "x = 2"}
    assert patch.says == {}


def test_says_names_what_a_reason_must_contain():
    patch = patches.parse(
        "# Two wrong answers.\n# fails: test_a, test_b\n# says: test_a: first | second\n# %% cell: f\nx = 1\n"
    )
    assert patch.says == {"test_a": ("first", "second")}
    assert patch.unsaid({"test_a": "the first and the second", "test_b": "other"}) == {}
    assert patch.unsaid({"test_a": "only the first"}) == {"test_a": ["second"]}
    assert patch.unsaid({}) == {"test_a": ["first", "second"]}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("# nothing\n", "no '# %% cell:"),
        ("x = 1\n# %% cell: f\n", "code before"),
        ("# %% cell: f\n# %% cell: f\n", "new grade_id"),
        ("# fails: test_a\n# says: test_a\n# %% cell: f\n", "reads '# says:"),
        ("# fails: test_a\n# says: test_b: text\n# %% cell: f\n", "does not fail"),
    ],
)
def test_parse_rejects_malformed_files(text, problem):
    with pytest.raises(ValueError, match=problem):
        patches.parse(text)


def test_without_markers_keeps_or_drops_the_region():
    source = "a\n### BEGIN SOLUTION\nb\n### END SOLUTION\nc"
    assert nbtools.without_markers(source, nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION, keep_inside=True) == "a\nb\nc"
    assert nbtools.without_markers(source, nbtools.BEGIN_SOLUTION, nbtools.END_SOLUTION, keep_inside=False) == "a\nc"


def test_fill_refuses_unknown_cells():
    nb = nbformat.v4.new_notebook()
    with pytest.raises(KeyError, match="no solution cell"):
        nbtools.fill(nb, {"missing": "x = 1"})
