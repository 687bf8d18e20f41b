# ln d in both terms: the fake term must be ln(1 - d).
# fails: test_value_function, test_identity, test_cats_and_dogs
# %% cell: value_function
def value_function(d, p_data, p_g, dx):
    return float(((torch.xlogy(p_data, d) + torch.xlogy(p_g, d)) * dx).sum())
