# No care for 0 / 0: where both densities vanish d* becomes NaN.
# fails: test_optimal_discriminator
# %% cell: optimal_discriminator
def optimal_discriminator(p_data, p_g):
    return p_data / (p_data + p_g)
