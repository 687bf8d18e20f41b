"""Checks for notebook 9, "Stabilising and evaluating GANs": the hinge losses (Lim & Ye 2017; Miyato
et al. 2018), the power iteration behind spectral normalisation and PyTorch's own
`parametrizations.spectral_norm` on a discriminator, the R1 penalty (Mescheder et al. 2018), two
time-scale updates (Heusel et al. 2017), an exponential moving average of G's weights, and
precision and recall for generative models (Kynkaanniemi et al. 2019).

What the sandbox records is raw: what the student's functions returned, parameter and buffer values
after student code acted on them, a discriminator's weights after forward passes. Every verdict is
reached here, outside: singular values (torch.linalg.svdvals), expected parameter moves and the
reference answers are computed or read only on replay.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.answers import load_answers
from helpers.checks import (
    as_number,
    assert_close,
    assert_grads,
    backpropagated_grads,
    build_model,
    call,
    call_loss,
    expect,
    graded,
    parameter_grads,
    replay,
    run_student,
)
from helpers.checks.wgan import _same_shape, _values, reference_critic  # one owner of each

NAME = "stabilising"
ASSIGNMENT = "09_stabilising"
TOL = 1e-5
LOGITS = {"visible": {"shape": (8, 1), "seed": 3}, "hidden": {"shape": (6,), "seed": 13}}
# Power iteration: W (out, in) and the iteration counts compared step by step with the reference; the
# hidden W is square, so that W in place of W^T gives wrong values rather than a shape error.
POWER = {
    "visible": {"shape": (6, 10), "iterations": (1, 3), "seed": 5},
    "hidden": {"shape": (7, 7), "iterations": (2,), "seed": 15},
}
CONVERGE = {"visible": {"shape": (12, 20), "seed": 6}, "hidden": {"shape": (30, 16), "seed": 16}}
CONVERGE_ITERATIONS = 200
# R1: 2-D points (the ring) and images, so that the squared norm must be taken per sample over all
# other dimensions.
R1 = {
    "visible": {"shape": (6, 2), "gamma": 10.0, "seed": 4},
    "hidden": {"shape": (4, 1, 6, 6), "gamma": 1.0, "seed": 14},
}
TTUR = {"visible": {"lr_D": 4e-4, "lr_G": 1e-4}, "hidden": {"lr_D": 2e-4, "lr_G": 5e-5}}
EMA = {"visible": {"decay": 0.9, "seed": 7}, "hidden": {"decay": 0.99, "seed": 17}}
KNN = {"visible": {"shape": (30, 2), "k": 3, "seed": 8}, "hidden": {"shape": (50, 8), "k": 5, "seed": 18}}
# Precision and recall: two overlapping clouds and a radius per point, (lowest, width of the range);
# every point is at least 0.006 from every ball's boundary, far beyond float32 rounding.
PR = {
    "visible": {"real": 40, "fake": 30, "dim": 3, "seed": 9, "real_radii": (0.4, 0.8), "fake_radii": (0.2, 0.4)},
    "hidden": {"real": 35, "fake": 45, "dim": 6, "seed": 19, "real_radii": (1.0, 1.0), "fake_radii": (1.0, 1.0)},
}


# ---------------------------------------------------------------------------------------------
# hinge losses


def logits_case(case: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits_real, logits_fake), spread over about [-4, 4]: on both sides of the margins +-1."""
    spec = LOGITS[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    return torch.randn(spec["shape"], generator=generator) * 2, torch.randn(spec["shape"], generator=generator) * 2


@graded
def hinge_discriminator_loss_matches(hinge_discriminator_loss, case="visible"):
    """hinge_discriminator_loss is mean relu(1 - D(x)) + mean relu(1 + D(G(z)))."""
    real, fake = logits_case(case)
    loss = call_loss(
        f"hinge_discriminator_loss for logits of shape {tuple(real.shape)}", hinge_discriminator_loss, real, fake
    )
    assert_close(
        "hinge_discriminator_loss",
        loss,
        load_answers(NAME)[f"hinge_D_{case}"],
        tol=TOL,
        hint="mean(relu(1 - logits_real)) + mean(relu(1 + logits_fake)): a real image costs nothing once "
        "its logit is above +1, a fake once it is below -1",
    )


@graded
def hinge_generator_loss_matches(hinge_generator_loss, case="visible"):
    """hinge_generator_loss is -mean D(G(z)), without a relu."""
    _, fake = logits_case(case)
    loss = call_loss(f"hinge_generator_loss for logits of shape {tuple(fake.shape)}", hinge_generator_loss, fake)
    assert_close(
        "hinge_generator_loss",
        loss,
        load_answers(NAME)[f"hinge_G_{case}"],
        tol=TOL,
        hint="G minimises -mean(logits_fake): no margin and no relu, it keeps pushing its logits up",
    )


# ---------------------------------------------------------------------------------------------
# power iteration and spectral normalisation


def power_case(case: str, cases: dict = POWER) -> tuple[torch.Tensor, torch.Tensor]:
    """(W (out, in), u (out,)): the weight matrix of `cases[case]` and a unit starting vector."""
    spec = cases[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    W = torch.randn(spec["shape"], generator=generator)
    u = torch.randn(spec["shape"][0], generator=generator)
    return W, u / u.norm()


def _call_power(power_iteration, W: torch.Tensor, u: torch.Tensor, iterations: int):
    """(sigma as a 0-dim tensor, u (out,)) that power_iteration returned, or an AssertionError saying why not."""
    label = f"power_iteration(W, u, {iterations}) for W of shape {tuple(W.shape)}"
    result = run_student(label, power_iteration, W, u.clone(), iterations)
    if replay.recording():
        return torch.zeros(()), torch.zeros(W.shape[0])
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"{label} must return a pair (sigma, u), got {type(result).__name__}",
    )
    sigma, u_new = result
    sigma = torch.as_tensor(
        as_number(f"sigma from {label}", sigma, hint="normalise u and v at every iteration, or they overflow"),
        dtype=torch.float64,
    )
    expect(
        isinstance(u_new, torch.Tensor) and tuple(u_new.shape) == (W.shape[0],),
        f"the u that {label} returns must be a Tensor of shape ({W.shape[0]},), like the u it was given",
    )
    return sigma, u_new.detach()


@graded
def power_iteration_matches(power_iteration, case="visible"):
    """power_iteration(W, u, n) makes n iterations v = W^T u / ||W^T u||, u = W v / ||W v||, sigma = u . W v."""
    spec = POWER[case]
    W, u = power_case(case)
    stored = load_answers(NAME)
    for iterations in spec["iterations"]:
        sigma, u_new = _call_power(power_iteration, W, u, iterations)
        hint = (
            "each iteration: v = W^T u, normalised; u = W v, normalised (both to length 1); then sigma = u . (W v) "
            "with the last u and v"
        )
        assert_close(
            f"sigma after {iterations} iteration(s) for W of shape {tuple(W.shape)}",
            sigma,
            stored[f"power_sigma_{case}_{iterations}"],
            tol=1e-4,
            hint=hint,
        )
        assert_close(
            f"u after {iterations} iteration(s) for W of shape {tuple(W.shape)}",
            u_new,
            stored[f"power_u_{case}_{iterations}"],
            tol=1e-4,
            hint=hint,
        )


@graded
def power_iteration_converges(power_iteration, case="visible"):
    """After many iterations sigma is the largest singular value of W (torch.linalg.svdvals), u a unit vector."""
    W, u = power_case(case, CONVERGE)
    sigma, u_new = _call_power(power_iteration, W, u, CONVERGE_ITERATIONS)
    if replay.recording():
        return
    largest = float(torch.linalg.svdvals(W.double())[0])
    error = abs(float(sigma) - largest) / largest
    detail = "" if replay.judging_hidden() else f" ({largest:.5g}), got {float(sigma):.5g}"
    expect(
        error < 1e-4,
        f"after {CONVERGE_ITERATIONS} iterations, sigma for W of shape {tuple(W.shape)} should be its largest "
        f"singular value (torch.linalg.svdvals(W)[0]){detail}: normalise u and v at every iteration, so that "
        "they converge to the top singular vectors",
    )
    length = float(u_new.double().norm())
    expect(
        abs(length - 1) < 1e-4, f"the u returned after {CONVERGE_ITERATIONS} iterations has length {length:.4g}, not 1"
    )


def probe_discriminator(seed: int = 0) -> nn.Module:
    """D: images (N, 1, 8, 8) -> logits (N, 1), two convolutions and a linear layer whose weights'
    largest singular values are far from 1."""
    generator = torch.Generator().manual_seed(seed)
    D = nn.Sequential(
        nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.LeakyReLU(0.2),  # (N, 4, 4, 4)
        nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.LeakyReLU(0.2),  # (N, 8, 2, 2)
        nn.Flatten(), nn.Linear(32, 1),
    )  # fmt: skip
    with torch.no_grad():
        for parameter in D.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    return D


PROBE_LAYERS = ("Conv2d", "Conv2d", "Linear")
FORWARD_PASSES = 20


def _layer_weights(D: nn.Module) -> list:
    """[[class names of the module's type, its weight], ...] for the modules of D that have a tensor
    `weight`, in registration order: raw state, judged outside."""
    layers = []
    for module in D.modules():
        weight = getattr(module, "weight", None)
        if isinstance(weight, torch.Tensor):
            layers.append([[kind.__name__ for kind in type(module).__mro__], weight.detach().clone()])
    return layers


@graded
def spectral_norm_on_every_layer(add_spectral_norm, seed: int = 0):
    """add_spectral_norm(D) puts PyTorch's spectral_norm on every convolution and linear layer: after
    a few forward passes each layer's weight has largest singular value 1, in the direction of the original."""
    D = probe_discriminator(seed)
    originals = [D[0].weight.detach().clone(), D[2].weight.detach().clone(), D[5].weight.detach().clone()]
    model = build_model("add_spectral_norm(D)", add_spectral_norm, D)
    x = torch.randn(16, 1, 8, 8, generator=torch.Generator().manual_seed(seed))
    with torch.enable_grad():  # as in training: each forward pass in train mode makes one power iteration
        replay.state("D's forward passes", _forward_passes, model, x)
    layers = replay.state("D's layers' weights after the forward passes", _layer_weights, model)
    if replay.recording():
        return
    expect(type(layers) is list, "the sandbox's record of D's layers is malformed")
    found = [
        (names, weight)
        for names, weight in layers
        if type(names) is list and any(name in ("_ConvNd", "Linear") for name in names) and type(weight) is torch.Tensor
    ]
    expect(
        len(found) == len(PROBE_LAYERS),
        f"add_spectral_norm(D) should return D with its {len(PROBE_LAYERS)} layers (2 Conv2d, 1 Linear), found "
        f"{len(found)} convolution or linear layers",
    )
    for index, ((_, weight), original, kind) in enumerate(zip(found, originals, PROBE_LAYERS)):
        expect(
            tuple(weight.shape) == tuple(original.shape),
            f"layer {index} ({kind}) has a weight of shape {tuple(weight.shape)}, not {tuple(original.shape)}",
        )
        matrix = weight.double().reshape(weight.shape[0], -1)
        sigma = float(torch.linalg.svdvals(matrix)[0])
        original_sigma = float(torch.linalg.svdvals(original.double().reshape(original.shape[0], -1))[0])
        expect(
            abs(sigma - 1) < 1e-2,
            f"layer {index} ({kind}): after {FORWARD_PASSES} forward passes in train mode its weight should have "
            f"largest singular value 1, got {sigma:.3g}"
            + (
                " (it was left as it was: put spectral_norm on every Conv2d and Linear)"
                if abs(sigma - original_sigma) < 1e-3
                else ""
            )
            + (" (divided by another norm than the largest singular value?)" if sigma < 0.99 else ""),
        )
        cosine = float(torch.nn.functional.cosine_similarity(matrix.flatten(), original.double().flatten(), dim=0))
        expect(
            cosine > 1 - 1e-6,
            f"layer {index} ({kind}): its weight should be the original one divided by its largest singular value, "
            "but it points elsewhere: do not reinitialise it",
        )


def _forward_passes(model: nn.Module, x: torch.Tensor) -> None:
    """FORWARD_PASSES calls of model(x) in train mode (each updates spectral_norm's u and v)."""
    model.train()
    for _ in range(FORWARD_PASSES):
        model(x)


# ---------------------------------------------------------------------------------------------
# the R1 penalty


def r1_case(case: str):
    """(D, x_real, x_fake, gamma) for an R1 case: a small nonlinear critic with fixed weights."""
    spec = R1[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    shape = spec["shape"]
    x_real = torch.randn(shape, generator=generator)
    x_fake = torch.randn(shape, generator=generator)
    features = int(torch.tensor(shape[1:]).prod())
    return reference_critic(features, spec["seed"]), x_real, x_fake, spec["gamma"]


def probe_loss(logits_real: torch.Tensor, logits_fake: torch.Tensor) -> torch.Tensor:
    """The loss the R1 checks hand to discriminator_loss_r1: any function of both logits does (it tells
    them apart: swapping them changes its value), so that the checks do not depend on the hinge loss."""
    return (0.5 * logits_fake - 2.0 * logits_real).mean()


def _call_r1(discriminator_loss_r1, D, x_real, x_fake, gamma):
    """(loss_D, penalty) as discriminator_loss_r1 returned them (the tensors themselves while recording)."""
    label = f"discriminator_loss_r1(D, x_real, x_fake, gamma={gamma}) for images of shape {tuple(x_real.shape)}"
    with torch.enable_grad():
        result = run_student(label, discriminator_loss_r1, D, x_real, x_fake, gamma, loss_fn=probe_loss)
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2 and all(isinstance(r, torch.Tensor) for r in result),
        f"{label} must return a pair of tensors (loss_D, penalty), got {type(result).__name__}",
    )
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return torch.zeros(()), torch.zeros(())
    for name, value in zip(("loss_D", "penalty"), result):
        expect(
            not isinstance(value, torch.Tensor) or value.ndim == 0,
            f"{label}: {name} must be a scalar (0-dim tensor), got shape {tuple(getattr(value, 'shape', ()))}",
        )
    return result


HINT_R1 = (
    "(gamma / 2) * mean over the batch of ||grad_x D(x)||^2 at the real images: x_real.requires_grad_(True), "
    "logits_real = D(x_real), torch.autograd.grad(logits_real.sum(), x_real, create_graph=True); each sample's "
    "squared norm over all its other dimensions, then the mean"
)


@graded
def r1_penalty_matches(discriminator_loss_r1, case="visible"):
    """The penalty is (gamma/2) E ||grad_x D(x_real)||^2, one squared norm per real sample."""
    D, x_real, x_fake, gamma = r1_case(case)
    _, penalty = _call_r1(discriminator_loss_r1, D, x_real, x_fake, gamma)
    assert_close(
        f"the R1 penalty for images of shape {tuple(x_real.shape)}, gamma={gamma}",
        penalty.detach(),
        load_answers(NAME)[f"r1_{case}"],
        tol=1e-4,
        hint=HINT_R1,
    )


@graded
def r1_penalty_is_differentiable(discriminator_loss_r1, case="visible"):
    """The penalty backpropagates into D's parameters (create_graph=True): its gradients are the reference's."""
    D, x_real, x_fake, gamma = r1_case(case)
    _, penalty = _call_r1(discriminator_loss_r1, D, x_real, x_fake, gamma)
    requires_grad = replay.observe("the penalty: requires_grad", bool(getattr(penalty, "requires_grad", False)))
    expect(
        requires_grad,
        "the R1 penalty does not depend on D's parameters (no grad_fn): take the gradient with "
        "torch.autograd.grad(..., create_graph=True), so that D's update can descend the penalty",
    )
    with torch.enable_grad():
        grads = replay.state("D's gradients of the penalty", backpropagated_grads, penalty, D)
    assert_grads("D's gradient of the R1 penalty", grads, D, load_answers(NAME)[f"r1_param_grads_{case}"], hint=HINT_R1)


@graded
def r1_loss_matches(discriminator_loss_r1, case="visible"):
    """loss_D is loss_fn(D(x_real), D(x_fake)) + the penalty, and backpropagates into D as the reference's."""
    D, x_real, x_fake, gamma = r1_case(case)
    loss, _ = _call_r1(discriminator_loss_r1, D, x_real, x_fake, gamma)
    hint = (
        "loss_D = loss_fn(logits_real, logits_fake) + penalty, with logits_real = D(x_real) and "
        "logits_fake = D(x_fake), in that order"
    )
    assert_close(
        f"loss_D for images of shape {tuple(x_real.shape)}, gamma={gamma}",
        loss.detach(),
        load_answers(NAME)[f"r1_loss_{case}"],
        tol=1e-4,
        hint=hint,
    )
    with torch.enable_grad():
        grads = replay.state("D's gradients of loss_D", backpropagated_grads, loss, D)
    assert_grads("D's gradient of loss_D", grads, D, load_answers(NAME)[f"r1_loss_param_grads_{case}"], hint=hint)


# ---------------------------------------------------------------------------------------------
# two time-scale updates


def probe_networks() -> tuple[nn.Module, nn.Module]:
    """(D, G): two small networks with fixed weights."""
    generator = torch.Generator().manual_seed(0)
    D, G = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), nn.Sequential(nn.Linear(4, 2))
    with torch.no_grad():
        for parameter in [*D.parameters(), *G.parameters()]:
            parameter.copy_(0.1 * torch.randn(parameter.shape, generator=generator))  # fine float32 steps of 1e-4
    return D, G


