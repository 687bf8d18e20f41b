# The gradient of xy with its partial derivatives swapped, and the min-max value taken as infinite:
# one check judges both answers, and its reason names both.
# fails: test_xy
# says: test_xy: grad_xy(-0.5, 2.0) | XY_MINMAX_VALUE must be finite
# %% cell: xy
def grad_xy(x, y):
    return x, y


XY_MINMAX_VALUE = float("inf")
