# The two terms averaged instead of added: half the loss (and half its gradient).
# fails: test_discriminator_loss, test_losses_take_logits
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return 0.5 * (bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake)))


def generator_loss(logits_fake):
    return bce_loss(logits_fake, torch.ones_like(logits_fake))
