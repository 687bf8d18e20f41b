# The factors 1/2 left out of the discriminator's loss.
# fails: test_ls_discriminator_loss, test_ls_raw_scores
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    return ((scores_real - 1) ** 2).mean() + (scores_fake**2).mean()


def ls_generator_loss(scores_fake):
    return 0.5 * ((scores_fake - 1) ** 2).mean()
