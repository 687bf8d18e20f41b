# Returns images of shape (N, 1, 28, 28) where (N, 784) is asked for.
# fails: test_generator_shape, test_generator_reference
# %% cell: generator
def generator(noise_dim=NOISE_DIM, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(noise_dim, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 784), nn.Tanh(),
        nn.Unflatten(1, (1, 28, 28)),
    )
