# Sums over the batch instead of averaging: the loss grows with the batch size.
# fails: test_discriminator_loss, test_losses_take_logits
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    real = F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real), reduction="sum")
    fake = F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake), reduction="sum")
    return real + fake


def generator_loss(logits_fake):
    return bce_loss(logits_fake, torch.ones_like(logits_fake))
