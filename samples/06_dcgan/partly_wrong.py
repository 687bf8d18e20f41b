# A partly wrong submission: batch norm before ReLU in the generator (the DCGAN paper's order, not this
# architecture's), and an initialisation that misses the transposed convolutions. Its written answer
# gets (a) right and (b) half right.
# fails: test_dc_generator_reference, test_initialize_weights
# %% cell: generator
def build_dc_generator(noise_dim=NOISE_DIM):
    return nn.Sequential(
        nn.Linear(noise_dim, 1024), nn.BatchNorm1d(1024), nn.ReLU(),
        nn.Linear(1024, 7 * 7 * 128), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh(),
    )
# %% cell: init
def initialize_weights(m):
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)
# %% cell: written_answer
(a) At first D wins and G's loss goes up while the samples are noise. Afterwards the two curves go
up and down against each other and stay around 1, while the samples turn into clothes.

(b) No, because the generator keeps getting better so the losses keep changing.
