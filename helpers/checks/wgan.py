"""Checks for notebook 7, "Wasserstein GANs": the critic and generator losses, weight clipping
(Arjovsky et al., 2017) and the gradient penalty (Gulrajani et al., 2017).

The gradient penalty is checked three ways: its value with a fixed critic and fixed mixing weights
(on 2-D points and on images, so the norm must be taken per sample over all other dimensions); that
it is differentiable with respect to the critic's parameters (create_graph=True), by comparing the
critic's gradients with the reference; and, with a spy critic that records the points it is
evaluated at, that those points lie on the segments between paired real and fake samples with one
uniform mixing weight per sample.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.answers import load_answers
from helpers.checks import replay
from helpers.checks import assert_close, call_loss, expect, graded, ks_distance_to_uniform, run_student

NAME = "wgan"
ASSIGNMENT = "07_wgan"
TOL = 1e-5
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
    loss = call_loss(f"wasserstein_critic_loss for scores of shape {tuple(real.shape)}", wasserstein_critic_loss, real, fake)
    assert_close("wasserstein_critic_loss", loss, load_answers(NAME)[f"critic_loss_{case}"], tol=TOL,
                 hint="the critic minimises mean(scores_fake) - mean(scores_real): raw scores, no log, no sigmoid")


@graded
def generator_loss_matches(wasserstein_generator_loss, case="visible"):
    """wasserstein_generator_loss is -mean D(G(z))."""
    _, fake = scores_case(case)
    loss = call_loss(f"wasserstein_generator_loss for scores of shape {tuple(fake.shape)}", wasserstein_generator_loss, fake)
    assert_close("wasserstein_generator_loss", loss, load_answers(NAME)[f"generator_loss_{case}"], tol=TOL,
                 hint="G wants its fakes scored high: minimise -mean(scores_fake)")


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
    facts = replay.observe_call(f"clip_weights(critic, {c})", _clip_facts, clip_weights, c, seed)
    expect(facts["returned"] in ("None", "the critic"), f"clip_weights(critic, {c}) should change the critic in place and "
                                                       f"return nothing, got a {facts['returned']}")
    expect(facts["same_objects"], "clip_weights replaced the critic's parameters by new ones: the "
                                  "optimizer still holds the old ones. Clamp them in place (p.clamp_)")
    for name, old, new in zip(facts["names"], facts["before"], facts["after"]):
        expected = old.clamp(-c, c)
        expect(torch.equal(new, expected),
               f"after clip_weights(critic, {c}), parameter {name} should be clamped to [-{c}, {c}] (values inside "
               f"unchanged), but {int((new != expected).sum())} of its {new.numel()} values differ: "
               + ("it was left unchanged: clamp every parameter, biases included" if torch.equal(new, old)
                  else f"got values in [{float(new.min()):.4g}, {float(new.max()):.4g}]"))


def _clip_facts(clip_weights, c: float, seed: int) -> dict:
    """clip_weights on a probe critic, as data: what it returned, whether the parameter objects
    stayed, and every parameter's values before and after."""
    model = _clip_probe(seed)
    before = [p.detach().clone() for p in model.parameters()]
    objects = list(model.parameters())
    with torch.enable_grad():  # as in training: in-place changes to parameters need torch.no_grad() inside
        result = run_student(f"clip_weights(critic, {c})", clip_weights, model, c)
    after = list(model.parameters())
    returned = "None" if result is None else "the critic" if result is model else type(result).__name__
    return {"returned": returned, "same_objects": len(after) == len(objects) and all(a is b for a, b in zip(objects, after)),
            "names": [name for name, _ in model.named_parameters()], "before": before,
            "after": [p.detach().clone() for p in after]}


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
    assert_close(f"gradient_penalty for inputs of shape {tuple(x_real.shape)}", penalty.detach(),
                 load_answers(NAME)[f"gp_{case}"], tol=1e-4,
                 hint="x_hat = epsilon * x_real + (1 - epsilon) * x_fake with epsilon reshaped to (N, 1, ...); the "
                      "gradient of D(x_hat).sum() with respect to x_hat; its 2-norm per sample over all other "
                      "dimensions; then the mean of (norm - 1)**2")


