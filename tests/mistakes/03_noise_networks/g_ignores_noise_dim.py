# Hard-codes NOISE_DIM instead of using its noise_dim argument.
# fails: test_generator_params, test_generator_shape, test_generator_range, test_generator_reference
# %% cell: generator
def generator(noise_dim=NOISE_DIM, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(NOISE_DIM, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 784), nn.Tanh()
    )
