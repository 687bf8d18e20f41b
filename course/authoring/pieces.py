"""The "pieces" cells: each notebook's given copy of the functions its student solved in earlier
notebooks, generated from those notebooks' solution (and given) cells, never pasted by hand.

`python -m course pieces` rewrites every source notebook's cell of grade id "pieces" from `TAKEN`;
`python -m course pieces --check` (and tests/test_pieces.py) says which cell differs from what it
would write. A function comes whole from the earlier source notebook (solution markers removed,
its docstring cut to its first line), so the notebooks that build on it run the course's own
solution, the one the earlier notebook's checks were proven against. Solutions live in the
notebooks (nbgrader's rule); this only copies them forward. Code a notebook adds of its own (its
data, small networks) lives in its next cell, not here.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from course import nbtools
from course.layout import Layout

PIECES = "pieces"  # the grade id of the generated cell (a locked, given cell)

# notebook -> [(the earlier notebook, the functions taken from it, in order)]
TAKEN: dict[str, list[tuple[str, list[str]]]] = {
    "04_gan_losses": [("03_noise_networks", ["sample_noise", "discriminator", "generator"])],
    "05_lsgan": [
        ("03_noise_networks", ["sample_noise", "discriminator", "generator"]),
        ("04_gan_losses", ["bce_loss", "discriminator_loss", "generator_loss", "get_optimizer", "gan_step"]),
    ],
    "06_dcgan": [
        ("03_noise_networks", ["sample_noise"]),
        ("04_gan_losses", ["bce_loss", "discriminator_loss", "generator_loss", "get_optimizer", "gan_step"]),
    ],
    "07_wgan": [
        ("03_noise_networks", ["sample_noise"]),
        ("04_gan_losses", ["bce_loss", "discriminator_loss", "generator_loss", "gan_step"]),
    ],
    "08_conditional": [
        ("03_noise_networks", ["sample_noise"]),
        ("04_gan_losses", ["bce_loss", "discriminator_loss", "generator_loss", "get_optimizer"]),
    ],
    "09_stabilising": [
        ("03_noise_networks", ["sample_noise"]),
        ("04_gan_losses", ["bce_loss", "discriminator_loss", "generator_loss", "get_optimizer", "gan_step"]),
        ("07_wgan", ["point_generator", "point_critic"]),
    ],
}


class PiecesError(ValueError):
    """A notebook or a function that `TAKEN` names is not where it says."""


def source_notebook(root: Path, assignment: str):
    paths = nbtools.notebooks(Layout(root).source / assignment)
    if len(paths) != 1:
        raise PiecesError(f"{assignment}: expected one source notebook, found {len(paths)}")
    return paths[0], nbtools.read(paths[0])


def definitions(nb) -> dict[str, str]:
    """name -> source of each top-level function of `nb`'s code cells (its "pieces" cell left out),
    solution markers removed and the docstring cut to its first line; a later definition wins."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or nbtools.is_test(cell) or nbtools.grade_id(cell) == PIECES:
            continue
        code = nbtools.runnable(cell.source)
        for node in ast.parse(code).body:
            if isinstance(node, ast.FunctionDef):
                found[node.name] = _short_docstring(code, node)
    return found


def _short_docstring(code: str, node: ast.FunctionDef) -> str:
    """The function's lines, decorators included, its docstring (if any) on one line."""
    lines = code.splitlines()
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    text = lines[first - 1 : node.end_lineno]
    docstring = ast.get_docstring(node)
    if docstring:
        doc = node.body[0]
        summary = docstring.strip().splitlines()[0].strip().replace('"""', r"\"\"\"")
        indent = " " * doc.col_offset
        text[doc.lineno - first : doc.end_lineno - first + 1] = [f'{indent}"""{summary}"""']
    return "\n".join(text)


def cell_text(root: Path, assignment: str, read=None) -> str:
    """What `assignment`'s "pieces" cell holds: for each earlier notebook, a comment naming it, then
    the functions taken from it. `read`: earlier notebook -> its `definitions` (memoised by `plan`)."""
    read = read or (lambda earlier: definitions(source_notebook(root, earlier)[1]))
    parts = []
    for earlier, names in TAKEN[assignment]:
        found = read(earlier)
        missing = [name for name in names if name not in found]
        if missing:
            raise PiecesError(f"{assignment}: {earlier} defines no {', '.join(missing)}")
        number = earlier.split("_")[0].lstrip("0")
        parts.append(f"# From notebook {number}: {', '.join(names)}.\n\n" + "\n\n\n".join(found[n] for n in names))
    return "\n\n\n".join(parts)


def _pieces_cell(assignment: str, nb):
    cells = [c for c in nb.cells if nbtools.grade_id(c) == PIECES]
    if len(cells) != 1 or cells[0].cell_type != "code" or nbtools.is_solution(cells[0]):
        raise PiecesError(f"{assignment}: expected one given code cell with grade id {PIECES!r}, found {len(cells)}")
    return cells[0]


def plan(root: Path) -> list[tuple[str, Path, object, object, str]]:
    """(assignment, its path, its notebook, its pieces cell, the text that cell should hold) for
    every notebook of `TAKEN`, each earlier notebook read once. Raises PiecesError before anything
    is written."""
    read = functools.cache(lambda earlier: definitions(source_notebook(root, earlier)[1]))
    out = []
    for assignment in TAKEN:
        path, nb = source_notebook(root, assignment)
        out.append((assignment, path, nb, _pieces_cell(assignment, nb), cell_text(root, assignment, read)))
    return out


def stale(root: Path) -> list[str]:
    """The notebooks whose "pieces" cell is not what `cell_text` makes (empty: all up to date)."""
    return [assignment for assignment, _, _, cell, text in plan(root) if cell.source != text]


def write(root: Path) -> list[str]:
    """Rewrite every stale "pieces" cell; the notebooks rewritten."""
    changed = []
    for assignment, path, nb, cell, text in plan(root):
        if cell.source != text:
            cell.source = text
            nbtools.write(nb, path)
            changed.append(assignment)
    return changed
