# The right number, computed and wrapped in a new tensor: autograd cannot follow it back to the
# logits, so G would never learn from it.
# fails: test_losses_take_logits
# says: test_losses_take_logits: autograd cannot follow the loss
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake))


def generator_loss(logits_fake):
    return torch.tensor(F.softplus(-logits_fake).mean().item())
