# gd_step copied from gda_step: y still ascends, so it converges on f instead of running away.
# fails: test_gd_step, test_gd_diverges
# %% cell: gd_step
def gd_step(grad, x, y, lr):
    df_dx, df_dy = grad(x, y)
    return x - lr * df_dx, y + lr * df_dy
