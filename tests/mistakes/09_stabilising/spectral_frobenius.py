# Each weight divided once by its Frobenius norm: larger than the largest singular value, so sigma < 1,
# and fixed at the start instead of following training.
# fails: test_spectral_norm
# says: test_spectral_norm: another norm
# %% cell: spectral
def add_spectral_norm(D):
    with torch.no_grad():
        for module in D.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                module.weight /= module.weight.norm()
    return D
