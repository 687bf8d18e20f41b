# A hinge (relu with a margin) applied to G's loss too: G stops improving fakes D already scores above 1.
# fails: test_hinge_generator_loss
# %% cell: hinge_losses
def hinge_discriminator_loss(logits_real, logits_fake):
    return torch.relu(1 - logits_real).mean() + torch.relu(1 + logits_fake).mean()


def hinge_generator_loss(logits_fake):
    return torch.relu(1 - logits_fake).mean()
