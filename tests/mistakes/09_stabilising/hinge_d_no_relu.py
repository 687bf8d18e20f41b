# The relu left out of D's loss: a linear loss, which keeps rewarding D however sure it is.
# fails: test_hinge_discriminator_loss
# %% cell: hinge_losses
def hinge_discriminator_loss(logits_real, logits_fake):
    return (1 - logits_real).mean() + (1 + logits_fake).mean()


def hinge_generator_loss(logits_fake):
    return -logits_fake.mean()
