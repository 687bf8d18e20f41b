# x uses the old y: that is simultaneous GDA, not alternating.
# fails: test_alternating_step
# %% cell: alternating_step
def alternating_step(grad, x, y, lr):
    y_new = y + lr * grad(x, y)[1]
    x_new = x - lr * grad(x, y)[0]
    return x_new, y_new
