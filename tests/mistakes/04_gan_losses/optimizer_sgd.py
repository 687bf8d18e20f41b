# Plain SGD with the right learning rate.
# fails: test_optimizer
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=1e-3)
