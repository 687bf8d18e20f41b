# Only the step sizes without zig-zag (1 - 8 lr > 0): the oscillating but converging ones are left out.
# fails: test_lr_range
# %% cell: lr_range
LR_RANGE = (0.0, 0.125)
