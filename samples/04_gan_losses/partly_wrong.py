# A partly wrong submission: the saturating generator loss, and fakes not detached in D's update.
# Its written answer is half right.
# fails: test_generator_loss, test_non_saturating, test_losses_take_logits, test_gan_step_detach
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake))

def generator_loss(logits_fake):
    return -bce_loss(logits_fake, torch.zeros_like(logits_fake))
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
# %% cell: written_answer
Yes, it is a good sign: the generator loss going down means the generator is getting better at
fooling the discriminator, so its images are improving. I would keep training.
