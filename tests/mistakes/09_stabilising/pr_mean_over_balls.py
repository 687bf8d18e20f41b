# The share of balls that contain each point, averaged, instead of whether at least one does.
# fails: test_precision_recall
# %% cell: precision_recall
def precision_recall(real_features, fake_features, real_radii, fake_radii):
    distances = torch.cdist(fake_features, real_features)
    precision = (distances <= real_radii[None, :]).float().mean()
    recall = (distances.T <= fake_radii[None, :]).float().mean()
    return float(precision), float(recall)
