# The saturating loss of the minimax game: minimise mean ln(1 - D(G(z))).
# fails: test_generator_loss, test_non_saturating, test_losses_take_logits
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake))

def generator_loss(logits_fake):
    return -bce_loss(logits_fake, torch.zeros_like(logits_fake))
