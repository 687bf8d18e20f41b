# Only the weight matrices clipped, not the biases (WGAN clips every parameter).
# fails: test_clip_weights
# %% cell: clip
def clip_weights(critic, c):
    with torch.no_grad():
        for name, p in critic.named_parameters():
            if "weight" in name:
                p.clamp_(-c, c)
