# G's loss without the minus: G would push its logits down.
# fails: test_hinge_generator_loss
# %% cell: hinge_losses
def hinge_discriminator_loss(logits_real, logits_fake):
    return torch.relu(1 - logits_real).mean() + torch.relu(1 + logits_fake).mean()


def hinge_generator_loss(logits_fake):
    return logits_fake.mean()
