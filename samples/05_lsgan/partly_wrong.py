# A partly wrong submission: the generator's loss pushes the fakes' scores to 0. Its written answer
# gets (b) right and (a) half right.
# fails: test_ls_generator_loss, test_ls_raw_scores
# %% cell: ls_losses
def ls_discriminator_loss(scores_real, scores_fake):
    return 0.5 * ((scores_real - 1) ** 2).mean() + 0.5 * (scores_fake**2).mean()

def ls_generator_loss(scores_fake):
    return 0.5 * (scores_fake**2).mean()
# %% cell: written_answer
(a) The least-squares losses are smaller, so LSGAN is better.

(b) The sigmoid in BCE saturates when D is confident, so the gradient vanishes; the squared error
keeps a gradient that grows with the distance of the score from 1.
