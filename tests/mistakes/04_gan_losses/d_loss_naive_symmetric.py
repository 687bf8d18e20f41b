# D's loss as -log(sigmoid(real)) - log(sigmoid(-fake)): no 1 - sigmoid, so exact at +-60, but inf
# once sigmoid underflows near +-90.
# fails: test_losses_take_logits
# says: test_losses_take_logits: discriminator_loss at logits of +-100
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return -torch.log(torch.sigmoid(logits_real)).mean() - torch.log(torch.sigmoid(-logits_fake)).mean()


def generator_loss(logits_fake):
    return bce_loss(logits_fake, torch.ones_like(logits_fake))
