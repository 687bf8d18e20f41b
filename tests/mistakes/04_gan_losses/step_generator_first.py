# The generator updated before the discriminator.
# fails: test_gan_step
# %% cell: gan_step
def gan_step(D, G, opt_D, opt_G, x_real, z, loss_D_fn=discriminator_loss, loss_G_fn=generator_loss):
    loss_G = loss_G_fn(D(G(z[0])))
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    for i in range(len(x_real)):
        loss_D = loss_D_fn(D(x_real[i]), D(G(z[i]).detach()))
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
    return loss_D, loss_G
