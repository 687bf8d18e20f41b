# LeakyReLU with PyTorch's default slope is right (0.01); this one uses 0.2, the DCGAN habit.
# fails: test_discriminator_reference
# %% cell: discriminator
def discriminator(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1)
    )
