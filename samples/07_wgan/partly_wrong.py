# A partly wrong submission: biases left unclipped, and one gradient norm for the whole batch. Its
# written answer gets (a) and (c) right and (b) half right.
# fails: test_clip_weights, test_gradient_penalty, test_gradient_penalty_differentiable
# %% cell: clip
def clip_weights(critic, c):
    with torch.no_grad():
        for name, p in critic.named_parameters():
            if "weight" in name:
                p.clamp_(-c, c)
# %% cell: gp
def gradient_penalty(critic, x_real, x_fake, epsilon=None):
    n = x_real.shape[0]
    if epsilon is None:
        epsilon = torch.rand(n)
    epsilon = epsilon.view(n, *[1] * (x_real.dim() - 1))
    x_hat = (epsilon * x_real + (1 - epsilon) * x_fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = grad.norm(2)
    return ((norms - 1) ** 2).mean()
# %% cell: written_answer
(a) WGAN-GP covers the most modes. The standard GAN collapses to one point that moves around
(one image and oscillation); WGAN with clipping is still a blurry ring after training.

(b) The WGAN critic loss goes towards 0 as the samples get better, the GAN loss does not.

(c) Clipping makes the critic too simple and its gradients vanish or explode; the penalty controls
the gradient directly.
