# The penalty taken at the real samples only.
# fails: test_gradient_penalty, test_gradient_penalty_differentiable, test_gradient_penalty_sampling
# %% cell: gp
def gradient_penalty(critic, x_real, x_fake, epsilon=None):
    n = x_real.shape[0]
    if epsilon is None:
        epsilon = torch.rand(n)
    epsilon = epsilon.view(n, *[1] * (x_real.dim() - 1))
    x_hat = x_real.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    norms = grad.reshape(n, -1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()