def _adam_probe(opt_D, opt_G, D: nn.Module, G: nn.Module) -> dict:
    """Two steps of each optimizer with every gradient +1, then -1 (opt_D first, then opt_G), and the
    networks' parameter values after each: raw state. With Adam, the first step moves every
    parameter by its lr against the gradient whatever the betas; the second, with the gradient
    reversed, moves it back by the same amount when beta1 = 0 and not at all when beta1 = 0.5."""
    values = {"start": [_values(D.parameters()), _values(G.parameters())]}
    for sign, moment in ((1.0, "first"), (-1.0, "second")):
        for name, optimizer in (("D", opt_D), ("G", opt_G)):
            for parameter in [*D.parameters(), *G.parameters()]:
                parameter.grad = torch.full_like(parameter, sign)
            optimizer.step()
            values[f"{moment} step of opt_{name}"] = [_values(D.parameters()), _values(G.parameters())]
    return values


@graded
def two_time_scale_optimizers_match(two_time_scale_optimizers, case="visible"):
    """opt_D is Adam over D's parameters at lr_D, opt_G Adam over G's at lr_G, both with beta1 = 0."""
    spec = TTUR[case]
    D, G = probe_networks()
    label = f"two_time_scale_optimizers(D, G, lr_D={spec['lr_D']:g}, lr_G={spec['lr_G']:g})"
    result = run_student(label, two_time_scale_optimizers, D, G, lr_D=spec["lr_D"], lr_G=spec["lr_G"])
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"{label} must return a pair (opt_D, opt_G), got {type(result).__name__}",
    )
    start = [_values(D.parameters()), _values(G.parameters())]  # computed here too: the probe networks are seeded
    with torch.enable_grad():
        values = replay.state("the parameters after two steps of each optimizer", _adam_probe, *result, D, G)
    if replay.recording():
        return
    expect(type(values) is dict and "start" in values, "the sandbox's record of the optimizers' steps is malformed")
    lr = {"D": spec["lr_D"], "G": spec["lr_G"]}
    previous = start
    for moment, sign in (("first", -1.0), ("second", 1.0)):
        for name in ("D", "G"):
            after = values.get(f"{moment} step of opt_{name}")
            expect(
                type(after) is list and len(after) == 2 and all(type(v) is list for v in after),
                "the sandbox's record of the optimizers' steps is malformed",
            )
            for network, new, old in zip(("D", "G"), after, previous):
                expect(
                    len(new) == len(old) and all(_same_shape(n, o) for n, o in zip(new, old)),
                    "the sandbox's record of the parameters is malformed",
                )
                move = torch.cat([(n.double() - o.double()).flatten() for n, o in zip(new, old)])
                expected = sign * lr[name] if network == name else 0.0
                if bool(((move - expected).abs() <= 0.01 * min(lr.values())).all()):
                    continue
                raise AssertionError(_ttur_reason(name, network, moment, float(move.abs().max()), lr[name]))
            previous = after


