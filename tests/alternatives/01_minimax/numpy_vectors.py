# Steps written with NumPy vectors: the gradient as an array, the update as one expression.
# %% cell: gda_step
def gda_step(grad, x, y, lr):
    direction = np.array([-1.0, 1.0])  # x descends, y ascends
    return np.array([x, y]) + lr * direction * np.array(grad(x, y))
# %% cell: gd_step
def gd_step(grad, x, y, lr):
    return np.array([x, y]) - lr * np.array(grad(x, y))
# %% cell: flow
def flow(grad, x, y):
    return np.array([-1.0, 1.0]) * np.array(grad(x, y))
