# The two learning rates swapped: G learns on the fast time scale.
# fails: test_ttur
# says: test_ttur: learning rate
# %% cell: ttur
def two_time_scale_optimizers(D, G, lr_D=4e-4, lr_G=1e-4):
    opt_D = torch.optim.Adam(D.parameters(), lr=lr_G, betas=(0.0, 0.9))
    opt_G = torch.optim.Adam(G.parameters(), lr=lr_D, betas=(0.0, 0.9))
    return opt_D, opt_G
