# p = p.clamp(...) rebinds a local name: the critic is left unchanged.
# fails: test_clip_weights
# %% cell: clip
def clip_weights(critic, c):
    for p in critic.parameters():
        p = p.clamp(-c, c)
