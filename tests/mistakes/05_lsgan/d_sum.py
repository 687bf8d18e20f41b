# Sums over the batch instead of means.
# fails: test_ls_discriminator_loss, test_ls_raw_scores
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    return 0.5 * ((scores_real - 1) ** 2).sum() + 0.5 * (scores_fake**2).sum()


def ls_generator_loss(scores_fake):
    return 0.5 * ((scores_fake - 1) ** 2).mean()
