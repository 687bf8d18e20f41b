# bias=False on the last layer only: one parameter short.
# fails: test_discriminator_params, test_discriminator_reference
# %% cell: discriminator
def discriminator(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.01), nn.Linear(256, 256),
        nn.LeakyReLU(0.01), nn.Linear(256, 1, bias=False),
    )
