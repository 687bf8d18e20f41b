# No nn.Flatten: works on (N, 784) but not on images of shape (N, 1, 28, 28).
# fails: test_discriminator_shape
# %% cell: discriminator
def discriminator(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.01), nn.Linear(256, 256), nn.LeakyReLU(0.01), nn.Linear(256, 1))
