# Uniform in (-0.02, 0.02) instead of normal with standard deviation 0.02.
# fails: test_initialize_weights
# %% cell: init
def initialize_weights(m):
    if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.uniform_(m.weight, -0.02, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.uniform_(m.weight, 0.98, 1.02)
        nn.init.zeros_(m.bias)
