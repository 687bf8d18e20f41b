# The decay on the wrong side: G_ema takes decay of G's new weights and keeps only 1 - decay of its own.
# fails: test_ema_update
# says: test_ema_update: wrong side
# %% cell: ema
def ema_update(G_ema, G, decay):
    with torch.no_grad():
        for p_ema, p in zip(G_ema.parameters(), G.parameters()):
            p_ema.copy_((1 - decay) * p_ema + decay * p)
        for b_ema, b in zip(G_ema.buffers(), G.buffers()):
            b_ema.copy_(b)
