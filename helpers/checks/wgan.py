"""Checks for notebook 7, "Wasserstein GANs": the critic and generator losses, weight clipping
(Arjovsky et al., 2017) and the gradient penalty (Gulrajani et al., 2017).

The gradient penalty is checked three ways: its value with a fixed critic and fixed mixing weights
(on 2-D points and on images, so the norm must be taken per sample over all other dimensions); that
it is differentiable with respect to the critic's parameters (create_graph=True), by comparing the
critic's gradients with the reference; and, with a spy critic that records the points it is
evaluated at, that those points lie on the segments between paired real and fake samples with one
uniform mixing weight per sample.

What the sandbox records is raw: what the student's functions returned, the critic's parameter
values after clip_weights, its gradients after backpropagating the returned penalty, the batches
the spy critic was evaluated on. Everything judged from them is computed here, outside.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.answers import load_answers
from helpers.checks import (
    assert_close,
    assert_grads,
    backpropagated_grads,
    call_loss,
    expect,
    graded,
    ks_distance_to_uniform,
    parameter_grads,
    replay,
    run_student,
)

NAME = "wgan"
ASSIGNMENT = "07_wgan"
# The penalty's parameter gradients go through a second backward (create_graph): float64 moves them by
# 2e-6 of their largest value, another thread count by 3e-6. A wrong formula moves them by 1e-2 or more.
TOL = 1e-4
SCORES = {"visible": {"shape": (8, 1), "seed": 3}, "hidden": {"shape": (5,), "seed": 13}}
# Gradient-penalty cases: 2-D points (the ring) and images.
GP_CASES = {"visible": {"shape": (6, 2), "seed": 4}, "hidden": {"shape": (4, 1, 6, 6), "seed": 14}}


def scores_case(case: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(scores_real, scores_fake): a critic's raw outputs, spread over about [-4, 4]."""
    spec = SCORES[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    return torch.randn(spec["shape"], generator=generator) * 2, torch.randn(spec["shape"], generator=generator) * 2


@graded
def critic_loss_matches(wasserstein_critic_loss, case="visible"):
    """wasserstein_critic_loss is mean D(G(z)) - mean D(x): the critic maximises the gap."""
    real, fake = scores_case(case)
    loss = call_loss(
        f"wasserstein_critic_loss for scores of shape {tuple(real.shape)}", wasserstein_critic_loss, real, fake
    )
    assert_close(
        "wasserstein_critic_loss",
        loss,
        load_answers(NAME)[f"critic_loss_{case}"],
        tol=TOL,
        hint="the critic minimises mean(scores_fake) - mean(scores_real): raw scores, no log, no sigmoid",
    )


@graded
def generator_loss_matches(wasserstein_generator_loss, case="visible"):
    """wasserstein_generator_loss is -mean D(G(z))."""
    _, fake = scores_case(case)
    loss = call_loss(
        f"wasserstein_generator_loss for scores of shape {tuple(fake.shape)}", wasserstein_generator_loss, fake
    )
    assert_close(
        "wasserstein_generator_loss",
        loss,
        load_answers(NAME)[f"generator_loss_{case}"],
        tol=TOL,
        hint="G wants its fakes scored high: minimise -mean(scores_fake)",
    )


# ---------------------------------------------------------------------------------------------
# weight clipping


def _clip_probe(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.05)  # some inside (-c, c), some outside
    return model


@graded
def clip_weights_in_place(clip_weights, c: float = 0.01, seed: int = 0):
    """clip_weights(critic, c) clamps every parameter (weights and biases) to [-c, c], in place."""
    model = _clip_probe(seed)
    names = [name for name, _ in model.named_parameters()]
    before = [p.detach().clone() for p in model.parameters()]  # computed here too: the probe is seeded
    objects = list(model.parameters())
    with torch.enable_grad():  # as in training: in-place changes to parameters need torch.no_grad() inside
        result = run_student(f"clip_weights(critic, {c})", clip_weights, model, c)
    # Raw state: the values of the parameter objects the critic had before the call (what an
    # optimizer holds), and of those it has after it.
    held = replay.state("the critic's original parameters after clip_weights", _values, objects)
    current = replay.state("the critic's parameters after clip_weights", lambda: _values(model.parameters()))
    if replay.recording():
        return
    expect(
        result is None or isinstance(result, nn.Module),
        f"clip_weights(critic, {c}) should change the critic in place and return nothing, got a {type(result).__name__}",
    )
    expect(
        type(held) is list and len(held) == len(before) and type(current) is list,
        "the sandbox's record of the critic's parameters is malformed",
    )
    if (
        len(current) == len(before)
        and all(_equal(new, old.clamp(-c, c)) for new, old in zip(current, before))
        and not all(_equal(new, old.clamp(-c, c)) for new, old in zip(held, before))
    ):
        raise AssertionError(
            "clip_weights replaced the critic's parameters by new ones: the optimizer still holds the "
            "old ones. Clamp them in place (p.clamp_)"
        )
    for name, old, new in zip(names, before, held):
        expected = old.clamp(-c, c)
        if _equal(new, expected):
            continue
        detail = (
            "it was left unchanged: clamp every parameter, biases included"
            if _equal(new, old)
            else "its values are not those"
            if replay.judging_hidden() or type(new) is not torch.Tensor
            else f"got values in [{float(new.min()):.4g}, {float(new.max()):.4g}]"
        )
        count = (
            f"{int((new != expected).sum())} of its {new.numel()} values differ: " if _same_shape(new, expected) else ""
        )
        raise AssertionError(
            f"after clip_weights(critic, {c}), parameter {name} should be clamped to [-{c}, {c}] (values "
            f"inside unchanged), but {count}{detail}"
        )


def _values(parameters) -> list[torch.Tensor]:
    """The values of `parameters`, copied: a list of tensors."""
    return [p.detach().clone() for p in parameters]


def _same_shape(a, b: torch.Tensor) -> bool:
    return type(a) is torch.Tensor and tuple(a.shape) == tuple(b.shape)


def _equal(a, b: torch.Tensor) -> bool:
    return _same_shape(a, b) and torch.equal(a.to(b.dtype), b)


# ---------------------------------------------------------------------------------------------
# gradient penalty


def reference_critic(in_features: int, seed: int) -> nn.Module:
    """A small nonlinear critic with fixed weights: its gradient depends on where it is evaluated."""
    generator = torch.Generator().manual_seed(seed)
    critic = nn.Sequential(nn.Flatten(), nn.Linear(in_features, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        for p in critic.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    return critic


def gp_case(case: str):
    """(critic, x_real, x_fake, epsilon) for a gradient-penalty case."""
    spec = GP_CASES[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    shape = spec["shape"]
    x_real = torch.randn(shape, generator=generator)
    x_fake = torch.randn(shape, generator=generator)
    epsilon = torch.rand(shape[0], generator=generator)
    features = int(torch.tensor(shape[1:]).prod())
    return reference_critic(features, spec["seed"]), x_real, x_fake, epsilon


def _call_gp(gradient_penalty, critic, x_real, x_fake, epsilon=None) -> torch.Tensor:
    label = f"gradient_penalty(critic, x_real, x_fake{', epsilon' if epsilon is not None else ''}) for inputs of shape {tuple(x_real.shape)}"
    with torch.enable_grad():
        kwargs = {"epsilon": epsilon} if epsilon is not None else {}
        return call_loss(label, gradient_penalty, critic, x_real, x_fake, **kwargs)


@graded
def gradient_penalty_matches(gradient_penalty, case="visible"):
    """gradient_penalty is mean over the batch of (||grad D(x_hat)||_2 - 1)^2, one norm per sample."""
    critic, x_real, x_fake, epsilon = gp_case(case)
    penalty = _call_gp(gradient_penalty, critic, x_real, x_fake, epsilon)
    assert_close(
        f"gradient_penalty for inputs of shape {tuple(x_real.shape)}",
        penalty.detach(),
        load_answers(NAME)[f"gp_{case}"],
        tol=TOL,
        hint="x_hat = epsilon * x_real + (1 - epsilon) * x_fake with epsilon reshaped to (N, 1, ...); the "
        "gradient of D(x_hat).sum() with respect to x_hat; its 2-norm per sample over all other "
        "dimensions; then the mean of (norm - 1)**2",
    )


@graded
def gradient_penalty_is_differentiable(gradient_penalty, case="visible"):
    """The penalty can be backpropagated into the critic's parameters (create_graph=True)."""
    critic, x_real, x_fake, epsilon = gp_case(case)
    penalty = _call_gp(gradient_penalty, critic, x_real, x_fake, epsilon)
    requires_grad = replay.observe("the penalty: requires_grad", penalty.requires_grad)
    expect(
        requires_grad,
        "the gradient penalty does not depend on the critic's parameters (no grad_fn): "
        "compute the gradient with torch.autograd.grad(..., create_graph=True)",
    )
    with torch.enable_grad():  # raw state: the critic's gradients after backpropagating the returned penalty
        grads = replay.state("the critic's gradients of the penalty", backpropagated_grads, penalty, critic)
    assert_grads(
        "the critic's gradient of the penalty",
        grads,
        critic,
        load_answers(NAME)[f"gp_param_grads_{case}"],
        tol=TOL,
        hint="the penalty must be computed from the gradient with create_graph=True, at the same points x_hat",
    )


@graded
def gradient_penalty_samples_between(gradient_penalty, n: int = 4096, seed: int = 0):
    """Without epsilon, x_hat mixes each real sample with its fake one by its own uniform weight in [0, 1]."""
    torch.manual_seed(seed)  # the penalty's own draws of epsilon, reproducible
    generator = torch.Generator().manual_seed(seed)
    x_real = (
        torch.rand(n, 2, generator=generator) + 2.0
    )  # real points in [2, 3]^2, fake ones in [-3, -2]^2: never equal
    x_fake = torch.rand(n, 2, generator=generator) - 3.0
    spy = SpyCritic()
    _call_gp(gradient_penalty, spy, x_real, x_fake)
    seen = replay.state("the batches the critic was evaluated on", lambda: list(spy.seen))  # raw: every input it got
    if replay.recording():
        return
    expect(type(seen) is list, "the sandbox's record of the critic's inputs is malformed")
    candidates = [x for x in seen if type(x) is torch.Tensor and tuple(x.shape) == (n, 2)]
    expect(bool(candidates), f"the critic was never evaluated on a batch of shape {(n, 2)} (x_hat)")
    x_hat = candidates[0].double()
    real, fake = x_real.double(), x_fake.double()
    weight = (x_hat - fake) / (real - fake)  # (n, 2): epsilon per coordinate
    expect(
        bool(((weight >= -1e-5) & (weight <= 1 + 1e-5)).all()),
        "x_hat must lie between x_real and x_fake: x_hat = epsilon * x_real + (1 - epsilon) * x_fake with epsilon in [0, 1]",
    )
    spread = float((weight[:, 0] - weight[:, 1]).abs().max())
    expect(
        spread < 1e-4,
        f"x_hat mixes the coordinates of one sample with different weights (up to {spread:.2f} apart): "
        "draw one epsilon per sample, shape (N, 1, ...), not one per value",
    )
    epsilon = weight[:, 0]
    expect(
        float(epsilon.std()) > 0.1,
        "every sample got the same mixing weight epsilon: draw one per sample, torch.rand(N, ...)",
    )
    ks = ks_distance_to_uniform(epsilon, 0.0, 1.0)
    expect(
        ks < 0.03,
        f"the mixing weights are not uniform on [0, 1] (Kolmogorov-Smirnov distance {ks:.3f}): use torch.rand",
    )


class SpyCritic(nn.Module):
    """A critic that keeps a copy of every batch it is evaluated on; D(x) = sum of squares, smooth everywhere."""

    def __init__(self):
        super().__init__()
        self.seen: list[torch.Tensor] = []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return (x**2).sum(dim=1, keepdim=True)


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(wasserstein_critic_loss, wasserstein_generator_loss, gradient_penalty):
    answers: dict[str, object] = {}
    for case in SCORES:
        real, fake = scores_case(case)
        answers[f"critic_loss_{case}"] = wasserstein_critic_loss(real, fake)
        answers[f"generator_loss_{case}"] = wasserstein_generator_loss(fake)
    for case in GP_CASES:
        critic, x_real, x_fake, epsilon = gp_case(case)
        penalty = gradient_penalty(critic, x_real, x_fake, epsilon=epsilon)
        answers[f"gp_{case}"] = penalty.detach()
        answers[f"gp_param_grads_{case}"] = parameter_grads(penalty, critic)
    return answers
