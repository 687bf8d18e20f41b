"""Submissions written as patches: what a student typed into some cells of a notebook.

A patch file is plain Python, readable and runnable on its own terms:

    # A discriminator that ends in a sigmoid: it returns probabilities, not logits.
    # fails: test_discriminator_logits, test_discriminator_reference
    # says: test_discriminator_logits: logits | no sigmoid
    # %% cell: discriminator
    def discriminator(seed=None):
        ...

The comment lines before the first `# %% cell:` describe it; `# fails:` names the graded checks it
must fail (all others must pass); an optional `# says: <check>: <text> | <text>` names what that
check's reason must say (each text, as written); each `# %% cell: <grade_id>` starts the text of one
solution cell.
The bundled sample submissions (samples/) and the tests' catalogue of common mistakes use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CELL_MARK = "# %% cell:"
FAILS_MARK = "# fails:"
SAYS_MARK = "# says:"


@dataclass(frozen=True)
class Patch:
    name: str
    description: str
    fails: frozenset[str]
    cells: dict[str, str] = field(default_factory=dict)
    says: dict[str, tuple[str, ...]] = field(default_factory=dict)  # check -> texts its reason must contain

    def unsaid(self, reasons: dict[str, str]) -> dict[str, list[str]]:
        """check -> the texts of `says` that its reason in `reasons` (check -> reason) does not contain."""
        missing = {
            check: [text for text in texts if text not in reasons.get(check, "")] for check, texts in self.says.items()
        }
        return {check: texts for check, texts in missing.items() if texts}


def parse(text: str, name: str = "patch") -> Patch:
    description, fails, cells, says = [], set(), {}, {}
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
        elif line.startswith(SAYS_MARK):
            check, colon, texts = line[len(SAYS_MARK) :].partition(":")
            texts = tuple(text.strip() for text in texts.split("|") if text.strip())
            if not colon or not check.strip() or not texts:
                raise ValueError(
                    f"{name}: a '{SAYS_MARK}' line reads '{SAYS_MARK} <check>: <text> | <text>', got {line!r}"
                )
            says[check.strip()] = says.get(check.strip(), ()) + texts
        elif line.startswith("#"):
            description.append(line.lstrip("#").strip())
        elif line.strip():
            raise ValueError(f"{name}: code before the first '{CELL_MARK}' line: {line!r}")
    if not cells:
        raise ValueError(f"{name}: no '{CELL_MARK} <grade_id>' section")
    if set(says) - fails:
        raise ValueError(f"{name}: '{SAYS_MARK}' names checks it does not fail: {sorted(set(says) - fails)}")
    return Patch(
        name=name,
        description=" ".join(description),
        fails=frozenset(fails),
        cells={key: "\n".join(lines).strip("\n") for key, lines in cells.items()},
        says=says,
    )


def load(path: Path) -> Patch:
    return parse(Path(path).read_text(), name=Path(path).stem)
