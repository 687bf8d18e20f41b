# The min-max value taken as "max over y is infinite": but x picks 0, where the max is 0.
# fails: test_xy
# %% cell: xy
def grad_xy(x, y):
    return y, x


XY_MINMAX_VALUE = float("inf")
