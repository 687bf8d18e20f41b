# The losses through F.mse_loss with targets built like the scores.
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    mse = torch.nn.functional.mse_loss
    return 0.5 * mse(scores_real, torch.ones_like(scores_real)) + 0.5 * mse(scores_fake, torch.zeros_like(scores_fake))


def ls_generator_loss(scores_fake):
    return torch.nn.functional.mse_loss(scores_fake, torch.ones_like(scores_fake)) / 2
