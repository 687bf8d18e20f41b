# Convolutions padded to keep the size (28 -> 14 -> 7), with the linear layer resized to fit.
# fails: test_dc_classifier_structure, test_dc_classifier_reference
# %% cell: classifier
def build_dc_classifier():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.LeakyReLU(0.01), nn.MaxPool2d(2, 2),
        nn.Conv2d(32, 64, 5, padding=2), nn.LeakyReLU(0.01), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(7 * 7 * 64, 1024), nn.LeakyReLU(0.01),
        nn.Linear(1024, 1),
    )
