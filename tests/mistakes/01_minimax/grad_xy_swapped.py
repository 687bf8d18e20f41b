# The gradient of xy written as (x, y): the partial derivatives swapped.
# fails: test_xy, test_flow_circle
# %% cell: xy
def grad_xy(x, y):
    return x, y


XY_MINMAX_VALUE = 0.0
