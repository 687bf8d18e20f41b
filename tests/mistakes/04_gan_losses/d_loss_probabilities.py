# Probabilities passed where logits belong: a sigmoid before a loss that applies its own.
# fails: test_discriminator_loss, test_losses_take_logits
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    real, fake = torch.sigmoid(logits_real), torch.sigmoid(logits_fake)
    return bce_loss(real, torch.ones_like(real)) + bce_loss(fake, torch.zeros_like(fake))


def generator_loss(logits_fake):
    return bce_loss(logits_fake, torch.ones_like(logits_fake))
