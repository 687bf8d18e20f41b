# A partly wrong submission: the value function forgets the 0 ln 0 = 0 convention (NaN on disjoint
# supports), and the logit gradients skip the chain rule. Its written answer is half right.
# fails: test_value_function, test_identity, test_cats_and_dogs, test_logit_grads
# %% cell: value_function
def value_function(d, p_data, p_g, dx):
    return float(((p_data * torch.log(d) + p_g * torch.log(1 - d)) * dx).sum())
# %% cell: saturation
def generator_loss_grads(d):
    return -1 / (1 - d), -1 / d


def logit_grads(s):
    return generator_loss_grads(torch.sigmoid(s))
# %% cell: written_answer
(a) When D(G(z)) is close to 0 the curve of ln(1 - D) is flat, so the gradient is close to zero and
G does not learn. The -ln D loss has a big gradient there.

(b) The discriminator gives 1/2 to dogs because the generated dogs look exactly like real dogs.
