# Equation 8's targets (a = -1, b = 1) in the discriminator: fakes pushed to -1 instead of 0.
# fails: test_ls_discriminator_loss, test_ls_raw_scores
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    return 0.5 * ((scores_real - 1) ** 2).mean() + 0.5 * ((scores_fake + 1) ** 2).mean()


def ls_generator_loss(scores_fake):
    return 0.5 * ((scores_fake - 1) ** 2).mean()
