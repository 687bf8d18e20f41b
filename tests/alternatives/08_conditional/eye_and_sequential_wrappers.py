# one_hot by indexing the identity matrix; the networks keep their layers in nn.ModuleList and
# reshape with view; interpolation with torch.lerp.
# %% cell: one_hot
def one_hot(y, num_classes=NUM_CLASSES):
    return torch.eye(num_classes, device=y.device)[y]
# %% cell: generator
class ConditionalGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(noise_dim + 10, 1024), nn.Linear(1024, 1024), nn.Linear(1024, 784)])

    def forward(self, z, y):
        h = torch.cat((z, one_hot(y)), 1)
        h = torch.relu(self.layers[0](h))
        h = torch.relu(self.layers[1](h))
        return torch.tanh(self.layers[2](h)).view(z.shape[0], 1, 28, 28)


def build_conditional_generator(noise_dim=NOISE_DIM):
    return ConditionalGenerator(noise_dim)
# %% cell: discriminator
class ConditionalDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(794, 256), nn.LeakyReLU(), nn.Linear(256, 256), nn.LeakyReLU())
        self.out = nn.Linear(256, 1)

    def forward(self, x, y):
        return self.out(self.hidden(torch.cat((x.view(x.shape[0], -1), one_hot(y)), 1)))


def build_conditional_discriminator():
    return ConditionalDiscriminator()
# %% cell: interpolate
def interpolate(z0, z1, num):
    weights = torch.linspace(0, 1, num).view(num, 1)
    return torch.lerp(z0.expand(num, -1), z1.expand(num, -1), weights)
