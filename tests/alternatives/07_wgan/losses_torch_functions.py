# The losses through torch.mean and a difference of batch means written the other way round.
# %% cell: wgan_losses
def wasserstein_critic_loss(scores_real, scores_fake):
    return -(torch.mean(scores_real) - torch.mean(scores_fake))


def wasserstein_generator_loss(scores_fake):
    return torch.mean(-scores_fake)
