# From z1 to z0.
# fails: test_interpolate
# %% cell: interpolate
def interpolate(z0, z1, num):
    t = torch.linspace(0, 1, num).unsqueeze(1)
    return t * z0 + (1 - t) * z1
