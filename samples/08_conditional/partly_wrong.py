# A partly wrong submission: the label placed before the noise in the generator, and an interpolation
# that stops short of z1. Its written answer gets (b) right and (a) half right.
# fails: test_conditional_generator, test_interpolate
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
# %% cell: interpolate
def interpolate(z0, z1, num):
    t = (torch.arange(num) / num).unsqueeze(1)
    return (1 - t) * z0 + t * z1
# %% cell: written_answer
(a) In a GAN the police help the forger.

(b) Batch norm uses the statistics of each batch, so a batch of only fakes is normalised differently
from a batch of only real images and D can use that difference instead of looking at the images.
Put real and fake images together into one batch (torch.cat), run D once and split the outputs.
