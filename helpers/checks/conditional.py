"""Checks for notebook 8, "Conditional GANs and the latent space": one-hot labels, a conditional
generator G(z, y) and discriminator D(x, y), and interpolation between two noise vectors.

The networks are fully connected like notebook 3's, with the one-hot class appended to their input:
G sees [z, one_hot(y)] and D sees [flattened x, one_hot(y)], in that order. They are checked with
reference weights (which fixes what the concatenation order means) and for actually using the label:
changing only y must change the output. While a network check runs, the notebook's `one_hot` is the
course's (`course_one_hot`, through `reference_pieces`): the networks get the reference one-hot
labels, so that a mistake in one_hot costs only test_one_hot.
"""

from __future__ import annotations

import torch

from helpers.answers import load_answers
from helpers.checks import (
    assert_close,
    assert_dtype,
    assert_shape,
    build_model,
    call,
    expect,
    graded,
    reference_pieces,
    set_reference_weights,
)

NAME = "conditional"
ASSIGNMENT = "08_conditional"
CLASSES = 10
IMAGE_DIM = 28 * 28
TOL = 1e-4
CASES = {"visible": {"batch": 8, "noise_dim": 4, "seed": 3}, "hidden": {"batch": 5, "noise_dim": 96, "seed": 17}}


def g_shapes(noise_dim: int) -> list[tuple[int, int]]:
    return [(noise_dim + CLASSES, 1024), (1024, 1024), (1024, IMAGE_DIM)]


D_SHAPES = [(IMAGE_DIM + CLASSES, 256), (256, 256), (256, 1)]


