"""Checks for notebook 4, "GAN losses and training": the two losses, the optimizer, the training step.

The training step is checked on small reference networks with plain SGD and stand-in losses (not
the notebook's), so that its check depends on the update order alone, not on the loss cells.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.answers import load_answers
from helpers.checks import replay
from helpers.checks import assert_close, call_loss, expect, graded, run_student

NAME = "gan_losses"
ASSIGNMENT = "04_gan_losses"
GIVEN_CELLS = ("bce",)  # the notebook's given bce_loss, which the solutions call (see course/answers.py)
TOL = 1e-5
NOISE_DIM = 4
# Logit cases: visible ones have shape (N, 1) like D's output; hidden ones shape (N,).
LOGITS = {"visible": {"n": 8, "shape": (8, 1), "seed": 5}, "hidden": {"n": 5, "shape": (5,), "seed": 9}}
STEP_CASES = {"visible": {"k": 1, "batch": 6, "seed": 11}, "hidden": {"k": 3, "batch": 4, "seed": 23}}
LR, BETAS = 1e-3, (0.5, 0.999)


def logits_case(case: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits_real, logits_fake) of the case: spread over [-6, 6] so both signs and saturation occur."""
    spec = LOGITS[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    real = torch.randn(spec["shape"], generator=generator) * 3
    fake = torch.randn(spec["shape"], generator=generator) * 3
    return real, fake


EXTREME = (torch.tensor([[60.0], [-60.0], [0.5]]), torch.tensor([[-60.0], [60.0], [-0.5]]))


def stand_in_loss_D(logits_real, logits_fake):
    """A loss for the step's check only (not a course loss): lower when real scores rise and fake ones fall."""
    return torch.tanh(logits_fake).mean() - torch.tanh(logits_real).mean()


def stand_in_loss_G(logits_fake):
    return -torch.tanh(logits_fake).mean()


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
        (torch.rand(*shape, 1, 4, 4, generator=generator) * 2 - 1, torch.rand(*shape, NOISE_DIM, generator=generator) * 2 - 1)
        for _ in range(2)
    ]
    return spec, batches


# ---------------------------------------------------------------------------------------------
# losses


@graded
def discriminator_loss_matches(discriminator_loss, case="visible"):
    """discriminator_loss is the mean BCE of real logits against 1 plus that of fake logits against 0."""
    real, fake = logits_case(case)
    loss = call_loss(f"discriminator_loss for logits of shape {tuple(real.shape)}", discriminator_loss, real, fake)
    assert_close("discriminator_loss", loss, load_answers(NAME)[f"d_loss_{case}"], tol=TOL,
                 hint="bce_loss(logits_real, ones) + bce_loss(logits_fake, zeros), on the logits themselves (no sigmoid)")


@graded
def generator_loss_matches(generator_loss, case="visible"):
    """generator_loss is the non-saturating loss: the mean BCE of the fake logits against 1."""
    _, fake = logits_case(case)
    loss = call_loss(f"generator_loss for logits of shape {tuple(fake.shape)}", generator_loss, fake)
    assert_close("generator_loss", loss, load_answers(NAME)[f"g_loss_{case}"], tol=TOL,
                 hint="bce_loss(logits_fake, ones): G wants D to call its images real")


@graded
def losses_accept_both_shapes(discriminator_loss, generator_loss, n=6):
    """Both losses build their targets in the logits' shape: (N, 1) and (N,) give one and the same scalar."""
    real, fake = torch.linspace(-3, 3, n), torch.linspace(2, -4, n)
    for name, fn, args in (("discriminator_loss", discriminator_loss, (real, fake)), ("generator_loss", generator_loss, (fake,))):
        column = call_loss(f"{name} for logits of shape ({n}, 1)", fn, *(a.view(n, 1) for a in args))
        flat = call_loss(f"{name} for logits of shape ({n},)", fn, *args)
        expect(torch.allclose(column, flat, atol=1e-6), f"{name} gives {float(column):.5f} for logits of shape ({n}, 1) but {float(flat):.5f} for shape ({n},)")


