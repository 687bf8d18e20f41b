"""Checks for notebook 3, "Noise and networks": sample_noise, discriminator, generator.

Each public function is one graded behaviour. The reference cases (inputs, weight seeds and the
outputs of the solution) are stored in answers/noise_networks.npz; `reference_answers` computes
them from the solution functions and is what `make answers` calls.
"""

from __future__ import annotations

import torch

from helpers.answers import load_answers
from helpers.checks import (
    assert_close,
    assert_dtype,
    assert_param_count,
    assert_shape,
    build_model,
    call,
    confirm_layers,
    expect,
    graded,
    ks_distance_to_uniform,
    parameters_fingerprint,
    probe_forward,
    set_reference_params,
    set_reference_weights,
)

NAME = "noise_networks"
ASSIGNMENT = "03_noise_networks"
IMAGE_DIM = 28 * 28
HIDDEN_D = 256
HIDDEN_G = 1024
D_SHAPES = [(IMAGE_DIM, HIDDEN_D), (HIDDEN_D, HIDDEN_D), (HIDDEN_D, 1)]


def g_shapes(noise_dim: int) -> list[tuple[int, int]]:
    return [(noise_dim, HIDDEN_G), (HIDDEN_G, HIDDEN_G), (HIDDEN_G, IMAGE_DIM)]


# Reference cases: "visible" ones are called from the visible part of a test cell, "hidden" ones
# from the hidden part that students only meet at grading time.
CASES = {
    "visible": {"batch": 8, "noise_dim": 4, "seed": 3},
    "hidden": {"batch": 5, "noise_dim": 96, "seed": 17},
}
# The range checks scale the reference weights up, so that a network's last layer produces values
# far outside (-1, 1) (or [0, 1]) and only the right output activation keeps them in range.
LARGE_GAIN = 2.0
TOL = 1e-4  # float32 round-off across BLAS libraries is ~1e-6; a wrong activation is ~1e-2


# ---------------------------------------------------------------------------------------------
# sample_noise


@graded
def noise_shape_dtype(sample_noise, sizes=((3, 4), (128, 96))):
    """sample_noise(batch_size, dim) returns a float32 tensor of shape (batch_size, dim)."""
    for batch_size, dim in sizes:
        label = f"sample_noise({batch_size}, {dim})"
        z = call(label, sample_noise, batch_size, dim)
        assert_shape(label, z, (batch_size, dim))
        assert_dtype(label, z, torch.float32)


@graded
def noise_distribution(sample_noise, batch_size=4096, dim=8, seed=231):
    """The values are uniform on (-1, 1): not clamped Gaussian, not [0, 1), not one value repeated."""
    label = f"sample_noise({batch_size}, {dim}, seed={seed})"
    z = call(label, sample_noise, batch_size, dim, seed=seed).detach().double().cpu()
    expect(z.shape == (batch_size, dim), f"{label}: expected shape {(batch_size, dim)}, got {tuple(z.shape)}")
    expect(bool(torch.isfinite(z).all()), f"{label}: contains NaN or inf")
    low, high = float(z.min()), float(z.max())
    expect(low >= -1 and high <= 1, f"{label}: values must lie in (-1, 1), got min {low:.4f} and max {high:.4f}")
    # Every entry is its own draw: columns and rows must not repeat each other.
    if dim >= 2:
        correlation = float(torch.corrcoef(z[:, :2].T)[0, 1])
        expect(
            abs(correlation) < 0.1,
            f"{label}: columns 0 and 1 are correlated ({correlation:.2f}); draw every entry independently",
        )
    if batch_size >= 2:
        expect(not torch.equal(z[0], z[1]), f"{label}: rows 0 and 1 are identical; draw every entry independently")
    at_edge = float((z.abs() == 1).double().mean())
    expect(
        at_edge < 1e-3,
        f"{label}: {at_edge:.1%} of the values are exactly -1 or 1 (expected almost none): "
        "clamping values (e.g. from randn) piles them up at the edges instead of spreading them evenly",
    )
    negative = float((z < 0).double().mean())
    expect(
        0.45 < negative < 0.55,
        f"{label}: expected about half the values below 0, got {negative:.1%}"
        + (" (torch.rand alone gives [0, 1): map it onto (-1, 1))" if negative == 0 else ""),
    )
    ks = ks_distance_to_uniform(z, -1.0, 1.0)
    expect(
        ks < 0.02,
        f"{label}: values are not uniform on (-1, 1): Kolmogorov-Smirnov distance {ks:.3f}, "
        "expected < 0.02 (a Gaussian clamped to (-1, 1) gives about 0.16)",
    )


