# The classifier as an nn.Module subclass with functional activations and pooling, and pooling before
# the activation (LeakyReLU is increasing, so max pooling commutes with it).
# %% cell: classifier
import torch.nn.functional as F


class DCClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc2 = nn.Linear(1024, 1)
        self.fc1 = nn.Linear(4 * 4 * 64, 1024)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=(5, 5))
        self.conv1 = nn.Conv2d(1, 32, kernel_size=(5, 5))

    def forward(self, x):
        x = F.leaky_relu(F.max_pool2d(self.conv1(x), 2), 0.01)
        x = F.leaky_relu(F.max_pool2d(self.conv2(x), 2), 0.01)
        return self.fc2(F.leaky_relu(self.fc1(x.flatten(1)), 0.01))


def build_dc_classifier():
    return DCClassifier()
