# The minus sign of -4y² dropped: f is treated as a bowl, so GDA on it runs off and GD converges.
# fails: test_grad_f, test_lr_range_simulated, test_gd_diverges
# %% cell: saddle
def grad_f(x, y):
    return 8 * x, 8 * y


SADDLE_F = (0.0, 0.0)
