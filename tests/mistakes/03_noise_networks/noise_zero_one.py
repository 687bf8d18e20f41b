# torch.rand alone: uniform on [0, 1), never negative.
# fails: test_noise_distribution
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.rand(batch_size, dim)