def _ttur_reason(name: str, network: str, moment: str, moved: float, lr: float) -> str:
    """Why the `moment` step of opt_<name> moved `network`'s parameters by up to `moved`."""
    if network != name:
        return (
            f"opt_{name}.step() moved {network}'s parameters (by up to {moved:.3g}): each optimizer gets its own "
            "network's parameters only"
        )
    if moment == "second":
        return (
            f"opt_{name}'s second step, with the gradients reversed, moved {network} back by up to {moved:.3g}, "
            f"not by its learning rate {lr:g}: Adam's beta1 must be 0 (betas=(0.0, 0.9)), so that no momentum "
            "carries over"
        )
    return (
        f"opt_{name}'s first step with gradients of 1 should move each of {network}'s parameters by its learning "
        f"rate lr_{name} = {lr:g}, moved them by up to {moved:.3g}: Adam over {network}.parameters() with lr=lr_{name}"
    )


# ---------------------------------------------------------------------------------------------
# an exponential moving average of G


def probe_generator(seed: int) -> nn.Module:
    """A small G with batch norm: its parameters and running statistics drawn from `seed`."""
    generator = torch.Generator().manual_seed(seed)
    G = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    with torch.no_grad():
        for parameter in G.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
        G[1].running_mean.copy_(torch.randn(4, generator=generator))
        G[1].running_var.copy_(torch.rand(4, generator=generator) + 0.5)
        G[1].num_batches_tracked.fill_(int(torch.randint(1, 100, (), generator=generator)))
    return G


