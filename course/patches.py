"""Submissions written as patches: what a student typed into some cells of a notebook.

A patch file is plain Python, readable and runnable on its own terms:

    # A discriminator that ends in a sigmoid: it returns probabilities, not logits.
    # fails: test_discriminator_logits, test_discriminator_reference
    # %% cell: discriminator
    def discriminator(seed=None):
        ...

The comment lines before the first `# %% cell:` describe it; `# fails:` names the graded checks it
must fail (all others must pass); each `# %% cell: <grade_id>` starts the text of one solution cell.
The bundled sample submissions (samples/) and the tests' catalogue of common mistakes use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CELL_MARK = "# %% cell:"
FAILS_MARK = "# fails:"


@dataclass(frozen=True)
class Patch:
    name: str
    description: str
    fails: frozenset[str]
    cells: dict[str, str] = field(default_factory=dict)


def parse(text: str, name: str = "patch") -> Patch:
    description, fails, cells = [], set(), {}
    current = None
    for line in text.splitlines():
        if line.startswith(CELL_MARK):
            current = line[len(CELL_MARK) :].strip()
            if not current or current in cells:
                raise ValueError(f"{name}: a '{CELL_MARK}' line needs a new grade_id, got {line!r}")
            cells[current] = []
        elif current is not None:
            cells[current].append(line)
        elif line.startswith(FAILS_MARK):
            fails.update(item.strip() for item in line[len(FAILS_MARK) :].split(",") if item.strip())
        elif line.startswith("#"):
            description.append(line.lstrip("#").strip())
        elif line.strip():
            raise ValueError(f"{name}: code before the first '{CELL_MARK}' line: {line!r}")
    if not cells:
        raise ValueError(f"{name}: no '{CELL_MARK} <grade_id>' section")
    return Patch(
        name=name,
        description=" ".join(description),
        fails=frozenset(fails),
        cells={key: "\n".join(lines).strip("\n") for key, lines in cells.items()},
    )


def load(path: Path) -> Patch:
    return parse(Path(path).read_text(), name=Path(path).stem)
