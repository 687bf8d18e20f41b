# LeakyReLU(0.2), the DCGAN paper's slope, where this architecture has 0.01.
# fails: test_dc_classifier_reference
# %% cell: classifier
def build_dc_classifier():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5), nn.LeakyReLU(0.2), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, 5), nn.LeakyReLU(0.2), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 64, 1024), nn.LeakyReLU(0.2),
        nn.Linear(1024, 1),
    )
