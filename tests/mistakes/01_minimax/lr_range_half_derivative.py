# The range from the derivative 4x instead of 8x: |1 - 4 lr| < 1.
# The simulated boundary is compared with the analytic bound, not with LR_RANGE: one check lost.
# fails: test_lr_range
# %% cell: lr_range
LR_RANGE = (0.0, 0.5)
