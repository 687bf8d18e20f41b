# Divergences in bits (log base 2) where natural logarithms are asked: both functions are off, and the
# reason names both.
# fails: test_divergences
# says: test_divergences: js_divergence | kl_divergence
# %% cell: divergences
def kl_divergence(p, q, dx):
    return float(((torch.xlogy(p, p) - torch.xlogy(p, q)) * dx).sum()) / math.log(2)


def js_divergence(p, q, dx):
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m, dx) + 0.5 * kl_divergence(q, m, dx)
