# opt_D.step() after the generator's backward too: D is pushed by G's loss.
# fails: test_gan_step, test_gan_step_counts
# %% cell: gan_step
def gan_step(D, G, opt_D, opt_G, x_real, z, loss_D_fn=discriminator_loss, loss_G_fn=generator_loss):
    for i in range(len(x_real)):
        fake_images = G(z[i])
        loss_D = loss_D_fn(D(x_real[i]), D(fake_images.detach()))
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
    loss_G = loss_G_fn(D(fake_images))
    opt_G.zero_grad()
    opt_D.zero_grad()
    loss_G.backward()
    opt_G.step()
    opt_D.step()
    return loss_D, loss_G
