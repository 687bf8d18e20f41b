# The discriminator's hinge loss with the signs flipped: it pushes real logits down and fake ones up.
# fails: test_hinge_discriminator_loss
# %% cell: hinge_losses
def hinge_discriminator_loss(logits_real, logits_fake):
    return torch.relu(1 + logits_real).mean() + torch.relu(1 - logits_fake).mean()


def hinge_generator_loss(logits_fake):
    return -logits_fake.mean()
