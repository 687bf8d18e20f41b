# maximize=True: the optimizer climbs the loss instead of descending it.
# fails: test_optimizer
# says: test_optimizer: maximize: expected False
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999), maximize=True)
