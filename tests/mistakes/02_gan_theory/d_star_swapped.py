# The ratio upside down: p_g / (p_data + p_g) is the probability of "fake", not of "real".
# fails: test_optimal_discriminator
# %% cell: optimal_discriminator
def optimal_discriminator(p_data, p_g):
    total = p_data + p_g
    return torch.where(total > 0, p_g / total, torch.full_like(total, 0.5))
