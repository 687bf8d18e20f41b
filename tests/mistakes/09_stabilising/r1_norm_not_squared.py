# The norm itself instead of its square.
# fails: test_r1_penalty, test_r1_differentiable, test_r1_loss
# %% cell: r1
def discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=hinge_discriminator_loss):
    x_real = x_real.detach().requires_grad_(True)
    logits_real = D(x_real)
    logits_fake = D(x_fake.detach())
    (grad,) = torch.autograd.grad(logits_real.sum(), x_real, create_graph=True)
    penalty = gamma / 2 * grad.reshape(len(grad), -1).norm(dim=1).mean()
    return loss_fn(logits_real, logits_fake) + penalty, penalty
