# Clamped to [0, c]: every negative weight becomes 0.
# fails: test_clip_weights
# %% cell: clip
def clip_weights(critic, c):
    with torch.no_grad():
        for p in critic.parameters():
            p.clamp_(0, c)
