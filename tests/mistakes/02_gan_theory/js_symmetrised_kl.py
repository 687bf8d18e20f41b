# The symmetrised KL, (KL(p||q) + KL(q||p)) / 2, passed off as JS: infinite on disjoint supports.
# fails: test_divergences
# %% cell: divergences
def kl_divergence(p, q, dx):
    return float(((torch.xlogy(p, p) - torch.xlogy(p, q)) * dx).sum())


def js_divergence(p, q, dx):
    return 0.5 * kl_divergence(p, q, dx) + 0.5 * kl_divergence(q, p, dx)
