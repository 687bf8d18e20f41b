# A custom nn.Module with torch.relu and torch.tanh.
# %% cell: generator
class Generator(nn.Module):
    def __init__(self, noise_dim):
        super().__init__()
        self.fc1 = nn.Linear(noise_dim, 1024)
        self.fc2 = nn.Linear(1024, 1024)
        self.fc3 = nn.Linear(1024, 784)

    def forward(self, z):
        return torch.tanh(self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(z))))))

def generator(noise_dim=NOISE_DIM, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return Generator(noise_dim)
