"""Checks for notebook 2, "GAN theory in one dimension".

The densities live on a grid of the real line (`grid()`), as float32 tensors normalised so that
sum(p) * dx = 1; on such a grid the theory's identities hold exactly, up to round-off. The stored
answers (answers/gan_theory.npz) hold the reference densities and what the solution computes.
"""

from __future__ import annotations

import math

import torch

from helpers.answers import load_answers
from helpers.checks import (
    answered,
    as_number,
    assert_close,
    assert_shape,
    call,
    every_problem,
    expect,
    graded,
    reference_pieces,
    replay,
    run_student,
)

NAME = "gan_theory"
ASSIGNMENT = "02_gan_theory"
TOL = 1e-5
LOW, HIGH, POINTS = -8.0, 8.0, 1601
LN4 = math.log(4.0)


def grid() -> tuple[torch.Tensor, float]:
    """The grid x of shape (1601,) on [-8, 8] and its spacing dx."""
    x = torch.linspace(LOW, HIGH, POINTS, dtype=torch.float64)
    return x.float(), float(x[1] - x[0])


def density(x: torch.Tensor, parts, dx: float) -> torch.Tensor:
    """A mixture on the grid, normalised so that sum(p) * dx = 1; float32, shape like x.

    - parts: list of (kind, weight, a, b): ("normal", w, mean, std) or ("uniform", w, low, high).
    Values below a millionth of the peak are set to 0 (a Gaussian is cut beyond about 5.3 standard
    deviations): in float32, p_data / (p_data + p_g) rounds to exactly 1 where p_g is a tiny
    fraction of p_data, and ln(1 - d) would then be -inf although p_g > 0.
    """
    x = x.double()
    p = torch.zeros_like(x)
    for kind, weight, a, b in parts:
        if kind == "normal":
            p += weight * torch.exp(-0.5 * ((x - a) / b) ** 2)
        elif kind == "uniform":
            p += weight * ((x >= a) & (x <= b)).double()
        else:
            raise ValueError(f"unknown density part {kind!r}")
    p = torch.where(p >= 1e-6 * p.max(), p, torch.zeros_like(p))
    return (p / (p.sum() * dx)).float()


# Pairs (p_data, p_g). The visible ones include disjoint supports, where d* and the logarithms
# meet 0/0 and 0 * log 0; hidden ones add identical densities and partial overlap.
PAIRS = {
    "visible": {
        "bimodal_vs_wide": ([("normal", 0.5, -2.0, 0.5), ("normal", 0.5, 2.0, 0.5)], [("normal", 1.0, 0.0, 1.5)]),
        "disjoint": ([("uniform", 1.0, -3.0, -1.0)], [("uniform", 1.0, 1.0, 3.0)]),
    },
    "hidden": {
        "shifted": ([("normal", 1.0, 1.0, 1.0)], [("normal", 1.0, 1.5, 0.7)]),
        "identical": ([("normal", 1.0, 0.0, 1.0)], [("normal", 1.0, 0.0, 1.0)]),
        "overlap": ([("uniform", 1.0, -2.0, 1.0)], [("uniform", 0.7, 0.0, 3.0), ("normal", 0.3, -5.0, 0.3)]),
    },
}
D_VALUES = {"visible": [1e-3, 0.1, 0.5, 0.9], "hidden": [1e-6, 0.01, 0.3, 0.99]}
LOGITS = {"visible": [-10.0, -2.0, 0.0, 3.0], "hidden": [-20.0, -0.5, 1.0, 15.0]}
# (fraction of cats among the real images, fraction of cats among the generated ones)
CATS = {"visible": [(0.5, 0.0)], "hidden": [(0.5, 0.5), (0.3, 0.9), (0.8, 0.0), (0.0, 0.4)]}


def pairs(case: str) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """name -> (p_data, p_g), float32 tensors of shape (1601,)."""
    x, dx = grid()
    return {name: (density(x, a, dx), density(x, b, dx)) for name, (a, b) in PAIRS[case].items()}


