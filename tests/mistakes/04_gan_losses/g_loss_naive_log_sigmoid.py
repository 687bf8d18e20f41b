# G's loss as -log(sigmoid(s)): exact down to about -88 in float32, inf beyond (sigmoid underflows).
# fails: test_losses_take_logits
# says: test_losses_take_logits: generator_loss at logits of +-100
# %% cell: losses
def discriminator_loss(logits_real, logits_fake):
    return bce_loss(logits_real, torch.ones_like(logits_real)) + bce_loss(logits_fake, torch.zeros_like(logits_fake))


def generator_loss(logits_fake):
    return -torch.log(torch.sigmoid(logits_fake)).mean()
