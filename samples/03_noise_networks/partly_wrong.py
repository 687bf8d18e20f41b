# A partly wrong submission: correct noise and generator, but the discriminator ends in a sigmoid
# (it returns probabilities instead of logits) and uses a ReLU where a LeakyReLU belongs.
# Its written answer is half right, for the instructor to grade by hand.
# fails: test_discriminator_logits, test_discriminator_reference
# %% cell: discriminator
def discriminator(seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 256),
        nn.ReLU(),
        nn.Linear(256, 256),
        nn.LeakyReLU(0.01),
        nn.Linear(256, 1),
        nn.Sigmoid(),
    )
    return model
# %% cell: written_answer
(a) With a sigmoid the fake images would only have values between 0 and 1, so they would look
different from the real ones.

(b) Because the sigmoid is applied later anyway, so D does not need it.
