# Only the first layer's parameters handed to Adam: the rest never trains.
# fails: test_optimizer
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.Adam(next(model.children()).parameters(), lr=1e-3, betas=(0.5, 0.999))
