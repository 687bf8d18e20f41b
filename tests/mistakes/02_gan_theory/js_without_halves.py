# JS without the halves: twice the divergence (up to 2 ln 2).
# fails: test_divergences
# %% cell: divergences
def kl_divergence(p, q, dx):
    return float(((torch.xlogy(p, p) - torch.xlogy(p, q)) * dx).sum())


def js_divergence(p, q, dx):
    m = (p + q) / 2
    return kl_divergence(p, m, dx) + kl_divergence(q, m, dx)