@graded
def generator_loss_is_non_saturating(generator_loss, n=4):
    """Where D confidently rejects the fakes (logits -10), generator_loss still has a strong gradient that raises them."""
    logits_fake = torch.full((n, 1), -10.0, requires_grad=True)
    with torch.enable_grad():
        loss = call_loss("generator_loss", generator_loss, logits_fake)
        requires_grad = replay.observe("generator_loss: requires_grad", loss.requires_grad)
        expect(requires_grad, "generator_loss must be computed from logits_fake with torch operations (no .item(), no numpy)")
        grad = replay.observe_call("the gradient of generator_loss", _gradient, loss, logits_fake)
    per_logit = float(grad.mean()) * n
    expect(
        per_logit < -0.5,
        f"at logits_fake = -10 the gradient of generator_loss per logit is {per_logit:.2e} (times 1/N); the non-saturating "
        "loss gives about -1 there. Minimising log(1 - D(G(z))) (the saturating loss) gives almost 0: G would not learn",
    )


@graded
def losses_take_logits(discriminator_loss, generator_loss):
    """Both losses work on raw logits, stably: at logits of +-60 they are finite and exact."""
    answers = load_answers(NAME)
    real, fake = EXTREME
    d_loss = call_loss("discriminator_loss at logits of +-60", discriminator_loss, real, fake)
    g_loss = call_loss("generator_loss at logits of +-60", generator_loss, fake)
    hint = "pass the logits to bce_loss as they are: applying a sigmoid first (or taking log(sigmoid)) loses precision or gives inf"
    assert_close("discriminator_loss at logits of +-60", d_loss, answers["d_loss_extreme"], tol=TOL, hint=hint)
    assert_close("generator_loss at logits of +-60", g_loss, answers["g_loss_extreme"], tol=TOL, hint=hint)


# ---------------------------------------------------------------------------------------------
# optimizer


@graded
def optimizer_settings(get_optimizer):
    """get_optimizer(model) is Adam over all of model's parameters with lr 1e-3 and betas (0.5, 0.999)."""
    facts = replay.observe_call("get_optimizer(model)", _optimizer_facts, get_optimizer)
    expect(facts["is_adam"], f"get_optimizer must return a torch.optim.Adam, got {facts['type']}")
    expect(facts["holds_model_params"],
           f"the optimizer must hold exactly model.parameters() ({facts['model_params']} tensors), got {facts['params']}")
    expect(facts["lr"] == LR, f"learning rate: expected {LR}, got {facts['lr']}")
    expect(tuple(facts["betas"]) == BETAS, f"betas: expected {BETAS} (beta1 = 0.5 as in DCGAN), got {tuple(facts['betas'])}")


def _optimizer_facts(get_optimizer) -> dict:
    """What optimizer_settings judges, as data: get_optimizer(model) on a small model."""
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    optimizer = run_student("get_optimizer(model)", get_optimizer, model)
    facts = {"type": type(optimizer).__name__, "is_adam": isinstance(optimizer, torch.optim.Adam),
             "model_params": len(list(model.parameters())), "params": 0, "holds_model_params": False,
             "lr": None, "betas": ()}
    if not isinstance(optimizer, torch.optim.Optimizer):
        return facts
    params = [p for group in optimizer.param_groups for p in group["params"]]
    group = optimizer.param_groups[0]
    facts.update(params=len(params), lr=float(group.get("lr", float("nan"))),
                 betas=tuple(float(b) for b in group.get("betas", ())),
                 holds_model_params={id(p) for p in params} == {id(p) for p in model.parameters()}
                 and len(params) == len(list(model.parameters())))
    return facts


def _gradient(loss: torch.Tensor, wrt: torch.Tensor) -> torch.Tensor:
    (grad,) = torch.autograd.grad(loss, wrt)
    return grad


# ---------------------------------------------------------------------------------------------
# the training step


def run_reference_steps(gan_step, case: str):
    """Two calls of gan_step on the reference networks; returns (parameters, losses) as flat tensors.

    A call that does not return a pair raises AssertionError (for the answer key; the check uses
    `_reference_steps`, which reports it as data instead of judging in the sandbox)."""
    params, losses, returned = _reference_steps(gan_step, case)
    _expect_pairs(returned)
    return params, losses


def _expect_pairs(returned: list[str]) -> None:
    expect(all(r == "pair" for r in returned), f"gan_step must return (loss_D, loss_G), got {returned}")


def _reference_steps(gan_step, case: str):
    """(parameters, losses, what each call returned: "pair" or a type name) after two calls of gan_step."""
    spec, batches = step_inputs(case)
    D, G = reference_models(spec["seed"])
    opt_D = torch.optim.SGD(D.parameters(), lr=0.1)
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1)
    losses, returned = [], []
    with torch.enable_grad():
        for x_real, z in batches:
            out = run_student("gan_step(D, G, opt_D, opt_G, x_real, z, ...)", gan_step, D, G, opt_D, opt_G, x_real, z,
                              loss_D_fn=stand_in_loss_D, loss_G_fn=stand_in_loss_G)
            if isinstance(out, (tuple, list)) and len(out) == 2:
                returned.append("pair")
                losses.extend(float(torch.as_tensor(v).detach()) for v in out)
            else:
                returned.append(type(out).__name__)
    params = torch.cat([p.detach().flatten() for p in (*D.parameters(), *G.parameters())])
    return params, torch.tensor(losses), returned


