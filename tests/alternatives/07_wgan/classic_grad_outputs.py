# The penalty as in Gulrajani et al.'s code: grad_outputs of ones, epsilon expanded to the input's
# shape, the norm through a flattened view and an explicit square root; clipping through .data.
# %% cell: gp
def gradient_penalty(critic, x_real, x_fake, epsilon=None):
    batch = x_real.size(0)
    if epsilon is None:
        epsilon = torch.rand(batch, 1)
    epsilon = epsilon.reshape(batch, *([1] * (x_real.dim() - 1))).expand_as(x_real)
    interpolates = epsilon * x_real + (1 - epsilon) * x_fake
    interpolates.requires_grad_(True)
    scores = critic(interpolates)
    gradients = torch.autograd.grad(outputs=scores, inputs=interpolates, grad_outputs=torch.ones_like(scores),
                                    create_graph=True, retain_graph=True)[0]
    gradients = gradients.view(batch, -1)
    return ((torch.sqrt((gradients**2).sum(dim=1)) - 1) ** 2).mean()
# %% cell: clip
def clip_weights(critic, c):
    for p in critic.parameters():
        p.data.clamp_(-c, c)
