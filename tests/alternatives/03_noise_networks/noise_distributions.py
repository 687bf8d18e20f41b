# torch.distributions.Uniform samples float32 when its bounds are float32 tensors.
# %% cell: sample_noise
def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    uniform = torch.distributions.Uniform(torch.tensor(-1.0), torch.tensor(1.0))
    return uniform.sample((batch_size, dim))
