# The moving average through state_dicts (the timm / torch.optim.swa_utils style: every floating
# entry averaged, the rest copied), and the penalty from the reshaped gradient's squared entries.
# %% cell: ema
def ema_update(G_ema, G, decay):
    target, source = G_ema.state_dict(), G.state_dict()
    with torch.no_grad():
        for key, value in source.items():
            if value.is_floating_point() and "running" not in key:
                target[key].lerp_(value, 1 - decay)
            else:
                target[key].copy_(value)
# %% cell: r1
def discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=hinge_discriminator_loss):
    x_real = x_real.detach()
    x_real.requires_grad = True
    logits_real, logits_fake = D(x_real), D(x_fake.detach())
    (g,) = torch.autograd.grad(logits_real, x_real, grad_outputs=torch.ones_like(logits_real), create_graph=True)
    penalty = gamma / 2 * (g * g).sum() / g.shape[0]
    return loss_fn(logits_real, logits_fake) + penalty, penalty
