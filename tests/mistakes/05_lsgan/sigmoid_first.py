# Scores squashed by a sigmoid before the squares: the penalty is capped at 1.
# fails: test_ls_discriminator_loss, test_ls_generator_loss, test_ls_raw_scores
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    real, fake = torch.sigmoid(scores_real), torch.sigmoid(scores_fake)
    return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()


def ls_generator_loss(scores_fake):
    return 0.5 * ((torch.sigmoid(scores_fake) - 1) ** 2).mean()