def case_inputs(case: str):
    """(z, x, y) of the case: noise (N, noise_dim), images (N, 1, 28, 28) in (-1, 1), classes (N,)."""
    spec = CASES[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    z = torch.rand(spec["batch"], spec["noise_dim"], generator=generator) * 2 - 1
    x = torch.rand(spec["batch"], 1, 28, 28, generator=generator) * 2 - 1
    y = torch.randint(CLASSES, (spec["batch"],), generator=generator)
    return z, x, y


def course_one_hot(y: torch.Tensor, num_classes: int = CLASSES) -> torch.Tensor:
    """Labels y (N,) -> the one-hot matrix (N, num_classes), float32, built by the course."""
    matrix = torch.zeros(len(y), num_classes, device=y.device)
    matrix[torch.arange(len(y), device=y.device), y] = 1
    return matrix


@graded
def one_hot_matches(one_hot, labels=(3, 0, 9, 3)):
    """one_hot(y) is a float32 (N, 10) matrix with a single 1 per row, in column y[i]."""
    y = torch.tensor(labels)
    label = f"one_hot(torch.tensor({list(labels)}))"
    got = call(label, one_hot, y)
    assert_shape(label, got, (len(labels), CLASSES))
    assert_dtype(label, got, torch.float32)
    expect(
        torch.equal(got.cpu(), course_one_hot(y)),
        f"{label}: expected a 1 in column y[i] of row i and 0 elsewhere, got\n{got}",
    )


def _reference_G(build, case: str):
    z, _, y = case_inputs(case)
    noise_dim = z.shape[1]
    label = f"build_conditional_generator({noise_dim})"
    G = build_model(label, build, noise_dim)
    set_reference_weights(label, G, g_shapes(noise_dim), seed=CASES[case]["seed"])
    return G, z, y


def _reference_D(build, case: str):
    _, x, y = case_inputs(case)
    D = build_model("build_conditional_discriminator()", build)
    set_reference_weights("build_conditional_discriminator()", D, D_SHAPES, seed=CASES[case]["seed"])
    return D, x, y


@graded
def generator_matches(build_conditional_generator, case="visible"):
    """With fixed weights, G(z, y) computes the reference images from [z, one_hot(y)]."""
    with reference_pieces(build_conditional_generator, one_hot=course_one_hot):
        G, z, y = _reference_G(build_conditional_generator, case)
        images = call(f"G(z, y) for z of shape {tuple(z.shape)}", G, z, y)
        assert_shape("G(z, y)", images, (len(z), 1, 28, 28))
        assert_close(
            f"G(z, y) with the reference weights ({case} case)",
            images,
            load_answers(NAME)[f"G_images_{case}"],
            tol=TOL,
            hint="the input is torch.cat([z, one_hot(y)], dim=1), in that order; ReLU, ReLU, Tanh (this check's "
            "one_hot is the course's)",
        )


@graded
def generator_uses_labels(build_conditional_generator, case="visible"):
    """G's images depend on the class: the same z with another y gives other images."""
    with reference_pieces(build_conditional_generator, one_hot=course_one_hot):
        G, z, y = _reference_G(build_conditional_generator, case)
        a = call("G(z, y)", G, z, y)
        b = call("G(z, (y + 1) % 10)", G, z, (y + 1) % CLASSES)
        expect(
            not torch.allclose(a, b),
            "G(z, y) and G(z, y') are the same for different classes y, y': G ignores its label",
        )


@graded
def discriminator_matches(build_conditional_discriminator, case="visible"):
    """With fixed weights, D(x, y) computes the reference logits (N, 1) from [flattened x, one_hot(y)]."""
    with reference_pieces(build_conditional_discriminator, one_hot=course_one_hot):
        D, x, y = _reference_D(build_conditional_discriminator, case)
        logits = call(f"D(x, y) for x of shape {tuple(x.shape)}", D, x, y)
        assert_close(
            f"D(x, y) with the reference weights ({case} case)",
            logits,
            load_answers(NAME)[f"D_logits_{case}"],
            tol=TOL,
            hint="the input is torch.cat([x.flatten(1), one_hot(y)], dim=1), in that order; LeakyReLU(0.01) "
            "after the hidden layers, no sigmoid (this check's one_hot is the course's)",
        )


@graded
def discriminator_uses_labels(build_conditional_discriminator, case="visible"):
    """D's logits depend on the class: the same images with another y get other logits."""
    with reference_pieces(build_conditional_discriminator, one_hot=course_one_hot):
        D, x, y = _reference_D(build_conditional_discriminator, case)
        a = call("D(x, y)", D, x, y)
        b = call("D(x, (y + 1) % 10)", D, x, (y + 1) % CLASSES)
        expect(
            not torch.allclose(a, b),
            "D(x, y) and D(x, y') are the same for different classes: D ignores its label, "
            "so it cannot punish a well-drawn digit of the wrong class",
        )


@graded
def interpolation_matches(interpolate, num: int = 5, dim: int = 3, seed: int = 0):
    """interpolate(z0, z1, num) returns num points evenly spaced from z0 to z1, both ends included."""
    generator = torch.Generator().manual_seed(seed)
    z0, z1 = torch.rand(dim, generator=generator) * 2 - 1, torch.rand(dim, generator=generator) * 2 - 1
    label = f"interpolate(z0, z1, {num})"
    got = call(label, interpolate, z0, z1, num)
    assert_shape(label, got, (num, dim))
    t = torch.linspace(0, 1, num).unsqueeze(1)
    assert_close(
        label,
        got,
        (1 - t) * z0 + t * z1,
        tol=1e-6,
        hint="row i is z0 + (z1 - z0) * i / (num - 1): the first row is z0 and the last z1",
    )


def reference_answers(one_hot, build_conditional_generator, build_conditional_discriminator, interpolate):
    del one_hot, interpolate  # checked against values computed in the check itself
    answers: dict[str, object] = {}
    with torch.no_grad():
        for case in CASES:
            G, z, y = _reference_G(build_conditional_generator, case)
            answers[f"G_images_{case}"] = G(z, y)
            D, x, y = _reference_D(build_conditional_discriminator, case)
            answers[f"D_logits_{case}"] = D(x, y)
    return answers
