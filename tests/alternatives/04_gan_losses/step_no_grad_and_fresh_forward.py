# Fakes for D made under torch.no_grad(), and G's update with a fresh forward pass of the last noise.
# %% cell: gan_step
def gan_step(D, G, opt_D, opt_G, x_real, z, loss_D_fn=discriminator_loss, loss_G_fn=generator_loss):
    for x_batch, z_batch in zip(x_real, z):
        with torch.no_grad():
            fake_images = G(z_batch)
        opt_D.zero_grad(set_to_none=True)
        loss_D = loss_D_fn(D(x_batch), D(fake_images))
        loss_D.backward()
        opt_D.step()
    opt_G.zero_grad(set_to_none=True)
    loss_G = loss_G_fn(D(G(z[-1])))
    loss_G.backward()
    opt_G.step()
    return loss_D.detach(), loss_G.detach()
