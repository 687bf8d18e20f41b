# Each point's own radius used instead of the ball's (the fake point's radius for the real manifold).
# fails: test_precision_recall
# %% cell: precision_recall
def precision_recall(real_features, fake_features, real_radii, fake_radii):
    distances = torch.cdist(fake_features, real_features)
    precision = (distances <= fake_radii[:, None]).any(dim=1).float().mean()
    recall = (distances.T <= real_radii[:, None]).any(dim=1).float().mean()
    return float(precision), float(recall)
