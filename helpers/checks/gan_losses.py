"""Checks for notebook 4, "GAN losses and training": the two losses, the optimizer, the training step.

The training step is checked on small reference networks with plain SGD and stand-in losses (not
the notebook's), so that its check depends on the update order alone, not on the loss cells.

get_optimizer and gan_step act on objects, so what the grading sandbox records of them is raw: the
optimizer's class and param groups as data, the parameters after seeded steps, what gan_step
returned and the networks' parameters afterwards. Every verdict compares those values, outside the
sandbox, with the solution's on the same inputs (answers/, the hidden calls' in answers/hidden/);
nothing counted or watched inside the sandbox is trusted (GRADING.md, "Facts are computed outside").
"""

from __future__ import annotations

import math

import torch
from torch import nn

from helpers.answers import load_answers
from helpers.checks import assert_close, call_loss, expect, graded, max_error, replay, run_student

NAME = "gan_losses"
ASSIGNMENT = "04_gan_losses"
GIVEN_CELLS = ("bce",)  # the notebook's given bce_loss, which the solutions call (see course/authoring/answers.py)
TOL = 1e-5
NOISE_DIM = 4
# Logit cases: visible ones have shape (N, 1) like D's output; hidden ones shape (N,).
LOGITS = {"visible": {"n": 8, "shape": (8, 1), "seed": 5}, "hidden": {"n": 5, "shape": (5,), "seed": 9}}
STEP_CASES = {"visible": {"k": 1, "batch": 6, "seed": 11}, "hidden": {"k": 3, "batch": 4, "seed": 23}}
LR, BETAS = 1e-3, (0.5, 0.999)
# Every setting of torch.optim.Adam that changes its update, with the value asked: lr and betas as the
# notebook specifies, the others at Adam's defaults. (foreach, fused, capturable and differentiable
# change how the update is computed, not what it is.) A setting absent from a group (an older torch
# without decoupled_weight_decay) counts as its default.
ADAM_SETTINGS = {
    "lr": LR,
    "betas": BETAS,
    "eps": 1e-8,
    "weight_decay": 0.0,
    "amsgrad": False,
    "maximize": False,
    "decoupled_weight_decay": False,
}
DETACH_KS = (1, 3)  # the k of gan_step_detaches' calls in the notebook (visible, hidden)
COUNT_KS = (2, 3, 1)  # the k of gan_step_counts' calls


def logits_case(case: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits_real, logits_fake) of the case: spread over [-6, 6] so both signs and saturation occur."""
    spec = LOGITS[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    real = torch.randn(spec["shape"], generator=generator) * 3
    fake = torch.randn(spec["shape"], generator=generator) * 3
    return real, fake


# (logits_real, logits_fake) where float32 breaks the naive forms of both losses: sigmoid(-100) is 0
# and sigmoid(100) is 1, so -log(sigmoid(s)) and -log(1 - sigmoid(s)) give inf (and NaN gradients);
# BCE with logits stays exact. +-60 and 0.5 keep a moderate case beside them.
EXTREME = (torch.tensor([[100.0], [-100.0], [60.0], [0.5]]), torch.tensor([[-100.0], [100.0], [-60.0], [-0.5]]))


def stand_in_loss_D(logits_real, logits_fake):
    """A loss for the step's check only (not a course loss): lower when real scores rise and fake ones fall."""
    return torch.tanh(logits_fake).mean() - torch.tanh(logits_real).mean()


def stand_in_loss_G(logits_fake):
    return -torch.tanh(logits_fake).mean()


# ---------------------------------------------------------------------------------------------
# losses


@graded
def discriminator_loss_matches(discriminator_loss, case="visible"):
    """discriminator_loss is the mean BCE of real logits against 1 plus that of fake logits against 0."""
    real, fake = logits_case(case)
    loss = call_loss(f"discriminator_loss for logits of shape {tuple(real.shape)}", discriminator_loss, real, fake)
    assert_close(
        "discriminator_loss",
        loss,
        load_answers(NAME)[f"d_loss_{case}"],
        tol=TOL,
        hint="bce_loss(logits_real, ones) + bce_loss(logits_fake, zeros), on the logits themselves (no sigmoid)",
    )


