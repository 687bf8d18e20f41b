# The critic's loss with the sign flipped: it would push real scores down.
# fails: test_critic_loss
# %% cell: wgan_losses
def wasserstein_critic_loss(scores_real, scores_fake):
    return scores_real.mean() - scores_fake.mean()


def wasserstein_generator_loss(scores_fake):
    return -scores_fake.mean()
