# Adam's default momentum kept (beta1 = 0.9).
# fails: test_ttur
# says: test_ttur: beta1
# %% cell: ttur
def two_time_scale_optimizers(D, G, lr_D=4e-4, lr_G=1e-4):
    return torch.optim.Adam(D.parameters(), lr=lr_D), torch.optim.Adam(G.parameters(), lr=lr_G)