@graded
def generator_loss_matches(generator_loss, case="visible"):
    """generator_loss is the non-saturating loss: the mean BCE of the fake logits against 1."""
    _, fake = logits_case(case)
    loss = call_loss(f"generator_loss for logits of shape {tuple(fake.shape)}", generator_loss, fake)
    assert_close(
        "generator_loss",
        loss,
        load_answers(NAME)[f"g_loss_{case}"],
        tol=TOL,
        hint="bce_loss(logits_fake, ones): G wants D to call its images real",
    )


@graded
def losses_accept_both_shapes(discriminator_loss, generator_loss, n=6):
    """Both losses build their targets in the logits' shape: (N, 1) and (N,) give one and the same scalar."""
    real, fake = torch.linspace(-3, 3, n), torch.linspace(2, -4, n)
    for name, fn, args in (
        ("discriminator_loss", discriminator_loss, (real, fake)),
        ("generator_loss", generator_loss, (fake,)),
    ):
        column = call_loss(f"{name} for logits of shape ({n}, 1)", fn, *(a.view(n, 1) for a in args))
        flat = call_loss(f"{name} for logits of shape ({n},)", fn, *args)
        expect(
            torch.allclose(column, flat, atol=1e-6),
            f"{name} gives {float(column):.5f} for logits of shape ({n}, 1) but {float(flat):.5f} for shape ({n},)",
        )


@graded
def generator_loss_is_non_saturating(generator_loss, n=4, h=1e-2):
    """Where D confidently rejects the fakes (logits -10), generator_loss still has a strong gradient that raises them."""
    # The slope along all logits at once, by central differences of the losses (computed here from
    # what generator_loss returned): the sum of its partial derivatives, i.e. N times the mean one.
    # (Whether autograd can follow the loss is for test_losses_take_logits to judge.)
    below = call_loss("generator_loss", generator_loss, torch.full((n, 1), -10.0 - h))
    above = call_loss("generator_loss", generator_loss, torch.full((n, 1), -10.0 + h))
    per_logit = (float(above) - float(below)) / (2 * h)
    expect(
        per_logit < -0.5,
        f"at logits_fake = -10 the gradient of generator_loss per logit is {per_logit:.2e} (times 1/N); the non-saturating "
        "loss gives about -1 there. Minimising log(1 - D(G(z))) (the saturating loss) gives almost 0: G would not learn",
    )


def _logit_gradients(loss, *logits) -> list | None:
    """The gradients of `loss` (what student code returned) with respect to each of `logits` (raw:
    None where the loss does not depend on one), or None when autograd cannot follow the loss."""
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        return None
    return list(torch.autograd.grad(loss, logits, allow_unused=True))


@graded
def losses_take_logits(discriminator_loss, generator_loss):
    """Both losses work on raw logits, stably: at logits of +-100 their values and gradients are finite and exact."""
    answers = load_answers(NAME)
    real, fake = (logits.clone().requires_grad_(True) for logits in EXTREME)
    hint = (
        "pass the logits to bce_loss as they are: applying a sigmoid first (or taking log(sigmoid)) gives inf in "
        "float32 beyond about +-90, and guarding it with torch.where still gives NaN gradients"
    )
    for name, fn, args in (
        ("discriminator_loss", discriminator_loss, (real, fake)),
        ("generator_loss", generator_loss, (fake,)),
    ):
        label = f"{name} at logits of +-100"
        loss = call_loss(label, fn, *args)
        grads = replay.state(f"the gradients of {label} with respect to the logits", _logit_gradients, loss, *args)
        assert_close(label, loss, answers[f"{name[0]}_loss_extreme"], tol=TOL, hint=hint)
        expect(
            type(grads) is list and len(grads) == len(args),
            f"{label}: autograd cannot follow the loss back to the logits (no grad_fn): compute it from the logits "
            "with torch operations (no .item(), no numpy, no new tensor from its value)",
        )
        for which, grad, expected in zip(
            ("logits_real", "logits_fake")[-len(args) :], grads, answers[f"{name[0]}_loss_extreme_grads"]
        ):
            expect(isinstance(grad, torch.Tensor), f"{label}: the loss does not depend on {which}")
            assert_close(f"the gradient of {label} with respect to {which}", grad, expected, tol=TOL, hint=hint)