@graded
def gradient_penalty_is_differentiable(gradient_penalty, case="visible"):
    """The penalty can be backpropagated into the critic's parameters (create_graph=True)."""
    critic, x_real, x_fake, epsilon = gp_case(case)
    penalty = _call_gp(gradient_penalty, critic, x_real, x_fake, epsilon)
    requires_grad = replay.observe("the penalty: requires_grad", penalty.requires_grad)
    expect(requires_grad, "the gradient penalty does not depend on the critic's parameters (no grad_fn): "
                          "compute the gradient with torch.autograd.grad(..., create_graph=True)")
    with torch.enable_grad():
        grads = replay.observe_call("the critic's gradient of the penalty", _parameter_grads, penalty, critic)
    assert_close("the critic's gradient of the penalty", grads, load_answers(NAME)[f"gp_param_grads_{case}"], tol=1e-4,
                 hint="the penalty must be computed from the gradient with create_graph=True, at the same points x_hat")


def _parameter_grads(penalty: torch.Tensor, critic: nn.Module) -> torch.Tensor:
    """d penalty / d critic parameters, flattened; a parameter the penalty does not depend on gets zeros
    (the last layer's bias never does: it shifts the scores without changing their gradient)."""
    parameters = list(critic.parameters())
    grads = torch.autograd.grad(penalty, parameters, allow_unused=True)
    return torch.cat([(torch.zeros_like(p) if g is None else g).flatten() for p, g in zip(parameters, grads)])

@graded
def gradient_penalty_samples_between(gradient_penalty, n: int = 4096, seed: int = 0):
    """Without epsilon, x_hat mixes each real sample with its fake one by its own uniform weight in [0, 1]."""
    x_real, x_fake, x_hat = replay.observe_call("where the penalty evaluates the critic", _spy_points, gradient_penalty, n, seed)
    expect(x_hat is not None, f"the critic was never evaluated on a batch of shape {(n, 2)} (x_hat)")
    x_hat = x_hat.double()
    real, fake = x_real.double(), x_fake.double()
    weight = (x_hat - fake) / (real - fake)  # (n, 2): epsilon per coordinate
    expect(bool(((weight >= -1e-5) & (weight <= 1 + 1e-5)).all()),
           "x_hat must lie between x_real and x_fake: x_hat = epsilon * x_real + (1 - epsilon) * x_fake with epsilon in [0, 1]")
    spread = float((weight[:, 0] - weight[:, 1]).abs().max())
    expect(spread < 1e-4, f"x_hat mixes the coordinates of one sample with different weights (up to {spread:.2f} apart): "
                          "draw one epsilon per sample, shape (N, 1, ...), not one per value")
    epsilon = weight[:, 0]
    expect(float(epsilon.std()) > 0.1, "every sample got the same mixing weight epsilon: draw one per sample, torch.rand(N, ...)")
    ks = ks_distance_to_uniform(epsilon, 0.0, 1.0)
    expect(ks < 0.03, f"the mixing weights are not uniform on [0, 1] (Kolmogorov-Smirnov distance {ks:.3f}): use torch.rand")


def _spy_points(gradient_penalty, n: int, seed: int):
    """(x_real, x_fake, the first batch of shape (n, 2) the critic saw or None) for one penalty call."""
    seen = []

    class Spy(nn.Module):  # records where the critic is evaluated; D(x) = sum of squares, smooth everywhere
        def forward(self, x):
            seen.append(x.detach().clone())
            return (x**2).sum(dim=1, keepdim=True)

    torch.manual_seed(seed)
    x_real = torch.rand(n, 2) + 2.0   # real points in [2, 3]^2, fake ones in [-3, -2]^2: never equal
    x_fake = torch.rand(n, 2) - 3.0
    _call_gp(gradient_penalty, Spy(), x_real, x_fake)
    candidates = [x for x in seen if tuple(x.shape) == (n, 2)]
    return x_real, x_fake, candidates[0] if candidates else None


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
        answers[f"gp_param_grads_{case}"] = _parameter_grads(penalty, critic)
    return answers
