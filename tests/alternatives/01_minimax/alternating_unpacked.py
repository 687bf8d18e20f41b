# Alternating step with both gradients unpacked and a float period.
# %% cell: alternating_step
def alternating_step(grad, x, y, lr):
    _, dg_dy = grad(x, y)
    y = y + lr * dg_dy
    dg_dx, _ = grad(x, y)
    x = x - lr * dg_dx
    return x, y
# %% cell: table_answers
RETURNS_AFTER = 6.0
REACHES_OPTIMUM = np.bool_(False)
