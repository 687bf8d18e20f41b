# The naive form guarded by torch.where: the value is right everywhere, but the branch not taken
# still has a NaN gradient at -100, and NaN times 0 is NaN: training would break.
# fails: test_losses_take_logits
# says: test_losses_take_logits: the gradient of generator_loss at logits of +-100
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake))


def generator_loss(logits_fake):
    return torch.where(logits_fake < -30, -logits_fake, -torch.log(torch.sigmoid(logits_fake))).mean()
