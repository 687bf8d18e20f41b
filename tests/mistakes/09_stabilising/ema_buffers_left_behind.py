# Only the parameters averaged: batch norm's running statistics are left behind.
# fails: test_ema_buffers
# says: test_ema_buffers: left behind
# %% cell: ema
def ema_update(G_ema, G, decay):
    with torch.no_grad():
        for p_ema, p in zip(G_ema.parameters(), G.parameters()):
            p_ema.mul_(decay).add_(p, alpha=1 - decay)
