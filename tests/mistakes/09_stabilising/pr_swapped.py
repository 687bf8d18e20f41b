# Precision and recall swapped.
# fails: test_precision_recall
# says: test_precision_recall: swapped
# %% cell: precision_recall
def precision_recall(real_features, fake_features, real_radii, fake_radii):
    distances = torch.cdist(fake_features, real_features)
    precision = (distances <= real_radii[None, :]).any(dim=1).float().mean()
    recall = (distances.T <= fake_radii[None, :]).any(dim=1).float().mean()
    return float(recall), float(precision)
