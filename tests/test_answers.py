"""The stored answers are exactly what the solutions compute, and agree with the specification."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import REPO, SOURCE
from course import answers
from helpers import load_answers
from helpers.checks import noise_networks

MODULES = answers.exercise_modules()


def test_every_assignment_with_checks_has_a_source_notebook():
    assert MODULES, "no exercise modules found in helpers.checks"
    for module in MODULES:
        assert (SOURCE / module.ASSIGNMENT).is_dir(), f"{module.__name__}: no notebooks/{module.ASSIGNMENT}/"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.NAME)
def test_regenerated_answers_match_the_committed_ones(module, tmp_path):
    """`make answers` on a clean checkout changes nothing: same keys, dtypes, values and bytes."""
    path = tmp_path / f"{module.NAME}.npz"
    answers.save(answers.compute(module, SOURCE), path)
    committed = REPO / "answers" / f"{module.NAME}.npz"
    with np.load(path) as new, np.load(committed) as old:
        assert sorted(new.files) == sorted(old.files)
        for key in new.files:
            assert new[key].dtype == old[key].dtype, key
            np.testing.assert_array_equal(new[key], old[key], err_msg=f"{module.NAME}: {key} differs; run `make answers`")
    assert path.read_bytes() == committed.read_bytes(), "same values, different bytes: the writer is not deterministic"


def fc_param_count(sizes):
    """Weights and biases of a stack of fully connected layers sizes[0] -> sizes[1] -> ..."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def test_noise_networks_parameter_counts_match_the_specification():
    stored = load_answers("noise_networks")
    assert fc_param_count([784, 256, 256, 1]) == 267_009  # the figure, by the formula
    assert fc_param_count([4, 1024, 1024, 784]) == 1_858_320
    assert int(stored["D_param_count"]) == 267_009
    assert int(stored["G_param_count_4"]) == 1_858_320
    assert int(stored["G_param_count_96"]) == fc_param_count([96, 1024, 1024, 784])


def test_noise_networks_reference_cases_are_well_formed():
    stored = load_answers("noise_networks")
    for case, spec in noise_networks.CASES.items():
        assert stored[f"D_x_{case}"].shape == (spec["batch"], 784)
        assert stored[f"D_logits_{case}"].shape == (spec["batch"], 1)
        assert stored[f"G_z_{case}"].shape == (spec["batch"], spec["noise_dim"])
        assert stored[f"G_images_{case}"].shape == (spec["batch"], 784)
        for key in (f"D_x_{case}", f"G_z_{case}", f"G_images_{case}"):
            assert np.abs(stored[key]).max() <= 1  # inputs are noise/images, outputs come from Tanh
        # the logits take both signs: a check against them is not fooled by a constant
        assert stored[f"D_logits_{case}"].min() < 0 < stored[f"D_logits_{case}"].max()
    assert stored["G_z_visible"].shape[1] != stored["G_z_hidden"].shape[1], "hidden case must use another noise_dim"
