# Right distribution, wrong dtype: float64 noise doubles memory and clashes with float32 weights.
# fails: test_noise_shape_dtype
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return 2 * torch.rand(batch_size, dim, dtype=torch.float64) - 1
