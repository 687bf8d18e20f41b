"""The "pieces" cells are the earlier notebooks' solutions, copied by a command (course/authoring/pieces.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import REPO, make_course, source_notebook
from course import nbtools
from course.authoring import inprocess, pieces
from course.layout import Layout


def _cell(root: Path, assignment: str, gid: str):
    path, nb = pieces.source_notebook(root, assignment)
    return path, nb, next(c for c in nb.cells if nbtools.grade_id(c) == gid)


def _course(root: Path, *args: str):
    return subprocess.run(
        [sys.executable, "-m", "course", "--root", str(root), "pieces", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_pieces_cell_is_what_the_earlier_notebooks_solved():
    assert pieces.stale(REPO) == [], "run `python -m course pieces` and commit the notebooks it rewrote"


def test_every_notebook_that_builds_on_earlier_ones_is_listed_and_runs_its_setup_first():
    """The cell ids the answers and the benchmarks run by ("setup", "pieces") are where they say."""
    for assignment in pieces.TAKEN:
        _, nb = pieces.source_notebook(REPO, assignment)
        order = [nbtools.grade_id(c) for c in nb.cells]
        assert order.index("setup") < order.index(pieces.PIECES), assignment
        assert all(earlier < assignment for earlier, _ in pieces.TAKEN[assignment])


def test_a_changed_solution_is_carried_forward_by_the_command(tmp_path):
    root = make_course(tmp_path / "course")
    path, nb, cell = _cell(root, "03_noise_networks", "sample_noise")
    cell.source = cell.source.replace(
        "return 2 * torch.rand(batch_size, dim) - 1", "return torch.rand(batch_size, dim) * 2 - 1"
    )
    nbtools.write(nb, path)
    untouched = {p: p.read_bytes() for p in Layout(root).source.glob("0[1-3]*/*.ipynb")}

    done = _course(root, "--check")
    assert done.returncode == 1
    assert done.stdout.count("its pieces cell is not its earlier notebooks' solutions") == len(pieces.TAKEN)

    done = _course(root)
    assert done.returncode == 0 and done.stdout.count("rewrote the pieces cell of") == len(pieces.TAKEN)
    assert pieces.stale(root) == []
    for assignment in pieces.TAKEN:
        text = _cell(root, assignment, pieces.PIECES)[2].source
        assert "return torch.rand(batch_size, dim) * 2 - 1" in text and "### BEGIN SOLUTION" not in text
    assert {p: p.read_bytes() for p in untouched} == untouched, "the earlier notebooks are only read"
    assert _course(root, "--check").returncode == 0


def test_the_copy_keeps_the_code_and_cuts_the_docstring_to_its_summary():
    text = pieces.cell_text(REPO, "05_lsgan")
    assert text.startswith("# From notebook 3: sample_noise, discriminator, generator.\n")
    assert '    """Draw the generator\'s input noise."""\n' in text and "Inputs:" not in text
    assert "# From notebook 4: bce_loss, discriminator_loss, generator_loss, get_optimizer, gan_step." in text
    copied = {}
    exec("import torch\nfrom torch import nn\nNOISE_DIM = 96\n" + text, copied)
    nb3 = inprocess.run(source_notebook("03_noise_networks"), include_tests=False, name="nb3").namespace
    assert torch.equal(copied["sample_noise"](5, 96, seed=3), nb3["sample_noise"](5, 96, seed=3))
    z = nb3["sample_noise"](5, 96, seed=3)
    for name, x in [("generator", z), ("discriminator", torch.rand(5, 784))]:
        ours, theirs = copied[name](seed=7), nb3[name](seed=7)
        assert torch.equal(ours(x), theirs(x)), name


def test_a_function_the_table_names_but_no_earlier_notebook_defines_is_a_clear_error(tmp_path):
    root = make_course(tmp_path / "course")
    path, nb, cell = _cell(root, "04_gan_losses", "gan_step")
    nb.cells.remove(cell)
    nbtools.write(nb, path)
    with pytest.raises(pieces.PiecesError, match="05_lsgan: 04_gan_losses defines no gan_step"):
        pieces.stale(root)
    done = _course(root)
    assert done.returncode != 0 and "defines no gan_step" in done.stderr
    assert "def gan_step" in _cell(root, "05_lsgan", pieces.PIECES)[2].source, "nothing was rewritten"
