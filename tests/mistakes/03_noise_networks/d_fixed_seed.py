# Ignores its seed argument: every discriminator starts from the same weights.
# fails: test_models_seeded
# %% cell: discriminator
def discriminator(seed=None):
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.01), nn.Linear(256, 256), nn.LeakyReLU(0.01), nn.Linear(256, 1)
    )
