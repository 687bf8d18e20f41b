# The range from the derivative 4x instead of 8x: |1 - 4 lr| < 1.
# fails: test_lr_range, test_lr_range_simulated
# %% cell: lr_range
LR_RANGE = (0.0, 0.5)
