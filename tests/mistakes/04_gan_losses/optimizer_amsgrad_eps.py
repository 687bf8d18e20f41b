# AMSGrad with a larger eps: two settings off at once, and the reason names both.
# fails: test_optimizer
# says: test_optimizer: eps: expected 1e-08 | amsgrad: expected False
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999), eps=1e-6, amsgrad=True)