# ---------------------------------------------------------------------------------------------
# optimizer
#
# What get_optimizer's optimizer does is judged by values: a model with seeded parameters, three
# optimizer.step() calls with seeded gradients, the parameters after each step compared with the
# solution's (so lr, betas, eps, weight_decay, amsgrad, maximize and the parameters it holds all
# count). Its class and param_groups are recorded too, as plain data, to explain a mismatch.

OPTIMIZER_CASES = {"visible": {"sizes": (3, 4, 2), "seed": 3}, "hidden": {"sizes": (5, 3, 2), "seed": 19}}
GRADIENT_SCALES = (1.0, 3.0, 0.3)  # one per step: a large then a small gradient (amsgrad keeps the large one)
OPTIMIZER_TOL = 1e-5  # an Adam step moves a parameter by about lr = 1e-3: this is 1% of one step


def optimizer_case(case: str) -> tuple[nn.Module, list[list[torch.Tensor]]]:
    """(model, grads): a model Linear(a, b) -> ReLU -> Linear(b, c) with seeded parameters, and seeded
    gradients for each step: grads[t][i] has the shape of the model's i-th parameter."""
    spec = OPTIMIZER_CASES[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    a, b, c = spec["sizes"]
    model = nn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    grads = [
        [torch.randn(p.shape, generator=generator) * scale for p in model.parameters()] for scale in GRADIENT_SCALES
    ]
    return model, grads


def _describe_optimizer(optimizer, model: nn.Module) -> dict:
    """The optimizer as plain data: its class (and base classes) by name, and each param group's
    settings with its parameters as positions in model.parameters() (-1: not one of the model's)."""
    kind = type(optimizer)
    description = {
        "type": f"{kind.__module__}.{kind.__qualname__}",
        "bases": [f"{k.__module__}.{k.__qualname__}" for k in kind.__mro__],
        "groups": None,
    }
    groups = getattr(optimizer, "param_groups", None) if isinstance(optimizer, torch.optim.Optimizer) else None
    if groups is not None:
        position = {id(p): i for i, p in enumerate(model.parameters())}
        description["groups"] = [
            {
                "params": [position.get(id(p), -1) for p in group.get("params", [])],
                "settings": {str(key): value for key, value in group.items() if key != "params"},
            }
            for group in groups
        ]
    return description


def _step_with(optimizer, model: nn.Module, grads: list[torch.Tensor]):
    """optimizer.step() after setting the model's gradients to `grads` (what a backward pass would)."""
    for parameter, grad in zip(model.parameters(), grads):
        parameter.grad = grad.clone()
    return optimizer.step()


def _flat_parameters(*models: nn.Module) -> torch.Tensor:
    """Every parameter of `models`, flattened and concatenated: shape (total number of values,)."""
    return torch.cat([p.detach().flatten().clone() for model in models for p in model.parameters()])


def optimizer_trajectory(get_optimizer, case: str):
    """(description, params): get_optimizer on the case's model, then three steps with its seeded
    gradients; params has shape (3, number of parameter values), row t the parameters after step t + 1."""
    model, grads = optimizer_case(case)
    optimizer = run_student("get_optimizer(model)", get_optimizer, model)
    description = replay.state("the optimizer get_optimizer(model) returned", _describe_optimizer, optimizer, model)
    rows = []
    if type(description) is not dict or description.get("groups") is None:  # not an optimizer: no steps
        return description, None
    with torch.enable_grad():
        for t, step_grads in enumerate(grads):
            run_student(f"optimizer.step() ({t + 1} of {len(grads)})", _step_with, optimizer, model, step_grads)
            rows.append(replay.state(f"the model's parameters after step {t + 1}", _flat_parameters, model))
    return description, (torch.stack(rows) if rows else None)


def _setting_problems(settings, hidden: bool) -> list[str]:
    """What is off in one param group's settings (plain data from the sandbox), against ADAM_SETTINGS."""
    if type(settings) is not dict:
        return ["the sandbox's description of a param group is malformed"]
    problems = []
    for key, wanted in ADAM_SETTINGS.items():
        got = settings.get(key, wanted if key == "decoupled_weight_decay" else None)
        if isinstance(wanted, bool):
            right = type(got) is bool and got == wanted
        elif key == "betas":
            right = isinstance(got, (tuple, list)) and len(got) == 2 and all(map(_close, got, wanted))
        else:
            right = _close(got, wanted)
        if not right:
            asked = "the value asked" if key in ("lr", "betas") else "Adam's default"
            problems.append(f"{key}: not {asked}" if hidden else f"{key}: expected {wanted!r} ({asked}), got {got!r}")
    return problems


def _close(value, wanted: float) -> bool:
    """Whether `value` is a number within float32 rounding of `wanted` (a one-element tensor counts:
    Adam takes a tensor lr)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = float(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isclose(value, wanted, rel_tol=1e-6)


@graded
def optimizer_settings(get_optimizer, case="visible"):
    """get_optimizer(model) is Adam over all of model's parameters with lr 1e-3, betas (0.5, 0.999), the rest at Adam's defaults."""
    description, params = optimizer_trajectory(get_optimizer, case)
    if replay.recording():  # judged on replay, from the record alone
        return
    hidden = replay.judging_hidden()
    expect(
        type(description) is dict and {"type", "bases", "groups"} <= set(description),
        "the sandbox's description of the optimizer is malformed",
    )
    bases = description["bases"]
    expect(
        type(bases) is list and "torch.optim.adam.Adam" in bases,
        f"get_optimizer must return a torch.optim.Adam, got {description['type']}",
    )
    groups = description["groups"]
    expect(type(groups) is list and groups, f"get_optimizer returned a {description['type']} without param groups")
    held = sorted(i for group in groups for i in group["params"])
    n_params = len(list(optimizer_case(case)[0].parameters()))
    expect(
        held == list(range(n_params)),
        f"the optimizer must hold exactly model.parameters() ({n_params} tensors), got {len(held)}"
        + (f" of which {held.count(-1)} are not the model's" if -1 in held else ""),
    )
    problems = [problem for group in groups for problem in _setting_problems(group["settings"], hidden)]
    expect(not problems, "; ".join(dict.fromkeys(problems)))  # every setting that is off, each named once
    expect(params is not None, "the optimizer could not take a step")
    assert_close(
        "the model's parameters after three optimizer steps with seeded gradients",
        params,
        load_answers(NAME)[f"optimizer_params_{case}"],
        tol=OPTIMIZER_TOL,
        hint="Adam's other settings at their defaults (eps, weight_decay 0, no amsgrad, no maximize)",
    )


# ---------------------------------------------------------------------------------------------
# the training step
#
# gan_step acts on networks and optimizers: the check hands it reference ones, records what it
# returned and the raw parameters afterwards (replay.state), and judges those outside against the
# solution's values for the same inputs. Each of the three checks builds a set-up in which one
# property alone decides the parameters:
#
# - gan_step_matches: plain SGD on both networks, the full update order.
# - gan_step_detaches: opt_D holds G's parameters (and D is in no optimizer): G moves when
#   opt_D.step() runs only if D's loss sent gradients into G. opt_G clears G's gradients after its
#   step, the noise batches are equal and D never moves, so G ends where its one update takes it
#   whatever the order of the updates and however the gradients are cleared.
# - gan_step_counts: opt_D holds D's last bias alone, D's loss reads the real logits alone and
#   G's loss is linear in the logits, so G's update does not depend on that bias and D's updates
#   not on G; opt_D clears the gradients after each step. The bias then records how many D updates
#   ran (one per batch, in order) and G's parameters how many G updates.


def reference_models(seed: int) -> tuple[nn.Module, nn.Module]:
    """Small D (images (N, 1, 4, 4) -> logits (N, 1)) and G (z (N, 4) -> images), seeded."""
    torch.manual_seed(seed)
    D = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
    G = nn.Sequential(nn.Linear(NOISE_DIM, 8), nn.ReLU(), nn.Linear(8, 16), nn.Tanh(), nn.Unflatten(1, (1, 4, 4)))
    return D, G


def step_inputs(case: str):
    spec = STEP_CASES[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    shape = (spec["k"], spec["batch"])
    batches = [
        (
            torch.rand(*shape, 1, 4, 4, generator=generator) * 2 - 1,
            torch.rand(*shape, NOISE_DIM, generator=generator) * 2 - 1,
        )
        for _ in range(2)
    ]
    return spec, batches


class ClearingSGD(torch.optim.SGD):
    """Plain SGD that sets its parameters' gradients to None after each step: a later step sees only
    gradients computed after this one (so the probes do not depend on how gan_step clears them)."""

    def step(self, closure=None):
        result = super().step(closure)
        for group in self.param_groups:
            for parameter in group["params"]:
                parameter.grad = None
        return result


def probe_inputs(k: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(x_real, z) of shapes (k, 4, 1, 4, 4) and (k, 4, NOISE_DIM): distinct real batches, and one noise
    batch repeated k times (so G's update is the same whichever batch of noise it uses)."""
    generator = torch.Generator().manual_seed(seed)
    x_real = torch.rand(k, 4, 1, 4, 4, generator=generator) * 2 - 1
    z = (torch.rand(1, 4, NOISE_DIM, generator=generator) * 2 - 1).expand(k, -1, -1).clone()
    return x_real, z


def counting_loss_D(logits_real, logits_fake):
    """D's loss of the counting probe: the real logits alone, nonlinear (each update depends on the last)."""
    return -torch.tanh(logits_real).mean()


def counting_loss_G(logits_fake):
    """G's loss of the counting probe: linear in the logits, so its gradient does not depend on D's last bias."""
    return -logits_fake.mean()


def _gan_step_call(gan_step, D, G, opt_D, opt_G, x_real, z, loss_D_fn, loss_G_fn):
    with torch.enable_grad():
        return run_student(
            "gan_step(D, G, opt_D, opt_G, x_real, z, ...)",
            gan_step,
            D,
            G,
            opt_D,
            opt_G,
            x_real,
            z,
            loss_D_fn=loss_D_fn,
            loss_G_fn=loss_G_fn,
        )


def _returned_kind(out) -> str:
    if isinstance(out, (tuple, list)) and len(out) == 2:
        return "pair"
    return out.reason if isinstance(out, replay.Uncheckable) else type(out).__name__


def _expect_pairs(returned: list[str]) -> None:
    expect(all(r == "pair" for r in returned), f"gan_step must return (loss_D, loss_G), got {returned}")


def step_trajectory(gan_step, case: str):
    """(parameters, losses, what each call returned) after two calls of gan_step on the reference
    networks with plain SGD: parameters of D then G flattened; losses (loss_D, loss_G) of both calls."""
    spec, batches = step_inputs(case)
    D, G = reference_models(spec["seed"])
    opt_D = torch.optim.SGD(D.parameters(), lr=0.1)
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1)
    losses, returned = [], []
    for x_real, z in batches:
        out = _gan_step_call(gan_step, D, G, opt_D, opt_G, x_real, z, stand_in_loss_D, stand_in_loss_G)
        returned.append(_returned_kind(out))
        if returned[-1] == "pair":
            losses.extend(float(torch.as_tensor(v).detach()) for v in out)
    params = replay.state("the parameters of D and G after two calls of gan_step", _flat_parameters, D, G)
    return params, torch.tensor(losses), returned


