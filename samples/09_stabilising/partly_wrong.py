# A partly wrong submission: the power iteration never renormalises, R1 is taken at the fake images,
# and the moving average leaves batch norm's statistics behind. Its written answer gets (b) right,
# (c) half right and (a) half right.
# fails: test_power_iteration, test_power_iteration_converges, test_r1_penalty, test_r1_differentiable, test_r1_loss, test_ema_buffers
# %% cell: power_iteration
def power_iteration(W, u, num_iterations=1):
    for _ in range(num_iterations):
        v = W.T @ u
        u = W @ v
    sigma = u @ (W @ v)
    return sigma, u
# %% cell: r1
def discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=hinge_discriminator_loss):
    x_fake = x_fake.detach().requires_grad_(True)
    logits_real = D(x_real)
    logits_fake = D(x_fake)
    (grad,) = torch.autograd.grad(logits_fake.sum(), x_fake, create_graph=True)
    penalty = gamma / 2 * grad.pow(2).reshape(len(grad), -1).sum(dim=1).mean()
    return loss_fn(logits_real, logits_fake) + penalty, penalty
# %% cell: ema
def ema_update(G_ema, G, decay):
    with torch.no_grad():
        for p_ema, p in zip(G_ema.parameters(), G.parameters()):
            p_ema.mul_(decay).add_(p, alpha=1 - decay)
# %% cell: written_answer
(a) The stabilised run gets a lower FID and its digits look better. Spectral norm and R1 make D
smoother. G_ema looks about the same as G.

(b) With few samples the covariance is estimated badly, which makes the FID larger, so it falls as
N grows, even for real images. Papers fix N so that their numbers can be compared.

(c) Not really, the seeds give different results. You should run more seeds.