def test_discriminator(x: torch.Tensor) -> torch.Tensor:
    """A smooth, non-optimal discriminator in (0, 1) to evaluate value_function with."""
    return torch.sigmoid(0.8 * x - 0.3)


def edge_discriminator(x: torch.Tensor, p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """A discriminator that is exactly 0 where p_data is 0 and exactly 1 where p_g is 0 (a sigmoid
    elsewhere), as d* is: evaluating V there needs 0 ln 0 = 0 on both terms. Built from the
    densities' zeros alone, so that a check can hand it to student code without the answers."""
    return torch.where(p_data == 0, 0.0, torch.where(p_g == 0, 1.0, test_discriminator(x)))


def course_d_star(p_data: torch.Tensor, p_g: torch.Tensor) -> torch.Tensor:
    """The optimal discriminator of two densities, built by the course: the input the identity check
    gives value_function, and the d* cats_and_dogs gets, so that a wrong optimal_discriminator costs
    only its own check."""
    total = p_data + p_g
    return torch.where(total > 0, p_data / torch.where(total > 0, total, 1.0), 0.5)


def _scalar(label: str, value) -> float:
    return as_number(label, value, hint="0 * log 0 counts as 0")


def _call_scalar(label: str, fn, *args) -> float:
    return _scalar(label, run_student(label, fn, *args))


# ---------------------------------------------------------------------------------------------
# the optimal discriminator and the value function


@graded
def optimal_discriminator_matches(optimal_discriminator, case="visible"):
    """optimal_discriminator returns p_data / (p_data + p_g), and 1/2 where both densities are 0."""
    answers = load_answers(NAME)
    for name, (p_data, p_g) in pairs(case).items():
        label = f"optimal_discriminator(p_data, p_g) for the {name!r} densities"
        d = call(label, optimal_discriminator, p_data, p_g)
        assert_shape(label, d, p_data.shape)
        assert_close(
            label,
            d,
            answers[f"d_star_{name}"],
            tol=TOL,
            hint="d*(x) = p_data(x) / (p_data(x) + p_g(x)), and 1/2 where both are 0 (torch.where)",
        )


@graded
def value_function_matches(value_function, case="visible"):
    """value_function sums p_data ln d + p_g ln(1 - d) over the grid, with 0 ln 0 = 0."""
    answers = load_answers(NAME)
    x, dx = grid()
    for name, (p_data, p_g) in pairs(case).items():
        for which, d in (
            ("0 where p_data = 0, 1 where p_g = 0", edge_discriminator(x, p_data, p_g)),
            ("a sigmoid", test_discriminator(x)),
        ):
            label = f"value_function(d, p_data, p_g, dx) for the {name!r} densities and d = {which}"
            got = _call_scalar(label, value_function, d, p_data, p_g, dx)
            key = "edge" if which.startswith("0 where") else "sigmoid"
            assert_close(
                label,
                got,
                float(answers[f"value_{key}_{name}"]),
                tol=TOL,
                hint="sum over the grid of (p_data ln d + p_g ln(1 - d)) * dx; torch.xlogy(p, d) is p ln d with 0 ln 0 = 0",
            )


@graded
def divergences_match(kl_divergence, js_divergence, case="visible"):
    """kl_divergence and js_divergence (natural log) match the reference; JS is symmetric and at most ln 2."""
    answers = load_answers(NAME)
    _, dx = grid()
    returned = {}  # every call first, then both functions judged (see every_problem)
    for name, (p_data, p_g) in pairs(case).items():
        m = (p_data + p_g) / 2
        returned[name] = (
            run_student(f"js_divergence(p_data, p_g, dx) for {name!r}", js_divergence, p_data, p_g, dx),
            run_student(f"js_divergence(p_g, p_data, dx) for {name!r}", js_divergence, p_g, p_data, dx),
            run_student(f"kl_divergence(p_data, m, dx) for {name!r}", kl_divergence, p_data, m, dx),
        )

    def js_part():
        for name, (js, js_back, _) in returned.items():
            label = f"js_divergence(p_data, p_g, dx) for {name!r}"
            js, js_back = _scalar(label, js), _scalar(f"js_divergence(p_g, p_data, dx) for {name!r}", js_back)
            assert_close(
                label,
                js,
                float(answers[f"js_{name}"]),
                tol=TOL,
                hint="JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2, natural logarithm",
            )
            expect(
                abs(js - js_back) <= TOL,
                f"js_divergence is not symmetric for {name!r}: {js:.6f} one way, {js_back:.6f} the other",
            )
            expect(
                js <= math.log(2) + TOL,
                f"js_divergence for {name!r} is {js:.6f} > ln 2 = {math.log(2):.6f}: use natural logs and the mixture m",
            )

    def kl_part():
        for name, (_, _, kl) in returned.items():
            label = f"kl_divergence(p_data, m, dx) for {name!r}"
            assert_close(
                label,
                _scalar(label, kl),
                float(answers[f"kl_to_mixture_{name}"]),
                tol=TOL,
                hint="KL(p || q) = sum of p ln(p / q) * dx, natural log, 0 ln 0 = 0",
            )

    every_problem(js_part, kl_part)


@graded
def identity_holds(value_function, case="visible"):
    """With your value_function, V(d*, G) = -ln 4 + 2 JS(p_data || p_g) on every pair of densities.

    d* is built by the course and JS is the reference's, so that a mistake in optimal_discriminator
    or js_divergence costs only its own check."""
    answers = load_answers(NAME)
    hidden = replay.judging_hidden()
    _, dx = grid()
    for name, (p_data, p_g) in pairs(case).items():
        d = course_d_star(p_data, p_g)
        value = _call_scalar(f"value_function(d*, ...) for {name!r}", value_function, d, p_data, p_g, dx)
        bound = -LN4 + 2 * float(answers[f"js_{name}"])
        expect(
            abs(value - bound) <= 1e-4,
            f"for the {name!r} densities your V(d*, G) = {value:.6f}, "
            + ("which is not -ln 4 + 2 JS" if hidden else f"but -ln 4 + 2 JS = {bound:.6f}")
            + ": value_function is off at the optimal discriminator (where d is 0 or 1 on disjoint supports, "
            "0 ln 0 counts as 0)",
        )


@graded
def minimum_value(min_value):
    """MIN_VALUE is the value of the game at its optimum, p_g = p_data."""
    got = _scalar("MIN_VALUE", answered("MIN_VALUE", min_value))
    assert_close(
        "MIN_VALUE",
        got,
        float(load_answers(NAME)["min_value"]),
        tol=1e-5,
        hint="at p_g = p_data, d* = 1/2 everywhere and JS = 0",
    )


# ---------------------------------------------------------------------------------------------
# saturation


@graded
def loss_grads_match(generator_loss_grads, case="visible"):
    """generator_loss_grads(d) returns the derivatives of ln(1 - d) and of -ln d with respect to d."""
    d = torch.tensor(D_VALUES[case])
    out = call_pair("generator_loss_grads(d)", generator_loss_grads, d)
    answers = load_answers(NAME)
    for index, name in enumerate(("d/dd ln(1 - d)", "d/dd (-ln d)")):
        assert_close(f"{name} at d = {D_VALUES[case]}", out[index], answers[f"loss_grads_{case}"][index], tol=TOL)


@graded
def logit_grads_match(logit_grads, case="visible"):
    """logit_grads(s) returns the derivatives of ln(1 - sigmoid(s)) and of -ln sigmoid(s) with respect to the logit s."""
    s = torch.tensor(LOGITS[case])
    out = call_pair("logit_grads(s)", logit_grads, s)
    answers = load_answers(NAME)
    for index, name in enumerate(("d/ds ln(1 - sigmoid(s))", "d/ds (-ln sigmoid(s))")):
        assert_close(
            f"{name} at s = {LOGITS[case]}",
            out[index],
            answers[f"logit_grads_{case}"][index],
            tol=TOL,
            hint="d sigmoid(s)/ds = sigmoid(s) (1 - sigmoid(s)); simplify with the chain rule",
        )


def call_pair(label: str, fn, arg) -> tuple[torch.Tensor, torch.Tensor]:
    out = run_student(label, fn, arg)
    expect(
        isinstance(out, (tuple, list)) and len(out) == 2,
        f"{label} must return a pair (a, b) of tensors, got {type(out).__name__}",
    )
    result = []
    for item in out:
        expect(isinstance(item, torch.Tensor), f"{label} must return tensors, got {type(item).__name__}")
        assert_shape(label, item, arg.shape)
        result.append(item)
    return result[0], result[1]


# ---------------------------------------------------------------------------------------------
# cats and dogs


@graded
def cats_and_dogs_matches(cats_and_dogs, case="visible"):
    """cats_and_dogs returns d* on a cat, d* on a dog, and the value C of the game.

    It calls the notebook's optimal_discriminator, which is the course's here (`reference_pieces`);
    its value_function stays the student's (the course has no value function to lend)."""
    answers = load_answers(NAME)
    for index, (data_cats, gen_cats) in enumerate(CATS[case]):
        label = f"cats_and_dogs({data_cats}, {gen_cats})"
        with reference_pieces(cats_and_dogs, optimal_discriminator=course_d_star):
            out = run_student(label, cats_and_dogs, data_cats, gen_cats)
        expect(
            isinstance(out, (tuple, list)) and len(out) == 3,
            f"{label} must return three numbers (d_cat, d_dog, value), got {out!r}",
        )
        got = [_scalar(label, v) for v in out]
        assert_close(
            f"{label} -> (d_cat, d_dog, value)",
            got,
            answers[f"cats_{case}"][index],
            tol=TOL,
            hint="treat cat and dog as two points: p_data = (cats, 1 - cats), p_g likewise, dx = 1",
        )


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(
    optimal_discriminator,
    value_function,
    kl_divergence,
    js_divergence,
    generator_loss_grads,
    logit_grads,
    cats_and_dogs,
    MIN_VALUE,
):
    """The stored answers: the solution's outputs on every case (the tests re-derive them independently)."""
    x, dx = grid()
    answers: dict[str, object] = {"min_value": torch.tensor(float(MIN_VALUE))}
    for case in PAIRS:
        for name, (p_data, p_g) in pairs(case).items():
            d = optimal_discriminator(p_data, p_g)
            answers[f"p_data_{name}"] = p_data
            answers[f"p_g_{name}"] = p_g
            answers[f"d_star_{name}"] = d
            answers[f"value_star_{name}"] = torch.tensor(float(value_function(d, p_data, p_g, dx)))
            answers[f"value_sigmoid_{name}"] = torch.tensor(
                float(value_function(test_discriminator(x), p_data, p_g, dx))
            )
            answers[f"value_edge_{name}"] = torch.tensor(
                float(value_function(edge_discriminator(x, p_data, p_g), p_data, p_g, dx))
            )
            answers[f"js_{name}"] = torch.tensor(float(js_divergence(p_data, p_g, dx)))
            answers[f"kl_to_mixture_{name}"] = torch.tensor(float(kl_divergence(p_data, (p_data + p_g) / 2, dx)))
        answers[f"loss_grads_{case}"] = torch.stack(generator_loss_grads(torch.tensor(D_VALUES[case])))
        answers[f"logit_grads_{case}"] = torch.stack(logit_grads(torch.tensor(LOGITS[case])))
        answers[f"cats_{case}"] = torch.tensor([[float(v) for v in cats_and_dogs(a, b)] for a, b in CATS[case]])
    return answers