def run_reference_steps(gan_step, case: str):
    """Two calls of gan_step on the reference networks; returns (parameters, losses) as flat tensors."""
    params, losses, returned = step_trajectory(gan_step, case)
    _expect_pairs(returned)
    return params, losses


@graded
def gan_step_matches(gan_step, case="visible"):
    """gan_step makes k discriminator updates, then one generator update, with the given losses."""
    answers = load_answers(NAME)
    params, losses, returned = step_trajectory(gan_step, case)
    _expect_pairs(returned)
    k = STEP_CASES[case]["k"]
    assert_close(
        f"the parameters of D and G after two calls of gan_step (k = {k})",
        params,
        answers[f"step_params_{case}"],
        tol=TOL,
        hint="for each of the k batches: D's loss on (x_real[i], G(z[i]) detached), zero_grad, backward, step; then G's loss "
        "on D(G(z)) (the last fake batch), zero_grad, backward, step",
    )
    assert_close(
        "the losses gan_step returned",
        losses,
        answers[f"step_losses_{case}"],
        tol=TOL,
        hint="return the loss of the last discriminator update and the generator's loss",
    )


def detach_probe(gan_step, k: int) -> torch.Tensor:
    """G's parameters (flat) after one gan_step call on k batches where opt_D holds G's parameters."""
    D, G = reference_models(30 + k)
    x_real, z = probe_inputs(k, 30 + k)
    opt_D = torch.optim.SGD(G.parameters(), lr=0.1)  # G moves at opt_D.step() only by gradients D's loss leaked into it
    opt_G = ClearingSGD(G.parameters(), lr=0.1)
    _gan_step_call(gan_step, D, G, opt_D, opt_G, x_real, z, stand_in_loss_D, stand_in_loss_G)
    return replay.state("G's parameters after gan_step", _flat_parameters, G)


