# "Simultaneous" GDA that evaluates y's gradient at the new x: right on f (decoupled), wrong on coupled games.
# fails: test_gda_step
# %% cell: gda_step
def gda_step(grad, x, y, lr):
    x_new = x - lr * grad(x, y)[0]
    y_new = y + lr * grad(x_new, y)[1]
    return x_new, y_new
