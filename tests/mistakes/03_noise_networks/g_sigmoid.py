# A sigmoid instead of Tanh: outputs in (0, 1), never negative like the image background.
# fails: test_generator_range, test_generator_reference
# %% cell: generator
def generator(noise_dim=NOISE_DIM, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(noise_dim, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 784), nn.Sigmoid()
    )
