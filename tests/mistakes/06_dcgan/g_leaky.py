# LeakyReLU in the generator.
# fails: test_dc_generator_reference
# %% cell: generator
def build_dc_generator(noise_dim=NOISE_DIM):
    return nn.Sequential(
        nn.Linear(noise_dim, 1024), nn.LeakyReLU(0.01), nn.BatchNorm1d(1024),
        nn.Linear(1024, 7 * 7 * 128), nn.LeakyReLU(0.01), nn.BatchNorm1d(7 * 7 * 128),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.01), nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh(),
    )
