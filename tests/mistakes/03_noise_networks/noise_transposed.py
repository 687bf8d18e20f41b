# Shape (dim, batch_size) instead of (batch_size, dim).
# fails: test_noise_shape_dtype, test_noise_distribution, test_noise_seeded
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return 2 * torch.rand(dim, batch_size) - 1
