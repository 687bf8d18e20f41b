# LeakyReLU before batch norm: the tutorial's order is batch norm, then LeakyReLU.
# fails: test_fashion_generator_reference
# %% cell: fashion_networks
def build_fashion_generator(noise_dim=100):
    return nn.Sequential(
        nn.Linear(noise_dim, 7 * 7 * 256, bias=False), nn.LeakyReLU(0.3), nn.BatchNorm1d(7 * 7 * 256),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False), nn.LeakyReLU(0.3), nn.BatchNorm2d(128),
        nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False), nn.LeakyReLU(0.3), nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False), nn.Tanh(),
    )


def build_fashion_discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 5, stride=2, padding=2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, stride=2, padding=2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
        nn.Flatten(),
        nn.Linear(7 * 7 * 128, 1),
    )
