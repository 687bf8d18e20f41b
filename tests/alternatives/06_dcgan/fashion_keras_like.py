# The Fashion-MNIST networks written closer to Keras: separate blocks, dropout before the activation
# (dropout scales by 0 or 1/(1-p), which commutes with LeakyReLU), named keyword arguments.
# %% cell: fashion_networks
def build_fashion_generator(noise_dim=100):
    def up(c_in, c_out, stride):
        extra = {"output_padding": 1} if stride == 2 else {}
        return [nn.ConvTranspose2d(c_in, c_out, kernel_size=5, stride=stride, padding=2, bias=False, **extra),
                nn.BatchNorm2d(c_out), nn.LeakyReLU(negative_slope=0.3)]

    return nn.Sequential(
        nn.Linear(noise_dim, 12544, bias=False), nn.BatchNorm1d(12544), nn.LeakyReLU(negative_slope=0.3),
        nn.Unflatten(1, (256, 7, 7)),
        *up(256, 128, 1), *up(128, 64, 2),
        nn.ConvTranspose2d(64, 1, kernel_size=5, stride=2, padding=2, output_padding=1, bias=False), nn.Tanh(),
    )


def build_fashion_discriminator():
    layers = []
    for c_in, c_out in ((1, 64), (64, 128)):
        layers += [nn.Conv2d(c_in, c_out, kernel_size=5, stride=2, padding=2), nn.Dropout(p=0.3), nn.LeakyReLU(0.3)]
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(6272, 1))
