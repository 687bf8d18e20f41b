# The likelihood ratio p_data / p_g instead of the posterior: not even in [0, 1].
# fails: test_optimal_discriminator
# %% cell: optimal_discriminator
def optimal_discriminator(p_data, p_g):
    return torch.where(p_g > 0, p_data / p_g, torch.full_like(p_g, 0.5))
