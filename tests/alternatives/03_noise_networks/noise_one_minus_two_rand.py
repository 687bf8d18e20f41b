# 1 - 2 * rand: uniform on (-1, 1] instead of [-1, 1), just as correct.
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return 1 - 2 * torch.rand(batch_size, dim)
