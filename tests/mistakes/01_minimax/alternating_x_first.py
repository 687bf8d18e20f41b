# The order reversed: x moves first, then y at the new x.
# fails: test_alternating_step
# %% cell: alternating_step
def alternating_step(grad, x, y, lr):
    x_new = x - lr * grad(x, y)[0]
    y_new = y + lr * grad(x_new, y)[1]
    return x_new, y_new
