# In-place clamping outside torch.no_grad(): autograd refuses to change a leaf that requires grad.
# fails: test_clip_weights
# %% cell: clip
def clip_weights(critic, c):
    for p in critic.parameters():
        p.clamp_(-c, c)
