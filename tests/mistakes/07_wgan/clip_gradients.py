# The gradients clipped instead of the weights.
# fails: test_clip_weights
# %% cell: clip
def clip_weights(critic, c):
    for p in critic.parameters():
        p.grad.clamp_(-c, c)