@graded
def noise_seeded(sample_noise, batch_size=16, dim=5):
    """The same seed gives the same noise, another seed other noise, and seed=None works."""
    a = call(f"sample_noise({batch_size}, {dim}, seed=0)", sample_noise, batch_size, dim, seed=0)
    b = call(f"sample_noise({batch_size}, {dim}, seed=0)", sample_noise, batch_size, dim, seed=0)
    c = call(f"sample_noise({batch_size}, {dim}, seed=1)", sample_noise, batch_size, dim, seed=1)
    expect(
        torch.equal(a, b), "sample_noise(..., seed=0) gave different values on two calls: seed torch before sampling"
    )
    expect(not torch.equal(a, c), "sample_noise gave the same values for seed=0 and seed=1")
    label = f"sample_noise({batch_size}, {dim}) without a seed"
    assert_shape(label, call(label, sample_noise, batch_size, dim), (batch_size, dim))


# ---------------------------------------------------------------------------------------------
# discriminator


@graded
def discriminator_param_count(discriminator, expected: int, case="visible"):
    """discriminator() has the expected number of parameters (267,009 for 784-256-256-1 with biases)."""
    assert_param_count("discriminator()", build_model("discriminator()", discriminator), expected)
    _confirm_discriminator(discriminator, case)


@graded
def discriminator_layers(discriminator, case="visible"):
    """discriminator() holds exactly the linear layers 784->256->256->1, each with a bias."""
    set_reference_weights("discriminator()", build_model("discriminator()", discriminator), D_SHAPES, seed=0)
    _confirm_discriminator(discriminator, case)


def _confirm_discriminator(discriminator, case: str) -> None:
    """The described layers, confirmed by D's outputs on the case's input (checks.confirm_layers)."""
    answers = load_answers(NAME)
    x, _ = case_inputs(case)
    confirm_layers(
        "discriminator()",
        lambda: build_model("discriminator()", discriminator),
        x,
        CASES[case]["seed"],
        answers[f"D_skeleton_{case}"],
        answers[f"D_logits_{case}"],
    )


@graded
def discriminator_output_shape(discriminator, batch_sizes=(16, 1), image_input=False):
    """D maps x of shape (N, 784) (or images (N, 1, 28, 28)) to float32 logits of shape (N, 1)."""
    D = build_model("discriminator(seed=0)", discriminator, seed=0)
    for n in batch_sizes:
        shape = (n, 1, 28, 28) if image_input else (n, IMAGE_DIM)
        label = f"D(x) for x of shape {shape}"
        logits = call(
            label, D, torch.rand(shape, generator=torch.Generator().manual_seed(n)) * 2 - 1
        )  # seeded: the same outside
        assert_shape(label, logits, (n, 1))
        assert_dtype(label, logits, torch.float32)


@graded
def discriminator_returns_logits(discriminator, case="visible"):
    """D returns raw scores (logits), not probabilities: outputs fall below 0 and above 1."""
    logits = _reference_logits(discriminator, case, gain=LARGE_GAIN)
    low, high = float(logits.min()), float(logits.max())
    expect(
        low < 0 and high > 1,
        f"D(x) must return logits (any real number), but with large reference weights its outputs lie in "
        f"[{low:.3f}, {high:.3f}]; expected some below 0 and some above 1. Remove a final sigmoid: the "
        "loss (BCE with logits) applies it, in a numerically stable way",
    )


