# Divergences in bits (log base 2): the identity with ln 4 needs natural logarithms.
# fails: test_divergences, test_identity
# %% cell: divergences
def kl_divergence(p, q, dx):
    return float(((torch.xlogy(p, p) - torch.xlogy(p, q)) * dx).sum()) / math.log(2)


def js_divergence(p, q, dx):
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m, dx) + 0.5 * kl_divergence(q, m, dx)
