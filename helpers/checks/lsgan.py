"""Checks for notebook 5, "Least-squares GAN": the two losses of Mao et al., equation 9 (a=0, b=c=1)."""

from __future__ import annotations

import torch

from helpers.answers import load_answers
from helpers.checks import assert_close, call_loss, graded

NAME = "lsgan"
ASSIGNMENT = "05_lsgan"
TOL = 1e-5
SCORES = {"visible": {"shape": (8, 1), "seed": 3}, "hidden": {"shape": (5,), "seed": 13}}
LARGE = (torch.tensor([[60.0], [-60.0], [0.5]]), torch.tensor([[-60.0], [60.0], [-0.5]]))


def scores_case(case: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(scores_real, scores_fake): D's raw outputs, spread over about [-4, 4]."""
    spec = SCORES[case]
    generator = torch.Generator().manual_seed(spec["seed"])
    return torch.randn(spec["shape"], generator=generator) * 2, torch.randn(spec["shape"], generator=generator) * 2


@graded
def ls_discriminator_loss_matches(ls_discriminator_loss, case="visible"):
    """ls_discriminator_loss is 1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2."""
    real, fake = scores_case(case)
    loss = call_loss(
        f"ls_discriminator_loss for scores of shape {tuple(real.shape)}", ls_discriminator_loss, real, fake
    )
    assert_close(
        "ls_discriminator_loss",
        loss,
        load_answers(NAME)[f"d_loss_{case}"],
        tol=TOL,
        hint="0.5 * mean((scores_real - 1)**2) + 0.5 * mean(scores_fake**2), on the raw scores",
    )


@graded
def ls_generator_loss_matches(ls_generator_loss, case="visible"):
    """ls_generator_loss is 1/2 mean (D(G(z)) - 1)^2."""
    _, fake = scores_case(case)
    loss = call_loss(f"ls_generator_loss for scores of shape {tuple(fake.shape)}", ls_generator_loss, fake)
    assert_close(
        "ls_generator_loss",
        loss,
        load_answers(NAME)[f"g_loss_{case}"],
        tol=TOL,
        hint="0.5 * mean((scores_fake - 1)**2): G wants its fakes scored like real images",
    )


@graded
def ls_losses_use_raw_scores(ls_discriminator_loss, ls_generator_loss):
    """Both losses use D's raw scores (no sigmoid): far-off scores are penalised quadratically."""
    answers = load_answers(NAME)
    real, fake = LARGE
    hint = "least squares act on the scores themselves; a sigmoid first would cap the penalty"
    assert_close(
        "ls_discriminator_loss at scores of +-60",
        call_loss("ls_discriminator_loss", ls_discriminator_loss, real, fake),
        answers["d_loss_large"],
        tol=TOL,
        hint=hint,
    )
    assert_close(
        "ls_generator_loss at scores of +-60",
        call_loss("ls_generator_loss", ls_generator_loss, fake),
        answers["g_loss_large"],
        tol=TOL,
        hint=hint,
    )


def reference_answers(ls_discriminator_loss, ls_generator_loss):
    answers: dict[str, object] = {}
    for case in SCORES:
        real, fake = scores_case(case)
        answers[f"d_loss_{case}"] = ls_discriminator_loss(real, fake)
        answers[f"g_loss_{case}"] = ls_generator_loss(fake)
    answers["d_loss_large"] = ls_discriminator_loss(*LARGE)
    answers["g_loss_large"] = ls_generator_loss(LARGE[1])
    return answers
