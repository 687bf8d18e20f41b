# The standard GAN's log-loss kept for the critic.
# fails: test_critic_loss
# %% cell: wgan_losses
def wasserstein_critic_loss(scores_real, scores_fake):
    return -(torch.nn.functional.logsigmoid(scores_real).mean() + torch.nn.functional.logsigmoid(-scores_fake).mean())


def wasserstein_generator_loss(scores_fake):
    return -scores_fake.mean()
