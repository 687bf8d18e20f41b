# Always seeds with 0, whatever seed it is given.
# fails: test_noise_seeded
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    torch.manual_seed(0)
    return 2 * torch.rand(batch_size, dim) - 1
