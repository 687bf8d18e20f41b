# Adam with its default betas (0.9, 0.999).
# fails: test_optimizer
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3)
