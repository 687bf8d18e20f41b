# Gaussian noise clamped to (-1, 1): in range, but a third of it piles up at -1 and 1.
# fails: test_noise_distribution
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.randn(batch_size, dim).clamp(-1, 1)
