# One random number per row, copied into every column: the coordinates are not independent.
# fails: test_noise_distribution
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return (2 * torch.rand(batch_size, 1) - 1).expand(batch_size, dim)