@graded
def gan_step_matches(gan_step, case="visible"):
    """gan_step makes k discriminator updates, then one generator update, with the given losses."""
    answers = load_answers(NAME)
    params, losses, returned = replay.observe_call(f"two calls of gan_step ({case} case)", _reference_steps, gan_step, case)
    _expect_pairs(returned)
    k = STEP_CASES[case]["k"]
    assert_close(f"the parameters of D and G after two calls of gan_step (k = {k})", params, answers[f"step_params_{case}"], tol=TOL,
                 hint="for each of the k batches: D's loss on (x_real[i], G(z[i]) detached), zero_grad, backward, step; then G's loss "
                      "on D(G(z)) (the last fake batch), zero_grad, backward, step")
    assert_close("the losses gan_step returned", losses, answers[f"step_losses_{case}"], tol=TOL,
                 hint="return the loss of the last discriminator update and the generator's loss")


@graded
def gan_step_detaches(gan_step, k=1):
    """The discriminator's update sends no gradient into G (the fake images are detached)."""
    leaks = replay.observe_call("gan_step watched for gradients in G", _watch_for_leaks, gan_step, k)
    expect(leaks, "gan_step never called opt_D.step()")
    expect(not any(leaks), "when opt_D.step() ran, G's parameters had gradients from the discriminator's loss: "
                           "pass fake_images.detach() to D in the discriminator's update")


def _watch_for_leaks(gan_step, k: int) -> list[bool]:
    """For every opt_D.step() during one gan_step call: whether G's parameters held gradients then."""
    spec, batches = step_inputs("visible")
    D, G = reference_models(spec["seed"])
    opt_D, opt_G = torch.optim.SGD(D.parameters(), lr=0.1), torch.optim.SGD(G.parameters(), lr=0.1)
    leaks = []
    original = opt_D.step

    def spy(*args, **kwargs):
        leaks.append(any(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in G.parameters()))
        return original(*args, **kwargs)

    opt_D.step = spy
    original_G = opt_G.step

    def clear_after_G_step(*args, **kwargs):  # what G's own update used is not a leak: start afresh
        result = original_G(*args, **kwargs)
        for p in G.parameters():
            p.grad = None
        return result

    opt_G.step = clear_after_G_step
    x_real, z = batches[0]
    with torch.enable_grad():
        run_student("gan_step", gan_step, D, G, opt_D, opt_G, x_real[:k], z[:k], loss_D_fn=stand_in_loss_D, loss_G_fn=stand_in_loss_G)
    return leaks


@graded
def gan_step_counts(gan_step, k=2):
    """gan_step calls opt_D.step() k times and opt_G.step() once."""
    counts = replay.observe_call("gan_step's optimizer steps", _count_steps, gan_step, k)
    expect(counts == {"D": k, "G": 1}, f"with x_real and z holding k = {k} batches, expected {k} discriminator updates and 1 "
                                       f"generator update, got {counts['D']} and {counts['G']}")


def _count_steps(gan_step, k: int) -> dict[str, int]:
    """How often one gan_step call on k batches calls opt_D.step() and opt_G.step()."""
    spec, batches = step_inputs("hidden")
    D, G = reference_models(spec["seed"])
    opt_D, opt_G = torch.optim.SGD(D.parameters(), lr=0.1), torch.optim.SGD(G.parameters(), lr=0.1)
    counts = {"D": 0, "G": 0}
    for name, optimizer in (("D", opt_D), ("G", opt_G)):
        original = optimizer.step

        def spy(*args, _name=name, _original=original, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        optimizer.step = spy
    x_real, z = batches[0]
    with torch.enable_grad():
        run_student("gan_step", gan_step, D, G, opt_D, opt_G, x_real[:k], z[:k], loss_D_fn=stand_in_loss_D, loss_G_fn=stand_in_loss_G)
    return counts


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
    for case in STEP_CASES:
        answers[f"step_params_{case}"], answers[f"step_losses_{case}"] = run_reference_steps(gan_step, case)
    del get_optimizer  # checked against the specification (LR, BETAS), not against stored values
    return answers
