# bias=False on every layer.
# fails: test_generator_params, test_generator_reference
# %% cell: generator
def generator(noise_dim=NOISE_DIM, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(noise_dim, 1024, bias=False), nn.ReLU(), nn.Linear(1024, 1024, bias=False), nn.ReLU(),
        nn.Linear(1024, 784, bias=False), nn.Tanh(),
    )
