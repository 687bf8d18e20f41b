# Adam with every setting written out at the value asked, in two param groups (weights and biases),
# an implementation choice (foreach) and the learning rate as a tensor.
# %% cell: optimizer
def get_optimizer(model):
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if not name.endswith("weight")]
    return torch.optim.Adam([{"params": weights}, {"params": biases}], lr=torch.tensor(1e-3), betas=(0.5, 0.999),
                            eps=1e-8, weight_decay=0, amsgrad=False, maximize=False, foreach=False)
