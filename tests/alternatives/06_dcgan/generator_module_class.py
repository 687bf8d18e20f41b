# The generator as an nn.Module subclass: layers registered in another order, ReLU as a function,
# the reshape with .view.
# %% cell: generator
class DCGenerator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.norms = nn.ModuleList([nn.BatchNorm2d(64), nn.BatchNorm1d(6272), nn.BatchNorm1d(1024)])
        self.up2 = nn.ConvTranspose2d(64, 1, 4, 2, 1)
        self.up1 = nn.ConvTranspose2d(128, 64, 4, 2, 1)
        self.fc2 = nn.Linear(1024, 6272)
        self.fc1 = nn.Linear(noise_dim, 1024)

    def forward(self, z):
        bn_up, bn_fc2, bn_fc1 = self.norms
        x = bn_fc1(torch.relu(self.fc1(z)))
        x = bn_fc2(torch.relu(self.fc2(x))).view(-1, 128, 7, 7)
        x = bn_up(torch.relu(self.up1(x)))
        return torch.tanh(self.up2(x))


def build_dc_generator(noise_dim=NOISE_DIM):
    return DCGenerator(noise_dim)
