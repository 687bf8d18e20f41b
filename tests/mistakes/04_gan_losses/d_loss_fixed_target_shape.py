# Targets of a fixed shape (N, 1): right for D's output, wrong (and silently broadcast without the shape check) for logits of shape (N,).
# fails: test_discriminator_loss, test_loss_shapes
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    n = logits_real.shape[0]
    return bce_loss(logits_real, torch.ones(n, 1)) + bce_loss(logits_fake, torch.zeros(n, 1))


def generator_loss(logits_fake):
    return bce_loss(logits_fake, torch.ones_like(logits_fake))
