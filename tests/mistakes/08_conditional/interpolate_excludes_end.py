# arange(num) / num: the last point stops one step short of z1.
# fails: test_interpolate
# %% cell: interpolate
def interpolate(z0, z1, num):
    t = (torch.arange(num) / num).unsqueeze(1)
    return (1 - t) * z0 + t * z1
