# No Tanh at the end: outputs are unbounded, unlike the images in [-1, 1].
# fails: test_generator_range, test_generator_reference
# %% cell: generator
def generator(noise_dim=NOISE_DIM, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(noise_dim, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 784))
