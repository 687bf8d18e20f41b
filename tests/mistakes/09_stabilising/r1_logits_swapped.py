# loss_fn given the fake logits first.
# fails: test_r1_loss
# %% cell: r1
def discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=hinge_discriminator_loss):
    x_real = x_real.detach().requires_grad_(True)
    logits_real = D(x_real)
    logits_fake = D(x_fake.detach())
    (grad,) = torch.autograd.grad(logits_real.sum(), x_real, create_graph=True)
    penalty = gamma / 2 * grad.pow(2).reshape(len(grad), -1).sum(dim=1).mean()
    return loss_fn(logits_fake, logits_real) + penalty, penalty
