# The generator's loss without the minus: G would push its scores down.
# fails: test_generator_loss
# %% cell: wgan_losses
def wasserstein_critic_loss(scores_real, scores_fake):
    return scores_fake.mean() - scores_real.mean()


def wasserstein_generator_loss(scores_fake):
    return scores_fake.mean()
