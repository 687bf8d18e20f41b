# Tensor.uniform_ fills in place with U(-1, 1).
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.empty(batch_size, dim).uniform_(-1, 1)
