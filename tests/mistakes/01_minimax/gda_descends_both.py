# Both players descend: plain gradient descent passed off as the game's dynamics.
# fails: test_gda_step, test_lr_range_simulated
# %% cell: gda_step
def gda_step(grad, x, y, lr):
    df_dx, df_dy = grad(x, y)
    return x - lr * df_dx, y - lr * df_dy
