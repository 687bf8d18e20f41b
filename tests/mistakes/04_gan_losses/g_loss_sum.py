# The generator's loss summed over the batch.
# fails: test_generator_loss, test_losses_take_logits
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake))

def generator_loss(logits_fake):
    return F.binary_cross_entropy_with_logits(logits_fake, torch.ones_like(logits_fake), reduction="sum")
