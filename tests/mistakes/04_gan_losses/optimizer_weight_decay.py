# Adam with a small weight decay (L2 on every parameter): its steps differ from the asked ones by
# less than a check of the parameters alone could see, so the settings are judged too.
# fails: test_optimizer
# says: test_optimizer: weight_decay: expected 0.0 (Adam's default), got 0.0001
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999), weight_decay=1e-4)