def _ema_pair(seed: int) -> tuple[nn.Module, nn.Module]:
    """(G_ema, G) with different weights and statistics; G_ema needs no gradients, as in the notebook."""
    G_ema = probe_generator(seed).requires_grad_(False)
    return G_ema, probe_generator(seed + 1)


def _state_of(module: nn.Module) -> dict:
    return {
        "parameters": _values(module.parameters()),
        "buffers": _values(module.buffers()),
    }


def _run_ema(ema_update, case: str):
    """(before, after) states of G_ema and G around ema_update(G_ema, G, decay): raw, recorded."""
    spec = EMA[case]
    G_ema, G = _ema_pair(spec["seed"])
    before = {"G_ema": _state_of(G_ema), "G": _state_of(G)}  # computed here too: seeded
    held = list(G_ema.parameters())  # the objects a sampler holds
    run_student(f"ema_update(G_ema, G, decay={spec['decay']})", ema_update, G_ema, G, spec["decay"])
    after = replay.state(
        "G_ema and G after ema_update",
        lambda: {"held": _values(held), "G_ema": _state_of(G_ema), "G": _state_of(G)},
    )
    return before, after, spec["decay"]


def _same(a, b: torch.Tensor, tol: float = 1e-6) -> bool:
    return type(a) is torch.Tensor and a.shape == b.shape and bool(((a.double() - b.double()).abs() <= tol).all())


