# The derivatives by autograd instead of by hand, written as in the student's notebook (no
# torch.enable_grad: checks call student code in grad mode); the cats-and-dogs numbers by formula.
# %% cell: saturation
def generator_loss_grads(d):
    d = d.clone().requires_grad_(True)
    (a,) = torch.autograd.grad(torch.log(1 - d).sum(), d)
    (b,) = torch.autograd.grad((-torch.log(d)).sum(), d)
    return a, b


def logit_grads(s):
    s = s.clone().requires_grad_(True)
    (a,) = torch.autograd.grad(torch.nn.functional.logsigmoid(-s).sum(), s)
    (b,) = torch.autograd.grad((-torch.nn.functional.logsigmoid(s)).sum(), s)
    return a, b
# %% cell: cats_and_dogs
def cats_and_dogs(data_cats, gen_cats):
    def ratio(a, b):
        return a / (a + b) if a + b > 0 else 0.5

    def xlogy(p, d):
        return p * math.log(d) if p > 0 else 0.0

    d_cat, d_dog = ratio(data_cats, gen_cats), ratio(1 - data_cats, 1 - gen_cats)
    value = (xlogy(data_cats, d_cat) + xlogy(1 - data_cats, d_dog)
             + xlogy(gen_cats, 1 - d_cat) + xlogy(1 - gen_cats, 1 - d_dog))
    return d_cat, d_dog, value
# %% cell: min_value
MIN_VALUE = 2 * math.log(0.5)
