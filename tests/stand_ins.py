"""Small stand-ins the tests share."""

from __future__ import annotations


def simple_step(D, G, opt_D, opt_G, x_real, z):
    """A stand-in update (not a GAN loss): enough to move both networks."""
    for i in range(len(x_real)):
        fake = G(z[i])
        loss_D = D(fake.detach()).mean() - D(x_real[i]).mean()
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
    loss_G = -D(fake).mean()
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    return loss_D, loss_G
