# The generator pushes its fakes' scores to 0, the discriminator's target for fakes.
# fails: test_ls_generator_loss, test_ls_raw_scores
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    return 0.5 * ((scores_real - 1) ** 2).mean() + 0.5 * (scores_fake**2).mean()

def ls_generator_loss(scores_fake):
    return 0.5 * (scores_fake**2).mean()