def _well_formed(after, before) -> bool:
    def state_ok(state, reference):
        return (
            type(state) is dict
            and type(state.get("parameters")) is list
            and type(state.get("buffers")) is list
            and len(state["parameters"]) == len(reference["parameters"])
            and len(state["buffers"]) == len(reference["buffers"])
        )

    return (
        type(after) is dict
        and type(after.get("held")) is list
        and len(after["held"]) == len(before["G_ema"]["parameters"])
        and state_ok(after.get("G_ema"), before["G_ema"])
        and state_ok(after.get("G"), before["G"])
    )


@graded
def ema_update_matches(ema_update, case="visible"):
    """ema_update(G_ema, G, decay) sets every parameter of G_ema to decay * itself + (1 - decay) * G's, in place."""
    before, after, decay = _run_ema(ema_update, case)
    if replay.recording():
        return
    expect(_well_formed(after, before), "the sandbox's record of G_ema and G is malformed")
    for old, new in zip(before["G"]["parameters"], after["G"]["parameters"]):
        expect(_same(new, old), "ema_update changed G's parameters: it should only read them")
    names = [name for name, _ in probe_generator(0).named_parameters()]
    for name, ema_old, g, held, current in zip(
        names, before["G_ema"]["parameters"], before["G"]["parameters"], after["held"], after["G_ema"]["parameters"]
    ):
        expected = decay * ema_old + (1 - decay) * g
        if _same(held, expected, 1e-5):
            continue
        if _same(current, expected, 1e-5):
            raise AssertionError(
                f"ema_update replaced G_ema's parameter {name} by a new tensor: whatever holds the old one (a "
                "sampler, a copy of the state) no longer follows. Update it in place (p_ema.lerp_ or mul_/add_ "
                "under torch.no_grad())"
            )
        if _same(held, (1 - decay) * ema_old + decay * g, 1e-5):
            reason = (
                f"the decay is on the wrong side: with decay={decay} G_ema must keep {decay:g} of its own value and "
                f"take {1 - decay:.2g} of G's, p_ema = decay * p_ema + (1 - decay) * p"
            )
        elif _same(held, ema_old):
            reason = "it was left unchanged"
        else:
            reason = "its values are not decay * p_ema + (1 - decay) * p"
        raise AssertionError(f"after ema_update(G_ema, G, decay={decay}), G_ema's parameter {name}: {reason}")


