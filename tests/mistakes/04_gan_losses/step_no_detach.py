# No detach: D's backward fills G's gradients (cleared before G's update, so only the waste shows).
# fails: test_gan_step_detach
# %% cell: gan_step
def gan_step(D, G, opt_D, opt_G, x_real, z, loss_D_fn=discriminator_loss, loss_G_fn=generator_loss):
    for i in range(len(x_real)):
        fake_images = G(z[i])
        loss_D = loss_D_fn(D(x_real[i]), D(fake_images))
        opt_D.zero_grad()
        loss_D.backward(retain_graph=True)
        opt_D.step()
    opt_G.zero_grad()
    loss_G = loss_G_fn(D(G(z[-1])))
    loss_G.backward()
    opt_G.step()
    return loss_D, loss_G
