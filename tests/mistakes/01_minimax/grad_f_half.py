# The derivative of 4x² taken as 4x: every gradient is half what it should be.
# fails: test_grad_f, test_lr_range_simulated
# %% cell: saddle
def grad_f(x, y):
    return 4 * x, -4 * y


SADDLE_F = (0.0, 0.0)