@graded
def ema_update_keeps_buffers(ema_update, case="visible"):
    """ema_update also brings G's batch-norm statistics to G_ema (copied, or averaged like the weights)."""
    before, after, decay = _run_ema(ema_update, case)
    if replay.recording():
        return
    expect(_well_formed(after, before), "the sandbox's record of G_ema and G is malformed")
    names = [name for name, _ in probe_generator(0).named_buffers()]
    for name, ema_old, g, new in zip(
        names, before["G_ema"]["buffers"], before["G"]["buffers"], after["G_ema"]["buffers"]
    ):
        if not g.is_floating_point():  # num_batches_tracked: not used in eval mode
            continue
        if _same(new, g) or _same(new, decay * ema_old + (1 - decay) * g, 1e-5):
            continue
        reason = (
            "it was left behind: G_ema would normalise with statistics G no longer has. Copy the buffers "
            "(G_ema.buffers(), G.buffers()) too"
            if _same(new, ema_old)
            else "it is neither G's value nor decay * its own + (1 - decay) * G's"
        )
        raise AssertionError(f"after ema_update(G_ema, G, decay={decay}), G_ema's buffer {name} (batch norm): {reason}")


# ---------------------------------------------------------------------------------------------
# precision and recall


def knn_case(case: str) -> tuple[torch.Tensor, int]:
    spec = KNN[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    return torch.randn(spec["shape"], generator=generator), spec["k"]


@graded
def knn_radii_match(knn_radii, case="visible"):
    """knn_radii(features, k): each point's distance to its k-th nearest neighbour among the others."""
    features, k = knn_case(case)
    radii = call(f"knn_radii(features, k={k}) for features of shape {tuple(features.shape)}", knn_radii, features, k)
    assert_close(
        f"knn_radii(features, k={k})",
        radii.detach(),
        load_answers(NAME)[f"knn_{case}"],
        tol=1e-4,
        hint="the Euclidean distance from each point to its k-th nearest *other* point: a point is at distance 0 "
        "from itself and is not its own neighbour (e.g. torch.cdist, then the (k+1)-th smallest per row)",
    )


def pr_case(case: str):
    """(real_features, fake_features, real_radii, fake_radii): two overlapping clouds and a radius per point."""
    spec = PR[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    real = torch.randn(spec["real"], spec["dim"], generator=generator)
    fake = 0.6 * torch.randn(spec["fake"], spec["dim"], generator=generator) + 0.8
    (low, width), (fake_low, fake_width) = spec["real_radii"], spec["fake_radii"]
    real_radii = low + width * torch.rand(spec["real"], generator=generator)
    fake_radii = fake_low + fake_width * torch.rand(spec["fake"], generator=generator)
    return real, fake, real_radii, fake_radii


@graded
def precision_recall_match(precision_recall, case="visible"):
    """precision: the share of fakes inside some real ball; recall: the share of reals inside some fake ball."""
    real, fake, real_radii, fake_radii = pr_case(case)
    label = f"precision_recall for {len(real)} real and {len(fake)} fake features"
    result = run_student(label, precision_recall, real, fake, real_radii, fake_radii)
    if replay.recording():
        return
    expect(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"{label} must return a pair (precision, recall), got {type(result).__name__}",
    )
    precision, recall = (
        as_number(f"{name} from {label}", value) for name, value in zip(("precision", "recall"), result)
    )
    stored = load_answers(NAME)
    expected = float(stored[f"precision_{case}"]), float(stored[f"recall_{case}"])
    tol = 1e-4  # shares of 30 to 45 points are at least 0.02 apart
    if abs(precision - expected[0]) <= tol and abs(recall - expected[1]) <= tol:
        return
    hidden = replay.judging_hidden()
    if abs(precision - expected[1]) <= tol and abs(recall - expected[0]) <= tol:
        raise AssertionError(
            f"{label}: precision and recall are swapped. Precision asks whether the fakes look real (the share "
            "of fake features inside the real manifold); recall whether the reals are covered (the share of real "
            "features inside the fake manifold)"
        )
    shown = "" if hidden else f" (expected {expected[0]:.4g} and {expected[1]:.4g})"
    raise AssertionError(
        f"{label}: got precision {precision:.4g} and recall {recall:.4g}{shown}. A point is inside a manifold "
        "when it lies within the radius of at least one of its points: ||f - r_j|| <= real_radii[j] for some j "
        "(precision, for each fake f), ||r - f_j|| <= fake_radii[j] for some j (recall, for each real r)"
    )


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(
    hinge_discriminator_loss, hinge_generator_loss, power_iteration, discriminator_loss_r1, knn_radii, precision_recall
):
    answers: dict[str, object] = {}
    for case in LOGITS:
        real, fake = logits_case(case)
        answers[f"hinge_D_{case}"] = hinge_discriminator_loss(real, fake)
        answers[f"hinge_G_{case}"] = hinge_generator_loss(fake)
    for case, spec in POWER.items():
        W, u = power_case(case)
        for iterations in spec["iterations"]:
            sigma, u_new = power_iteration(W, u.clone(), iterations)
            answers[f"power_sigma_{case}_{iterations}"] = torch.as_tensor(sigma).float()
            answers[f"power_u_{case}_{iterations}"] = u_new
    for case in R1:
        D, x_real, x_fake, gamma = r1_case(case)
        loss, penalty = discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=probe_loss)
        answers[f"r1_{case}"] = penalty.detach()
        answers[f"r1_param_grads_{case}"] = parameter_grads(penalty, D)
        answers[f"r1_loss_{case}"] = loss.detach()
        answers[f"r1_loss_param_grads_{case}"] = parameter_grads(loss, D)
    for case in KNN:
        features, k = knn_case(case)
        answers[f"knn_{case}"] = knn_radii(features, k)
    for case in PR:
        precision, recall = precision_recall(*pr_case(case))
        answers[f"precision_{case}"] = torch.tensor(float(precision))
        answers[f"recall_{case}"] = torch.tensor(float(recall))
    return answers
