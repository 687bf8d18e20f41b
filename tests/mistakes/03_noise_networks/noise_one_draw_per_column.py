# One random vector, copied into every row: the whole batch gets the same noise.
# fails: test_noise_distribution
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return (2 * torch.rand(1, dim) - 1).expand(batch_size, dim)
