# The label before the noise: another function of the same weights.
# fails: test_conditional_generator
# %% cell: generator
class ConditionalGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(noise_dim + NUM_CLASSES, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                                 nn.Linear(1024, 784), nn.Tanh())

    def forward(self, z, y):
        return self.net(torch.cat([one_hot(y), z], dim=1)).view(-1, 1, 28, 28)


def build_conditional_generator(noise_dim=NOISE_DIM):
    return ConditionalGenerator(noise_dim)
