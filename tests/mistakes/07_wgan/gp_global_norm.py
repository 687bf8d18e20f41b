# One norm over the whole batch instead of one per sample.
# fails: test_gradient_penalty, test_gradient_penalty_differentiable
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
