# Rows of the identity matrix picked with y - 1: class 0 gets the last column, and the networks built on
# one_hot would see the wrong label (their checks use the course's one_hot: only test_one_hot is lost).
# fails: test_one_hot
# %% cell: one_hot
def one_hot(y, num_classes=NUM_CLASSES):
    return torch.eye(num_classes)[y - 1]
