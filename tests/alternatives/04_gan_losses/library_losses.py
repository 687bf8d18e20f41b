# The losses with torch's own BCE-with-logits and target tensors built by new_ones/new_zeros.
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    real = F.binary_cross_entropy_with_logits(logits_real, logits_real.new_ones(logits_real.shape))
    fake = F.binary_cross_entropy_with_logits(logits_fake, logits_fake.new_zeros(logits_fake.shape))
    return real + fake


def generator_loss(logits_fake):
    return F.binary_cross_entropy_with_logits(logits_fake, torch.ones_like(logits_fake))
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.Adam(list(model.parameters()), 0.001, (0.5, 0.999))
