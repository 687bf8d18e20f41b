# Derivatives with respect to d passed off as derivatives with respect to the logit.
# fails: test_logit_grads
# %% cell: saturation
def generator_loss_grads(d):
    return -1 / (1 - d), -1 / d


def logit_grads(s):
    return generator_loss_grads(torch.sigmoid(s))
