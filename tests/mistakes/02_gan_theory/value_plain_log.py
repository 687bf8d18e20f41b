# p * log(d) instead of xlogy: 0 * log 0 gives NaN on disjoint supports.
# fails: test_value_function, test_identity, test_cats_and_dogs
# %% cell: value_function
def value_function(d, p_data, p_g, dx):
    return float(((p_data * torch.log(d) + p_g * torch.log(1 - d)) * dx).sum())
