# The number of columns taken from the batch (y.max() + 1): a batch without 9s gets fewer columns, and
# the networks built on one_hot get inputs of the wrong length.
# fails: test_one_hot, test_conditional_generator, test_generator_uses_labels, test_conditional_discriminator, test_discriminator_uses_labels
# %% cell: one_hot
def one_hot(y, num_classes=NUM_CLASSES):
    return F.one_hot(y).float()
