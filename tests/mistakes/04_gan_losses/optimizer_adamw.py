# AdamW (a subclass of Adam in torch 2) with its default decoupled weight decay of 0.01.
# fails: test_optimizer
# says: test_optimizer: weight_decay: expected 0.0
# %% cell: optimizer
def get_optimizer(model):
    return torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
