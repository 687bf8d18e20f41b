# Written with explicit masks and torch.log where it is safe, returning 0-d tensors instead of floats.
# %% cell: optimal_discriminator
def optimal_discriminator(p_data, p_g):
    d = torch.full_like(p_data, 0.5)
    support = (p_data + p_g) > 0
    d[support] = p_data[support] / (p_data[support] + p_g[support])
    return d
# %% cell: value_function
def value_function(d, p_data, p_g, dx):
    real, fake = p_data > 0, p_g > 0
    return (p_data[real] * torch.log(d[real])).sum() * dx + (p_g[fake] * torch.log(1 - d[fake])).sum() * dx
# %% cell: divergences
def kl_divergence(p, q, dx):
    mask = p > 0
    return (p[mask] * torch.log(p[mask] / q[mask])).sum() * dx


def js_divergence(p, q, dx):
    m = 0.5 * (p + q)
    return (kl_divergence(p, m, dx) + kl_divergence(q, m, dx)) / 2
