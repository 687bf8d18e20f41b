# The gradient of xy written as (x, y): the partial derivatives swapped.
# The flow is integrated on the course's gradient of xy: only grad_xy's own check is lost.
# fails: test_xy
# %% cell: xy
def grad_xy(x, y):
    return x, y


XY_MINMAX_VALUE = 0.0
