# One optimizer over both networks, returned twice: each step moves both players.
# fails: test_ttur
# says: test_ttur: own network's parameters only
# %% cell: ttur
def two_time_scale_optimizers(D, G, lr_D=4e-4, lr_G=1e-4):
    opt = torch.optim.Adam([*D.parameters(), *G.parameters()], lr=lr_D, betas=(0.0, 0.9))
    return opt, opt