@graded
def gan_step_detaches(gan_step, k=1):
    """The discriminator's update sends no gradient into G (the fake images are detached)."""
    got = detach_probe(gan_step, k)
    expected = load_answers(NAME)[f"detach_params_k{k}"]
    if replay.recording():
        return
    expect(
        _matches(got, expected),
        "with an opt_D that holds G's parameters (and a D that does not move), G should end where its one update "
        "takes it; it moved further: when opt_D.step() ran, G's parameters had gradients from the discriminator's "
        "loss. Pass fake_images.detach() to D in the discriminator's update",
    )


def counting_probe(gan_step, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(D's last bias, G's parameters), flat, after one gan_step call on k batches of the counting probe."""
    D, G = reference_models(40 + k)
    x_real, z = probe_inputs(k, 40 + k)
    opt_D = ClearingSGD([D[-1].bias], lr=0.1)
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1)
    _gan_step_call(gan_step, D, G, opt_D, opt_G, x_real, z, counting_loss_D, counting_loss_G)
    return (
        replay.state("D's last bias after gan_step", lambda: D[-1].bias.detach().clone()),
        replay.state("G's parameters after gan_step", _flat_parameters, G),
    )


def _matches(got, expected) -> bool:
    """Whether `got` (recorded parameters) is a finite tensor of `expected`'s shape within TOL of it."""
    expected = torch.as_tensor(expected)
    return (
        type(got) is torch.Tensor
        and tuple(got.shape) == tuple(expected.shape)
        and bool(torch.isfinite(got).all())
        and max_error(got, expected) <= TOL
    )


def _updates_like(got, trajectory: list[torch.Tensor]) -> int | None:
    """The n for which `got` equals trajectory[n] (the values after n updates), else None."""
    return next((n for n, values in enumerate(trajectory) if _matches(got, values)), None)


def counting_trajectories(k: int, n_max: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """What the counting probe's parameters are after 0 .. n_max updates, computed here (course code,
    for the messages): D's last bias after n updates on batches 0 .. n - 1, G's after n updates."""
    D, G = reference_models(40 + k)
    x_real, z = probe_inputs(k, 40 + k)
    biases, gs = [D[-1].bias.detach().clone()], [_flat_parameters(G)]
    opt_D, opt_G = ClearingSGD([D[-1].bias], lr=0.1), torch.optim.SGD(G.parameters(), lr=0.1)
    with torch.enable_grad():
        for n in range(n_max):
            opt_D.zero_grad()
            counting_loss_D(D(x_real[n % k]), None).backward()
            opt_D.step()
            biases.append(D[-1].bias.detach().clone())
            opt_G.zero_grad()
            counting_loss_G(D(G(z[0]))).backward()
            opt_G.step()
            gs.append(_flat_parameters(G))
    return biases, gs


@graded
def gan_step_counts(gan_step, k=2):
    """gan_step calls opt_D.step() k times and opt_G.step() once."""
    bias, g_params = counting_probe(gan_step, k)
    answers = load_answers(NAME)
    if replay.recording():
        return
    d_ok, g_ok = _matches(bias, answers[f"count_bias_k{k}"]), _matches(g_params, answers[f"count_G_k{k}"])
    if d_ok and g_ok:
        return
    if replay.judging_hidden():
        raise AssertionError(
            f"with x_real and z holding k = {k} batches, the parameters after gan_step are not those of "
            + ("one discriminator update per batch" if not d_ok else "one generator update")
            + " (counted by their effect on probe networks)"
        )
    biases, gs = counting_trajectories(k, k + 2)
    n_D, n_G = _updates_like(bias, biases), _updates_like(g_params, gs)
    got = lambda n: "a number of updates the check cannot tell" if n is None else str(n)  # noqa: E731
    raise AssertionError(
        f"with x_real and z holding k = {k} batches, expected {k} discriminator updates and 1 "
        f"generator update, got {got(n_D)} and {got(n_G)} (counted by their effect on probe networks)"
    )


# ---------------------------------------------------------------------------------------------
# answer key


def reference_answers(discriminator_loss, generator_loss, get_optimizer, gan_step):
    answers: dict[str, object] = {}
    with torch.no_grad():
        for case in LOGITS:
            real, fake = logits_case(case)
            answers[f"d_loss_{case}"] = discriminator_loss(real, fake)
            answers[f"g_loss_{case}"] = generator_loss(fake)
        answers["d_loss_extreme"] = discriminator_loss(*EXTREME)
        answers["g_loss_extreme"] = generator_loss(EXTREME[1])
    with torch.enable_grad():
        real, fake = (logits.clone().requires_grad_(True) for logits in EXTREME)
        answers["d_loss_extreme_grads"] = torch.stack(torch.autograd.grad(discriminator_loss(real, fake), (real, fake)))
        answers["g_loss_extreme_grads"] = torch.stack(torch.autograd.grad(generator_loss(fake), (fake,)))
    for case in OPTIMIZER_CASES:
        answers[f"optimizer_params_{case}"] = optimizer_trajectory(get_optimizer, case)[1]
    for case in STEP_CASES:
        answers[f"step_params_{case}"], answers[f"step_losses_{case}"] = run_reference_steps(gan_step, case)
    for k in DETACH_KS:
        answers[f"detach_params_k{k}"] = detach_probe(gan_step, k)
    for k in COUNT_KS:
        answers[f"count_bias_k{k}"], answers[f"count_G_k{k}"] = counting_probe(gan_step, k)
    return answers
