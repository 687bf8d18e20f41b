# A partly wrong submission: the alternating step moves x first, and the step-size range leaves out
# the zig-zag that still converges. Its written answer gets (a) right and (b) half right.
# fails: test_alternating_step, test_lr_range
# %% cell: lr_range
LR_RANGE = (0.0, 0.125)
# %% cell: alternating_step
def alternating_step(grad, x, y, lr):
    x_new = x - lr * grad(x, y)[0]
    y_new = y + lr * grad(x_new, y)[1]
    return x_new, y_new
# %% cell: written_answer
(a) dx/dt = -y and dy/dt = x, so d/dt(x² + y²) = 2x(-y) + 2y(x) = 0 and the radius never changes.

(b) The step size is too big, so the steps overshoot. A smaller learning rate would make it converge.
