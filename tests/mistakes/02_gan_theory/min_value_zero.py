# The optimum's value taken as 0 (the JS divergence there), not V = -ln 4.
# fails: test_min_value
# %% cell: min_value
MIN_VALUE = 0.0
