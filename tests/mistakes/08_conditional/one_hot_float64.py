# One-hot labels in float64: torch.cat with float32 noise or images then fails (or upcasts) inside G
# and D. The networks' checks use the course's one_hot, so the mistake costs test_one_hot alone.
# fails: test_one_hot
# says: test_one_hot: expected dtype torch.float32, got torch.float64
# %% cell: one_hot
def one_hot(y, num_classes=NUM_CLASSES):
    return torch.nn.functional.one_hot(y, num_classes).double()
