# A sigmoid at the end: probabilities instead of logits.
# fails: test_conditional_discriminator
# %% cell: discriminator
class ConditionalDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784 + NUM_CLASSES, 256), nn.LeakyReLU(0.01), nn.Linear(256, 256), nn.LeakyReLU(0.01),
                                 nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, x, y):
        return self.net(torch.cat([x.flatten(1), one_hot(y)], dim=1))


def build_conditional_discriminator():
    return ConditionalDiscriminator()
