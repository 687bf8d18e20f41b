# A custom nn.Module with layers declared last-first and functional activations.
# %% cell: discriminator
import torch.nn.functional as F

class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(256, 1)
        self.hidden2 = nn.Linear(256, 256)
        self.hidden1 = nn.Linear(784, 256)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        x = F.leaky_relu(self.hidden1(x), negative_slope=0.01)
        x = F.leaky_relu(self.hidden2(x), negative_slope=0.01)
        return self.out(x)

def discriminator(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return Discriminator()