@graded
def discriminator_reference(discriminator, case="visible"):
    """With fixed weights, D computes the reference function (activations, slope and order included)."""
    answers = load_answers(NAME)
    logits = _reference_logits(discriminator, case)
    assert_close(
        f"D(x) with the reference weights ({case} case)",
        logits,
        answers[f"D_logits_{case}"],
        tol=TOL,
        hint="Check for LeakyReLU with negative_slope=0.01 after each hidden layer and nothing after the last",
    )


def case_inputs(case: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, z) of a reference case, from its seed: never read from the answers, which the grading
    sandbox does not have (helpers.checks.replay)."""
    spec = CASES[case]
    generator_for_inputs = torch.Generator().manual_seed(spec["seed"])
    x = torch.rand(spec["batch"], IMAGE_DIM, generator=generator_for_inputs) * 2 - 1
    z = torch.rand(spec["batch"], spec["noise_dim"], generator=generator_for_inputs) * 2 - 1
    return x, z


def _reference_logits(discriminator, case: str, gain: float = 1.0) -> torch.Tensor:
    """D's outputs on the case's input with the reference weights (set on whatever linear layers D
    has: its layers are the structure checks' to judge, not a precondition of this one)."""
    D = build_model("discriminator(seed=0)", discriminator, seed=0).cpu()
    set_reference_params(D, seed=CASES[case]["seed"], gain=gain)
    x, _ = case_inputs(case)
    return call(f"D(x) for x of shape {tuple(x.shape)}", D, x)


# ---------------------------------------------------------------------------------------------
# generator


@graded
def generator_param_count(generator, noise_dim: int, expected: int, case="visible"):
    """generator(noise_dim) has the expected number of parameters (1,858,320 at noise_dim=4)."""
    label = f"generator({noise_dim})"
    assert_param_count(label, build_model(label, generator, noise_dim), expected)
    _confirm_generator(generator, case)


@graded
def generator_layers(generator, noise_dim: int, case="visible"):
    """generator(noise_dim) holds exactly the linear layers noise_dim->1024->1024->784, each with a bias."""
    label = f"generator({noise_dim})"
    set_reference_weights(label, build_model(label, generator, noise_dim), g_shapes(noise_dim), seed=0)
    _confirm_generator(generator, case)


def _confirm_generator(generator, case: str) -> None:
    """The described layers, confirmed by G's outputs on the case's noise (checks.confirm_layers)."""
    answers = load_answers(NAME)
    _, z = case_inputs(case)
    label = f"generator({z.shape[1]})"
    confirm_layers(
        label,
        lambda: build_model(label, generator, z.shape[1]),
        z,
        CASES[case]["seed"],
        answers[f"G_skeleton_{case}"],
        answers[f"G_images_{case}"],
    )


@graded
def generator_output_shape(generator, noise_dim: int, batch_sizes=(16, 1)):
    """G maps z of shape (N, noise_dim) to float32 images of shape (N, 784)."""
    G = build_model(f"generator({noise_dim}, seed=0)", generator, noise_dim, seed=0)
    for n in batch_sizes:
        label = f"G(z) for z of shape {(n, noise_dim)}"
        images = call(label, G, torch.rand(n, noise_dim, generator=torch.Generator().manual_seed(n)) * 2 - 1)  # seeded
        assert_shape(label, images, (n, IMAGE_DIM))
        assert_dtype(label, images, torch.float32)


@graded
def generator_output_range(generator, case="visible"):
    """G ends in Tanh: with large weights its outputs fill (-1, 1), negatives included, and never leave it."""
    images = _reference_images(generator, case, gain=LARGE_GAIN)
    low, high = float(images.min()), float(images.max())
    expect(
        low >= -1 and high <= 1,
        f"G(z) must lie in [-1, 1] like the real images, got values in [{low:.3f}, {high:.3f}]: end the generator with nn.Tanh()",
    )
    expect(
        low < -0.5 and high > 0.5,
        f"G(z) with large reference weights lies in [{low:.3f}, {high:.3f}]; a Tanh output would reach "
        "below -0.5 and above 0.5 (a sigmoid gives no negative values)",
    )


@graded
def generator_reference(generator, case="visible"):
    """With fixed weights, G computes the reference function (ReLU, ReLU, Tanh, in that order)."""
    answers = load_answers(NAME)
    assert_close(
        f"G(z) with the reference weights ({case} case)",
        _reference_images(generator, case),
        answers[f"G_images_{case}"],
        tol=TOL,
        hint="Check for ReLU after each hidden layer and Tanh after the last",
    )


def _reference_images(generator, case: str, gain: float = 1.0) -> torch.Tensor:
    _, z = case_inputs(case)
    noise_dim = z.shape[1]
    G = build_model(f"generator({noise_dim}, seed=0)", generator, noise_dim, seed=0).cpu()
    set_reference_params(G, seed=CASES[case]["seed"], gain=gain)  # on whatever layers G has, as for D
    return call(f"G(z) for z of shape {tuple(z.shape)}", G, z)


# ---------------------------------------------------------------------------------------------
# both networks


@graded
def models_seeded(discriminator, generator, noise_dim: int = 4):
    """discriminator(seed=s) and generator(noise_dim, seed=s) are reproducible, and differ across seeds."""
    for label, build in (
        ("discriminator", lambda seed: build_model(f"discriminator(seed={seed})", discriminator, seed=seed)),
        (
            f"generator({noise_dim})",
            lambda seed: build_model(f"generator({noise_dim}, seed={seed})", generator, noise_dim, seed=seed),
        ),
    ):
        a, b, c = (parameters_fingerprint(f"{label}(seed={seed})", build(seed)) for seed in (0, 0, 1))
        expect(a == b, f"{label}(seed=0) built twice has different weights: seed torch before creating the layers")
        expect(a != c, f"{label}(seed=0) and {label}(seed=1) have the same weights")


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(sample_noise, discriminator, generator) -> dict[str, object]:
    """The stored answers, computed from the solution functions (called by `make answers`).

    Inputs come from fixed seeds; outputs are what the solution computes with the reference
    weights. Parameter counts are stored too, so a test can compare them with the specification.
    """
    del sample_noise  # its checks are statistical, they need no stored values
    answers: dict[str, object] = {}
    with torch.no_grad():
        for case, spec in CASES.items():
            x, z = case_inputs(case)
            D = set_reference_weights("discriminator()", discriminator(seed=0), D_SHAPES, seed=spec["seed"])
            G = generator(spec["noise_dim"], seed=0)
            set_reference_weights("generator()", G, g_shapes(spec["noise_dim"]), seed=spec["seed"])
            answers[f"D_seed_{case}"] = spec["seed"]
            answers[f"D_x_{case}"] = x
            answers[f"D_logits_{case}"] = D(x)
            answers[f"G_seed_{case}"] = spec["seed"]
            answers[f"G_z_{case}"] = z
            answers[f"G_images_{case}"] = G(z)
            answers[f"D_skeleton_{case}"] = probe_forward(discriminator(), x, spec["seed"], skeleton=True)
            answers[f"G_skeleton_{case}"] = probe_forward(generator(spec["noise_dim"]), z, spec["seed"], skeleton=True)
        answers["D_param_count"] = sum(p.numel() for p in discriminator().parameters())
        for noise_dim in sorted({spec["noise_dim"] for spec in CASES.values()}):
            answers[f"G_param_count_{noise_dim}"] = sum(p.numel() for p in generator(noise_dim).parameters())
    return answers
