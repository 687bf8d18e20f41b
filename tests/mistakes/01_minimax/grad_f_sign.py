# The minus sign of -4y² dropped: f is treated as a bowl, so GDA on it runs off and GD converges.
# The simulations run the update rules on the course's gradient of f: only grad_f's own check is lost.
# fails: test_grad_f
# %% cell: saddle
def grad_f(x, y):
    return 8 * x, 8 * y


SADDLE_F = (0.0, 0.0)
