# R1 taken at the fake images instead of the real ones.
# fails: test_r1_penalty, test_r1_differentiable, test_r1_loss
# says: test_r1_penalty: at the real images
# %% cell: r1
def discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=hinge_discriminator_loss):
    x_fake = x_fake.detach().requires_grad_(True)
    logits_real = D(x_real)
    logits_fake = D(x_fake)
    (grad,) = torch.autograd.grad(logits_fake.sum(), x_fake, create_graph=True)
    penalty = gamma / 2 * grad.pow(2).reshape(len(grad), -1).sum(dim=1).mean()
    return loss_fn(logits_real, logits_fake) + penalty, penalty
