# D's gradients never cleared: each update adds the previous ones (and those of G's loss).
# fails: test_gan_step
# %% cell: gan_step
def gan_step(D, G, opt_D, opt_G, x_real, z, loss_D_fn=discriminator_loss, loss_G_fn=generator_loss):
    for i in range(len(x_real)):
        fake_images = G(z[i])
        loss_D = loss_D_fn(D(x_real[i]), D(fake_images.detach()))
        loss_D.backward()
        opt_D.step()
    loss_G = loss_G_fn(D(fake_images))
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()
    return loss_D, loss_G
